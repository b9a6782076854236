package io.seqspark.core.data;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.SplittableRandom;

/**
 * Token-budget batching (fairseq style): similar lengths go together so little compute is spent on padding, and a
 * batch's size adapts to its length so every batch costs about the same memory.
 *
 * <p>Steps, all driven by one {@link SplittableRandom} seeded with {@code seed}:
 * <ol>
 *   <li>shuffle the example ids (Fisher–Yates, {@link #shuffle});</li>
 *   <li>split the shuffled order into pools of {@code shufflePoolSize} consecutive ids (0 = one pool) and sort each
 *       pool by length, stably;</li>
 *   <li>walk each pool in that order and cut greedily: a batch takes the next example unless that would make
 *       longest length × rows exceed {@code maxTokensPerBatch} or rows exceed {@code maxRows}. Batches never span
 *       two pools (the tail of one pool and the head of the next differ most in length);</li>
 *   <li>shuffle the order of the batches.</li>
 * </ol>
 * Smaller pools give more randomness and more padding; the whole dataset as one pool gives the least padding.
 */
public final class LengthBucketing {

  /**
   * @param maxTokensPerBatch budget: longest length × rows of a batch may not exceed it
   * @param maxRows           at most this many examples per batch; 0 = no limit
   * @param skipOversized     leave out (and report) examples longer than the budget instead of failing
   * @param shufflePoolSize   ids sorted together after the shuffle; 0 = the whole dataset
   */
  public record Options(int maxTokensPerBatch, int maxRows, boolean skipOversized, int shufflePoolSize) {
    public Options {
      if (maxTokensPerBatch < 1) {
        throw new IllegalArgumentException("data.maxTokensPerBatch must be >= 1, got " + maxTokensPerBatch);
      }
      if (maxRows < 0) {
        throw new IllegalArgumentException("data.maxRows must be >= 0 (0 = unlimited), got " + maxRows);
      }
      if (shufflePoolSize < 0) {
        throw new IllegalArgumentException("data.shufflePoolSize must be >= 0 (0 = whole dataset), got "
            + shufflePoolSize);
      }
    }
  }

  /**
   * @param batches example ids per batch, in training order
   * @param skipped ids of examples over the budget, ascending (empty unless {@code skipOversized})
   */
  public record Result(List<int[]> batches, List<Integer> skipped) {
    public Result {
      batches = List.copyOf(batches);
      skipped = List.copyOf(skipped);
    }
  }

  private LengthBucketing() {
  }

  /**
   * Cuts examples into batches.
   *
   * @param lengths length of each example (index = example id), each >= 1
   */
  public static Result batches(int[] lengths, Options options, long seed) {
    int limit = options.maxTokensPerBatch();
    List<Integer> skipped = new ArrayList<>();
    int[] ids = new int[lengths.length];
    int n = 0;
    for (int id = 0; id < lengths.length; id++) {
      if (lengths[id] < 1) {
        throw new IllegalArgumentException("example " + id + " has length " + lengths[id] + "; lengths must be >= 1");
      }
      if (lengths[id] > limit) {
        if (!options.skipOversized()) {
          throw new IllegalArgumentException("example " + id + " has length " + lengths[id] + ", over maxTokensPerBatch="
              + limit + "; raise maxTokensPerBatch or set data.skipOversized = true to skip such examples");
        }
        skipped.add(id);
      } else {
        ids[n++] = id;
      }
    }
    ids = Arrays.copyOf(ids, n);
    SplittableRandom random = new SplittableRandom(seed);
    io.seqspark.core.math.Shuffle.inPlace(ids, random);

    int pool = options.shufflePoolSize() == 0 ? Math.max(n, 1) : options.shufflePoolSize();
    int maxRows = options.maxRows() == 0 ? Integer.MAX_VALUE : options.maxRows();
    List<int[]> batches = new ArrayList<>();
    long[] keys = new long[Math.min(pool, n)];
    for (int from = 0; from < n; from += pool) {
      int to = Math.min(n, from + pool);
      // Sort (length, position-in-pool) pairs packed in a long: a primitive sort that is stable by construction.
      for (int i = from; i < to; i++) {
        keys[i - from] = ((long) lengths[ids[i]] << 32) | (i - from);
      }
      Arrays.sort(keys, 0, to - from);
      int start = 0;
      for (int j = 0; j < to - from; j++) {
        int len = (int) (keys[j] >>> 32);
        int rows = j - start + 1;
        if (rows > maxRows || (long) len * rows > limit) {
          batches.add(idsOf(keys, start, j, ids, from));
          start = j;
        }
      }
      if (start < to - from) {
        batches.add(idsOf(keys, start, to - from, ids, from));
      }
    }
    int[] order = new int[batches.size()];
    Arrays.setAll(order, i -> i);
    io.seqspark.core.math.Shuffle.inPlace(order, random);
    List<int[]> shuffled = new ArrayList<>(order.length);
    for (int i : order) {
      shuffled.add(batches.get(i));
    }
    return new Result(shuffled, skipped);
  }

  private static int[] idsOf(long[] keys, int start, int end, int[] ids, int poolStart) {
    int[] batch = new int[end - start];
    for (int j = start; j < end; j++) {
      batch[j - start] = ids[poolStart + (int) keys[j]];
    }
    return batch;
  }

  /** Padded positions over real positions across {@code batches}: the share of compute wasted on padding. */
  public static double paddingRatio(int[] lengths, List<int[]> batches) {
    long real = 0;
    long padded = 0;
    for (int[] batch : batches) {
      int longest = 0;
      for (int id : batch) {
        real += lengths[id];
        longest = Math.max(longest, lengths[id]);
      }
      padded += (long) longest * batch.length;
    }
    return real == 0 ? 0 : (double) (padded - real) / real;
  }
}
