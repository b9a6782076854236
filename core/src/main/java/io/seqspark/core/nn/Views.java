package io.seqspark.core.nn;

import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

/**
 * Allocation-free views into 2-D 'c'-order matrices. Sequence tensors are [T*B, F] with row {@code t*B + b}, so the
 * rows of one time step are a contiguous block and BLAS can read and write them in place.
 */
public final class Views {
  private Views() {
  }

  /** Rows [from, to) of a 'c'-order matrix (contiguous). */
  public static INDArray rows(INDArray m, long from, long to) {
    long cols = m.size(1);
    return Nd4j.create(m.data(), new long[] {to - from, cols}, new long[] {m.stride(0), 1}, m.offset() + from * m.stride(0), 'c', m.dataType());
  }

  /** Columns [from, to) of a 'c'-order matrix (strided). */
  public static INDArray cols(INDArray m, long from, long to) {
    return Nd4j.create(m.data(), new long[] {m.size(0), to - from}, new long[] {m.stride(0), 1}, m.offset() + from, 'c', m.dataType());
  }
}
