package io.seqspark.core.nn;

import java.util.HashMap;
import java.util.Map;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

/**
 * A layer's reusable activation and gradient buffers. {@link #get} hands out the first {@code rows} rows of a
 * buffer that only ever grows, so steady-state training allocates nothing (ND4J's time goes to allocation and
 * layout copies otherwise: ../shared/STACK.md).
 */
public final class Scratch {
  private final DataType dtype;
  private final Map<String, INDArray> buffers = new HashMap<>();
  private final Map<String, INDArray> views = new HashMap<>();

  public Scratch(DataType dtype) {
    this.dtype = dtype;
  }

  /**
   * A [rows, cols] 'c'-order view; contents are whatever the last user left there. The same request returns the
   * same object, so callers can cache views derived from it.
   */
  public INDArray get(String key, long rows, long cols) {
    INDArray full = buffers.get(key);
    if (full == null || full.size(0) < rows || full.size(1) != cols) {
      long cap = full == null || full.size(1) != cols ? rows : Math.max(rows, full.size(0) + full.size(0) / 2);
      full = Nd4j.create(dtype, cap, cols);
      buffers.put(key, full);
      views.remove(key);
    }
    if (full.size(0) == rows) {
      return full;
    }
    INDArray v = views.get(key);
    if (v == null || v.size(0) != rows) {
      v = Views.rows(full, 0, rows);
      views.put(key, v);
    }
    return v;
  }

  /** Like {@link #get} but zero-filled. */
  public INDArray zeros(String key, long rows, long cols) {
    INDArray a = get(key, rows, cols);
    a.assign(0);
    return a;
  }

  /** A [1, n] row of ones (for bias gradients as one GEMM). */
  public INDArray ones(long n) {
    INDArray a = buffers.get("__ones");
    if (a == null || a.size(1) < n) {
      a = Nd4j.ones(dtype, 1, n);
      buffers.put("__ones", a);
    }
    return a.size(1) == n ? a : Views.cols(a, 0, n);
  }

  public DataType dtype() {
    return dtype;
  }
}
