package io.seqspark.core.nn;

import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.api.ops.impl.transforms.strict.Sigmoid;
import org.nd4j.linalg.api.ops.impl.transforms.strict.Tanh;
import org.nd4j.linalg.factory.Nd4j;

/**
 * Long short-term memory (Hochreiter &amp; Schmidhuber 1997, without peepholes, as in Zaremba et al. 2014):
 * <pre>
 *   [i f o g] = [σ σ σ tanh](x_t·Wx + h_{t-1}·Wh + b)
 *   c_t = f ⊙ c_{t-1} + i ⊙ g        h_t = o ⊙ tanh(c_t)
 * </pre>
 * Gate columns are laid out [i | f | o | g], each {@code hidden} wide. Its state is (h, c): a given or carried state
 * has two tensors.
 */
public final class Lstm extends Recurrent {
  private double[] acts; // [T, B, 4H] activations i f o g
  private double[] cs;   // [(T+1), B, H] cell states, c0 first
  private double[] tcs;  // [T, B, H] tanh(c_t)
  private double[] dc;   // [B, H] ∂L/∂c_t carried backwards

  public Lstm(ParamStore.Builder params, String name, int in, int hidden, Init init, DataType dtype) {
    super(params, name, in, hidden, 4, init, dtype);
  }

  @Override
  protected void ensureCellBuffers(int steps, int rows) {
    int bh = rows * hidden;
    acts = grow(acts, steps * rows * gates);
    cs = grow(cs, (steps + 1) * bh);
    tcs = grow(tcs, steps * bh);
    dc = grow(dc, bh);
  }

  @Override
  protected void startCell(double[][] start) {
    int bh = rows * hidden;
    if (start != null) {
      System.arraycopy(start[1], 0, cs, 0, bh);
    } else {
      java.util.Arrays.fill(cs, 0, bh, 0);
    }
  }

  @Override
  public int stateSize() {
    return 2;
  }

  @Override
  protected double[][] cellState(int t) {
    int bh = rows * hidden;
    return new double[][] {null, java.util.Arrays.copyOfRange(cs, t * bh, (t + 1) * bh)};
  }

  @Override
  protected void cellStateGradient(double[][] out) {
    out[1] = java.util.Arrays.copyOf(dc, rows * hidden); // after step 0: dc_0 ⊙ f_0 = ∂L/∂c0
  }

  @Override
  protected INDArray[] gateViews(INDArray zt) {
    return new INDArray[] {Views.cols(zt, 0, 3L * hidden), Views.cols(zt, 3L * hidden, 4L * hidden)};
  }

  @Override
  protected void activate(INDArray[] v) {
    Nd4j.exec(new Sigmoid(v[0], v[0]));
    Nd4j.exec(new Tanh(v[1], v[1]));
  }

  @Override
  protected void cellForward(int t, double[] act, double[] hs, int hOff) {
    int H = hidden;
    int G = gates;
    int bh = rows * H;
    int aBase = t * rows * G;
    int cPrev = t * bh;
    int cCur = cPrev + bh;
    System.arraycopy(act, 0, acts, aBase, rows * G);
    for (int bi = 0; bi < rows; bi++) {
      int a = aBase + bi * G;
      for (int j = 0; j < H; j++) {
        double i = acts[a + j];
        double f = acts[a + H + j];
        double o = acts[a + 2 * H + j];
        double g = acts[a + 3 * H + j];
        int k = bi * H + j;
        double c = f * cs[cPrev + k] + i * g;
        cs[cCur + k] = c;
        double tc = tanh(c);
        tcs[t * bh + k] = tc;
        hs[hOff + k] = o * tc;
      }
    }
  }

  @Override
  protected void beginBackward() {
    java.util.Arrays.fill(dc, 0, rows * hidden, 0);
  }

  @Override
  protected void cellBackward(int t, double[] dh, double[] dzx, double[] dzh, double[] dhPrev, double[] ds) {
    int H = hidden;
    int G = gates;
    int bh = rows * H;
    int aBase = t * rows * G;
    int cPrev = t * bh;
    for (int bi = 0; bi < rows; bi++) {
      int zr = bi * G;
      int a = aBase + zr;
      for (int j = 0; j < H; j++) {
        int k = bi * H + j;
        double i = acts[a + j];
        double f = acts[a + H + j];
        double o = acts[a + 2 * H + j];
        double g = acts[a + 3 * H + j];
        double tc = tcs[t * bh + k];
        double d = dh[k];
        double dcT = dc[k] + d * o * (1 - tc * tc);
        double di = dcT * g * i * (1 - i);
        double df = dcT * cs[cPrev + k] * f * (1 - f);
        double dO = d * tc * o * (1 - o);
        double dg = dcT * i * (1 - g * g);
        dzx[zr + j] = di;
        dzx[zr + H + j] = df;
        dzx[zr + 2 * H + j] = dO;
        dzx[zr + 3 * H + j] = dg;
        dc[k] = dcT * f;
      }
    }
    System.arraycopy(dzx, 0, dzh, 0, rows * G);
  }
}
