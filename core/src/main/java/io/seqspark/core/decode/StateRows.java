package io.seqspark.core.decode;

import java.util.ArrayList;
import java.util.List;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

/**
 * Row surgery on a model's carried state. Every state tensor is time-major over the batch: S steps of B rows each
 * ([B, hidden] for a recurrent layer, S = 1; [(K−1)·d·B, in] for a causal convolution's history), so row r of the
 * batch is rows {@code s·B + r} of the tensor, s = 0..S−1. An empty list is the zero state of any number of rows.
 */
final class StateRows {
  private StateRows() {
  }

  /** Row i of the result is old row {@code rows[i]} of every tensor; {@code batchRows} is the old B. */
  static List<INDArray> gather(List<INDArray> state, int batchRows, int[] rows, String cell) {
    if (state.isEmpty() || rows.length == 0) {
      return List.of();
    }
    List<INDArray> out = new ArrayList<>(state.size());
    for (int k = 0; k < state.size(); k++) {
      INDArray s = state.get(k);
      int steps = steps(s, batchRows, k, cell);
      int[] idx = new int[steps * rows.length];
      for (int t = 0; t < steps; t++) {
        for (int i = 0; i < rows.length; i++) {
          idx[t * rows.length + i] = t * batchRows + rows[i];
        }
      }
      out.add(Nd4j.pullRows(s, 1, idx));
    }
    return out;
  }

  /**
   * Writes the state of a sub-batch back into the full one: row i of {@code part} ({@code rows.length} rows) becomes
   * row {@code rows[i]} of {@code full} (B = {@code batchRows} rows). {@code full} is null for the zero state; the
   * result is then created with zeros in the rows not written.
   */
  static List<INDArray> scatter(List<INDArray> full, int batchRows, List<INDArray> part, int[] rows, String cell) {
    if (part.isEmpty()) {
      return full;
    }
    List<INDArray> out = new ArrayList<>(part.size());
    for (int k = 0; k < part.size(); k++) {
      INDArray p = part.get(k);
      int steps = steps(p, rows.length, k, cell);
      INDArray f = full != null ? full.get(k) : Nd4j.zeros(p.dataType(), (long) steps * batchRows, p.size(1));
      for (int t = 0; t < steps; t++) {
        for (int i = 0; i < rows.length; i++) {
          f.getRow((long) t * batchRows + rows[i]).assign(p.getRow((long) t * rows.length + i));
        }
      }
      out.add(f);
    }
    return out;
  }

  private static int steps(INDArray s, int batchRows, int k, String cell) {
    if (s.rank() != 2 || s.size(0) % batchRows != 0) {
      throw new IllegalStateException("model.cell = " + cell + ": carried state tensor " + k + " has shape "
          + java.util.Arrays.toString(s.shape()) + ", not [steps * " + batchRows + " rows, width]; decoding can only "
          + "reorder time-major per-row state (recurrent cells and causal convolutions)");
    }
    return (int) (s.size(0) / batchRows);
  }
}
