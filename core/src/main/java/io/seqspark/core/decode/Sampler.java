package io.seqspark.core.decode;

import io.seqspark.core.data.Vocabulary;
import io.seqspark.core.model.LanguageModel;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.SplittableRandom;

/**
 * Greedy decoding and sampling over an {@link IncrementalDecoder}, all rows in parallel: greedy (temperature 0, the
 * arg max) or sampling from softmax(log p / temperature), optionally restricted to the k most probable ids. Each
 * row ends at {@code </s>} or after {@code maxLength} other tokens; the output holds the tokens before {@code </s>}.
 *
 * <p>Randomness: one {@link SplittableRandom} from the seed, one uniform draw per row per step in row order. Rows
 * that have finished keep stepping and drawing until all have, so the draw of row r at step t is always the
 * (t·rows + r)-th of the stream — a sentence does not depend on when the others end — and the sentences are the
 * ones this class gave before it ran on the decoder interface.
 */
public final class Sampler {
  private Sampler() {
  }

  /**
   * How to pick each next token.
   *
   * @param maxLength    steps: at most this many tokens before {@code </s>}, &gt;= 0
   * @param temperature  0 = greedy (arg max); otherwise p_i ∝ p_i^(1/temperature), &gt; 0
   * @param topK         sample only among the k most probable emittable ids; 0 = all
   * @param allowUnknown whether {@code <unk>} may be emitted ({@code <pad>} and {@code <s>} never are)
   * @param seed         seeds the sampling; the same seed and decoder give the same tokens
   */
  public record Options(int maxLength, double temperature, int topK, boolean allowUnknown, long seed) {
    public Options {
      require(maxLength >= 0, "eval.maxGenerateLength", maxLength, ">= 0");
      require(temperature >= 0 && Double.isFinite(temperature), "eval.temperature", temperature,
          ">= 0 and finite (0 = greedy)");
      require(topK >= 0, "topK", topK, ">= 0 (0 = no limit)");
    }

    /** Arg max at every step, {@code <unk>} allowed. */
    public static Options greedy(int maxLength) {
      return new Options(maxLength, 0, 0, true, 0);
    }
  }

  static void require(boolean ok, String key, Object value, String rule) {
    if (!ok) {
      throw new IllegalArgumentException(key + " = " + value + ": must be " + rule);
    }
  }

  /**
   * Decodes every row of {@code decoder} from its start tokens.
   *
   * @return per row, the ids emitted before {@code </s>} (all of them when the row hit maxLength first)
   */
  public static List<int[]> decode(IncrementalDecoder decoder, Options o) {
    SplittableRandom rng = new SplittableRandom(o.seed());
    int n = decoder.rows();
    int v = decoder.vocabSize();
    int[] last = decoder.startTokens();
    int[][] out = new int[n][o.maxLength()];
    int[] length = new int[n];
    boolean[] done = new boolean[n];
    double[] weights = new double[v];
    for (int step = 0; step < o.maxLength(); step++) {
      double[] lp = decoder.step(last);
      boolean all = true;
      for (int i = 0; i < n; i++) {
        int next = o.temperature() == 0 ? argMax(lp, i * v, v, o.allowUnknown())
            : sample(lp, i * v, v, o, weights, rng);
        last[i] = next;
        if (!done[i]) {
          if (next == Vocabulary.EOS_ID) {
            done[i] = true;
          } else {
            out[i][length[i]++] = next;
          }
        }
        all &= done[i];
      }
      if (all) {
        break;
      }
    }
    List<int[]> result = new ArrayList<>(n);
    for (int i = 0; i < n; i++) {
      result.add(Arrays.copyOf(out[i], length[i]));
    }
    return result;
  }

  /**
   * {@code count} sentences from a language model, from its zero state after {@code start} (what {@code lm generate}
   * and the end of training print).
   *
   * @param start       the token a sentence follows: {@code <s>} for models trained on sentences, {@code </s>} for
   *                    models trained on a stream where each line ends with {@code </s>}
   * @param temperature 0 = greedy (arg max); otherwise p_i ∝ p_i^(1/temperature)
   * @param seed        seeds the sampling; the same seed and model give the same sentences
   */
  public static List<List<String>> generate(LanguageModel model, Vocabulary vocab, int start, int count, int maxLength,
                                            double temperature, long seed) {
    List<int[]> ids = decode(LanguageModelDecoder.fromStart(model, start, count),
        new Options(maxLength, temperature, 0, true, seed));
    List<List<String>> out = new ArrayList<>();
    for (int[] s : ids) {
      out.add(vocab.decode(s));
    }
    return out;
  }

  /** The most probable emittable id in {@code lp[from, from + v)}, the lowest on ties; {@code </s>} if none is. */
  static int argMax(double[] lp, int from, int v, boolean allowUnknown) {
    int best = Vocabulary.EOS_ID;
    double bestLp = Double.NEGATIVE_INFINITY;
    for (int j = 0; j < v; j++) {
      if (TopK.emittable(j, allowUnknown) && lp[from + j] > bestLp) {
        bestLp = lp[from + j];
        best = j;
      }
    }
    return best;
  }

  /**
   * One draw from p ∝ exp(log p / temperature) over the emittable ids (the top k of them when k &gt; 0): the first id
   * at which the running sum of weights reaches u·total, scanning ids upwards.
   */
  static int sample(double[] lp, int from, int v, Options o, double[] w, SplittableRandom rng) {
    Arrays.fill(w, 0);
    double max = Double.NEGATIVE_INFINITY;
    for (int j = 0; j < v; j++) {
      if (TopK.emittable(j, o.allowUnknown())) {
        max = Math.max(max, lp[from + j]);
      }
    }
    boolean[] keep = null;
    if (o.topK() > 0 && o.topK() < v) {
      keep = new boolean[v];
      for (int j : TopK.largest(lp, from, v, v, o.topK(), o.allowUnknown())) {
        keep[j] = true;
      }
    }
    double total = 0;
    if (max > Double.NEGATIVE_INFINITY) {
      for (int j = 0; j < v; j++) {
        if (TopK.emittable(j, o.allowUnknown()) && (keep == null || keep[j])) {
          // relative to the most probable id, so a low temperature cannot underflow every weight
          w[j] = Math.exp((lp[from + j] - max) / o.temperature());
          total += w[j];
        }
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
}
