package io.seqspark.core.nn;

import org.nd4j.linalg.api.ndarray.INDArray;

/** Small wrappers over libnd4j ops whose Java constructors do not write in place. */
public final class Ops {
  private Ops() {
  }

  /**
   * {@code target[idx[k], :] += updates[k, :]} for every k in order, repeated indices adding up; in place. Done on
   * the heap in a fixed order: libnd4j's multithreaded scatter_add sums repeated rows in a varying order, which made
   * two runs with the same seed drift apart by 1e-8 within 50 steps (LanguageModelTrainingTest).
   */
  public static void scatterAddRows(INDArray target, int[] idx, INDArray updates) {
    int cols = (int) updates.size(1);
    double[] rows = new double[idx.length * cols];
    Host.of(updates).read(0, rows, 0, rows.length);
    Host t = Host.of(target);
    for (int k = 0; k < idx.length; k++) {
      t.add((long) idx[k] * cols, rows, k * cols, cols);
    }
  }
}
