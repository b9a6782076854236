package io.seqspark.core.forecast;

import io.seqspark.core.data.TimeSeries;
import io.seqspark.core.train.LearningRate;
import io.seqspark.core.train.Optimizer;
import io.seqspark.core.train.Position;
import io.seqspark.core.train.StepStats;
import io.seqspark.core.train.TrainStep;
import io.seqspark.core.train.Trainer;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.function.Consumer;
import org.nd4j.linalg.api.buffer.DataType;

/**
 * Walk-forward evaluation of one model configuration against the persistence and seasonal-naive baselines: per
 * fold, fit the scaler and train a fresh {@link Forecaster} on the steps before the origin (the same
 * {@link TrainStep} and {@link Trainer} every model family uses), forecast the fold's test windows, and score model
 * and baselines on the same values.
 */
public final class Backtest {
  /** Windows forecast per evaluation batch. */
  private static final int EVAL_BATCH = 256;

  private Backtest() {
  }

  /** A model trained on the steps before {@code origin}, with the scaler fitted there. */
  public record Trained(Forecaster model, Scaler scaler, int origin, double trainMse, long steps) {
  }

  static Windows windows(TimeSeries series, Scaler scaler, ForecastOptions o) {
    return new Windows(series, scaler, o.history(), o.horizon(), o.relative());
  }

  /**
   * One fold's outcome; forecasts and actuals are [windows][K] in the series' units.
   *
   * @param trainMse mean squared error (scaled units) over the last training epoch
   */
  public record FoldResult(WalkForward.Fold fold, int[] origins, double[][] forecasts, double[][] actuals,
                           double[][] persistence, double[][] seasonal, ForecastMetrics model,
                           ForecastMetrics persistenceMetrics, ForecastMetrics seasonalMetrics, double trainMse,
                           double seconds) {
  }

  /** All folds; means are unweighted over folds. */
  public record Result(String model, List<FoldResult> folds) {
    public double meanRmse() {
      return folds.stream().mapToDouble(f -> f.model().rmse()).average().orElse(Double.NaN);
    }

    public double meanPersistenceRmse() {
      return folds.stream().mapToDouble(f -> f.persistenceMetrics().rmse()).average().orElse(Double.NaN);
    }

    public double meanSeasonalRmse() {
      return folds.stream().mapToDouble(f -> f.seasonalMetrics().rmse()).average().orElse(Double.NaN);
    }

    public double meanMae() {
      return folds.stream().mapToDouble(f -> f.model().mae()).average().orElse(Double.NaN);
    }

    public double meanMase() {
      return folds.stream().mapToDouble(f -> f.model().mase()).average().orElse(Double.NaN);
    }
  }

  /**
   * Trains on steps [0, origin) only: the scaler, the windows (every target before the origin) and the shuffling
   * never read a later value.
   */
  public static Trained train(TimeSeries series, ForecastOptions o, int origin, long seed, Trainer.Listener listener) {
    Scaler scaler = Scaler.fit(series, origin, o.logTarget());
    Windows windows = windows(series, scaler, o);
    int[] origins = windows.originsBefore(origin);
    if (origins.length == 0) {
      throw new IllegalArgumentException("no training window before step " + origin + ": forecast.history ("
          + o.history() + ") + forecast.horizon (" + o.horizon() + ") exceed it; lower them or raise"
          + " forecast.initialTrain");
    }
    Forecaster model = new Forecaster(o.spec(), DataType.FLOAT, seed);
    Optimizer adam = Optimizer.create("adam", model.params().size(), DataType.FLOAT, 0.9, 0.999, 1e-8);
    TrainStep<SeriesBatch> step = new TrainStep<>(model, adam, o.clipNorm(), TrainStep.LossScale.SEQUENCES);
    double[] lastEpoch = {Double.NaN};
    Trainer.Listener capture = new Trainer.Listener() {
      @Override
      public void onStep(int epoch, int batch, int batchesInEpoch, long s, double lr, TrainStep.Result r) {
        if (listener != null) {
          listener.onStep(epoch, batch, batchesInEpoch, s, lr, r);
        }
      }

      @Override
      public void onEpoch(int epoch, long s, double lr, StepStats train, StepStats valid) {
        lastEpoch[0] = train.meanLoss();
        if (listener != null) {
          listener.onEpoch(epoch, s, lr, train, valid);
        }
      }
    };
    Trainer.Options opts = new Trainer.Options(o.epochs(), new LearningRate(o.learningRate(), 1, 0), 0, seed, 0);
    Position end = new Trainer(step, windows.shuffled(origins, o.batchSize(), seed), null, opts, null, capture)
        .run(Position.start());
    return new Trained(model, scaler, origin, lastEpoch[0], end.step());
  }

  /** Forecasts from each origin with the true history before it, in the series' units: [windows][K]. */
  public static double[][] forecast(Trained t, TimeSeries series, ForecastOptions o, int[] origins) {
    Windows windows = windows(series, t.scaler(), o);
    double[][] out = new double[origins.length][];
    for (int from = 0; from < origins.length; from += EVAL_BATCH) {
      int[] chunk = Arrays.copyOfRange(origins, from, Math.min(origins.length, from + EVAL_BATCH));
      double[][] z = t.model().predict(windows.batch(chunk));
      for (int i = 0; i < chunk.length; i++) {
        for (int k = 0; k < z[i].length; k++) {
          z[i][k] = t.scaler().unscale(0, z[i][k] + windows.offset(chunk[i]));
        }
        out[from + i] = z[i];
      }
    }
    return out;
  }

  /** Runs every fold of {@code o.walkForward()} in order; {@code onFold} sees each result as it is done. */
  public static Result run(TimeSeries series, ForecastOptions o, Consumer<FoldResult> onFold) {
    List<FoldResult> results = new ArrayList<>();
    for (WalkForward.Fold fold : folds(series, o)) {
      FoldResult r = runFold(series, o, fold);
      results.add(r);
      if (onFold != null) {
        onFold.accept(r);
      }
    }
    return new Result(o.modelName(), results);
  }

  /** The folds of {@code o} over {@code series}, after checking that the baselines can run on them. */
  public static List<WalkForward.Fold> folds(TimeSeries series, ForecastOptions o) {
    if (o.season() > o.initialTrain()) {
      throw new IllegalArgumentException("forecast.season = " + o.season() + " exceeds forecast.initialTrain = "
          + o.initialTrain() + ": the seasonal-naive baseline needs a full season before the first origin; raise"
          + " forecast.initialTrain or lower forecast.season");
    }
    return o.walkForward().folds(series.length());
  }

  /**
   * One fold: train on [0, origin), forecast its test windows, score model and baselines. Independent of every other
   * fold (its seed is derived from the run seed and the fold index), so folds may run in parallel.
   */
  public static FoldResult runFold(TimeSeries series, ForecastOptions o, WalkForward.Fold fold) {
    long t0 = System.nanoTime();
    Trained t = train(series, o, fold.origin(), TrainStep.stepSeed(o.seed(), fold.index()), null);
    return score(series, o, fold, t, t0);
  }

  /**
   * Forecasts the fold's test windows with a trained model and scores it and both baselines on the same values
   * (MASE scaled on the steps before the fold's origin).
   */
  public static FoldResult score(TimeSeries series, ForecastOptions o, WalkForward.Fold fold, Trained t, long startNanos) {
    double[] y = series.target();
    int[] origins = fold.testOrigins();
    double[][] forecasts = forecast(t, series, o, origins);
    double[][] actuals = windows(series, t.scaler(), o).actuals(origins);
    double[][] persistence = new double[origins.length][];
    double[][] seasonal = new double[origins.length][];
    for (int i = 0; i < origins.length; i++) {
      persistence[i] = Baselines.persistence(y, origins[i], o.horizon());
      seasonal[i] = Baselines.seasonalNaive(y, origins[i], o.horizon(), o.season());
    }
    return new FoldResult(fold, origins, forecasts, actuals, persistence, seasonal,
        ForecastMetrics.of(forecasts, actuals, y, fold.origin()),
        ForecastMetrics.of(persistence, actuals, y, fold.origin()),
        ForecastMetrics.of(seasonal, actuals, y, fold.origin()), t.trainMse(), (System.nanoTime() - startNanos) / 1e9);
  }
}
