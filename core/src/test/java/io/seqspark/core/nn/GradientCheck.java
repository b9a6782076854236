package io.seqspark.core.nn;

import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.function.DoubleSupplier;
import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * Central finite differences in double precision. With h = 1e-6 the truncation error is O(h²) ≈ 1e-12 relative to
 * the third derivative and the rounding error ≈ ε·|f|/h ≈ 1e-10·|f|, so a correct gradient agrees to ~1e-7 relative;
 * a wrong one (a missing term, a transposed weight) is off by O(1). The tolerance 1e-5 sits between the two.
 */
public final class GradientCheck {
  public static final double H = 1e-6;
  public static final double TOLERANCE = 1e-5;

  private GradientCheck() {
  }

  /**
   * Compares {@code analytic} with central differences of {@code loss} with respect to every entry of
   * {@code variable} (or every {@code stride}-th entry for big tensors).
   */
  public static void check(String what, INDArray variable, INDArray analytic, DoubleSupplier loss, int stride) {
    long n = variable.length();
    int checked = 0;
    double worst = 0;
    for (long i = 0; i < n; i += stride) {
      double orig = variable.getDouble(i);
      variable.putScalar(i, orig + H);
      double up = loss.getAsDouble();
      variable.putScalar(i, orig - H);
      double down = loss.getAsDouble();
      variable.putScalar(i, orig);
      double numeric = (up - down) / (2 * H);
      double a = analytic.getDouble(i);
      double err = Math.abs(numeric - a) / Math.max(1e-3, Math.abs(numeric) + Math.abs(a));
      worst = Math.max(worst, err);
      assertTrue(err < TOLERANCE, what + "[" + i + "]: analytic " + a + " vs numeric " + numeric + " (relative error " + err + ")");
      checked++;
    }
    assertTrue(checked > 0, "nothing checked for " + what);
  }
}
