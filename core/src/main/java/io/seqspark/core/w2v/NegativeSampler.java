package io.seqspark.core.w2v;

/**
 * Draws negative words with probability proportional to count^power (word2vec's unigram^0.75 table) in O(1) per draw
 * by Walker's alias method: one slot per word, so memory is O(vocabulary) and the distribution is exact, where
 * word2vec's 10^8-entry table costs 400 MB and rounds rare words' probabilities.
 *
 * <p>A draw takes one 64-bit random number: its high 32 bits pick the slot, its low 32 bits the coin.
 */
public final class NegativeSampler implements java.io.Serializable {

  private static final long serialVersionUID = 1L;

  private final int[] alias;
  /** Keep the slot's own word when the coin (unsigned 32 bits) is below this; 2^32 = always. */
  private final long[] threshold;

  /**
   * @param counts    word counts; rows with count 0 are never drawn
   * @param firstWord rows below it are never drawn (reserved ids)
   */
  public NegativeSampler(long[] counts, int firstWord, double power) {
    int n = counts.length;
    double[] p = new double[n];
    double sum = 0;
    for (int i = firstWord; i < n; i++) {
      p[i] = counts[i] > 0 ? Math.pow(counts[i], power) : 0;
      sum += p[i];
    }
    if (!(sum > 0)) {
      throw new IllegalArgumentException("no word with a positive count to draw negatives from");
    }
    alias = new int[n];
    threshold = new long[n];
    int[] small = new int[n];
    int[] large = new int[n];
    int ns = 0;
    int nl = 0;
    double[] scaled = new double[n];
    for (int i = 0; i < n; i++) {
      scaled[i] = p[i] * n / sum;
      alias[i] = i;
      if (scaled[i] < 1) {
        small[ns++] = i;
      } else {
        large[nl++] = i;
      }
    }
    while (ns > 0 && nl > 0) {
      int s = small[--ns];
      int l = large[--nl];
      threshold[s] = (long) (scaled[s] * 4294967296.0);
      alias[s] = l;
      scaled[l] = scaled[l] + scaled[s] - 1;
      if (scaled[l] < 1) {
        small[ns++] = l;
      } else {
        large[nl++] = l;
      }
    }
    while (nl > 0) {
      threshold[large[--nl]] = 1L << 32;
    }
    while (ns > 0) {
      // only rounding leftovers, whose scaled probability is 1 up to rounding
      int s = small[--ns];
      threshold[s] = p[s] > 0 ? 1L << 32 : 0;
      if (p[s] == 0) {
        alias[s] = firstPositive(p);
      }
    }
  }

  private static int firstPositive(double[] p) {
    for (int i = 0; i < p.length; i++) {
      if (p[i] > 0) {
        return i;
      }
    }
    throw new IllegalStateException("unreachable: the sum was positive");
  }

  /** The word for the 64-bit random number {@code r}. */
  public int sample(long r) {
    int slot = (int) (((r >>> 32) * alias.length) >>> 32);
    return (r & 0xFFFFFFFFL) < threshold[slot] ? slot : alias[slot];
  }

  public int size() {
    return alias.length;
  }
}
