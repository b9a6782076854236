package io.seqspark.core.forecast;

/**
 * The two reference forecasts every model is compared with, from the target values before the origin only.
 */
public final class Baselines {
  private Baselines() {
  }

  /** Persistence (naive): every horizon step repeats the last observed value y[o − 1]. */
  public static double[] persistence(double[] y, int origin, int horizon) {
    double[] out = new double[horizon];
    java.util.Arrays.fill(out, y[origin - 1]);
    return out;
  }

  /**
   * Seasonal naive: step o + k repeats the most recent observed value of the same season,
   * y[o + k − m·(⌊k / m⌋ + 1)] for season length m; needs origin ≥ m.
   */
  public static double[] seasonalNaive(double[] y, int origin, int horizon, int season) {
    if (origin < season) {
      throw new IllegalArgumentException("seasonal naive with season " + season + " needs at least " + season
          + " observed steps before origin " + origin);
    }
    double[] out = new double[horizon];
    for (int k = 0; k < horizon; k++) {
      out[k] = y[origin + k - season * (k / season + 1)];
    }
    return out;
  }
}
