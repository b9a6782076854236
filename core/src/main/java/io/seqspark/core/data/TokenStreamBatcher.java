package io.seqspark.core.data;

import java.util.Arrays;

/**
 * Truncated-BPTT batches over one contiguous token stream: the regime in which PTB language-model perplexities
 * are published (Zaremba et al. 2014), where hidden state carries over from batch k to batch k+1 row by row.
 *
 * <p>The stream of N tokens is cut into {@code rows} equal streams of {@code L = floor(N / rows)} tokens (the tail
 * that does not fill a row is dropped); row r is {@code stream[r*L .. r*L + L - 1]}. Batch k covers steps
 * {@code k*T .. k*T + steps - 1} of every row: {@code inputs[t*rows + r] = row_r[k*T + t]},
 * {@code targets[t*rows + r] = row_r[k*T + t + 1]}. The last batch is shorter when {@code L - 1} is not a multiple
 * of T, so each token of a row except its last is predicted exactly once per epoch. No padding: mask is all 1,
 * every length is {@code steps}, and example id r names the row.
 */
public final class TokenStreamBatcher {

  private final int[] stream;
  private final int rows;
  private final int bptt;
  private final int rowLength;

  /**
   * @param stream token ids (not copied; do not modify it afterwards)
   * @param rows   parallel streams per batch (the batch size)
   * @param bptt   T, steps per batch
   */
  public TokenStreamBatcher(int[] stream, int rows, int bptt) {
    if (rows < 1 || bptt < 1) {
      throw new IllegalArgumentException("rows and bptt must be >= 1, got rows=" + rows + " bptt=" + bptt);
    }
    if (stream.length / rows < 2) {
      throw new IllegalArgumentException("a stream of " + stream.length + " tokens is too short for rows=" + rows
          + ": each row needs at least 2 tokens (one input, one target), so at least " + 2L * rows
          + " tokens; use fewer rows or more data");
    }
    this.stream = stream;
    this.rows = rows;
    this.bptt = bptt;
    this.rowLength = stream.length / rows;
  }

  /** Batches per epoch: {@code ceil((L - 1) / T)}. */
  public int numBatches() {
    return (rowLength - 1 + bptt - 1) / bptt;
  }

  /** Predicted tokens per epoch: {@code rows * (L - 1)}. */
  public long tokensPerEpoch() {
    return (long) rows * (rowLength - 1);
  }

  /** Tokens per row, {@code floor(N / rows)}. */
  public int rowLength() {
    return rowLength;
  }

  /** Batch {@code k} of an epoch (0-based); every epoch yields the same batches in the same order. */
  public Batch batch(int k) {
    if (k < 0 || k >= numBatches()) {
      throw new IllegalArgumentException("batch " + k + " is out of range 0.." + (numBatches() - 1));
    }
    int offset = k * bptt;
    int steps = Math.min(bptt, rowLength - 1 - offset);
    int[] inputs = new int[steps * rows];
    int[] targets = new int[steps * rows];
    float[] mask = new float[steps * rows];
    Arrays.fill(mask, 1f);
    int[] lengths = new int[rows];
    long[] ids = new long[rows];
    for (int r = 0; r < rows; r++) {
      int base = r * rowLength + offset;
      for (int t = 0; t < steps; t++) {
        inputs[t * rows + r] = stream[base + t];
        targets[t * rows + r] = stream[base + t + 1];
      }
      lengths[r] = steps;
      ids[r] = r;
    }
    return new Batch(steps, rows, inputs, targets, mask, lengths, ids);
  }
}
