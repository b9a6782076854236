/**
 * Time-series forecasting. A {@link io.seqspark.core.data.TimeSeries} (read by
 * {@link io.seqspark.core.data.TimeSeriesCsv}) is cut into {@link io.seqspark.core.forecast.Windows} (history length
 * → horizon) that become value {@link io.seqspark.core.data.Batch batches}; a
 * {@link io.seqspark.core.forecast.Forecaster} (LSTM/GRU encoder, direct head or autoregressive decoder) is a
 * {@link io.seqspark.core.train.Trainable}, so the same TrainStep and Trainer train it.
 * {@link io.seqspark.core.forecast.Backtest} runs {@link io.seqspark.core.forecast.WalkForward} folds — each fold
 * fits its {@link io.seqspark.core.forecast.Scaler} and trains on the steps before its origin only — and scores the
 * model against the persistence and seasonal-naive {@link io.seqspark.core.forecast.Baselines} with
 * {@link io.seqspark.core.forecast.ForecastMetrics} (RMSE, MAE, MASE). {@link io.seqspark.core.forecast.ForecastTraining}
 * is {@code seqspark forecast train} (run directory, report, archive) and loads archives back.
 */
package io.seqspark.core.forecast;
