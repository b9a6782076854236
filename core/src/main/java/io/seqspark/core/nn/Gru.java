package io.seqspark.core.nn;

import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.api.ops.impl.transforms.strict.Sigmoid;
import org.nd4j.linalg.factory.Nd4j;

/**
 * Gated recurrent unit with exactly the equations of Cho et al. 2014 (reset applied to h_{t-1} BEFORE the
 * recurrent product; not the cuDNN/PyTorch variant that resets after it):
 * <pre>
 *   r = σ(x_t·Wr + h_{t-1}·Ur + br)        u = σ(x_t·Wu + h_{t-1}·Uu + bu)
 *   n = tanh(x_t·Wn + (r ⊙ h_{t-1})·Un + bn)
 *   h_t = u ⊙ h_{t-1} + (1 − u) ⊙ n
 * </pre>
 * Gate columns are laid out [r | u | n], each {@code hidden} wide: {@code Wx} = [Wr Wu Wn], {@code b} = [br bu bn].
 * r and u are the base's early gates ({@code Wh} = [Ur Uu], one shared per-step GEMM and one vectorised sigmoid);
 * n is a late gate whose recurrent term is the gated state s_t = r ⊙ h_{t-1} times {@code Ws} = Un (a second
 * per-step GEMM, see {@link Recurrent}); tanh(n) is taken here on the heap. Backward per step:
 * <pre>
 *   dn̂ = dh ⊙ (1 − u) ⊙ (1 − n²)            (late, first: ∂s = dn̂·Unᵀ needs it)
 *   dû = dh ⊙ (h_{t-1} − n) ⊙ u(1 − u)       dr̂ = ∂s ⊙ h_{t-1} ⊙ r(1 − r)
 *   ∂h_{t-1} = dh ⊙ u + ∂s ⊙ r + [dr̂ dû]·[Ur Uu]ᵀ
 * </pre>
 */
public final class Gru extends Recurrent {
  private double[] rs; // [T, B, H]
  private double[] us; // [T, B, H]
  private double[] ns; // [T, B, H] candidate after tanh

  public Gru(ParamStore.Builder params, String name, int in, int hidden, Init init, DataType dtype) {
    super(params, name, in, hidden, 3, 1, init, dtype);
  }

  @Override
  protected void ensureCellBuffers(int steps, int rows) {
    int n = steps * rows * hidden;
    rs = grow(rs, n);
    us = grow(us, n);
    ns = grow(ns, n);
  }

  @Override
  protected INDArray[] gateViews(INDArray zt) {
    return new INDArray[] {zt}; // the early block [r | u], contiguous
  }

  @Override
  protected void activate(INDArray[] v) {
    Nd4j.exec(new Sigmoid(v[0], v[0]));
  }

  @Override
  protected void gatedState(int t, double[] a, double[] hs, int hPrevOff, double[] s) {
    int H = hidden;
    int K = early;
    int base = t * rows * H;
    for (int bi = 0; bi < rows; bi++) {
      for (int j = 0; j < H; j++) {
        int k = bi * H + j;
        double r = a[bi * K + j];
        rs[base + k] = r;
        us[base + k] = a[bi * K + H + j];
        s[k] = r * hs[hPrevOff + k];
      }
    }
  }

  @Override
  protected void cellForward(int t, double[] a, double[] hs, int hOff) {
    int bh = rows * hidden;
    int nOff = rows * early; // the candidate's pre-activations [B, H] follow the early block
    int base = t * bh;
    int hPrev = hOff - bh;
    for (int k = 0; k < bh; k++) {
      double n = tanh(a[nOff + k]);
      double u = us[base + k];
      ns[base + k] = n;
      hs[hOff + k] = u * hs[hPrev + k] + (1 - u) * n;
    }
  }

  @Override
  protected void beginBackward() {
  }

  @Override
  protected void lateBackward(int t, double[] dh, double[] dzl) {
    int bh = rows * hidden;
    int base = t * bh;
    for (int k = 0; k < bh; k++) {
      double n = ns[base + k];
      dzl[k] = dh[k] * (1 - us[base + k]) * (1 - n * n);
    }
  }

  @Override
  protected void cellBackward(int t, double[] dh, double[] dzx, double[] dzh, double[] dhPrev, double[] ds) {
    int H = hidden;
    int G = gates;
    int K = early;
    int bh = rows * H;
    int base = t * bh;
    int hPrev = t * bh;
    for (int bi = 0; bi < rows; bi++) {
      for (int j = 0; j < H; j++) {
        int k = bi * H + j;
        double r = rs[base + k];
        double u = us[base + k];
        double n = ns[base + k];
        double hp = hs[hPrev + k];
        double d = dh[k];
        double dn = d * (1 - u) * (1 - n * n);
        double du = d * (hp - n) * u * (1 - u);
        double dr = ds[k] * hp * r * (1 - r);
        dzx[bi * G + j] = dr;
        dzx[bi * G + H + j] = du;
        dzx[bi * G + 2 * H + j] = dn;
        dzh[bi * K + j] = dr;
        dzh[bi * K + H + j] = du;
        dhPrev[k] += d * u + ds[k] * r;
      }
    }
  }
}
