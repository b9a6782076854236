package io.seqspark.core.forecast;

import io.seqspark.core.data.TimeSeries;

/**
 * Per-column standardisation z = (x − mean) / std, fitted on the first {@code n} steps only: a fold fits it on its
 * training part (before the origin), so no statistic of the future leaks into training or into scaled inputs.
 * A constant column gets std 1.
 *
 * @param mean per column
 * @param std  per column, > 0
 */
public record Scaler(double[] mean, double[] std) {

  /** Fits on steps [0, n) of every column. */
  public static Scaler fit(TimeSeries series, int n) {
    if (n < 1 || n > series.length()) {
      throw new IllegalArgumentException("cannot fit a scaler on " + n + " of " + series.length() + " steps");
    }
    int w = series.width();
    double[] mean = new double[w];
    double[] std = new double[w];
    for (int c = 0; c < w; c++) {
      double s = 0;
      for (int t = 0; t < n; t++) {
        s += series.value(c, t);
      }
      mean[c] = s / n;
      double q = 0;
      for (int t = 0; t < n; t++) {
        double e = series.value(c, t) - mean[c];
        q += e * e;
      }
      double sd = Math.sqrt(q / n);
      std[c] = sd > 1e-12 ? sd : 1;
    }
    return new Scaler(mean, std);
  }

  public double scale(int column, double x) {
    return (x - mean[column]) / std[column];
  }

  public double unscale(int column, double z) {
    return z * std[column] + mean[column];
  }
}
