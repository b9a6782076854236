package io.seqspark.core.decode;

import io.seqspark.core.data.Vocabulary;
import io.seqspark.core.model.LanguageModel;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * Generates sentences from a language model, all streams in parallel: greedy (temperature 0) or sampling from
 * softmax(logits / temperature). Each sentence starts after {@code <s>} and ends at {@code </s>} or the length limit.
 */
public final class Sampler {
  private Sampler() {
  }

  /**
   * @param start       the token a sentence follows: {@code <s>} for models trained on sentences, {@code </s>} for
   *                    models trained on a stream where each line ends with {@code </s>}
   * @param temperature 0 = greedy (arg max); otherwise p_i ∝ p_i^(1/temperature)
   * @param seed        seeds the sampling; the same seed and model give the same sentences
   */
  public static List<List<String>> generate(LanguageModel model, Vocabulary vocab, int start, int count, int maxLength,
                                            double temperature, long seed) {
    SplittableRandom rng = new SplittableRandom(seed);
    model.setCarryState(true);
    model.resetState();
    int[] last = new int[count];
    java.util.Arrays.fill(last, start);
    List<List<String>> out = new ArrayList<>();
    boolean[] done = new boolean[count];
    for (int i = 0; i < count; i++) {
      out.add(new ArrayList<>());
    }
    for (int step = 0; step < maxLength; step++) {
      INDArray p = model.nextTokenProbabilities(last);
      boolean all = true;
      for (int i = 0; i < count; i++) {
        int next = temperature == 0 ? argMax(p, i) : sample(p, i, temperature, rng);
        last[i] = next;
        if (!done[i]) {
          if (next == Vocabulary.EOS_ID) {
            done[i] = true;
          } else {
            out.get(i).add(vocab.token(next));
          }
        }
        all &= done[i];
      }
      if (all) {
        break;
      }
    }
    model.resetState();
    return out;
  }

  /** The most probable id of row {@code row}, never a reserved id other than {@code </s>}. */
  static int argMax(INDArray p, int row) {
    int best = Vocabulary.EOS_ID;
    double bestP = -1;
    for (int j = 0; j < p.size(1); j++) {
      if (allowed(j)) {
        double v = p.getDouble(row, j);
        if (v > bestP) {
          bestP = v;
          best = j;
        }
      }
    }
    return best;
  }

  static int sample(INDArray p, int row, double temperature, SplittableRandom rng) {
    int v = (int) p.size(1);
    double[] w = new double[v];
    double total = 0;
    for (int j = 0; j < v; j++) {
      if (allowed(j)) {
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

  private static boolean allowed(int id) {
    return id != Vocabulary.PAD_ID && id != Vocabulary.BOS_ID;
  }
}
