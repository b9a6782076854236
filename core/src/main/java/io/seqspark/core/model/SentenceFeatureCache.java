package io.seqspark.core.model;

import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Function;

/**
 * The frozen biLM's layers of each sentence, kept across epochs ({@code model.contextualCacheMb}): a downstream model
 * reads the same training and validation sentences every epoch, and the biLM's output for them never changes.
 *
 * <p>Every sentence's layers are computed ALONE (a batch of one), so they are a function of the sentence only: the
 * batch it came in, the order of the epochs, a resume, the Spark partition or thread that asked first, and whether
 * the budget had room to keep it change no bit of them (the biLM's batched forward is not bit-invariant to the batch
 * around a row: ~1e-6 apart). Entries are kept until the budget (an estimate of their heap bytes) is spent; a sentence
 * that finds no room is computed again when it comes back, to the same values. A cache lives as long as the
 * downstream model that owns it: the driver's model (training locally, validation), and on Spark each partition's
 * worker model, which the executor keeps across rounds. Thread-safe.
 */
public final class SentenceFeatureCache {
  private final Map<List<String>, float[][][]> entries = new ConcurrentHashMap<>();
  private final AtomicLong bytes = new AtomicLong();
  private final long budget;

  /** A cache of at most {@code budgetBytes} (estimated heap bytes of its entries). */
  public SentenceFeatureCache(long budgetBytes) {
    if (budgetBytes < 0) {
      throw new IllegalArgumentException("a feature cache budget must be >= 0 bytes, got " + budgetBytes);
    }
    this.budget = budgetBytes;
  }

  /**
   * The layers [layer][token][width] of {@code sentence}: kept ones, or {@code compute}d (on the sentence alone) and
   * kept if the budget has room. The returned arrays are shared: read only.
   */
  public float[][][] get(List<String> sentence, Function<List<String>, float[][][]> compute) {
    float[][][] e = entries.get(sentence);
    if (e != null) {
      return e;
    }
    e = compute.apply(sentence);
    long size = bytes(e, sentence.size());
    if (bytes.addAndGet(size) <= budget) {
      float[][][] before = entries.putIfAbsent(List.copyOf(sentence), e);
      if (before != null) {
        bytes.addAndGet(-size);
        return before;
      }
    } else {
      bytes.addAndGet(-size);
    }
    return e;
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
