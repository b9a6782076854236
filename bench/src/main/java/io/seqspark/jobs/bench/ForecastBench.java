package io.seqspark.jobs.bench;

import io.seqspark.core.config.Settings;
import io.seqspark.core.data.TimeSeries;
import io.seqspark.core.data.TimeSeriesCsv;
import io.seqspark.core.forecast.Backtest;
import io.seqspark.core.forecast.ForecastOptions;
import io.seqspark.core.forecast.ForecasterSpec;
import io.seqspark.core.forecast.Threads;
import io.seqspark.core.io.Json;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * {@code seqspark bench forecast}: walk-forward RMSE of LSTM, GRU and TCN encoders with direct and autoregressive decoders
 * on monthly sunspots (12 → 12, season 132) and airline passengers (season 12), against persistence and seasonal
 * naive computed on the same test windows in the same run.
 *
 * <p><b>Honest selection.</b> The reported model is chosen on VALIDATION folds: {@code --validFolds} folds that end
 * where the test folds begin (origins initialTrain − v·step ... initialTrain − step, trained and scaled only before
 * their own origins). The test folds are then run for every configuration and reported, but only the validation
 * winner's test RMSE is {@code rmse}. The history table (12, 24, 48, 120) uses the winner's encoder and decoder.
 */
@Command(name = "forecast", mixinStandardHelpOptions = true,
    description = "Walk-forward forecast RMSE (sunspots, airline) of LSTM/GRU/TCN x direct/autoregressive vs persistence and seasonal naive; ends with RESULT {json}.")
public final class ForecastBench implements Callable<Integer> {
  @Option(names = "--quick", description = "Fewer epochs and folds, histories 12 and 24 only (a smoke run, not a result).")
  boolean quick;

  @Option(names = "--threads", defaultValue = "2", description = "Configurations trained in parallel (ND4J single-threaded in each).")
  int threads;

  @Option(names = "--validFolds", defaultValue = "2", description = "Validation folds before the test folds, for model selection.")
  int validFolds;

  @Option(names = "--set", paramLabel = "KEY=VALUE", description = "Overrides for both presets, e.g. --set train.epochs=20.")
  List<String> sets = new ArrayList<>();

  private static final String[] ENCODERS = {"lstm", "gru", "tcn"};

  @Override
  public Integer call() throws Exception {
    Threads.set(1);
    long t0 = System.nanoTime();
    ExecutorService pool = Executors.newFixedThreadPool(Math.max(1, threads));
    try {
      Report sun = report("sunspots", options("forecast-sunspots"), quick ? new int[] {12, 24} : new int[] {12, 24, 48, 120}, pool);
      Report air = report("airline", options("forecast-airline"), new int[0], pool);
      Map<String, Object> result = new LinkedHashMap<>();
      result.put("rmse", round(sun.best.meanRmse()));
      result.put("model", sun.best.model());
      result.put("persistence_rmse", round(sun.best.meanPersistenceRmse()));
      result.put("seasonal_naive_rmse", round(sun.best.meanSeasonalRmse()));
      result.put("ratio_vs_best_baseline", round(sun.ratio()));
      result.put("rmse_by_history", sun.byHistory);
      result.put("airline_rmse", round(air.best.meanRmse()));
      result.put("airline_model", air.best.model());
      result.put("airline_ratio_vs_best_baseline", round(air.ratio()));
      result.put("quick", quick);
      result.put("seconds", Math.round((System.nanoTime() - t0) / 1e9));
      System.out.println("RESULT " + Json.write(result));
    } finally {
      pool.shutdownNow();
    }
    return 0;
  }

  private ForecastOptions options(String preset) {
    List<String> all = new ArrayList<>();
    if (quick) {
      all.add("forecast.folds=2");
      all.add("train.epochs=" + (preset.contains("airline") ? 60 : 8));
    }
    all.addAll(sets);
    return ForecastOptions.from(Settings.load(List.of(ForecastOptions.DEFAULTS, Path.of(preset)), all));
  }

  /** One data set's table. */
  private record Report(Backtest.Result best, Map<String, Object> byHistory) {
    double ratio() {
      return Math.min(best.meanPersistenceRmse(), best.meanSeasonalRmse()) / best.meanRmse();
    }
  }

  private Report report(String name, ForecastOptions base, int[] histories, ExecutorService pool) throws Exception {
    TimeSeries series = TimeSeriesCsv.read(base.csv(), base.csvSpec());
    ForecastOptions valid = base.withFolds(base.initialTrain() - validFolds * base.step(), validFolds);
    List<ForecastOptions> configs = new ArrayList<>();
    for (String enc : ENCODERS) {
      for (ForecasterSpec.Decoder dec : ForecasterSpec.Decoder.values()) {
        configs.add(base.withModel(enc, dec, base.history()));
      }
    }
    List<Pending> validRuns = new ArrayList<>();
    List<Pending> testRuns = new ArrayList<>();
    for (ForecastOptions c : configs) {
      ForecastOptions v = valid.withModel(c.encoder(), c.decoder(), c.history());
      validRuns.add(submit(pool, series, v));
      testRuns.add(submit(pool, series, c));
    }
    System.out.printf(Locale.ROOT, "%n== %s: %s, %d -> %d, season %d, %d test folds of %d origins (validation: %d folds before) ==%n",
        name, series.source(), base.history(), base.horizon(), base.season(), base.walkForward().folds(series.length()).size(),
        base.step(), validFolds);
    System.out.printf(Locale.ROOT, "%-22s %10s %10s %10s %10s %10s %8s%n", "model", "valid rmse", "test rmse", "test mae",
        "test mase", "persist.", "seconds");
    Backtest.Result best = null;
    double bestValid = Double.POSITIVE_INFINITY;
    for (int i = 0; i < configs.size(); i++) {
      Backtest.Result v = validRuns.get(i).get();
      Backtest.Result t = testRuns.get(i).get();
      double secs = t.folds().stream().mapToDouble(Backtest.FoldResult::seconds).sum();
      System.out.printf(Locale.ROOT, "%-22s %10.3f %10.3f %10.3f %10.3f %10.3f %8.1f%n", t.model(), v.meanRmse(), t.meanRmse(),
          t.meanMae(), t.meanMase(), t.meanPersistenceRmse(), secs);
      if (v.meanRmse() < bestValid) {
        bestValid = v.meanRmse();
        best = t;
      }
    }
    Backtest.Result b = best;
    System.out.printf(Locale.ROOT, "baselines (test): persistence rmse %.3f, seasonal naive (season %d) rmse %.3f; chosen on validation: %s, test rmse %.3f, ratio vs best baseline %.3f%n",
        b.meanPersistenceRmse(), base.season(), b.meanSeasonalRmse(), b.model(), b.meanRmse(),
        Math.min(b.meanPersistenceRmse(), b.meanSeasonalRmse()) / b.meanRmse());
    Map<String, Object> byHistory = new LinkedHashMap<>();
    if (histories.length > 0) {
      ForecastOptions chosen = configs.stream().filter(c -> c.modelName().equals(b.model())).findFirst().orElseThrow();
      List<Pending> runs = new ArrayList<>();
      for (int h : histories) {
        ForecastOptions c = chosen.withModel(chosen.encoder(), chosen.decoder(), h);
        runs.add(h == chosen.history() ? new Pending(b.model(), List.of(), b)
            : submit(pool, series, c));
      }
      System.out.printf(Locale.ROOT, "history trade-off (%s, test folds):%n%8s %10s %10s %10s%n", b.model(), "history", "rmse", "mae",
          "persist.");
      for (int i = 0; i < histories.length; i++) {
        Backtest.Result r = runs.get(i).get();
        byHistory.put(Integer.toString(histories[i]), round(r.meanRmse()));
        System.out.printf(Locale.ROOT, "%8d %10.3f %10.3f %10.3f%n", histories[i], r.meanRmse(), r.meanMae(), r.meanPersistenceRmse());
      }
    }
    return new Report(b, byHistory);
  }

  /** A configuration's folds, submitted as independent tasks; {@link #get} waits for them in order. */
  private record Pending(String model, List<Future<Backtest.FoldResult>> folds, Backtest.Result done) {
    Backtest.Result get() throws Exception {
      if (done != null) {
        return done;
      }
      List<Backtest.FoldResult> out = new ArrayList<>();
      for (Future<Backtest.FoldResult> f : folds) {
        out.add(f.get());
      }
      return new Backtest.Result(model, out);
    }
  }

  private static Pending submit(ExecutorService pool, TimeSeries series, ForecastOptions o) {
    List<Future<Backtest.FoldResult>> folds = new ArrayList<>();
    for (io.seqspark.core.forecast.WalkForward.Fold f : Backtest.folds(series, o)) {
      folds.add(pool.submit(() -> Backtest.runFold(series, o, f)));
    }
    return new Pending(o.modelName(), folds, null);
  }

  private static double round(double v) {
    return Math.round(v * 1000) / 1000.0;
  }
}
