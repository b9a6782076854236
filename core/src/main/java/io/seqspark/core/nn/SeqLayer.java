package io.seqspark.core.nn;

import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * A layer over time-major sequence matrices [T*B, features]. {@code forward} returns a buffer owned by the layer,
 * valid until its next forward; {@code backward} takes the gradient of the loss with respect to that output,
 * ADDS parameter gradients into the flat gradient buffer, and returns the gradient with respect to the input.
 */
public interface SeqLayer {
  int inputSize();

  int outputSize();

  INDArray forward(INDArray x, Seq seq);

  INDArray backward(INDArray dy, Seq seq);
}
