package io.seqspark.core.nn;

import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

/**
 * One highway layer (Srivastava et al. 2015), as over ELMo's char-CNN features (Kim et al. 2016):
 * <pre>
 *   a = x·Wh + bh        g = σ(x·Wg + bg)        y = g ⊙ relu(a) + (1 − g) ⊙ x
 * </pre>
 * Both projections are one GEMM over {@code W} = [Wh | Wg] [F, 2F]. The gate bias starts at {@code gateBias}
 * (negative: carry the input through at first, as the paper recommends). Works on any [n, F] matrix, so it serves
 * sequences and per-word features alike. Backward:
 * {@code da = dy ⊙ g ⊙ [a > 0]}, {@code dĝ = dy ⊙ (relu(a) − x) ⊙ g(1 − g)}, {@code dx = dy ⊙ (1 − g) + [da dĝ]·Wᵀ}.
 */
public final class Highway implements SeqLayer {
  private final int size;
  private final ParamRef w;
  private final ParamRef bh;
  private final ParamRef bg;
  private final Scratch scratch;
  private INDArray x;
  private double[] xs;
  private double[] zs;

  public Highway(ParamStore.Builder params, String name, int size, double gateBias, Init init, DataType dtype) {
    this.size = size;
    this.w = params.add(name + ".W", init, size, 2L * size);
    this.bh = params.add(name + ".bh", Init.zeros(), 1, size);
    this.bg = params.add(name + ".bg", Init.constant(gateBias), 1, size);
    this.scratch = new Scratch(dtype);
  }

  @Override
  public int inputSize() {
    return size;
  }

  @Override
  public int outputSize() {
    return size;
  }

  @Override
  public INDArray forward(INDArray x, Seq seq) {
    this.x = x;
    int n = (int) x.size(0);
    INDArray z = scratch.get("Z", n, 2L * size);
    Nd4j.gemm(x, w.value(), z, false, false, 1.0, 0.0);
    Views.cols(z, 0, size).addiRowVector(bh.value());
    Views.cols(z, size, 2L * size).addiRowVector(bg.value());
    xs = Recurrent.grow(xs, n * size);
    zs = Recurrent.grow(zs, n * 2 * size);
    Host.of(x).read(0, xs, 0, n * size);
    Host.of(z).read(0, zs, 0, n * 2 * size);
    double[] y = new double[n * size];
    for (int i = 0; i < n; i++) {
      for (int j = 0; j < size; j++) {
        double a = zs[i * 2 * size + j];
        double g = sigmoid(zs[i * 2 * size + size + j]);
        zs[i * 2 * size + size + j] = g;
        y[i * size + j] = g * Math.max(a, 0) + (1 - g) * xs[i * size + j];
      }
    }
    INDArray out = scratch.get("Y", n, size);
    Host.of(out).write(0, y, 0, y.length);
    return out;
  }

  @Override
  public INDArray backward(INDArray dy, Seq seq) {
    int n = (int) dy.size(0);
    double[] d = new double[n * size];
    Host.of(dy).read(0, d, 0, d.length);
    double[] dz = new double[n * 2 * size];
    double[] dxDirect = new double[n * size];
    for (int i = 0; i < n; i++) {
      for (int j = 0; j < size; j++) {
        double a = zs[i * 2 * size + j];
        double g = zs[i * 2 * size + size + j];
        double xv = xs[i * size + j];
        double dv = d[i * size + j];
        dz[i * 2 * size + j] = a > 0 ? dv * g : 0;
        dz[i * 2 * size + size + j] = dv * (Math.max(a, 0) - xv) * g * (1 - g);
        dxDirect[i * size + j] = dv * (1 - g);
      }
    }
    INDArray dZ = scratch.get("dZ", n, 2L * size);
    Host.of(dZ).write(0, dz, 0, dz.length);
    Nd4j.gemm(x, dZ, w.grad(), true, false, 1.0, 1.0);
    INDArray ones = scratch.ones(n);
    Nd4j.gemm(ones, Views.cols(dZ, 0, size), bh.grad(), false, false, 1.0, 1.0);
    Nd4j.gemm(ones, Views.cols(dZ, size, 2L * size), bg.grad(), false, false, 1.0, 1.0);
    INDArray dx = scratch.get("dX", n, size);
    Host.of(dx).write(0, dxDirect, 0, dxDirect.length);
    Nd4j.gemm(dZ, w.value(), dx, false, true, 1.0, 1.0);
    return dx;
  }

  static double sigmoid(double v) {
    return 1.0 / (1.0 + Math.exp(-v));
  }
}
