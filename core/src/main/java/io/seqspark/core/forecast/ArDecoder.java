package io.seqspark.core.forecast;

import io.seqspark.core.nn.Init;
import io.seqspark.core.nn.ParamRef;
import io.seqspark.core.nn.ParamStore;
import java.util.SplittableRandom;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.factory.Nd4j;

/**
 * The autoregressive decoder of {@link Forecaster}: a tanh recurrent cell whose input at step k is the previous
 * value u_k (its own prediction, or under teacher forcing the true one) and the encoder summary c:
 * <pre>
 *   s_0 = c;   s_k = tanh(s_{k-1}·Ws + u_k·wu + c·Wc + b);   ŷ_k = s_k·v + v0        (k = 1..K)
 *   u_1 = last observed target;   u_{k+1} = y_k with probability teacherForcing (training), else ŷ_k
 * </pre>
 * The loss flows back through every fed-back prediction (u_{k+1} = ŷ_k is part of the graph), so the gradient is
 * that of the decoded loss itself. The decoder is stepped one value at a time, which a whole-sequence layer cannot
 * do, so it is computed here on the heap in double: K·B·D² multiply-adds per pass, small next to the encoder.
 */
final class ArDecoder {
  private final int d;
  private final ParamRef ws;
  private final ParamRef wu;
  private final ParamRef wc;
  private final ParamRef b;
  private final ParamRef v;
  private final ParamRef v0;
  // the last forward
  private double[][][] s;
  private double[][] c;
  private double[][] u;
  private boolean[][] fedBack;
  private double[] pWs;
  private double[] pWu;
  private double[] pWc;
  private double[] pV;

  ArDecoder(ParamStore.Builder pb, String name, int d, Init init) {
    this.d = d;
    ws = pb.add(name + ".Ws", init, d, d);
    wu = pb.add(name + ".wu", init, 1, d);
    wc = pb.add(name + ".Wc", init, d, d);
    b = pb.add(name + ".b", Init.zeros(), 1, d);
    v = pb.add(name + ".v", init, d, 1);
    v0 = pb.add(name + ".v0", Init.zeros(), 1, 1);
  }

  /**
   * @param context      encoder summary [B][D]
   * @param lastObserved u_1 per row
   * @param targets      B*K true values (row-major), read only under teacher forcing
   * @return predictions [B][K]
   */
  double[][] forward(double[][] context, double[] lastObserved, float[] targets, double teacherForcing, long seed) {
    int rows = context.length;
    int horizon = targets.length / rows;
    pWs = values(ws);
    pWu = values(wu);
    pWc = values(wc);
    double[] pB = values(b);
    pV = values(v);
    double pV0 = values(v0)[0];
    c = context;
    s = new double[horizon + 1][rows][];
    u = new double[rows][horizon];
    fedBack = new boolean[rows][horizon];
    double[][] pred = new double[rows][horizon];
    SplittableRandom rng = new SplittableRandom(seed ^ 0x7EAC4E2L);
    for (int r = 0; r < rows; r++) {
      s[0][r] = context[r].clone();
      u[r][0] = lastObserved[r];
    }
    for (int k = 0; k < horizon; k++) {
      for (int r = 0; r < rows; r++) {
        if (k > 0) {
          boolean forced = teacherForcing > 0 && rng.nextDouble() < teacherForcing;
          fedBack[r][k] = !forced;
          u[r][k] = forced ? targets[r * horizon + k - 1] : pred[r][k - 1];
        }
        double[] prev = s[k][r];
        double[] z = pB.clone();
        for (int j = 0; j < d; j++) {
          z[j] += u[r][k] * pWu[j];
        }
        addProduct(prev, pWs, z);
        addProduct(context[r], pWc, z);
        double y = pV0;
        for (int j = 0; j < d; j++) {
          z[j] = Math.tanh(z[j]);
          y += z[j] * pV[j];
        }
        s[k + 1][r] = z;
        pred[r][k] = y;
      }
    }
    return pred;
  }

  /** What was fed at each step of the last forward: [B][K]. */
  double[][] inputs() {
    double[][] out = new double[u.length][];
    for (int r = 0; r < u.length; r++) {
      out[r] = u[r].clone();
    }
    return out;
  }

  /**
   * Back-propagates ∂loss/∂ŷ [B][K] through the last forward; ADDS parameter gradients and returns ∂loss/∂context.
   */
  double[][] backward(double[][] dPred) {
    int rows = dPred.length;
    int horizon = dPred[0].length;
    double[] gWs = new double[d * d];
    double[] gWu = new double[d];
    double[] gWc = new double[d * d];
    double[] gB = new double[d];
    double[] gV = new double[d];
    double[] gV0 = new double[1];
    double[][] dContext = new double[rows][d];
    for (int r = 0; r < rows; r++) {
      double[] ds = new double[d];
      double du = 0; // ∂loss/∂u_{k+1}
      for (int k = horizon - 1; k >= 0; k--) {
        double dy = dPred[r][k] + (k + 1 < horizon && fedBack[r][k + 1] ? du : 0);
        double[] sk = s[k + 1][r];
        double[] dz = new double[d];
        gV0[0] += dy;
        for (int j = 0; j < d; j++) {
          gV[j] += sk[j] * dy;
          dz[j] = (ds[j] + dy * pV[j]) * (1 - sk[j] * sk[j]);
        }
        double[] prev = s[k][r];
        du = 0;
        double[] dPrev = new double[d];
        for (int i = 0; i < d; i++) {
          double sum = 0;
          double sumC = 0;
          for (int j = 0; j < d; j++) {
            gWs[i * d + j] += prev[i] * dz[j];
            gWc[i * d + j] += c[r][i] * dz[j];
            sum += pWs[i * d + j] * dz[j];
            sumC += pWc[i * d + j] * dz[j];
          }
          dPrev[i] = sum;
          dContext[r][i] += sumC;
        }
        for (int j = 0; j < d; j++) {
          gB[j] += dz[j];
          gWu[j] += u[r][k] * dz[j];
          du += pWu[j] * dz[j];
        }
        ds = dPrev;
      }
      for (int i = 0; i < d; i++) {
        dContext[r][i] += ds[i]; // s_0 = c
      }
    }
    addGrad(ws, gWs);
    addGrad(wu, gWu);
    addGrad(wc, gWc);
    addGrad(b, gB);
    addGrad(v, gV);
    addGrad(v0, gV0);
    return dContext;
  }

  /** z += x · W for a row vector x [D] and W [D, D] row-major. */
  private void addProduct(double[] x, double[] w, double[] z) {
    for (int i = 0; i < d; i++) {
      double xi = x[i];
      for (int j = 0; j < d; j++) {
        z[j] += xi * w[i * d + j];
      }
    }
  }

  private static double[] values(ParamRef p) {
    return p.value().dup('c').castTo(DataType.DOUBLE).data().asDouble();
  }

  private static void addGrad(ParamRef p, double[] g) {
    p.grad().addi(Nd4j.createFromArray(g).reshape('c', p.shape()).castTo(p.grad().dataType()));
  }
}
