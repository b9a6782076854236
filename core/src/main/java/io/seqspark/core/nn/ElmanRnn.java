package io.seqspark.core.nn;

import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.api.ops.impl.transforms.strict.Tanh;
import org.nd4j.linalg.factory.Nd4j;

/**
 * Elman's simple recurrent network with tanh: {@code h_t = tanh(x_t·Wx + h_{t-1}·Wh + b)}. One gate block; the
 * base's shared per-step GEMM and one vectorised tanh do all the work, the heap step only copies h_t out.
 */
public final class ElmanRnn extends Recurrent {

  public ElmanRnn(ParamStore.Builder params, String name, int in, int hidden, Init init, DataType dtype) {
    super(params, name, in, hidden, 1, init, dtype);
  }

  @Override
  protected void ensureCellBuffers(int steps, int rows) {
  }

  @Override
  protected INDArray[] gateViews(INDArray zt) {
    return new INDArray[] {zt};
  }

  @Override
  protected void activate(INDArray[] v) {
    Nd4j.exec(new Tanh(v[0], v[0]));
  }

  @Override
  protected void cellForward(int t, double[] a, double[] hs, int hOff) {
    System.arraycopy(a, 0, hs, hOff, rows * hidden);
  }

  @Override
  protected void beginBackward() {
  }

  @Override
  protected void cellBackward(int t, double[] dh, double[] dzx, double[] dzh, double[] dhPrev, double[] ds) {
    int bh = rows * hidden;
    int hOff = (t + 1) * bh;
    for (int k = 0; k < bh; k++) {
      double h = hs[hOff + k];
      dzx[k] = dh[k] * (1 - h * h);
    }
    System.arraycopy(dzx, 0, dzh, 0, bh);
  }
}
