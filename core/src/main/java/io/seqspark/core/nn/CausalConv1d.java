package io.seqspark.core.nn;

import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

/**
 * Causal 1-D convolution with dilation over time-major sequences [T*B, in] → [T*B, out]:
 * <pre>
 *   y_t = b + Σ_{j=0}^{K-1} x_{t - (K-1-j)·d} · W_j      (x_u = 0 for u &lt; 0, or the carried history)
 * </pre>
 * Tap j (PyTorch's and DL4J's kernel index, j = 0 the oldest) reads the input shifted by s = (K−1−j)·d steps. In
 * the time-major layout a shift by s steps is a shift by s·B rows, so the convolution is K GEMMs over row-range
 * views of the input and output ({@code Y[s·B..] += X[..(T−s)·B]·W_j}), without im2col and without touching the
 * zero rows; the backward is the transposed GEMMs ({@code ∂W_j += X[..]ᵀ·∂Y[s·B..]}, {@code ∂X[..] += ∂Y[s·B..]·W_jᵀ}).
 * Parameters: {@code W} [K·in, out] (tap j = rows j·in … (j+1)·in) and {@code b} [1, out}; with weight
 * normalization (Salimans &amp; Kingma 2016, as Bai et al. 2018 use in the TCN) W is reparametrised per output channel
 * o as {@code W[:,o] = g_o · V[:,o] / ‖V[:,o]‖} with blocks {@code V} and {@code g} (g starts at 1: unit-norm filters).
 *
 * <p>Stream regime: with {@link #setCarryState(boolean)} on, the last (K−1)·d input steps of each batch are kept
 * and read as x_u, u &lt; 0, of the next, so consecutive batches compute exactly what one pass over the whole stream
 * would (gradients stop at the batch boundary, as in truncated BPTT).
 */
public final class CausalConv1d implements StatefulLayer {
  private final int in;
  private final int out;
  private final int kernel;
  private final int dilation;
  private final ParamRef w; // W, or V under weight normalization
  private final ParamRef g; // null without weight normalization
  private final ParamRef b;
  private final Scratch scratch;
  private boolean carryState;
  private INDArray history; // [(K-1)·d·B, in], the inputs before this batch's first step
  private INDArray src; // what the taps read: x, or [history; x] when carrying
  private int pad; // history steps at the top of src (0 or (K-1)·d)
  private int steps;
  private int rows;
  private INDArray weights; // the effective W of the last forward
  // weight normalization only: V, ‖V‖ per column, g / ‖V‖ and g of the last forward, and W's buffer
  private double[] vBuf;
  private double[] weBuf;
  private final double[] norms;
  private final double[] scale;
  private final double[] gBuf;

  /**
   * @param weightNorm reparametrise the kernel as g·V/‖V‖ per output channel
   */
  public CausalConv1d(ParamStore.Builder params, String name, int in, int out, int kernel, int dilation, boolean weightNorm,
                      Init init, DataType dtype) {
    if (kernel < 1 || dilation < 1) {
      throw new IllegalArgumentException("kernel and dilation must be >= 1, got kernel " + kernel + ", dilation " + dilation);
    }
    this.in = in;
    this.out = out;
    this.kernel = kernel;
    this.dilation = dilation;
    this.w = params.add(name + (weightNorm ? ".V" : ".W"), init, (long) kernel * in, out);
    this.g = weightNorm ? params.add(name + ".g", Init.constant(1.0), 1, out) : null;
    this.b = params.add(name + ".b", Init.zeros(), 1, out);
    this.scratch = new Scratch(dtype);
    this.norms = new double[out];
    this.scale = new double[out];
    this.gBuf = new double[out];
  }

  @Override
  public int inputSize() {
    return in;
  }

  @Override
  public int outputSize() {
    return out;
  }

  public int kernel() {
    return kernel;
  }

  public int dilation() {
    return dilation;
  }

  /** Inputs one output sees: (K−1)·d + 1 steps, itself included. */
  public int receptiveField() {
    return (kernel - 1) * dilation + 1;
  }

  /** The kernel as trained: W, or V when weight-normalised. [K·in, out]. */
  public ParamRef kernelParam() {
    return w;
  }

  /** The gains g [1, out] under weight normalization, else null. */
  public ParamRef gainParam() {
    return g;
  }

  public ParamRef biasParam() {
    return b;
  }

  private int shift(int tap) {
    return (kernel - 1 - tap) * dilation;
  }

  @Override
  public INDArray forward(INDArray x, Seq seq) {
    steps = seq.steps();
    rows = seq.rows();
    int hist = (kernel - 1) * dilation;
    long n = seq.n();
    boolean carrying = carryState && hist > 0;
    if (carrying) {
      pad = hist;
      src = scratch.get("Xp", n + (long) hist * rows, in);
      INDArray top = Views.rows(src, 0, (long) hist * rows);
      if (history != null && history.size(0) == (long) hist * rows) {
        top.assign(history);
      } else {
        top.assign(0);
      }
      Views.rows(src, (long) hist * rows, n + (long) hist * rows).assign(x);
    } else {
      pad = 0;
      src = x;
    }
    long t0 = Phases.start();
    weights = effectiveWeights();
    Phases.stop("conv.weightNorm", t0);
    long t1 = Phases.start();
    INDArray y = scratch.get("Y", n, out);
    for (int j = kernel - 1; j >= 0; j--) { // shift 0 first: it covers every row and initialises y
      int s = shift(j);
      int outStart = Math.max(0, s - pad);
      if (outStart >= steps) {
        continue;
      }
      long inStart = (long) outStart + pad - s;
      long len = steps - outStart;
      Nd4j.gemm(Views.rows(src, inStart * rows, (inStart + len) * rows), tap(weights, j),
          Views.rows(y, (long) outStart * rows, n), false, false, 1.0, j == kernel - 1 ? 0.0 : 1.0);
    }
    y.addiRowVector(b.value());
    Phases.stop("conv.gemms", t1);
    if (carrying) {
      if (history == null || history.size(0) != (long) hist * rows) {
        history = Nd4j.create(scratch.dtype(), (long) hist * rows, in);
      }
      history.assign(Views.rows(src, n, n + (long) hist * rows));
    }
    return y;
  }

  private INDArray tap(INDArray m, int j) {
    return Views.rows(m, (long) j * in, (long) (j + 1) * in);
  }

  /**
   * W, or g·V/‖V‖ per column computed on the heap in one pass (O(K·in·out), independent of the batch): as ND4J ops
   * (column norms, broadcasts, a dimension-0 reduction) it cost a quarter of the TCN's step time (BENCHMARKS.md).
   */
  private INDArray effectiveWeights() {
    if (g == null) {
      return w.value();
    }
    int rowsW = kernel * in;
    int len = rowsW * out;
    vBuf = Recurrent.grow(vBuf, len);
    Host.of(w.value()).read(0, vBuf, 0, len);
    Host.of(g.value()).read(0, gBuf, 0, out);
    java.util.Arrays.fill(norms, 0);
    for (int i = 0; i < rowsW; i++) {
      for (int o = 0; o < out; o++) {
        double v = vBuf[i * out + o];
        norms[o] += v * v;
      }
    }
    for (int o = 0; o < out; o++) {
      norms[o] = Math.sqrt(norms[o]);
      scale[o] = gBuf[o] / norms[o];
    }
    weBuf = Recurrent.grow(weBuf, len);
    for (int i = 0; i < rowsW; i++) {
      for (int o = 0; o < out; o++) {
        weBuf[i * out + o] = vBuf[i * out + o] * scale[o];
      }
    }
    INDArray we = scratch.get("We", rowsW, out);
    Host.of(we).write(0, weBuf, 0, len);
    return we;
  }

  @Override
  public INDArray backward(INDArray dy, Seq seq) {
    long n = (long) steps * rows;
    long t1 = Phases.start();
    INDArray dw = g == null ? w.grad() : scratch.zeros("dWe", (long) kernel * in, out);
    INDArray dx = scratch.get("dX", n, in);
    for (int j = kernel - 1; j >= 0; j--) {
      int s = shift(j);
      int outStart = Math.max(0, s - pad);
      if (outStart < steps) {
        long inStart = (long) outStart + pad - s;
        long len = steps - outStart;
        Nd4j.gemm(Views.rows(src, inStart * rows, (inStart + len) * rows), Views.rows(dy, (long) outStart * rows, n),
            tap(dw, j), true, false, 1.0, 1.0);
      }
      if (s < steps) { // ∂x_u += ∂y_{u+s}·W_jᵀ for u in [0, T−s): the same for carried and zero history
        Nd4j.gemm(Views.rows(dy, (long) s * rows, n), tap(weights, j), Views.rows(dx, 0, (long) (steps - s) * rows),
            false, true, 1.0, j == kernel - 1 ? 0.0 : 1.0);
      }
    }
    Nd4j.gemm(scratch.ones(n), dy, b.grad(), false, false, 1.0, 1.0);
    Phases.stop("conv.gemms", t1);
    if (g != null) {
      long t0 = Phases.start();
      weightNormBackward(dw);
      Phases.stop("conv.weightNorm", t0);
    }
    return dx;
  }

  /**
   * From ∂L/∂W (in {@code dw}) to the reparametrisation W = g·V/‖V‖ per column, on the heap:
   * ∂g = ∂W·V̂ (column-wise dot), ∂V = (g/‖V‖)·(∂W − ∂g·V̂), with V̂ = V/‖V‖ (V, ‖V‖ and g/‖V‖ kept from the forward).
   */
  private void weightNormBackward(INDArray dw) {
    int rowsW = kernel * in;
    int len = rowsW * out;
    double[] d = weBuf; // the forward's effective weights are not needed any more
    Host.of(dw).read(0, d, 0, len);
    double[] dg = new double[out];
    for (int i = 0; i < rowsW; i++) {
      for (int o = 0; o < out; o++) {
        dg[o] += d[i * out + o] * vBuf[i * out + o];
      }
    }
    for (int o = 0; o < out; o++) {
      dg[o] /= norms[o];
    }
    for (int i = 0; i < rowsW; i++) {
      for (int o = 0; o < out; o++) {
        int k = i * out + o;
        d[k] = scale[o] * (d[k] - dg[o] * vBuf[k] / norms[o]);
      }
    }
    Host.of(g.grad()).add(0, dg, 0, out);
    Host.of(w.grad()).add(0, d, 0, len);
  }

  @Override
  public void setCarryState(boolean carry) {
    this.carryState = carry;
  }

  @Override
  public void resetState() {
    history = null;
  }

  @Override
  public INDArray[] carriedState() {
    return history == null ? new INDArray[0] : new INDArray[] {history.dup()};
  }

  @Override
  public void restoreState(INDArray[] state) {
    history = state.length == 0 ? null : state[0].castTo(scratch.dtype()).dup('c');
  }
}
