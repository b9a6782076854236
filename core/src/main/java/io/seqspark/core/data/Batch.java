package io.seqspark.core.data;

import java.util.Arrays;

/**
 * A padded batch of token sequences, laid out time-major: position {@code (t, r)} is index {@code t * rows + r}.
 *
 * <p>Sequences are right-padded: row {@code r} holds real tokens at steps {@code 0 .. lengths[r]-1} and
 * {@code <pad>} (id 0) with mask 0 after that. {@code inputs} are what the model reads, {@code targets} what it
 * predicts at the same position (for a language model, the next token; unused slots are 0). {@code exampleIds}
 * name where each row came from (line number, stream offset, ...) so errors and tests can point at it.
 *
 * @param steps      T, the padded length (longest row)
 * @param rows       B, sequences in the batch
 * @param inputs     T*B token ids
 * @param targets    T*B token ids (0 where masked)
 * @param mask       T*B, 1 for a real position, 0 for padding
 * @param lengths    B real lengths, each in 1..T
 * @param exampleIds B ids of the source examples
 */
public record Batch(int steps, int rows, int[] inputs, int[] targets, float[] mask, int[] lengths, long[] exampleIds)
    implements Minibatch, java.io.Serializable {

  public Batch {
    if (steps < 1 || rows < 1) {
      throw new IllegalArgumentException("Batch needs steps >= 1 and rows >= 1, got steps=" + steps + " rows=" + rows);
    }
    int n = steps * rows;
    if (inputs.length != n || targets.length != n || mask.length != n) {
      throw new IllegalArgumentException("Batch arrays must hold steps*rows=" + n + " entries, got inputs="
          + inputs.length + " targets=" + targets.length + " mask=" + mask.length);
    }
    if (lengths.length != rows || exampleIds.length != rows) {
      throw new IllegalArgumentException("Batch needs one length and one example id per row (" + rows + ")");
    }
  }

  /** Padded positions: steps × rows. */
  @Override
  public long positions() {
    return (long) steps * rows;
  }

  /** Number of real (unmasked) positions: the denominator of per-token losses. */
  @Override
  public long tokens() {
    long s = 0;
    for (int l : lengths) {
      s += l;
    }
    return s;
  }

  /** Padded positions over real positions; 0 for a batch without padding. */
  public double paddingRatio() {
    long real = tokens();
    return (double) ((long) steps * rows - real) / real;
  }

  /**
   * Builds a right-padded batch from per-row input and target sequences of equal length per row.
   *
   * @param inputs  one int[] per row
   * @param targets one int[] per row, same length as the matching input
   * @param ids     one example id per row
   */
  public static Batch padded(int[][] inputs, int[][] targets, long[] ids) {
    int rows = inputs.length;
    int steps = 0;
    for (int r = 0; r < rows; r++) {
      if (inputs[r].length != targets[r].length || inputs[r].length == 0) {
        throw new IllegalArgumentException("row " + r + " (example " + ids[r] + ") has inputs of length "
            + inputs[r].length + " and targets of length " + targets[r].length + "; both must be equal and >= 1");
      }
      steps = Math.max(steps, inputs[r].length);
    }
    int[] in = new int[steps * rows];
    int[] tg = new int[steps * rows];
    float[] mask = new float[steps * rows];
    int[] lengths = new int[rows];
    for (int r = 0; r < rows; r++) {
      lengths[r] = inputs[r].length;
      for (int t = 0; t < lengths[r]; t++) {
        in[t * rows + r] = inputs[r][t];
        tg[t * rows + r] = targets[r][t];
        mask[t * rows + r] = 1f;
      }
    }
    return new Batch(steps, rows, in, tg, mask, lengths, ids.clone());
  }

  /** The real tokens of row {@code r}'s inputs, in order. */
  public int[] rowInputs(int r) {
    int[] out = new int[lengths[r]];
    for (int t = 0; t < out.length; t++) {
      out[t] = inputs[t * rows + r];
    }
    return out;
  }

  @Override
  public String toString() {
    return "Batch[steps=" + steps + ", rows=" + rows + ", tokens=" + tokens() + ", ids=" + Arrays.toString(exampleIds) + "]";
  }
}
