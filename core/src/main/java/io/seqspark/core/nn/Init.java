package io.seqspark.core.nn;

import java.util.SplittableRandom;

/**
 * How a parameter block is initialised. Values are drawn in Java from a {@link SplittableRandom} seeded by
 * (model seed, block name), so a model's initial parameters do not depend on the ND4J backend, the thread count,
 * or which other blocks exist.
 */
public sealed interface Init {

  /** Fills {@code out} with this initialisation. */
  void fill(double[] out, SplittableRandom rng);

  static Init uniform(double scale) {
    return new Uniform(scale);
  }

  static Init zeros() {
    return new Constant(0.0);
  }

  static Init constant(double value) {
    return new Constant(value);
  }

  /** Glorot/Xavier uniform for a fanIn x fanOut matrix: U(-a, a) with a = sqrt(6 / (fanIn + fanOut)). */
  static Init xavier(long fanIn, long fanOut) {
    return new Uniform(Math.sqrt(6.0 / (fanIn + fanOut)));
  }

  record Uniform(double scale) implements Init {
    @Override
    public void fill(double[] out, SplittableRandom rng) {
      for (int i = 0; i < out.length; i++) {
        out[i] = (rng.nextDouble() * 2 - 1) * scale;
      }
    }
  }

  record Constant(double value) implements Init {
    @Override
    public void fill(double[] out, SplittableRandom rng) {
      java.util.Arrays.fill(out, value);
    }
  }
}
