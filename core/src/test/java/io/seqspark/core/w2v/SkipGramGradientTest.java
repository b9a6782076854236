package io.seqspark.core.w2v;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.Random;
import org.junit.jupiter.api.Test;

/**
 * One kernel step for (center c, context x, one negative n) against the gradient of the SGNS loss
 * L = −log σ(x·y_c) − log σ(−x·y_n), computed here by central finite differences in double precision.
 */
class SkipGramGradientTest {

  static final int DIM = 6;
  static final int CENTER = 4;
  static final int NEG = 5;
  static final int CONTEXT = 6;

  @Test
  void exactSigmoid_stepEqualsMinusLrTimesGradient() {
    check(true, 2e-4);
  }

  @Test
  void tableSigmoid_stepIsTheGradientWithinTheTablesResolution() {
    // the table is sampled every 12/1000 in x; sigma' <= 1/4, so sigma is off by at most 0.003 per target, and each
    // gradient component by at most 0.003 * (|y_c,i| + |y_n,i|) (or 0.003 * |x_i|): 0.006 * the largest entry
    check(false, Double.NaN);
  }

  /** Random vectors for the three rows, their starting values in double, and a kernel over them. */
  private record Step(Vectors in, Vectors out, double[] x, double[] yc, double[] yn, SkipGram k) {
    static Step of(boolean exact, boolean count) {
      Random r = new Random(11);
      Vectors in = new Vectors(new Vectors.Layout(7, DIM, 8));
      Vectors out = new Vectors(new Vectors.Layout(7, DIM, 8));
      for (int row = 4; row < 7; row++) {
        for (int d = 0; d < DIM; d++) {
          in.block(row)[in.offset(row) + d] = (float) r.nextGaussian() * 0.5f;
          out.block(row)[out.offset(row) + d] = (float) r.nextGaussian() * 0.5f;
        }
      }
      // only word NEG has a count, so every negative drawn is NEG
      NegativeSampler sampler = new NegativeSampler(new long[] {0, 0, 0, 0, 0, 10, 0}, 4, 0.75);
      SkipGramOptions o = new SkipGramOptions(DIM, 1, 1, 0, 0.1, 0, 1, 1, 3, exact);
      return new Step(in, out, toDouble(in.row(CONTEXT)), toDouble(out.row(CENTER)), toDouble(out.row(NEG)),
          new SkipGram(in, out, sampler, SkipGram.keepThresholds(new long[7], 1, 0), o, count));
    }
  }

  /**
   * The contraction a step records for a row (used by the Spark merge) is lr times the trace of the loss's Hessian
   * in that row: Σ_t σ'(x·y_t)|y_t|² for x, σ'(x·y)|x|² for an output row y; the trace is taken here by central
   * second differences in double precision.
   */
  @Test
  void countedContraction_isLrTimesTheHessianTrace() {
    Step st = Step.of(true, true);
    double[] x = st.x();
    double[] yc = st.yc();
    double[] yn = st.yn();
    float lr = 0.1f;
    st.k().pair(CENTER, CONTEXT, lr);
    double h = 1e-4;
    double l0 = loss(x, yc, yn);
    double tx = 0;
    double tc = 0;
    double tn = 0;
    for (int i = 0; i < DIM; i++) {
      tx += (loss(bump(x, i, h), yc, yn) - 2 * l0 + loss(bump(x, i, -h), yc, yn)) / (h * h);
      tc += (loss(x, bump(yc, i, h), yn) - 2 * l0 + loss(x, bump(yc, i, -h), yn)) / (h * h);
      tn += (loss(x, yc, bump(yn, i, h)) - 2 * l0 + loss(x, yc, bump(yn, i, -h))) / (h * h);
    }
    // float dot products and sigmoid: ~1e-6 relative; second differences: ~1e-7 absolute here
    assertEquals(lr * tx, st.k().inCurvature()[CONTEXT], 1e-5, "input row");
    assertEquals(lr * tc, st.k().outCurvature()[CENTER], 1e-5, "center's output row");
    assertEquals(lr * tn, st.k().outCurvature()[NEG], 1e-5, "negative's output row");
  }

  private static void check(boolean exact, double tol) {
    Step st = Step.of(exact, false);
    Vectors in = st.in();
    Vectors out = st.out();
    double[] x = st.x();
    double[] yc = st.yc();
    double[] yn = st.yn();
    float lr = 0.1f;
    st.k().pair(CENTER, CONTEXT, lr);

    if (Double.isNaN(tol)) {
      double max = 0;
      for (double[] v : new double[][] {x, yc, yn}) {
        for (double e : v) {
          max = Math.max(max, Math.abs(e));
        }
      }
      tol = 0.006 * max + 2e-4;
    }
    double h = 1e-6;
    for (int i = 0; i < DIM; i++) {
      double gx = (loss(bump(x, i, h), yc, yn) - loss(bump(x, i, -h), yc, yn)) / (2 * h);
      double gc = (loss(x, bump(yc, i, h), yn) - loss(x, bump(yc, i, -h), yn)) / (2 * h);
      double gn = (loss(x, yc, bump(yn, i, h)) - loss(x, yc, bump(yn, i, -h))) / (2 * h);
      assertEquals(-gx, (in.row(CONTEXT)[i] - x[i]) / lr, tol, "d/dx[" + i + "]");
      assertEquals(-gc, (out.row(CENTER)[i] - yc[i]) / lr, tol, "d/dy_center[" + i + "]");
      assertEquals(-gn, (out.row(NEG)[i] - yn[i]) / lr, tol, "d/dy_negative[" + i + "]");
    }
  }

  private static double loss(double[] x, double[] yc, double[] yn) {
    return -Math.log(sigma(dot(x, yc))) - Math.log(sigma(-dot(x, yn)));
  }

  private static double sigma(double z) {
    return 1 / (1 + Math.exp(-z));
  }

  private static double dot(double[] a, double[] b) {
    double s = 0;
    for (int i = 0; i < a.length; i++) {
      s += a[i] * b[i];
    }
    return s;
  }

  private static double[] bump(double[] v, int i, double h) {
    double[] c = v.clone();
    c[i] += h;
    return c;
  }

  private static double[] toDouble(float[] f) {
    double[] d = new double[f.length];
    for (int i = 0; i < f.length; i++) {
      d[i] = f[i];
    }
    return d;
  }
}
