package io.seqspark.core.decode;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.seqspark.core.data.Batch;
import io.seqspark.core.data.PairBatch;
import io.seqspark.core.data.Vocabulary;
import io.seqspark.core.model.Seq2Seq;
import io.seqspark.core.model.Seq2SeqSpec;
import io.seqspark.core.nn.Attention;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import org.nd4j.linalg.api.buffer.DataType;

/**
 * The incremental decoder against the teacher-forced model: the same log-probabilities at every position when fed
 * the reference, rows that follow {@link Seq2SeqDecoder#select}, attention weights over real source words only, and
 * beam search of width 1 giving greedy decoding.
 */
class Seq2SeqDecoderTest {
  private static final int[][] SOURCES = {{5, 6, 7, 8, 3}, {9, 3}, {10, 4, 3}};
  private static final int[][] TARGETS = {{4, 5, 6}, {7}, {8, 9, 10, 4, 5}};
  private static final int V = 11;

  static Seq2Seq model(String cell, Attention.Score score, boolean feed, DataType dtype, double initScale) {
    return new Seq2Seq(new Seq2SeqSpec(12, V, 5, 6, 2, 2, cell, score != Attention.Score.DOT, score, 4, feed, 0.3,
        0.1, initScale), dtype, 11);
  }

  static Stream<Arguments> configurations() {
    List<Arguments> out = new ArrayList<>();
    for (String cell : List.of("lstm", "gru")) {
      for (Attention.Score score : Attention.Score.values()) {
        for (boolean feed : new boolean[] {false, true}) {
          out.add(Arguments.of(cell, score, feed));
        }
      }
    }
    return out.stream();
  }

  private static PairBatch pairs() {
    int rows = SOURCES.length;
    int[][] zeros = new int[rows][];
    int[][] tin = new int[rows][];
    int[][] tout = new int[rows][];
    long[] ids = new long[rows];
    for (int r = 0; r < rows; r++) {
      zeros[r] = new int[SOURCES[r].length];
      int n = TARGETS[r].length;
      tin[r] = new int[n + 1];
      tout[r] = new int[n + 1];
      tin[r][0] = Vocabulary.BOS_ID;
      System.arraycopy(TARGETS[r], 0, tin[r], 1, n);
      System.arraycopy(TARGETS[r], 0, tout[r], 0, n);
      tout[r][n] = Vocabulary.EOS_ID;
      ids[r] = r;
    }
    return new PairBatch(Batch.padded(SOURCES, zeros, ids), Batch.padded(tin, tout, ids));
  }

  @ParameterizedTest(name = "{0} {1} inputFeeding={2}")
  @MethodSource("configurations")
  void fedTheReference_stepsGiveTheTeacherForcedLogProbabilitiesAtEveryPosition(String cell, Attention.Score score,
                                                                               boolean feed) {
    Seq2Seq m = model(cell, score, feed, DataType.DOUBLE, 0.5);
    PairBatch b = pairs();
    int rows = b.rows();
    double[] forced = m.logProbabilities(b);
    Seq2SeqDecoder d = Seq2SeqDecoder.of(m, Arrays.asList(SOURCES));
    int[] last = d.startTokens();
    for (int t = 0; t < b.target().steps(); t++) {
      double[] lp = d.step(last);
      for (int r = 0; r < rows; r++) {
        if (t <= TARGETS[r].length) {
          double sum = 0;
          for (int j = 0; j < V; j++) {
            assertEquals(forced[(t * rows + r) * V + j], lp[r * V + j], 1e-10, "row " + r + " step " + t + " id " + j);
            sum += Math.exp(lp[r * V + j]);
          }
          assertEquals(1.0, sum, 1e-12);
        }
        // past its end a row is fed padding-free junk (its last reference word): it keeps stepping harmlessly
        last[r] = TARGETS[r][Math.min(t, TARGETS[r].length - 1)];
      }
      for (int r = 0; r < rows; r++) {
        double[] w = d.attention(r);
        assertEquals(SOURCES[r].length, w.length, "weights over the row's real source words only");
        assertEquals(1.0, Arrays.stream(w).sum(), 1e-12);
      }
    }
  }

  @ParameterizedTest(name = "inputFeeding={0}")
  @org.junit.jupiter.params.provider.ValueSource(booleans = {false, true})
  void select_rowsContinueAsTheRowsTheyCopy(boolean feed) {
    Seq2Seq m = model("lstm", Attention.Score.GENERAL, feed, DataType.DOUBLE, 0.5);
    Seq2SeqDecoder d = Seq2SeqDecoder.of(m, Arrays.asList(SOURCES));
    d.step(d.startTokens());
    double[] before = d.step(new int[] {4, 7, 8});
    double[] wBefore = d.attention(2);
    int[] keep = {2, 0, 2, 2};
    d.select(keep);
    assertEquals(4, d.rows());
    assertArrayEquals(new int[] {2, 0, 2, 2}, new int[] {d.source(0), d.source(1), d.source(2), d.source(3)});
    assertArrayEquals(wBefore, d.attention(0), 0, "the last step's weights follow their rows");
    double[] after = d.step(new int[] {9, 5, 9, 10});
    // the reference: a fresh decoder over the same sources fed the same histories
    Seq2SeqDecoder ref = Seq2SeqDecoder.of(m, List.of(SOURCES[2], SOURCES[0], SOURCES[2], SOURCES[2]));
    ref.step(ref.startTokens());
    ref.step(new int[] {8, 4, 8, 8});
    double[] expected = ref.step(new int[] {9, 5, 9, 10});
    assertArrayEquals(expected, after, 1e-12);
    // (to rounding: BLAS may sum different rows of one GEMM in different orders)
    assertArrayEquals(Arrays.copyOfRange(after, 0, V), Arrays.copyOfRange(after, 2 * V, 3 * V), 1e-12,
        "copies of one row fed the same token stay identical");
    assertTrue(before.length == 3 * V);
    d.select(new int[0]);
    assertEquals(0, d.rows());
    assertEquals(0, d.step(new int[0]).length);
  }

  @ParameterizedTest(name = "{0} {1} inputFeeding={2}")
  @MethodSource("configurations")
  void beamOfOne_isGreedyDecoding(String cell, Attention.Score score, boolean feed) {
    // an untrained model with large weights: peaked, sentence-dependent distributions
    Seq2Seq m = model(cell, score, feed, DataType.FLOAT, 1.5);
    List<int[]> sources = List.of(SOURCES[0], SOURCES[1], SOURCES[2], new int[] {11, 11, 6, 3});
    List<int[]> greedy = Sampler.decode(Seq2SeqDecoder.of(m, sources), Sampler.Options.greedy(12));
    List<List<BeamSearch.Hypothesis>> beam = BeamSearch.search(Seq2SeqDecoder.of(m, sources),
        BeamSearch.Options.of(1, 0.0, 12));
    for (int i = 0; i < sources.size(); i++) {
      assertArrayEquals(greedy.get(i), beam.get(i).get(0).tokens(), "source " + i);
    }
  }

  @Test
  void wideBeam_scoresItsHypothesesByTheModelsOwnProbabilities() {
    Seq2Seq m = model("gru", Attention.Score.ADDITIVE, true, DataType.DOUBLE, 1.5);
    List<int[]> sources = List.of(SOURCES[0], SOURCES[2]);
    List<List<BeamSearch.Hypothesis>> got = BeamSearch.search(Seq2SeqDecoder.of(m, sources),
        new BeamSearch.Options(4, 0.0, MaxLength.of(6), 3, true));
    for (int i = 0; i < sources.size(); i++) {
      assertEquals(3, got.get(i).size());
      for (BeamSearch.Hypothesis hyp : got.get(i)) {
        // re-score the hypothesis alone, token by token
        Seq2SeqDecoder one = Seq2SeqDecoder.of(m, List.of(sources.get(i)));
        int last = Vocabulary.BOS_ID;
        double lp = 0;
        int[] y = Arrays.copyOf(hyp.tokens(), hyp.tokens().length + 1);
        y[y.length - 1] = Vocabulary.EOS_ID;
        for (int tok : y) {
          lp += one.step(new int[] {last})[tok];
          last = tok;
        }
        assertEquals(lp, hyp.logProbability(), 1e-9, "source " + i + " " + hyp);
      }
    }
  }

  @Test
  void beamHypotheses_carryTheAttentionRowsOfTheirOwnHistory() {
    // each finished hypothesis, re-decoded alone, must meet the same attention row at every step: the rows followed
    // the beam's back-pointers (a row of a sibling or of a pruned hypothesis would differ)
    Seq2Seq m = model("gru", Attention.Score.ADDITIVE, true, DataType.DOUBLE, 1.5);
    List<int[]> sources = List.of(SOURCES[0], SOURCES[2], SOURCES[1]);
    List<List<BeamSearch.Hypothesis>> got = BeamSearch.search(Seq2SeqDecoder.of(m, sources),
        new BeamSearch.Options(4, 0.6, MaxLength.of(6), 3, true));
    for (int i = 0; i < sources.size(); i++) {
      for (BeamSearch.Hypothesis hyp : got.get(i)) {
        double[][] a = hyp.attention();
        assertEquals(hyp.tokens().length + 1, a.length, "a row per token and one for </s>");
        Seq2SeqDecoder one = Seq2SeqDecoder.of(m, List.of(sources.get(i)));
        int last = Vocabulary.BOS_ID;
        for (int t = 0; t <= hyp.tokens().length; t++) {
          one.step(new int[] {last});
          assertArrayEquals(one.attention(0), a[t], 1e-12, "source " + i + " step " + t + " " + hyp);
          last = t < hyp.tokens().length ? hyp.tokens()[t] : -1;
        }
        int[] align = hyp.alignment();
        for (int t = 0; t < align.length; t++) {
          for (double w : a[t]) {
            assertTrue(w <= a[t][align[t]], "alignment is the argmax");
          }
        }
      }
    }
    // a decoder without attention: no rows, no alignment
    BeamSearch.Hypothesis lm = BeamSearch.search(LanguageModelDecoder.fromStart(Fixtures.model("gru", DataType.FLOAT),
        Vocabulary.BOS_ID, 1), BeamSearch.Options.of(2, 0, 4)).get(0).get(0);
    assertEquals(null, lm.attention());
    assertEquals(null, lm.alignment());
  }

  @Test
  void badInput_failsNamingTheValue() {
    Seq2Seq m = model("gru", Attention.Score.GENERAL, false, DataType.FLOAT, 0.5);
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
        () -> Seq2SeqDecoder.of(m, List.of(new int[] {5, 12, 3})));
    assertTrue(e.getMessage().contains("token 12 is outside"), e.getMessage());
    assertThrows(IllegalArgumentException.class, () -> Seq2SeqDecoder.of(m, List.of()));
    Seq2SeqDecoder d = Seq2SeqDecoder.of(m, List.of(SOURCES[0]));
    assertThrows(IllegalStateException.class, () -> d.attention(0));
    e = assertThrows(IllegalArgumentException.class, () -> d.step(new int[] {2, 2}));
    assertTrue(e.getMessage().contains("1 rows, got 2"), e.getMessage());
    e = assertThrows(IllegalArgumentException.class, () -> d.select(new int[] {1}));
    assertTrue(e.getMessage().contains("row 1"), e.getMessage());
  }
}
