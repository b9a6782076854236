package io.seqspark.core.forecast;

/**
 * Point-forecast errors pooled over every (window, horizon step) of a fold, in the series' own units.
 *
 * @param rmse  root mean squared error
 * @param mae   mean absolute error
 * @param mase  MAE divided by the in-sample MAE of the one-step naive forecast on the fold's training part
 *              (Hyndman &amp; Koehler 2006, non-seasonal scale): below 1 beats one-step persistence on average
 * @param count forecast values compared
 */
public record ForecastMetrics(double rmse, double mae, double mase, long count) {

  /**
   * @param forecasts [windows][K]
   * @param actuals   [windows][K]
   * @param train     target values of the training part (defines the MASE scale)
   */
  public static ForecastMetrics of(double[][] forecasts, double[][] actuals, double[] train, int trainLength) {
    double se = 0;
    double ae = 0;
    long n = 0;
    for (int i = 0; i < forecasts.length; i++) {
      for (int k = 0; k < forecasts[i].length; k++) {
        double e = forecasts[i][k] - actuals[i][k];
        se += e * e;
        ae += Math.abs(e);
        n++;
      }
    }
    double scale = 0;
    for (int t = 1; t < trainLength; t++) {
      scale += Math.abs(train[t] - train[t - 1]);
    }
    scale /= Math.max(1, trainLength - 1);
    double mae = ae / n;
    return new ForecastMetrics(Math.sqrt(se / n), mae, scale > 0 ? mae / scale : Double.NaN, n);
  }
}
