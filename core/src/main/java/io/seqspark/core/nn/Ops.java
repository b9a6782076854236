package io.seqspark.core.nn;

import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.api.ops.DynamicCustomOp;
import org.nd4j.linalg.factory.Nd4j;

/** Small wrappers over libnd4j ops whose Java constructors do not write in place. */
public final class Ops {
  private Ops() {
  }

  /** {@code target[idx[k], :] += updates[k, :]} for every k, repeated indices adding up; in place. */
  public static void scatterAddRows(INDArray target, INDArray idx, INDArray updates) {
    Nd4j.exec(DynamicCustomOp.builder("scatter_add").addInputs(target, idx, updates).addOutputs(target).build());
  }
}
