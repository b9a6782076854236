package io.seqspark.core.forecast;

import io.seqspark.core.config.Settings;
import io.seqspark.core.data.TimeSeriesCsv;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;

/**
 * Everything a forecasting run is configured by: the {@code forecast { }} section of conf/reference.conf plus the
 * global {@code seed}. Component names are the config keys.
 */
public record ForecastOptions(Path csv, String dateColumn, String target, List<String> covariates,
                              TimeSeriesCsv.Missing missing, boolean logTarget, boolean relative, int history, int horizon, int initialTrain, int step,
                              int folds, int season, String encoder, ForecasterSpec.Decoder decoder,
                              double teacherForcing, int hidden, int layers, int tcnKernel, double initScale, int epochs,
                              int batchSize, double learningRate, double clipNorm, long seed) {

  public ForecastOptions {
    covariates = List.copyOf(covariates);
  }

  /** The forecaster's layer of defaults for the shared keys (conf/family-forecast.conf), loaded before any preset. */
  public static final Path DEFAULTS = Path.of("family-forecast");

  public static ForecastOptions from(Settings s) {
    if (!s.getString("train.optimizer").equals("adam")) {
      throw new IllegalArgumentException("train.optimizer = " + s.getString("train.optimizer") + ": the forecaster trains"
          + " with adam only. Fix: set train.optimizer = adam (conf/family-forecast.conf, which every seqspark forecast"
          + " command loads first, does)");
    }
    return new ForecastOptions(s.getPath("forecast.csv"), s.getString("forecast.dateColumn"),
        s.getString("forecast.target"), s.getStringList("forecast.covariates"),
        TimeSeriesCsv.Missing.valueOf(s.getString("forecast.missing").toUpperCase(Locale.ROOT)),
        s.getBoolean("forecast.logTarget"), s.getBoolean("forecast.relative"),
        s.getInt("forecast.history"), s.getInt("forecast.horizon"), s.getInt("forecast.initialTrain"),
        s.getInt("forecast.step"), s.getInt("forecast.folds"), s.getInt("forecast.season"),
        s.getString("forecast.encoder"),
        ForecasterSpec.Decoder.valueOf(s.getString("forecast.decoder").toUpperCase(Locale.ROOT)),
        s.getDouble("forecast.teacherForcing"), s.getInt("model.hiddenSize"), s.getInt("model.layers"), s.getInt("model.tcnKernel"),
        s.getDouble("model.initScale"), s.getInt("train.epochs"), s.getInt("train.batchSize"),
        s.getDouble("train.learningRate"), s.getDouble("train.clipNorm"), s.getLong("seed"));
  }

  public TimeSeriesCsv.Spec csvSpec() {
    return new TimeSeriesCsv.Spec(dateColumn, target, covariates, missing);
  }

  public WalkForward walkForward() {
    return new WalkForward(initialTrain, step, folds, horizon);
  }

  public ForecasterSpec spec() {
    int depth = encoder.equals("tcn") ? ForecasterSpec.tcnLevels(history, tcnKernel) : layers;
    return new ForecasterSpec(1 + covariates.size(), horizon, encoder, hidden, depth, decoder, teacherForcing,
        initScale, tcnKernel);
  }

  /** The same options with other walk-forward folds (validation folds before the test folds). */
  public ForecastOptions withFolds(int initialTrain, int folds) {
    return new ForecastOptions(csv, dateColumn, target, covariates, missing, logTarget, relative, history, horizon,
        initialTrain, step, folds, season, encoder, decoder, teacherForcing, hidden, layers, tcnKernel, initScale, epochs, batchSize,
        learningRate, clipNorm, seed);
  }

  /** A short model name for tables: "lstm-direct", "gru-autoregressive". */
  public String modelName() {
    return encoder + "-" + decoder.name().toLowerCase(Locale.ROOT);
  }

  /** The same options with other model settings (benchmarks compare several). */
  public ForecastOptions withModel(String encoder, ForecasterSpec.Decoder decoder, int history) {
    return new ForecastOptions(csv, dateColumn, target, covariates, missing, logTarget, relative, history, horizon,
        initialTrain, step, folds, season, encoder, decoder, teacherForcing, hidden, layers, tcnKernel, initScale, epochs, batchSize, learningRate,
        clipNorm, seed);
  }
}
