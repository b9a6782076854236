package io.seqspark.core.math;

import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorOperators;
import jdk.incubator.vector.VectorSpecies;

/**
 * {@link FloatKernels}' Vector API implementation. Loaded only when {@code jdk.incubator.vector} is in the boot
 * layer, so a JVM without it never resolves these classes. Uses 256-bit vectors where the CPU has them (at dim 100,
 * 512-bit vectors measured no faster: more of the run falls in the scalar tail).
 */
final class SimdKernels {

  private static final VectorSpecies<Float> S = FloatVector.SPECIES_PREFERRED.vectorBitSize() >= 256
      ? FloatVector.SPECIES_256 : FloatVector.SPECIES_PREFERRED;
  private static final int L = S.length();

  private SimdKernels() {
  }

  static int lanes() {
    return L;
  }

  static float dot(float[] a, int ao, float[] b, int bo, int n) {
    int i = 0;
    float s = 0;
    if (n >= L) {
      FloatVector acc = FloatVector.zero(S);
      for (; i + L <= n; i += L) {
        acc = FloatVector.fromArray(S, a, ao + i).fma(FloatVector.fromArray(S, b, bo + i), acc);
      }
      s = acc.reduceLanes(VectorOperators.ADD);
    }
    for (; i < n; i++) {
      s += a[ao + i] * b[bo + i];
    }
    return s;
  }

  static void axpy(float g, float[] x, int xo, float[] y, int yo, int n) {
    int i = 0;
    if (n >= L) {
      FloatVector gv = FloatVector.broadcast(S, g);
      for (; i + L <= n; i += L) {
        FloatVector.fromArray(S, x, xo + i).fma(gv, FloatVector.fromArray(S, y, yo + i)).intoArray(y, yo + i);
      }
    }
    for (; i < n; i++) {
      y[yo + i] += g * x[xo + i];
    }
  }
}
