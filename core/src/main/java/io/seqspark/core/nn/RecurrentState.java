package io.seqspark.core.nn;

import java.util.ArrayList;
import java.util.List;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

/**
 * The state of a {@link Recurrent} layer for B rows: h (and, for the LSTM, the memory cell c), each [B, hidden].
 * Immutable; held on the heap in double, where the cell kernels read it, so starting a pass from it costs one copy
 * and {@link #select} (beam search reordering its hypotheses) is a plain gather of rows.
 */
public final class RecurrentState {
  /** Tensor i, row-major [rows * hidden]; never written after construction. */
  final double[][] parts;
  private final int rows;
  private final int hidden;
  private final DataType dtype;

  RecurrentState(double[][] parts, int rows, int hidden, DataType dtype) {
    this.parts = parts;
    this.rows = rows;
    this.hidden = hidden;
    this.dtype = dtype;
  }

  /**
   * A state from its tensors, each [B, hidden] and in the layer's order (h first; the LSTM's c second). Values are
   * copied; {@link #tensor} gives them back in the data type of the first tensor.
   */
  public static RecurrentState of(List<INDArray> tensors) {
    if (tensors.isEmpty()) {
      throw new IllegalArgumentException("a recurrent state needs at least one tensor (h), got none");
    }
    INDArray first = tensors.get(0);
    if (first.rank() != 2) {
      throw new IllegalArgumentException("recurrent state tensors must be [B, hidden], got shape "
          + java.util.Arrays.toString(first.shape()));
    }
    int rows = (int) first.size(0);
    int hidden = (int) first.size(1);
    double[][] parts = new double[tensors.size()][];
    for (int i = 0; i < parts.length; i++) {
      INDArray t = tensors.get(i);
      if (t.rank() != 2 || t.size(0) != rows || t.size(1) != hidden) {
        throw new IllegalArgumentException("recurrent state tensor " + i + " has shape "
            + java.util.Arrays.toString(t.shape()) + ", tensor 0 has [" + rows + ", " + hidden
            + "]: all must be [B, hidden]");
      }
      parts[i] = t.castTo(DataType.DOUBLE).dup('c').data().asDouble();
    }
    return new RecurrentState(parts, rows, hidden, first.dataType());
  }

  /** B: the rows (sequences, hypotheses) this state holds. */
  public int rows() {
    return rows;
  }

  /** The width of each tensor: the layer's hidden size. */
  public int hidden() {
    return hidden;
  }

  /** How many tensors: 1 (h) for Elman and GRU, 2 (h, c) for the LSTM. */
  public int size() {
    return parts.length;
  }

  /** The hidden state h [B, hidden]: a new array. */
  public INDArray h() {
    return tensor(0);
  }

  /** Tensor {@code i} [B, hidden] (0 = h, 1 = the LSTM's c) as a new array. */
  public INDArray tensor(int i) {
    return Nd4j.createFromArray(parts[i]).reshape('c', rows, hidden).castTo(dtype);
  }

  /** All tensors, h first, as new arrays. */
  public List<INDArray> tensors() {
    List<INDArray> out = new ArrayList<>(parts.length);
    for (int i = 0; i < parts.length; i++) {
      out.add(tensor(i));
    }
    return out;
  }

  /**
   * The state of rows {@code rows[0], rows[1], ...} of this one, in that order (repeats allowed): beam search keeps
   * the parents of its surviving hypotheses with one call.
   */
  public RecurrentState select(int[] rows) {
    double[][] out = new double[parts.length][rows.length * hidden];
    for (int i = 0; i < rows.length; i++) {
      int r = rows[i];
      if (r < 0 || r >= this.rows) {
        throw new IllegalArgumentException("row " + r + " (position " + i + ") is outside this state's "
            + this.rows + " rows");
      }
      for (int p = 0; p < parts.length; p++) {
        System.arraycopy(parts[p], r * hidden, out[p], i * hidden, hidden);
      }
    }
    return new RecurrentState(out, rows.length, hidden, dtype);
  }
}
