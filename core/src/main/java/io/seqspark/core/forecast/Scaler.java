package io.seqspark.core.forecast;

import io.seqspark.core.data.TimeSeries;

/**
 * Per-column standardisation z = (x − mean) / std, fitted on the first {@code n} steps only: a fold fits it on its
 * training part (before the origin), so no statistic of the future leaks into training or into scaled inputs.
 * A constant column gets std 1. With {@code logTarget} the target (column 0) is first mapped to log(1 + x), for
 * positive series whose swings grow with their level; {@link #unscale} maps back.
 *
 * @param mean      per column
 * @param std       per column, > 0
 * @param logTarget whether column 0 is modelled as log(1 + x)
 */
public record Scaler(double[] mean, double[] std, boolean logTarget) {

  /** Fits on steps [0, n) of every column, without a log transform. */
  public static Scaler fit(TimeSeries series, int n) {
    return fit(series, n, false);
  }

  /** Fits on steps [0, n) of every column. */
  public static Scaler fit(TimeSeries series, int n, boolean logTarget) {
    if (n < 1 || n > series.length()) {
      throw new IllegalArgumentException("cannot fit a scaler on " + n + " of " + series.length() + " steps");
    }
    int w = series.width();
    double[] mean = new double[w];
    double[] std = new double[w];
    for (int c = 0; c < w; c++) {
      double s = 0;
      for (int t = 0; t < n; t++) {
        double x = series.value(c, t);
        if (logTarget && c == 0 && !(x > -1)) {
          throw new IllegalArgumentException(series.source() + " step " + t + " (" + series.dates().get(t) + "): target "
              + x + " has no log(1 + x); forecast.logTarget = true needs values > -1: set it to false");
        }
        s += transform(logTarget, c, x);
      }
      mean[c] = s / n;
      double q = 0;
      for (int t = 0; t < n; t++) {
        double e = transform(logTarget, c, series.value(c, t)) - mean[c];
        q += e * e;
      }
      double sd = Math.sqrt(q / n);
      std[c] = sd > 1e-12 ? sd : 1;
    }
    return new Scaler(mean, std, logTarget);
  }

  private static double transform(boolean log, int column, double x) {
    return log && column == 0 ? Math.log1p(x) : x;
  }

  public double scale(int column, double x) {
    return (transform(logTarget, column, x) - mean[column]) / std[column];
  }

  public double unscale(int column, double z) {
    double x = z * std[column] + mean[column];
    return logTarget && column == 0 ? Math.expm1(x) : x;
  }
}
