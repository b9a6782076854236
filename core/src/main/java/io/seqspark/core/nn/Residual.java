package io.seqspark.core.nn;

import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * A residual connection around a stateful layer of equal input and output width: {@code y = layer(x) + x}, so
 * {@code ∂x = layer.backward(∂y) + ∂y} (He et al. 2016; ELMo's skip connections between its biLM layers). State
 * calls pass through to the wrapped layer.
 */
public final class Residual implements StatefulLayer {
  private final StatefulLayer layer;
  private final Scratch scratch;

  /** Wraps {@code layer}, whose input and output widths must be equal. */
  public Residual(StatefulLayer layer, DataType dtype) {
    if (layer.inputSize() != layer.outputSize()) {
      throw new IllegalArgumentException("a residual connection needs equal input and output widths, got "
          + layer.inputSize() + " and " + layer.outputSize());
    }
    this.layer = layer;
    this.scratch = new Scratch(dtype);
  }

  /** The wrapped layer. */
  public StatefulLayer layer() {
    return layer;
  }

  @Override
  public int inputSize() {
    return layer.inputSize();
  }

  @Override
  public int outputSize() {
    return layer.outputSize();
  }

  @Override
  public INDArray forward(INDArray x, Seq seq) {
    INDArray h = layer.forward(x, seq);
    INDArray y = scratch.get("Y", h.size(0), h.size(1));
    h.add(x, y);
    return y;
  }

  @Override
  public INDArray backward(INDArray dy, Seq seq) {
    INDArray d = layer.backward(dy, seq);
    INDArray dx = scratch.get("dX", d.size(0), d.size(1));
    d.add(dy, dx);
    return dx;
  }

  @Override
  public void setCarryState(boolean carry) {
    layer.setCarryState(carry);
  }

  @Override
  public void resetState() {
    layer.resetState();
  }

  @Override
  public INDArray[] carriedState() {
    return layer.carriedState();
  }

  @Override
  public void restoreState(INDArray[] state) {
    layer.restoreState(state);
  }
}
