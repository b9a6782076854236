package io.seqspark.core.decode;

import io.seqspark.core.data.Vocabulary;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * Batched beam search over an {@link IncrementalDecoder}: every input of the decoder's first batch is searched at
 * once, each holding up to {@code beam} open rows (one at the first step), all inputs' rows stepped together.
 *
 * <p>Per input and step, with Y the tokens so far and log P(Y) their summed log-probabilities:
 * <ol>
 *   <li>the candidates are every open hypothesis extended by every emittable id, ranked by log P (all open ones
 *       have the same length, so this is also the rank by score); the best 2·beam are looked at, in order;</li>
 *   <li>a candidate ending in {@code </s>} among the first {@code beam} is finished with score
 *       log P(Y) / lp(|Y|), where lp(|Y|) = ((5 + |Y|)/6)^α (GNMT, Wu et al. 2016) and |Y| counts {@code </s>};
 *       other {@code </s>} candidates are dropped (fairseq's rule: with beam 1 this is greedy decoding);</li>
 *   <li>the first {@code beam} candidates not ending in {@code </s>} are the next open hypotheses;</li>
 *   <li>at the input's max length every open hypothesis is finished with {@code </s>}.</li>
 * </ol>
 * The best {@code nBest} finished hypotheses are kept. An input stops when it has no open hypothesis, or when it has
 * nBest finished and no open one can beat the worst of them: log-probabilities only fall and α ≥ 0 makes lp grow with
 * length, so log P(Y) / lp(maxLength + 1) bounds every completion of an open Y. The stop is therefore exact: the n-best
 * list is what the same search would return if it ran every hypothesis to the max length. With a beam at least the
 * number of possible hypotheses nothing is pruned and the search returns the most probable (highest-scoring)
 * sequences.
 *
 * <p>When the decoder reports attention weights ({@link IncrementalDecoder#attention}), each hypothesis carries the
 * row of every step along its back-pointers, so a finished one knows which input positions each of its tokens was
 * computed from (unknown-word replacement, alignment plots). The rows are shared between a hypothesis and its
 * extensions, never copied: a step costs one reference per open hypothesis and token.
 */
public final class BeamSearch {
  private BeamSearch() {
  }

  /**
   * Search settings.
   *
   * @param beam          open hypotheses per input, &gt;= 1
   * @param lengthPenalty α of lp(|Y|) = ((5 + |Y|)/6)^α, &gt;= 0; 0 ranks by log-probability alone
   * @param maxLength     tokens before {@code </s>} per input at most
   * @param nBest         finished hypotheses returned per input, in [1, beam]
   * @param allowUnknown  whether {@code <unk>} may be emitted ({@code <pad>} and {@code <s>} never are)
   */
  public record Options(int beam, double lengthPenalty, MaxLength maxLength, int nBest, boolean allowUnknown) {
    public Options {
      Sampler.require(beam >= 1, "beam", beam, ">= 1");
      Sampler.require(lengthPenalty >= 0 && Double.isFinite(lengthPenalty), "lengthPenalty", lengthPenalty,
          ">= 0 and finite (GNMT uses 0.6 to 0.7; 0 = no length normalization)");
      Sampler.require(nBest >= 1 && nBest <= beam, "nBest", nBest, "in [1, beam = " + beam + "]");
      if (maxLength == null) {
        throw new IllegalArgumentException("maxLength = null: must be a limit, e.g. MaxLength.of(50)");
      }
    }

    /** The best hypothesis only, one absolute limit, {@code <unk>} allowed. */
    public static Options of(int beam, double lengthPenalty, int maxLength) {
      return new Options(beam, lengthPenalty, MaxLength.of(maxLength), 1, true);
    }
  }

  /**
   * A finished hypothesis.
   *
   * @param tokens         the ids before {@code </s>}
   * @param logProbability log P of the tokens and the final {@code </s>}
   * @param score          logProbability / lp(tokens.length + 1)
   * @param attention      per step, the attention weights over the input that the step's distribution was computed
   *                       with: tokens.length + 1 rows (the last one is the final {@code </s>}'s); null when the
   *                       decoder reports none
   */
  public record Hypothesis(int[] tokens, double logProbability, double score, double[][] attention) {

    /** A hypothesis without attention weights. */
    public Hypothesis(int[] tokens, double logProbability, double score) {
      this(tokens, logProbability, score, null);
    }

    /**
     * Per token (the final {@code </s>} not included), the input position it attended to most: the argmax of its
     * attention row, the first one on ties; null without attention.
     */
    public int[] alignment() {
      if (attention == null) {
        return null;
      }
      int[] a = new int[tokens.length];
      for (int t = 0; t < tokens.length; t++) {
        a[t] = argmax(attention[t], attention[t].length);
      }
      return a;
    }

    @Override
    public String toString() {
      return Arrays.toString(tokens) + " logP=" + logProbability + " score=" + score;
    }
  }

  /** The first index of the largest of {@code w[0, n)}; -1 when n is 0. */
  public static int argmax(double[] w, int n) {
    int best = n > 0 ? 0 : -1;
    for (int j = 1; j < n; j++) {
      if (w[j] > w[best]) {
        best = j;
      }
    }
    return best;
  }

  /** GNMT's length penalty ((5 + length)/6)^α. */
  public static double lengthPenalty(int length, double alpha) {
    return alpha == 0 ? 1.0 : Math.pow((5.0 + length) / 6.0, alpha);
  }

  /**
   * Searches every input of {@code decoder} (its rows when called, before any step).
   *
   * @return per input, its best finished hypotheses, best score first (ties: the one finished first); empty only if
   *     every continuation had probability 0
   */
  public static List<List<Hypothesis>> search(IncrementalDecoder decoder, Options o) {
    int inputs = decoder.rows();
    int v = decoder.vocabSize();
    if (v <= Vocabulary.EOS_ID) {
      throw new IllegalArgumentException("decoder vocabulary of " + v + " ids has no </s> (id " + Vocabulary.EOS_ID + ")");
    }
    List<List<Hypothesis>> finished = new ArrayList<>();
    int[] limit = new int[inputs];
    for (int i = 0; i < inputs; i++) {
      finished.add(new ArrayList<>());
      limit[i] = o.maxLength().forInput(i);
      Sampler.require(limit[i] >= 0, "maxLength for input " + i, limit[i], ">= 0");
    }
    // open rows, grouped by input in input order
    int[] input = new int[inputs];
    double[] logP = new double[inputs];
    int[][] tokens = new int[inputs][0];
    double[][][] attention = new double[inputs][0][];
    for (int i = 0; i < inputs; i++) {
      input[i] = i;
    }
    int[] last = decoder.startTokens();
    for (int t = 0; input.length > 0; t++) {
      double[] lp = decoder.step(last);
      double[][] rows = new double[input.length][];
      for (int r = 0; r < input.length; r++) {
        rows[r] = decoder.attention(r);
      }
      Open open = new Open(logP, tokens, attention, rows);
      Next next = new Next(input.length * o.beam());
      for (int r0 = 0; r0 < input.length; ) {
        int in = input[r0];
        int r1 = r0;
        while (r1 < input.length && input[r1] == in) {
          r1++;
        }
        List<Hypothesis> done = finished.get(in);
        if (t == limit[in]) {
          for (int r = r0; r < r1; r++) {
            finish(done, open, r, logP[r] + lp[r * v + Vocabulary.EOS_ID], o);
          }
        } else {
          expand(in, r0, r1, lp, v, open, done, limit[in], o, next);
        }
        r0 = r1;
      }
      int[] parents = next.parents();
      decoder.select(parents);
      input = Arrays.copyOf(next.input, next.size);
      logP = Arrays.copyOf(next.logP, next.size);
      tokens = Arrays.copyOf(next.tokens, next.size);
      attention = Arrays.copyOf(next.attention, next.size);
      last = Arrays.copyOf(next.token, next.size);
    }
    return finished;
  }

  /**
   * The open rows of a step: log P, tokens and attention rows so far, and the step's attention row of each (null
   * entries without attention).
   */
  private record Open(double[] logP, int[][] tokens, double[][][] attention, double[][] stepAttention) {
    /** Row r's attention rows with this step's appended, or null without attention. */
    double[][] attentionWithStep(int r) {
      if (stepAttention[r] == null) {
        return null;
      }
      double[][] a = Arrays.copyOf(attention[r], attention[r].length + 1);
      a[a.length - 1] = stepAttention[r];
      return a;
    }
  }

  /** Steps 1–3 for one input's rows [r0, r1): finishes its {@code </s>} candidates, queues its open ones. */
  private static void expand(int in, int r0, int r1, double[] lp, int v, Open open, List<Hypothesis> done, int limit,
                             Options o, Next next) {
    double[] logP = open.logP();
    int n = (r1 - r0) * v;
    double[] cand = new double[n];
    for (int r = r0; r < r1; r++) {
      for (int j = 0; j < v; j++) {
        cand[(r - r0) * v + j] = logP[r] + lp[r * v + j];
      }
    }
    int[] best = TopK.largest(cand, 0, n, v, 2 * o.beam(), o.allowUnknown());
    int start = next.size;
    for (int k = 0; k < best.length && next.size - start < o.beam(); k++) {
      int r = r0 + best[k] / v;
      int id = best[k] % v;
      if (id == Vocabulary.EOS_ID) {
        if (k < o.beam()) {
          finish(done, open, r, cand[best[k]], o);
        }
      } else {
        next.add(in, r, id, cand[best[k]], open.tokens()[r], open.attentionWithStep(r));
      }
    }
    // stop: nothing open, or nBest finished that no completion of the best open hypothesis can beat
    boolean stop = next.size == start;
    if (!stop && done.size() == o.nBest()) {
      double bound = next.logP[start] / lengthPenalty(limit + 1, o.lengthPenalty());
      stop = bound <= done.get(done.size() - 1).score();
    }
    if (stop) {
      next.size = start;
    }
  }

  /** Adds a finished hypothesis if it makes the n-best list (kept sorted, best first, earlier first on ties). */
  private static void finish(List<Hypothesis> done, Open open, int r, double logProbability, Options o) {
    if (logProbability == Double.NEGATIVE_INFINITY || Double.isNaN(logProbability)) {
      return;
    }
    int[] tokens = open.tokens()[r];
    double score = logProbability / lengthPenalty(tokens.length + 1, o.lengthPenalty());
    int at = done.size();
    while (at > 0 && done.get(at - 1).score() < score) {
      at--;
    }
    if (at < o.nBest()) {
      done.add(at, new Hypothesis(tokens, logProbability, score, open.attentionWithStep(r)));
      if (done.size() > o.nBest()) {
        done.remove(done.size() - 1);
      }
    }
  }

  /** The next step's open rows, appended input by input. */
  private static final class Next {
    int size;
    int[] input;
    int[] parent;
    int[] token;
    double[] logP;
    int[][] tokens;
    double[][][] attention;

    Next(int capacity) {
      input = new int[capacity];
      parent = new int[capacity];
      token = new int[capacity];
      logP = new double[capacity];
      tokens = new int[capacity][];
      attention = new double[capacity][][];
    }

    void add(int in, int parentRow, int id, double lp, int[] prefix, double[][] rows) {
      input[size] = in;
      parent[size] = parentRow;
      token[size] = id;
      logP[size] = lp;
      int[] y = Arrays.copyOf(prefix, prefix.length + 1);
      y[prefix.length] = id;
      attention[size] = rows;
      tokens[size++] = y;
    }

    int[] parents() {
      return Arrays.copyOf(parent, size);
    }
  }
}
