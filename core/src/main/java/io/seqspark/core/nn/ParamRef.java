package io.seqspark.core.nn;

import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

/** A named block of a {@link ParamStore}: its value and gradient are views into the store's flat buffers. */
public final class ParamRef {
  private final String name;
  private final long[] shape;
  private final long offset;
  private final long length;
  private final Init init;
  private INDArray value;
  private INDArray grad;

  ParamRef(String name, long[] shape, long offset, long length, Init init) {
    this.name = name;
    this.shape = shape;
    this.offset = offset;
    this.length = length;
    this.init = init;
  }

  void bind(INDArray flatParams, INDArray flatGrads) {
    this.value = view(flatParams);
    this.grad = view(flatGrads);
  }

  void bindViews(INDArray value, INDArray grad) {
    this.value = value;
    this.grad = grad;
  }

  private INDArray view(INDArray flat) {
    long[] stride = new long[shape.length];
    long s = 1;
    for (int i = shape.length - 1; i >= 0; i--) {
      stride[i] = s;
      s *= shape[i];
    }
    return Nd4j.create(flat.data(), shape.clone(), stride, flat.offset() + offset, 'c');
  }

  public String name() {
    return name;
  }

  public long[] shape() {
    return shape.clone();
  }

  public long offset() {
    return offset;
  }

  public long length() {
    return length;
  }

  public Init init() {
    return init;
  }

  /** The parameter values, a 'c'-order view into the flat buffer. */
  public INDArray value() {
    if (value == null) {
      throw new IllegalStateException("parameter " + name + " is not bound yet: build the ParamStore first");
    }
    return value;
  }

  /** The gradient, a 'c'-order view into the flat gradient buffer. */
  public INDArray grad() {
    if (grad == null) {
      throw new IllegalStateException("parameter " + name + " is not bound yet: build the ParamStore first");
    }
    return grad;
  }
}
