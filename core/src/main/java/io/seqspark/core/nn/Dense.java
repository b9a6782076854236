package io.seqspark.core.nn;

import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.api.ops.impl.transforms.gradient.TanhDerivative;
import org.nd4j.linalg.api.ops.impl.transforms.strict.Tanh;
import org.nd4j.linalg.factory.Nd4j;

/**
 * Time-distributed affine layer {@code y = act(x·W + b)} over all T*B positions in one GEMM, with act = identity
 * or tanh. Backward: ∂W += xᵀ·∂z, ∂b += 1ᵀ·∂z, ∂x = ∂z·Wᵀ, each one GEMM.
 */
public final class Dense implements SeqLayer {
  /** The nonlinearity after the affine map. */
  public enum Activation { IDENTITY, TANH }

  private final ParamRef w;
  private final ParamRef b;
  private final int in;
  private final int out;
  private final Activation activation;
  private final Scratch scratch;
  private INDArray x;
  private INDArray z;

  public Dense(ParamStore.Builder params, String name, int in, int out, Activation activation, Init init, DataType dtype) {
    this.w = params.add(name + ".W", init, in, out);
    this.b = params.add(name + ".b", Init.zeros(), 1, out);
    this.in = in;
    this.out = out;
    this.activation = activation;
    this.scratch = new Scratch(dtype);
  }

  @Override
  public int inputSize() {
    return in;
  }

  @Override
  public int outputSize() {
    return out;
  }

  @Override
  public INDArray forward(INDArray x, Seq seq) {
    this.x = x;
    long n = x.size(0);
    z = scratch.get("Z", n, out);
    Nd4j.gemm(x, w.value(), z, false, false, 1.0, 0.0);
    z.addiRowVector(b.value());
    if (activation == Activation.IDENTITY) {
      return z;
    }
    INDArray y = scratch.get("Y", n, out);
    Nd4j.exec(new Tanh(z, y));
    return y;
  }

  @Override
  public INDArray backward(INDArray dy, Seq seq) {
    long n = dy.size(0);
    INDArray dz = dy;
    if (activation == Activation.TANH) {
      dz = scratch.get("dZ", n, out);
      Nd4j.exec(new TanhDerivative(z, dy, dz));
    }
    Nd4j.gemm(x, dz, w.grad(), true, false, 1.0, 1.0);
    Nd4j.gemm(scratch.ones(n), dz, b.grad(), false, false, 1.0, 1.0);
    INDArray dx = scratch.get("dX", n, in);
    Nd4j.gemm(dz, w.value(), dx, false, true, 1.0, 0.0);
    return dx;
  }
}
