package io.seqspark.spark.train;

import io.seqspark.core.config.Settings;
import java.io.Serializable;

/**
 * The driver's filter on the averaged update (blockwise model-update filtering, BMUF: Chen &amp; Huo 2016). Each
 * round the partitions start from {@code start}, train k steps, and their token-weighted mean is {@code avg}; then
 * <pre>
 *   Δ = start − avg                      (how far the partitions moved, together)
 *   v = η·v + ζ·Δ                        (block momentum η, block learning rate ζ)
 *   θ ← θ − v
 *   start = θ            (classic)   or   θ − η·v   (Nesterov: the look-ahead point)
 * </pre>
 * Why: averaging N replicas' k steps moves the model about as far as one replica with an N times larger batch at the
 * same learning rate; the momentum over rounds restores the step (η = 1 − 1/N makes the steady-state step N times
 * the averaged one). η = 0, ζ = 1 is plain averaging.
 *
 * <p>Precision: θ is the driver's float32 model; v is kept in double. The new θ is formed in double as
 * {@code avg − (η·v_old + (ζ−1)·Δ − (θ − start))}, algebraically θ − v, and rounded once to float32; the bracket is
 * exactly 0 for η = 0, ζ = 1 (start = θ), so the filter then returns the mean's own bits.
 */
public final class BlockFilter {

  /**
   * The filter's settings.
   *
   * @param momentum     η in [0, 1), or −1 = 1 − 1/N for N partitions (spark.blockMomentum)
   * @param learningRate ζ > 0 (spark.blockLearningRate)
   * @param nesterov     partitions start from the look-ahead point (spark.nesterov)
   */
  public record Spec(double momentum, double learningRate, boolean nesterov) implements Serializable {
    /** Plain averaging: η = 0, ζ = 1. */
    public static final Spec PLAIN = new Spec(0, 1, false);

    public Spec {
      if (!(momentum == -1 || (momentum >= 0 && momentum < 1))) {
        throw new IllegalArgumentException("spark.blockMomentum = " + momentum + ": must be in [0, 1), or -1 for"
            + " 1 - 1/N with N partitions; set 0 for plain averaging");
      }
      if (!(learningRate > 0) || Double.isInfinite(learningRate)) {
        throw new IllegalArgumentException("spark.blockLearningRate = " + learningRate + ": must be a number > 0;"
            + " set 1 for the averaged update as it is");
      }
    }

    /** spark.blockMomentum, spark.blockLearningRate, spark.nesterov. */
    public static Spec of(Settings s) {
      return new Spec(s.getDouble("spark.blockMomentum"), s.getDouble("spark.blockLearningRate"),
          s.getBoolean("spark.nesterov"));
    }

    /** η for {@code partitions} partitions (resolving −1 to 1 − 1/N). */
    public double momentumFor(int partitions) {
      return momentum == -1 ? 1 - 1.0 / partitions : momentum;
    }
  }

  private final double eta;
  private final double zeta;
  private final boolean nesterov;
  /** v, one per parameter; null until the first round (all zeros). */
  private double[] velocity;

  /** A filter with resolved η (in [0, 1)), ζ and the Nesterov flag, and zero velocity. */
  public BlockFilter(double eta, double zeta, boolean nesterov) {
    new Spec(eta, zeta, nesterov); // validates
    if (eta < 0) {
      throw new IllegalArgumentException("block momentum " + eta + ": resolve -1 with Spec.momentumFor first");
    }
    this.eta = eta;
    this.zeta = zeta;
    this.nesterov = nesterov;
  }

  /** The filter of {@code spec} for {@code partitions} partitions. */
  public static BlockFilter of(Spec spec, int partitions) {
    return new BlockFilter(spec.momentumFor(partitions), spec.learningRate(), spec.nesterov());
  }

  /** η. */
  public double momentum() {
    return eta;
  }

  /**
   * Where the partitions start the next round from the driver's model {@code theta}: theta itself (the same array),
   * or with Nesterov and a non-zero velocity the look-ahead point θ − η·v, rounded to float32.
   */
  public float[] start(float[] theta) {
    if (!nesterov || eta == 0 || velocity == null) {
      return theta;
    }
    check(theta.length);
    float[] out = new float[theta.length];
    for (int i = 0; i < out.length; i++) {
      out[i] = (float) (theta[i] - eta * velocity[i]);
    }
    return out;
  }

  /**
   * One round's update: the new model from the old one ({@code theta}), where the partitions started
   * ({@code start}, as {@link #start} returned it) and their token-weighted mean ({@code avg}); updates v.
   */
  public float[] apply(float[] theta, float[] start, float[] avg) {
    if (theta.length != avg.length || start.length != avg.length) {
      throw new IllegalArgumentException("block filter: " + theta.length + " parameters, " + start.length
          + " start values, " + avg.length + " averaged values");
    }
    if (velocity == null) {
      velocity = new double[avg.length];
    }
    check(avg.length);
    float[] out = new float[avg.length];
    double zm1 = zeta - 1;
    for (int i = 0; i < out.length; i++) {
      double delta = (double) start[i] - avg[i];
      double old = velocity[i];
      velocity[i] = eta * old + zeta * delta;
      // θ − v = avg − (η·v_old + (ζ−1)·Δ − (θ − start)); each term is added only when it can be non-zero, so the
      // identity filter returns avg[i] itself (also −0.0)
      double c = 0;
      if (eta != 0) {
        c += eta * old;
      }
      if (zm1 != 0) {
        c += zm1 * delta;
      }
      if (theta != start) {
        c -= (double) theta[i] - start[i];
      }
      out[i] = c == 0 ? avg[i] : (float) (avg[i] - c);
    }
    return out;
  }

  private void check(int n) {
    if (velocity != null && velocity.length != n) {
      throw new IllegalStateException("block filter velocity has " + velocity.length + " values, the model " + n
          + " (was the checkpoint written for another model?)");
    }
  }

  /** v (a copy; empty before the first round). */
  public double[] velocity() {
    return velocity == null ? new double[0] : velocity.clone();
  }

  /** Restores v as {@link #velocity()} returned it (empty = zero velocity). */
  public void setVelocity(double[] v) {
    velocity = v == null || v.length == 0 ? null : v.clone();
  }
}
