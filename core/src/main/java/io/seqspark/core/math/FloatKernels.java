package io.seqspark.core.math;

/**
 * The float32 inner loops of the heap-side kernels (Word2Vec's skip-gram step): dot product and y += a·x over runs
 * of a few hundred floats at offsets into larger arrays.
 *
 * <p>Two implementations, chosen once per JVM:
 * <ul>
 *   <li>SIMD, through the JDK's Vector API ({@code jdk.incubator.vector}), when the JVM was started with
 *       {@code --add-modules=jdk.incubator.vector} (bin/seqspark, the tests and the Spark executors it configures
 *       do so). Measured on the skip-gram step at dim 100: about 2× the scalar loops. C2 does not vectorise a float
 *       sum (it must keep the order), and its vectorised axpy spends most of a 100-float run in scalar pre- and
 *       post-loops.</li>
 *   <li>Scalar loops otherwise, with the same results up to float rounding.</li>
 * </ul>
 * The two differ in rounding (the SIMD dot sums lane-wise with fused multiply-adds), so a run is reproducible
 * bit for bit only between JVMs that use the same implementation; {@link #describe()} names it for manifests.
 * {@code -Dseqspark.simd=false} forces the scalar loops.
 */
public final class FloatKernels {

  /** Whether the Vector API implementation is in use. */
  public static final boolean SIMD = detect();

  private FloatKernels() {
  }

  private static boolean detect() {
    if (!Boolean.parseBoolean(System.getProperty("seqspark.simd", "true"))) {
      return false;
    }
    if (ModuleLayer.boot().findModule("jdk.incubator.vector").isEmpty()) {
      return false;
    }
    try {
      return SimdKernels.lanes() > 1;
    } catch (Throwable e) { // LinkageError on a JVM whose Vector API differs: fall back, never fail
      return false;
    }
  }

  /** "simd-256" (bits per vector) or "scalar", with how to enable SIMD when it is off. */
  public static String describe() {
    return SIMD ? "simd-" + SimdKernels.lanes() * 32
        : "scalar (start the JVM with --add-modules=jdk.incubator.vector for the SIMD kernels)";
  }

  /** Σ a[ao+i]·b[bo+i] for i < n. */
  public static float dot(float[] a, int ao, float[] b, int bo, int n) {
    return SIMD ? SimdKernels.dot(a, ao, b, bo, n) : scalarDot(a, ao, b, bo, n);
  }

  /** y[yo+i] += g·x[xo+i] for i < n. */
  public static void axpy(float g, float[] x, int xo, float[] y, int yo, int n) {
    if (SIMD) {
      SimdKernels.axpy(g, x, xo, y, yo, n);
    } else {
      scalarAxpy(g, x, xo, y, yo, n);
    }
  }

  /**
   * Dot product with eight independent accumulators: one accumulator would wait on each add; eight measured
   * 10-20 % more skip-gram words per CPU-second than one.
   */
  static float scalarDot(float[] a, int ao, float[] b, int bo, int n) {
    float s0 = 0;
    float s1 = 0;
    float s2 = 0;
    float s3 = 0;
    float s4 = 0;
    float s5 = 0;
    float s6 = 0;
    float s7 = 0;
    int i = 0;
    for (; i + 7 < n; i += 8) {
      s0 += a[ao + i] * b[bo + i];
      s1 += a[ao + i + 1] * b[bo + i + 1];
      s2 += a[ao + i + 2] * b[bo + i + 2];
      s3 += a[ao + i + 3] * b[bo + i + 3];
      s4 += a[ao + i + 4] * b[bo + i + 4];
      s5 += a[ao + i + 5] * b[bo + i + 5];
      s6 += a[ao + i + 6] * b[bo + i + 6];
      s7 += a[ao + i + 7] * b[bo + i + 7];
    }
    for (; i < n; i++) {
      s0 += a[ao + i] * b[bo + i];
    }
    return ((s0 + s1) + (s2 + s3)) + ((s4 + s5) + (s6 + s7));
  }

  static void scalarAxpy(float g, float[] x, int xo, float[] y, int yo, int n) {
    for (int i = 0; i < n; i++) {
      y[yo + i] += g * x[xo + i];
    }
  }
}
