package io.seqspark.core.math;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Random;
import org.junit.jupiter.api.Test;

/** Both implementations against a double-precision reference, at lengths around every vector width and tail. */
class FloatKernelsTest {

  @Test
  void theTestJvmUsesTheSimdKernels() {
    // surefire starts the JVM with the project's flags (pom jvm.opens), which include the Vector API module
    assertTrue(FloatKernels.SIMD, FloatKernels.describe());
  }

  @Test
  void dotAndAxpyMatchADoubleReferenceAtEveryLengthAndOffset() {
    Random r = new Random(7);
    for (int n = 0; n <= 70; n++) {
      for (int ao : new int[] {0, 3}) {
        float[] a = random(r, ao + n + 5);
        float[] b = random(r, n + 11);
        int bo = 11 - (n % 5);
        double ref = 0;
        double abs = 0;
        for (int i = 0; i < n; i++) {
          ref += (double) a[ao + i] * b[bo + i];
          abs += Math.abs((double) a[ao + i] * b[bo + i]);
        }
        // float32 summation: each of n additions rounds by at most 2^-24 of the running magnitude <= Σ|a·b|
        double tol = (n + 1) * abs * 0x1p-24 + 1e-30;
        assertEquals(ref, FloatKernels.scalarDot(a, ao, b, bo, n), tol, "scalar dot n=" + n);
        assertEquals(ref, FloatKernels.dot(a, ao, b, bo, n), tol, "dot n=" + n);

        float g = r.nextFloat() - 0.5f;
        float[] y1 = b.clone();
        float[] y2 = b.clone();
        FloatKernels.scalarAxpy(g, a, ao, y1, bo, n);
        FloatKernels.axpy(g, a, ao, y2, bo, n);
        float[] expect = b.clone();
        for (int i = 0; i < n; i++) {
          expect[bo + i] = (float) (b[bo + i] + (double) g * a[ao + i]);
        }
        // one rounding (fused multiply-add) or two (multiply, then add): the product's half-ulp plus the sum's
        for (int i = 0; i < expect.length; i++) {
          boolean inRun = i >= bo && i < bo + n;
          float ulp = Math.ulp(expect[i]) + (inRun ? Math.ulp(g * a[ao + i - bo]) : 0f);
          assertEquals(expect[i], y1[i], ulp, "scalar axpy n=" + n + " i=" + i);
          assertEquals(expect[i], y2[i], ulp, "axpy n=" + n + " i=" + i);
        }
        assertArrayEquals(java.util.Arrays.copyOf(b, bo), java.util.Arrays.copyOf(y2, bo), "axpy wrote before its run");
      }
    }
  }

  private static float[] random(Random r, int n) {
    float[] out = new float[n];
    for (int i = 0; i < n; i++) {
      out[i] = (float) r.nextGaussian();
    }
    return out;
  }
}
