package io.seqspark.core.model;

import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;

/**
 * The frozen biLM's layers of each sentence, kept across epochs ({@code model.contextualCacheMb}): a downstream model
 * reads the same training and validation sentences every epoch, and the biLM's output for them never changes.
 *
 * <p>What is kept depends on what filled it: the biLM's batched forward is not bit-invariant to the other rows of a
 * batch (~1e-6 apart), so a sentence holds the values of the batch that first computed it. The training loops fill
 * the cache from epoch 1's batches, in order, before the first step of every run, fresh or resumed
 * ({@link io.seqspark.core.train.Trainable#prepare}): the kept values are then the same wherever a run starts, and
 * epoch 1 reads exactly what it would have computed. Validation and test batches are the same every time, so they fill
 * it as they come. Entries are kept until the budget (an estimate of their heap bytes) is spent, first come first
 * kept; a sentence that finds no room is computed with its batch each time, as without a cache. A cache lives as long
 * as the downstream model that owns it: the driver's model, and on Spark each partition's worker model, which the
 * executor keeps across rounds. Thread-safe.
 */
public final class SentenceFeatureCache {
  private final Map<List<String>, float[][][]> entries = new ConcurrentHashMap<>();
  private final AtomicLong bytes = new AtomicLong();
  private final AtomicLong declined = new AtomicLong();
  private final AtomicLong declinedBytes = new AtomicLong();
  private final long budget;

  /** A cache of at most {@code budgetBytes} (estimated heap bytes of its entries). */
  public SentenceFeatureCache(long budgetBytes) {
    if (budgetBytes < 0) {
      throw new IllegalArgumentException("a feature cache budget must be >= 0 bytes, got " + budgetBytes);
    }
    this.budget = budgetBytes;
  }

  /** The layers [layer][token][width] kept for {@code sentence}, or null. Shared arrays: read only. */
  public float[][][] get(List<String> sentence) {
    return entries.get(sentence);
  }

  /**
   * Keeps {@code layers} for {@code sentence} if the budget has room and nothing is kept for it yet; returns what is
   * kept for it then (or {@code layers} when nothing is).
   */
  public float[][][] offer(List<String> sentence, float[][][] layers) {
    long size = bytes(layers, sentence.size());
    if (bytes.addAndGet(size) > budget) {
      bytes.addAndGet(-size);
      float[][][] kept = entries.get(sentence);
      if (kept == null) {
        declined.incrementAndGet();
        declinedBytes.addAndGet(size);
      }
      return kept != null ? kept : layers;
    }
    float[][][] before = entries.putIfAbsent(List.copyOf(sentence), layers);
    if (before != null) {
      bytes.addAndGet(-size);
      return before;
    }
    return layers;
  }

  /** Sentences kept. */
  public int size() {
    return entries.size();
  }

  /** Estimated heap bytes of the entries kept. */
  public long bytes() {
    return bytes.get();
  }

  /** The budget in bytes. */
  public long budget() {
    return budget;
  }

  /** Offers that found no room (a sentence offered again, e.g. in a later epoch, counts again). */
  public long declined() {
    return declined.get();
  }

  /**
   * One line for the run's log: what is kept against the budget and, if offers found no room, how many and the
   * model.contextualCacheMb that would have kept them too (after {@link io.seqspark.core.train.Trainable#prepare}:
   * epoch 1's sentences that did not fit, which every epoch computes again).
   */
  public String summary() {
    String kept = String.format(java.util.Locale.ROOT, "the biLM's layers of %,d sentences kept (%,d MB of %,d)",
        size(), mb(bytes()), mb(budget));
    if (declined() == 0) {
      return kept;
    }
    return kept + String.format(java.util.Locale.ROOT, "; %,d did not fit and are computed with their batch every"
        + " epoch (slower, the same values): model.contextualCacheMb = %d would keep them too", declined(),
        mb(bytes() + declinedBytes.get()) + 1);
  }

  private static long mb(long b) {
    return b >> 20;
  }

  /** Heap bytes of one entry: the float rows (16-byte headers), the row arrays, and the key's list of references. */
  static long bytes(float[][][] e, int tokens) {
    long b = 16L + 4L * e.length + 48L + 8L * tokens;
    for (float[][] layer : e) {
      b += 16L + 4L * layer.length;
      for (float[] row : layer) {
        b += 16L + 4L * row.length;
      }
    }
    return b;
  }
}
