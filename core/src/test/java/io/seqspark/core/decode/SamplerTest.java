package io.seqspark.core.decode;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.seqspark.core.data.Vocabulary;
import io.seqspark.core.model.LanguageModel;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;

class SamplerTest {

  private static List<String> generate(String cell, int start, int count, double temperature, long seed) {
    LanguageModel m = Fixtures.model(cell, DataType.FLOAT);
    return Sampler.generate(m, Fixtures.vocabulary(), start, count, 12, temperature, seed).stream()
        .map(s -> String.join(" ", s)).toList();
  }

  /** Sentences the sampler gave before it was rebuilt on {@link IncrementalDecoder}: `lm generate` must not change. */
  @Test
  void generate_pinnedSentences_areUnchanged() {
    assertEquals(List.of("then sat sat then sat sat then sat then a and a", "then sat sat then sat sat then sat then a and a"),
        generate("lstm", Vocabulary.BOS_ID, 2, 0, 1));
    assertEquals(List.of("cat and home then sat a a and the and mat ran",
        "sat dog ran home dog then ran sat dog home on sat",
        "away then dog then a and the away then <unk> dog and", ""), generate("lstm", Vocabulary.BOS_ID, 4, 1.0, 5));
    assertEquals(List.of("and away sat sat sat mat away sat sat away away sat", "mat home dog and",
        "and then sat sat sat sat sat ran sat <unk> dog <unk>", ""), generate("gru", Vocabulary.BOS_ID, 4, 1.0, 5));
    assertEquals(List.of("mat mat mat mat mat home mat sat", "mat mat mat mat mat mat then mat mat mat",
        "mat mat mat mat mat mat the mat mat mat the the", "mat mat mat mat mat mat sat"),
        generate("gru", Vocabulary.EOS_ID, 4, 0.7, 11));
    assertEquals(List.of("ran mat the on the on sat a a a a", "ran then on the on the the on the on the the",
        "ran then on the on", "mat the on the on the on the the away ran then"), generate("tcn", Vocabulary.BOS_ID, 4, 1.0, 5));
  }

  /**
   * The sampler as it was before the decoder interface (its code verbatim, minus the vocabulary lookup): the reference
   * the rebuilt one must match sentence for sentence.
   */
  private static List<int[]> legacy(LanguageModel model, int start, int count, int maxLength, double temperature,
                                    long seed) {
    SplittableRandom rng = new SplittableRandom(seed);
    model.setCarryState(true);
    model.resetState();
    int[] last = new int[count];
    Arrays.fill(last, start);
    List<List<Integer>> out = new ArrayList<>();
    boolean[] done = new boolean[count];
    for (int i = 0; i < count; i++) {
      out.add(new ArrayList<>());
    }
    for (int step = 0; step < maxLength; step++) {
      INDArray p = model.nextTokenProbabilities(last);
      boolean all = true;
      for (int i = 0; i < count; i++) {
        int next = temperature == 0 ? legacyArgMax(p, i) : legacySample(p, i, temperature, rng);
        last[i] = next;
        if (!done[i]) {
          if (next == Vocabulary.EOS_ID) {
            done[i] = true;
          } else {
            out.get(i).add(next);
          }
        }
        all &= done[i];
      }
      if (all) {
        break;
      }
    }
    model.resetState();
    return out.stream().map(l -> l.stream().mapToInt(Integer::intValue).toArray()).toList();
  }

  private static int legacyArgMax(INDArray p, int row) {
    int best = Vocabulary.EOS_ID;
    double bestP = -1;
    for (int j = 0; j < p.size(1); j++) {
      if (j != Vocabulary.PAD_ID && j != Vocabulary.BOS_ID) {
        double v = p.getDouble(row, j);
        if (v > bestP) {
          bestP = v;
          best = j;
        }
      }
    }
    return best;
  }

  private static int legacySample(INDArray p, int row, double temperature, SplittableRandom rng) {
    int v = (int) p.size(1);
    double[] w = new double[v];
    double total = 0;
    for (int j = 0; j < v; j++) {
      if (j != Vocabulary.PAD_ID && j != Vocabulary.BOS_ID) {
        w[j] = Math.pow(p.getDouble(row, j), 1.0 / temperature);
        total += w[j];
      }
    }
    double u = rng.nextDouble() * total;
    for (int j = 0; j < v; j++) {
      u -= w[j];
      if (u <= 0 && w[j] > 0) {
        return j;
      }
    }
    return Vocabulary.EOS_ID;
  }

  @Test
  void decode_matchesTheLegacySampler_forManySeedsCellsAndTemperatures() {
    int compared = 0;
    for (String cell : new String[] {"lstm", "tcn"}) {
      LanguageModel m = Fixtures.model(cell, DataType.FLOAT);
      for (double temperature : new double[] {0, 0.6, 1.3}) {
        for (long seed = 0; seed < (temperature == 0 ? 1 : 2); seed++) {
          List<int[]> expected = legacy(m, Vocabulary.BOS_ID, 8, 10, temperature, seed);
          List<int[]> got = Sampler.decode(LanguageModelDecoder.fromStart(m, Vocabulary.BOS_ID, 8),
              new Sampler.Options(10, temperature, 0, true, seed));
          for (int i = 0; i < 8; i++) {
            assertArrayEquals(expected.get(i), got.get(i), cell + " T=" + temperature + " seed " + seed + " row " + i);
            compared += expected.get(i).length;
          }
        }
      }
    }
    assertTrue(compared > 400, "enough tokens compared: " + compared);
  }

  @Test
  void sampling_isDeterministicPerSeed_andTheSeedMatters() {
    Sampler.Options a = new Sampler.Options(8, 1.0, 0, true, 17);
    List<int[]> first = Sampler.decode(table(), a);
    List<int[]> again = Sampler.decode(table(), a);
    List<int[]> other = Sampler.decode(table(), new Sampler.Options(8, 1.0, 0, true, 18));
    for (int i = 0; i < first.size(); i++) {
      assertArrayEquals(first.get(i), again.get(i), "row " + i);
    }
    assertNotEquals(join(first), join(other), "another seed, other sentences");
  }

  private static TableDecoder table() {
    int[] start = new int[12];
    Arrays.fill(start, Vocabulary.BOS_ID);
    return new TableDecoder(3, 0.5, -1.0, start);
  }

  private static String join(List<int[]> rows) {
    return rows.stream().map(Arrays::toString).toList().toString();
  }

  @Test
  void topKOne_isGreedy_atAnyTemperature() {
    List<int[]> greedy = Sampler.decode(table(), Sampler.Options.greedy(9));
    for (double temperature : new double[] {0.3, 1.0, 5.0}) {
      List<int[]> top1 = Sampler.decode(table(), new Sampler.Options(9, temperature, 1, true, 99));
      assertEquals(join(greedy), join(top1), "T = " + temperature);
    }
  }

  @Test
  void sampledFrequencies_followTheTemperedTopKDistribution() {
    // one step of many rows from the same context: frequencies of each id against p^(1/T) renormalized over the top k
    int rows = 20_000;
    int[] start = new int[rows];
    Arrays.fill(start, Vocabulary.BOS_ID);
    TableDecoder reference = new TableDecoder(3, 0.5, -1.0, Vocabulary.BOS_ID);
    double[] lp = reference.distribution(0, new int[] {Vocabulary.BOS_ID});
    for (double temperature : new double[] {1.0, 0.5}) {
      for (int k : new int[] {0, 3}) {
        TableDecoder d = new TableDecoder(3, 0.5, -1.0, start) {
          @Override
          double[] distribution(int input, int[] fed) {
            return super.distribution(0, fed);
          }
        };
        List<int[]> got = Sampler.decode(d, new Sampler.Options(1, temperature, k, true, 5));
        double[] expected = new double[TableDecoder.V];
        int[] emittable = {1, 3, 4, 5, 6};
        Integer[] order = Arrays.stream(emittable).boxed().sorted((a, b) -> Double.compare(lp[b], lp[a]))
            .toArray(Integer[]::new);
        double z = 0;
        for (int rank = 0; rank < order.length; rank++) {
          if (k == 0 || rank < k) {
            expected[order[rank]] = Math.exp(lp[order[rank]] / temperature);
            z += expected[order[rank]];
          }
        }
        int[] counts = new int[TableDecoder.V];
        for (int[] y : got) {
          counts[y.length == 0 ? Vocabulary.EOS_ID : y[0]]++;
        }
        for (int j = 0; j < TableDecoder.V; j++) {
          double p = expected[j] / z;
          double sd = Math.sqrt(rows * p * (1 - p));
          assertEquals(rows * p, counts[j], 4 * sd + 1e-9, "T = " + temperature + ", k = " + k + ", id " + j);
        }
      }
    }
  }

  @Test
  void reservedIds_areNeverSampled_unknownOnlyWhenAllowed() {
    int[] start = new int[200];
    Arrays.fill(start, Vocabulary.BOS_ID);
    for (boolean allowUnknown : new boolean[] {true, false}) {
      boolean sawUnknown = false;
      for (double temperature : new double[] {0, 1.0}) {
        // <pad>, <unk> and <s> have logits in [1, 9], the rest in [-4, 4]
        List<int[]> got = Sampler.decode(new TableDecoder(8, 5.0, 0, start),
            new Sampler.Options(6, temperature, 0, allowUnknown, 1));
        for (int[] y : got) {
          for (int id : y) {
            assertTrue(id != Vocabulary.PAD_ID && id != Vocabulary.BOS_ID && (allowUnknown || id != Vocabulary.UNK_ID),
                "id " + id + " with allowUnknown " + allowUnknown);
            sawUnknown |= id == Vocabulary.UNK_ID;
          }
        }
      }
      assertEquals(allowUnknown, sawUnknown);
    }
  }

  @Test
  void badOptions_nameTheKeyAndTheRule() {
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
        () -> new Sampler.Options(10, -0.5, 0, true, 1));
    assertTrue(e.getMessage().contains("eval.temperature = -0.5") && e.getMessage().contains(">= 0"), e.getMessage());
    e = assertThrows(IllegalArgumentException.class, () -> new Sampler.Options(10, 1, -2, true, 1));
    assertTrue(e.getMessage().contains("topK = -2"), e.getMessage());
  }
}
