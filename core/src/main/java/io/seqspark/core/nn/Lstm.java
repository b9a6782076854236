package io.seqspark.core.nn;

import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.api.ops.impl.transforms.gradient.SigmoidDerivative;
import org.nd4j.linalg.api.ops.impl.transforms.gradient.TanhDerivative;
import org.nd4j.linalg.api.ops.impl.transforms.strict.Sigmoid;
import org.nd4j.linalg.api.ops.impl.transforms.strict.Tanh;
import org.nd4j.linalg.factory.Nd4j;

/**
 * Long short-term memory (Hochreiter &amp; Schmidhuber 1997, without peepholes, as in Zaremba et al. 2014):
 * <pre>
 *   [i f o g] = [σ σ σ tanh](x_t·Wx + h_{t-1}·Wh + b)
 *   c_t = f ⊙ c_{t-1} + i ⊙ g        h_t = o ⊙ tanh(c_t)
 * </pre>
 * Gate columns are laid out [i | f | o | g], each {@code hidden} wide, so the three sigmoids are one op per step.
 */
public final class Lstm extends Recurrent {
  private INDArray c;
  private INDArray tc;

  public Lstm(ParamStore.Builder params, String name, int in, int hidden, Init init) {
    super(params, name, in, hidden, 4, init);
  }

  @Override
  protected void ensureBuffers(int steps, int rows) {
    if (scratch == null) {
      scratch = new Scratch(wx.value().dataType());
    }
    long n = (long) steps * rows;
    h = scratch.get("H", n + rows, hidden);
    c = scratch.get("C", n + rows, hidden);
    tc = scratch.get("TC", n, hidden);
  }

  @Override
  protected INDArray[] startStates(int steps, int rows) {
    return new INDArray[] {Views.rows(h, 0, rows), Views.rows(c, 0, rows)};
  }

  @Override
  protected INDArray[] finalStates() {
    long end = (long) (steps + 1) * rows;
    return new INDArray[] {Views.rows(h, end - rows, end), Views.rows(c, end - rows, end)};
  }

  @Override
  protected void stepForward(int t) {
    int B = rows;
    long r0 = (long) t * B;
    long r1 = r0 + B;
    INDArray zt = Views.rows(z, r0, r1);
    INDArray at = Views.rows(a, r0, r1);
    INDArray hPrev = Views.rows(h, r0, r1);
    INDArray cPrev = Views.rows(c, r0, r1);
    INDArray cT = Views.rows(c, r1, r1 + B);
    INDArray hT = Views.rows(h, r1, r1 + B);
    INDArray tcT = Views.rows(tc, r0, r1);
    Nd4j.gemm(hPrev, wh.value(), zt, false, false, 1.0, 1.0);
    Nd4j.exec(new Sigmoid(Views.cols(zt, 0, 3L * hidden), Views.cols(at, 0, 3L * hidden)));
    Nd4j.exec(new Tanh(Views.cols(zt, 3L * hidden, 4L * hidden), Views.cols(at, 3L * hidden, 4L * hidden)));
    INDArray i = Views.cols(at, 0, hidden);
    INDArray f = Views.cols(at, hidden, 2L * hidden);
    INDArray o = Views.cols(at, 2L * hidden, 3L * hidden);
    INDArray g = Views.cols(at, 3L * hidden, 4L * hidden);
    INDArray tmp = scratch.get("tmp", B, hidden);
    f.mul(cPrev, cT);
    i.mul(g, tmp);
    cT.addi(tmp);
    Nd4j.exec(new Tanh(cT, tcT));
    o.mul(tcT, hT);
  }

  private INDArray dhNext;
  private INDArray dcNext;

  @Override
  protected void beginBackward(int rows) {
    dhNext = scratch.zeros("dhNext", rows, hidden);
    dcNext = scratch.zeros("dcNext", rows, hidden);
  }

  @Override
  protected void stepBackward(int t, INDArray dyT, INDArray dzT) {
    int B = rows;
    long r0 = (long) t * B;
    long r1 = r0 + B;
    INDArray zt = Views.rows(z, r0, r1);
    INDArray at = Views.rows(a, r0, r1);
    INDArray cPrev = Views.rows(c, r0, r1);
    INDArray cT = Views.rows(c, r1, r1 + B);
    INDArray tcT = Views.rows(tc, r0, r1);
    INDArray i = Views.cols(at, 0, hidden);
    INDArray f = Views.cols(at, hidden, 2L * hidden);
    INDArray o = Views.cols(at, 2L * hidden, 3L * hidden);
    INDArray g = Views.cols(at, 3L * hidden, 4L * hidden);
    INDArray dh = scratch.get("dh", B, hidden);
    INDArray t1 = scratch.get("t1", B, hidden);
    dyT.add(dhNext, dh);
    // dc = dcNext + dh ⊙ o ⊙ tanh'(c_t)
    dh.mul(o, t1);
    Nd4j.exec(new TanhDerivative(cT, t1, t1));
    INDArray dc = dcNext.addi(t1);
    // gate pre-activation gradients
    dh.mul(tcT, t1);
    Nd4j.exec(new SigmoidDerivative(Views.cols(zt, 2L * hidden, 3L * hidden), t1, Views.cols(dzT, 2L * hidden, 3L * hidden)));
    dc.mul(g, t1);
    Nd4j.exec(new SigmoidDerivative(Views.cols(zt, 0, hidden), t1, Views.cols(dzT, 0, hidden)));
    dc.mul(cPrev, t1);
    Nd4j.exec(new SigmoidDerivative(Views.cols(zt, hidden, 2L * hidden), t1, Views.cols(dzT, hidden, 2L * hidden)));
    dc.mul(i, t1);
    Nd4j.exec(new TanhDerivative(Views.cols(zt, 3L * hidden, 4L * hidden), t1, Views.cols(dzT, 3L * hidden, 4L * hidden)));
    // carry to step t-1
    dc.muli(f);
    Nd4j.gemm(dzT, wh.value(), dhNext, false, true, 1.0, 0.0);
  }
}
