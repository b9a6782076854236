package io.seqspark.core.nn;

import java.util.SplittableRandom;

/**
 * Draws classes 0..V-1 from the log-uniform (Zipfian) distribution {@code Q(k) = log((k+2)/(k+1)) / log(V+1)},
 * which approximates word frequencies when ids are ranked by count (our vocabularies are). A draw is
 * {@code k = ⌊exp(u·log(V+1))⌋ − 1} for u uniform in [0, 1): P(k) = P(k+1 ≤ e^{u·log(V+1)} < k+2) = Q(k) exactly.
 */
public final class LogUniformSampler {
  private final int classes;
  private final double logRange;

  /** A sampler over classes 0 .. {@code classes} − 1. */
  public LogUniformSampler(int classes) {
    if (classes < 1) {
      throw new IllegalArgumentException("a log-uniform sampler needs at least one class, got " + classes);
    }
    this.classes = classes;
    this.logRange = Math.log(classes + 1.0);
  }

  /** V. */
  public int classes() {
    return classes;
  }

  /** Q(k). */
  public double probability(int k) {
    return Math.log((k + 2.0) / (k + 1.0)) / logRange;
  }

  /** One draw from Q. */
  public int sample(SplittableRandom rng) {
    int k = (int) Math.floor(Math.exp(rng.nextDouble() * logRange)) - 1;
    return Math.min(Math.max(k, 0), classes - 1); // guards rounding at the ends
  }

  /** {@code n} independent draws (with replacement). */
  public int[] sample(int n, SplittableRandom rng) {
    int[] out = new int[n];
    for (int i = 0; i < n; i++) {
      out[i] = sample(rng);
    }
    return out;
  }
}
