package io.seqspark.core.nn;

import static org.junit.jupiter.api.Assertions.assertEquals;

import org.junit.jupiter.api.Test;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

/**
 * {@link Gru} against a plain transcription of Cho et al. 2014's equations in double[] loops:
 * r = σ(x·Wr + h·Ur + br), u = σ(x·Wu + h·Uu + bu), n = tanh(x·Wn + (r ⊙ h)·Un + bn), h' = u ⊙ h + (1 − u) ⊙ n.
 * Both compute in double; 1e-12 allows only for summation order and the two tanh formulas.
 */
class GruReferenceTest {

  @Test
  void gru_matchesTheEquationsOfCho2014_includingTheCarriedState() {
    int in = 3, hidden = 4, T = 5, B = 3;
    ParamStore.Builder pb = ParamStore.builder();
    Gru gru = new Gru(pb, "g", in, hidden, Init.uniform(0.8), DataType.DOUBLE);
    pb.build(DataType.DOUBLE, 13);
    double[][] wx = gru.wx.value().toDoubleMatrix();   // [in, 3H]: Wr | Wu | Wn
    double[][] wh = gru.wh.value().toDoubleMatrix();   // [H, 2H]: Ur | Uu
    double[][] un = gru.ws.value().toDoubleMatrix();   // [H, H]:  Un
    double[] b = gru.b.value().toDoubleVector();       // [3H]:    br | bu | bn

    Nd4j.getRandom().setSeed(5);
    INDArray x = Nd4j.rand(DataType.DOUBLE, 2L * T * B, in).subi(0.5).muli(3);
    gru.setCarryState(true);
    Seq seq = new Seq(T, B, null, false, 0);
    INDArray y1 = gru.forward(Views.rows(x, 0, (long) T * B), seq).dup();
    INDArray y2 = gru.forward(Views.rows(x, (long) T * B, 2L * T * B), seq).dup();
    double[] state = gru.carriedState()[0].reshape(-1).toDoubleVector();

    double[][] h = new double[B][hidden];
    for (int t = 0; t < 2 * T; t++) {
      for (int bi = 0; bi < B; bi++) {
        double[] xt = x.getRow((long) t * B + bi).toDoubleVector();
        double[] hp = h[bi];
        double[] r = new double[hidden];
        double[] u = new double[hidden];
        for (int j = 0; j < hidden; j++) {
          double zr = b[j];
          double zu = b[hidden + j];
          for (int i = 0; i < in; i++) {
            zr += xt[i] * wx[i][j];
            zu += xt[i] * wx[i][hidden + j];
          }
          for (int k = 0; k < hidden; k++) {
            zr += hp[k] * wh[k][j];
            zu += hp[k] * wh[k][hidden + j];
          }
          r[j] = 1 / (1 + Math.exp(-zr));
          u[j] = 1 / (1 + Math.exp(-zu));
        }
        double[] next = new double[hidden];
        for (int j = 0; j < hidden; j++) {
          double zn = b[2 * hidden + j];
          for (int i = 0; i < in; i++) {
            zn += xt[i] * wx[i][2 * hidden + j];
          }
          for (int k = 0; k < hidden; k++) {
            zn += r[k] * hp[k] * un[k][j];
          }
          double n = Math.tanh(zn);
          next[j] = u[j] * hp[j] + (1 - u[j]) * n;
        }
        h[bi] = next;
        INDArray ours = t < T ? y1 : y2;
        long row = (long) (t % T) * B + bi;
        for (int j = 0; j < hidden; j++) {
          assertEquals(next[j], ours.getDouble(row, j), 1e-12, "t=" + t + " b=" + bi + " j=" + j);
        }
      }
    }
    for (int bi = 0; bi < B; bi++) {
      for (int j = 0; j < hidden; j++) {
        assertEquals(h[bi][j], state[bi * hidden + j], 1e-12, "final state b=" + bi + " j=" + j);
      }
    }
  }
}
