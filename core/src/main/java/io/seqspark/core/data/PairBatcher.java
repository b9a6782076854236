package io.seqspark.core.data;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * Batches of aligned sentence pairs for sequence-to-sequence training, bucketed by length under a token budget.
 *
 * <p>A pair is stored as one {@code int[]} ({@link #encode}): the source length, the source ids, then the target ids,
 * so pairs travel to Spark partitions like any other examples. Source {@code x1..xm} becomes {@code x1..xm </s>}
 * (m+1 positions); target {@code y1..yn} becomes inputs {@code <s> y1..yn} and targets {@code y1..yn </s>} (n+1
 * positions). A pair's cost is the longer side's positions; batches hold pairs of similar cost, at most
 * {@code maxTokensPerBatch} per batch (rows × longest). Over-long pairs follow {@code data.overLength} against
 * {@code data.maxLength} (on either side): truncate (the source keeps its first maxLength−1 words and {@code </s>},
 * the target its first maxLength positions, without {@code </s>}), skip, or fail naming the pair.
 *
 * <p>Epoch e is bucketed with seed {@code seed * 1_000_003 + e}, as {@link SentenceBatcher} does.
 */
public final class PairBatcher {
  private final List<int[]> pairs;
  private final SentenceBatcher.Options options;
  private final int[] source;
  private final int[] srcLengths;
  private final int[] tgtLengths;
  private final int[] cost;
  private final List<Integer> skipped;
  private int cachedEpoch = -1;
  private LengthBucketing.Result cached;

  /** One pair as one array: [m, x1..xm, y1..yn]. */
  public static int[] encode(int[] src, int[] tgt) {
    int[] out = new int[1 + src.length + tgt.length];
    out[0] = src.length;
    System.arraycopy(src, 0, out, 1, src.length);
    System.arraycopy(tgt, 0, out, 1 + src.length, tgt.length);
    return out;
  }

  /** The source ids of an encoded pair. */
  public static int[] source(int[] pair) {
    return Arrays.copyOfRange(pair, 1, 1 + pair[0]);
  }

  /** The target ids of an encoded pair. */
  public static int[] target(int[] pair) {
    return Arrays.copyOfRange(pair, 1 + pair[0], pair.length);
  }

  public PairBatcher(List<int[]> pairs, SentenceBatcher.Options options) {
    this.pairs = pairs;
    this.options = options;
    int limit = options.maxLength() == 0 ? Integer.MAX_VALUE : options.maxLength();
    int[] src = new int[pairs.size()];
    int[] sl = new int[pairs.size()];
    int[] tl = new int[pairs.size()];
    List<Integer> skip = new ArrayList<>();
    int n = 0;
    for (int i = 0; i < pairs.size(); i++) {
      int[] p = pairs.get(i);
      int s = p[0] + 1;
      int t = p.length - 1 - p[0] + 1;
      if (s > limit || t > limit) {
        switch (options.overLength()) {
          case FAIL -> throw new IllegalArgumentException("pair " + i + " has " + s + " source and " + t
              + " target positions (with </s> / <s>), over data.maxLength=" + limit
              + "; raise data.maxLength or set data.overLength = truncate or skip");
          case SKIP -> {
            skip.add(i);
            continue;
          }
          case TRUNCATE -> {
            s = Math.min(s, limit);
            t = Math.min(t, limit);
          }
        }
      }
      src[n] = i;
      sl[n] = s;
      tl[n++] = t;
    }
    this.source = Arrays.copyOf(src, n);
    this.srcLengths = Arrays.copyOf(sl, n);
    this.tgtLengths = Arrays.copyOf(tl, n);
    this.cost = new int[n];
    for (int k = 0; k < n; k++) {
      cost[k] = Math.max(srcLengths[k], tgtLengths[k]);
    }
    LengthBucketing.Result first = result(0);
    for (int k : first.skipped()) {
      skip.add(source[k]);
    }
    skip.sort(null);
    this.skipped = List.copyOf(skip);
  }

  private LengthBucketing.Result result(int epoch) {
    if (epoch != cachedEpoch) {
      cached = LengthBucketing.batches(cost, options.bucketing(), options.seed() * 1_000_003L + epoch);
      cachedEpoch = epoch;
    }
    return cached;
  }

  /** Pair indices left out by {@code overLength = skip} or {@code skipOversized}, ascending. */
  public List<Integer> skipped() {
    return skipped;
  }

  public int numBatches(int epoch) {
    return result(epoch).batches().size();
  }

  /** Padded target positions over real ones in {@code epoch}. */
  public double paddingRatio(int epoch) {
    return LengthBucketing.paddingRatio(cost, result(epoch).batches());
  }

  /** Batch {@code k} of {@code epoch}; example ids are pair indices. */
  public PairBatch batch(int epoch, int k) {
    List<int[]> batches = result(epoch).batches();
    if (k < 0 || k >= batches.size()) {
      throw new IllegalArgumentException("batch " + k + " is out of range 0.." + (batches.size() - 1)
          + " for epoch " + epoch);
    }
    int[] members = batches.get(k);
    int rows = members.length;
    int[][] sIn = new int[rows][];
    int[][] sTg = new int[rows][];
    int[][] tIn = new int[rows][];
    int[][] tTg = new int[rows][];
    long[] ids = new long[rows];
    for (int r = 0; r < rows; r++) {
      int m = members[r];
      int[] p = pairs.get(source[m]);
      ids[r] = source[m];
      int srcLen = p[0];
      int tgtLen = p.length - 1 - srcLen;
      int s = srcLengths[m];
      sIn[r] = new int[s];
      sTg[r] = new int[s];
      System.arraycopy(p, 1, sIn[r], 0, s - 1);
      sIn[r][s - 1] = Vocabulary.EOS_ID;
      int t = tgtLengths[m];
      tIn[r] = new int[t];
      tTg[r] = new int[t];
      tIn[r][0] = Vocabulary.BOS_ID;
      System.arraycopy(p, 1 + srcLen, tIn[r], 1, t - 1);
      System.arraycopy(p, 1 + srcLen, tTg[r], 0, Math.min(t, tgtLen));
      if (t == tgtLen + 1) {
        tTg[r][t - 1] = Vocabulary.EOS_ID;
      }
    }
    return new PairBatch(Batch.padded(sIn, sTg, ids), Batch.padded(tIn, tTg, ids));
  }
}
