package io.seqspark.core.decode;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.seqspark.core.data.Vocabulary;
import io.seqspark.core.decode.BeamSearch.Hypothesis;
import io.seqspark.core.decode.BeamSearch.Options;
import io.seqspark.core.model.LanguageModel;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.nd4j.linalg.api.buffer.DataType;

class BeamSearchTest {
  private static final int BOS = Vocabulary.BOS_ID;
  private static final int EOS = Vocabulary.EOS_ID;

  private static TableDecoder table(int inputs) {
    int[] start = new int[inputs];
    Arrays.fill(start, BOS);
    return new TableDecoder(11, 0.5, -2.0, start);
  }

  /** Every complete sequence of input {@code input}: up to {@code maxLength} emittable words, then </s>. */
  private static List<Hypothesis> enumerate(TableDecoder d, int input, int maxLength, double alpha) {
    int[] words = {Vocabulary.UNK_ID, 4, 5, 6};
    List<Hypothesis> all = new ArrayList<>();
    List<int[]> level = List.of(new int[0]);
    for (int len = 0; len <= maxLength; len++) {
      List<int[]> longer = new ArrayList<>();
      for (int[] y : level) {
        int[] withEos = Arrays.copyOf(y, len + 1);
        withEos[len] = EOS;
        double lp = d.logProbability(input, withEos);
        all.add(new Hypothesis(y, lp, lp / BeamSearch.lengthPenalty(len + 1, alpha)));
        for (int w : words) {
          int[] z = Arrays.copyOf(y, len + 1);
          z[len] = w;
          longer.add(z);
        }
      }
      level = longer;
    }
    all.sort(Comparator.comparingDouble(Hypothesis::score).reversed());
    return all;
  }

  private static void assertSameHypotheses(List<Hypothesis> expected, List<Hypothesis> actual, double tol, String what) {
    assertEquals(expected.size(), actual.size(), what + ": n-best size");
    for (int k = 0; k < expected.size(); k++) {
      assertArrayEquals(expected.get(k).tokens(), actual.get(k).tokens(), what + ": hypothesis " + k);
      assertEquals(expected.get(k).score(), actual.get(k).score(), tol, what + ": score " + k);
      assertEquals(expected.get(k).logProbability(), actual.get(k).logProbability(), tol, what + ": log P " + k);
    }
  }

  @ParameterizedTest(name = "alpha {0}")
  @ValueSource(doubles = {0.0, 0.6, 2.0})
  void largeBeam_findsTheBestSequencesOfABruteForceEnumeration(double alpha) {
    int maxLength = 5; // 4 words: 1 + 4 + ... + 4^5 = 1365 complete sequences per input
    int inputs = 3;
    TableDecoder d = table(inputs);
    List<List<Hypothesis>> got = BeamSearch.search(d, new Options(1400, alpha, MaxLength.of(maxLength), 8, true));
    TableDecoder fresh = table(inputs);
    for (int i = 0; i < inputs; i++) {
      List<Hypothesis> all = enumerate(fresh, i, maxLength, alpha);
      assertSameHypotheses(all.subList(0, 8), got.get(i), 1e-12, "input " + i);
    }
  }

  @Test
  void lengthPenalty_changesTheWinner_towardsLongerSentences() {
    // the pair of tests above is only meaningful if α actually matters on this table
    TableDecoder d = table(3);
    boolean differs = false;
    for (int i = 0; i < 3; i++) {
      differs |= enumerate(d, i, 5, 0).get(0).tokens().length < enumerate(d, i, 5, 2.0).get(0).tokens().length;
    }
    assertTrue(differs, "with α = 2 some input's best sequence is longer than with α = 0");
  }

  @Test
  void beamOne_equalsGreedy_onTheTable() {
    for (int maxLength : new int[] {0, 1, 3, 12}) {
      List<int[]> greedy = Sampler.decode(table(6), Sampler.Options.greedy(maxLength));
      List<List<Hypothesis>> beam = BeamSearch.search(table(6), Options.of(1, 0, maxLength));
      for (int i = 0; i < 6; i++) {
        assertArrayEquals(greedy.get(i), beam.get(i).get(0).tokens(), "input " + i + ", max length " + maxLength);
      }
    }
  }

  @ParameterizedTest(name = "{0}")
  @ValueSource(strings = {"lstm", "tcn"})
  void beamOne_equalsGreedy_onALanguageModel(String cell) {
    LanguageModel m = Fixtures.model(cell, DataType.DOUBLE);
    List<int[]> prefixes = List.of(new int[] {BOS}, new int[] {BOS, 5, 9}, new int[] {BOS, 12}, new int[] {BOS, 7, 7, 4});
    List<int[]> greedy = Sampler.decode(LanguageModelDecoder.fromPrefixes(m, prefixes), Sampler.Options.greedy(15));
    List<List<Hypothesis>> beam = BeamSearch.search(LanguageModelDecoder.fromPrefixes(m, prefixes), Options.of(1, 0, 15));
    for (int i = 0; i < prefixes.size(); i++) {
      assertArrayEquals(greedy.get(i), beam.get(i).get(0).tokens(), "prefix " + i);
    }
  }

  @Test
  void batchedSearch_equalsEachInputAlone() {
    int[] limits = {4, 0, 7, 2, 6};
    Options batched = new Options(3, 0.6, input -> limits[input], 3, true);
    List<List<Hypothesis>> together = BeamSearch.search(table(limits.length), batched);
    for (int i = 0; i < limits.length; i++) {
      // input i alone: a one-input table whose only input draws input i's distributions
      int only = i;
      TableDecoder alone = new TableDecoder(11, 0.5, -2.0, BOS) {
        @Override
        double[] distribution(int input, int[] fed) {
          return super.distribution(only, fed);
        }
      };
      List<Hypothesis> a = BeamSearch.search(alone, new Options(3, 0.6, MaxLength.of(limits[i]), 3, true)).get(0);
      assertSameHypotheses(a, together.get(i), 0, "input " + i);
      for (Hypothesis h : together.get(i)) {
        assertTrue(h.tokens().length <= limits[i], "input " + i + " respects its own max length " + limits[i] + ": " + h);
      }
    }
  }

  @ParameterizedTest(name = "{0}")
  @ValueSource(strings = {"gru", "tcn"})
  void batchedSearch_equalsEachInputAlone_onALanguageModel(String cell) {
    LanguageModel m = Fixtures.model(cell, DataType.DOUBLE);
    List<int[]> prefixes = List.of(new int[] {BOS, 5, 9}, new int[] {BOS}, new int[] {BOS, 13, 4, 4});
    Options o = new Options(4, 0.6, MaxLength.of(10), 2, true);
    List<List<Hypothesis>> together = BeamSearch.search(LanguageModelDecoder.fromPrefixes(m, prefixes), o);
    for (int i = 0; i < prefixes.size(); i++) {
      List<Hypothesis> alone = BeamSearch.search(LanguageModelDecoder.fromPrefixes(m, List.of(prefixes.get(i))), o).get(0);
      // different batch sizes may round differently in the last bits; the hypotheses are the same
      assertSameHypotheses(alone, together.get(i), 1e-9, cell + " prefix " + i);
    }
  }

  @Test
  void earlyStop_isExact_nBestOneFindsTheSameBestAsAFullList() {
    for (double alpha : new double[] {0, 0.7, 1.5}) {
      TableDecoder one = table(5);
      TableDecoder full = table(5);
      List<List<Hypothesis>> a = BeamSearch.search(one, new Options(4, alpha, MaxLength.of(9), 1, true));
      List<List<Hypothesis>> b = BeamSearch.search(full, new Options(4, alpha, MaxLength.of(9), 4, true));
      for (int i = 0; i < 5; i++) {
        assertSameHypotheses(b.get(i).subList(0, 1), a.get(i), 0, "alpha " + alpha + " input " + i);
      }
      assertTrue(one.rowsStepped <= full.rowsStepped, "a shorter n-best list stops no later");
    }
  }

  @Test
  void reservedIds_areNeverEmitted_unknownOnlyWhenAllowed() {
    // a bonus of 10 puts the logits of <pad>, <unk> and <s> in [6, 14], every other one in [-4, 2]
    TableDecoder d = new TableDecoder(5, 10.0, -2.0, BOS, BOS, BOS);
    for (boolean allowUnknown : new boolean[] {true, false}) {
      List<List<Hypothesis>> got = BeamSearch.search(new TableDecoder(5, 10.0, -2.0, BOS, BOS, BOS),
          new Options(5, 0.6, MaxLength.of(6), 5, allowUnknown));
      boolean sawUnknown = false;
      for (List<Hypothesis> hs : got) {
        assertEquals(5, hs.size());
        for (Hypothesis h : hs) {
          for (int id : h.tokens()) {
            assertTrue(id != Vocabulary.PAD_ID && id != BOS && id != EOS && (allowUnknown || id != Vocabulary.UNK_ID),
                "allowUnknown " + allowUnknown + ": " + h);
            sawUnknown |= id == Vocabulary.UNK_ID;
          }
        }
      }
      assertEquals(allowUnknown, sawUnknown, "with the bonus, <unk> is everywhere when allowed");
    }
    for (int i = 0; i < 3; i++) {
      double[] first = d.distribution(i, new int[] {BOS});
      int best = 0;
      for (int j = 1; j < TableDecoder.V; j++) {
        best = first[j] > first[best] ? j : best;
      }
      assertTrue(best <= BOS, "unfiltered, a reserved id would win: " + best);
    }
  }

  @Test
  void maxLengthZero_givesTheEmptySentence_scoredByEndOfSentence() {
    TableDecoder d = table(2);
    List<List<Hypothesis>> got = BeamSearch.search(d, new Options(3, 0.6, MaxLength.of(0), 3, true));
    for (int i = 0; i < 2; i++) {
      assertEquals(1, got.get(i).size());
      Hypothesis h = got.get(i).get(0);
      assertEquals(0, h.tokens().length);
      double lp = d.distribution(i, new int[] {BOS})[EOS];
      assertEquals(lp, h.logProbability(), 0);
      assertEquals(lp / Math.pow(6.0 / 6.0, 0.6), h.score(), 1e-15);
    }
  }

  @Test
  void ratioMaxLength_followsTheSourceLengths() {
    MaxLength m = MaxLength.ratio(1.5, 2, new int[] {0, 4, 100}, 50);
    assertEquals(2, m.forInput(0));
    assertEquals(8, m.forInput(1));
    assertEquals(50, m.forInput(2), "capped");
  }

  @Test
  void badOptions_nameTheSettingAndTheRule() {
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> Options.of(0, 0.6, 10));
    assertTrue(e.getMessage().contains("beam = 0") && e.getMessage().contains(">= 1"), e.getMessage());
    e = assertThrows(IllegalArgumentException.class, () -> Options.of(4, -1, 10));
    assertTrue(e.getMessage().contains("lengthPenalty = -1.0"), e.getMessage());
    e = assertThrows(IllegalArgumentException.class, () -> new Options(2, 0, MaxLength.of(5), 3, true));
    assertTrue(e.getMessage().contains("nBest = 3") && e.getMessage().contains("beam = 2"), e.getMessage());
  }
}
