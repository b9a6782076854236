package io.seqspark.core.forecast;


import io.seqspark.core.config.Settings;
import io.seqspark.core.data.TimeSeries;
import io.seqspark.core.data.TimeSeriesCsv;
import io.seqspark.core.data.Vocabulary;
import io.seqspark.core.io.AtomicFiles;
import io.seqspark.core.io.HtmlReport;
import io.seqspark.core.io.Manifest;
import io.seqspark.core.io.MetricsLog;
import io.seqspark.core.io.ModelArchive;
import io.seqspark.core.io.RunDirectory;
import io.seqspark.core.io.RunRecorder;
import io.seqspark.core.train.TrainStep;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;
import java.util.stream.Stream;
import org.nd4j.linalg.api.buffer.DataType;

/**
 * {@code forecast train}: walk-forward evaluation (metrics per fold and their mean in metrics.jsonl, forecasts
 * against actuals per fold in report.html), then the model to keep, trained on the whole series, in model.zip with
 * its scaler; and loading that archive back for {@code eval} and {@code predict}.
 */
public final class ForecastTraining {
  private ForecastTraining() {
  }

  /** The outcome of {@code forecast train}. */
  public record Summary(Path runDir, Backtest.Result result, RunRecorder.Result run) {
  }

  /** A model loaded from {@code model.zip}: its settings, options, the model and the scaler it was trained with. */
  public record Loaded(Settings settings, ForecastOptions options, Backtest.Trained trained) {
  }

  /** Reads {@code forecast.csv} (or {@code csv} when given) with the configured columns. */
  public static TimeSeries series(ForecastOptions o, Path csv) throws IOException {
    Path file = csv != null ? csv : o.csv();
    if (file == null) {
      throw new IllegalArgumentException("forecast.csv is not set: pass --conf forecast-sunspots, or --set"
          + " forecast.csv=FILE with forecast.dateColumn and forecast.target naming its columns");
    }
    return TimeSeriesCsv.read(seriesFile(file), o.csvSpec());
  }

  /**
   * {@code file} itself, or, for a directory written by {@code seqspark ingest} with {@code ingest.format = csv}, its
   * one normalized series {@code series/NAME.csv} (with several, the user names one).
   */
  static Path seriesFile(Path file) throws IOException {
    if (!Files.isDirectory(file)) {
      return file;
    }
    Path dir = file.resolve("series");
    List<Path> found = new ArrayList<>();
    if (Files.isDirectory(dir)) {
      try (Stream<Path> s = Files.list(dir)) {
        s.filter(p -> p.getFileName().toString().endsWith(".csv")).sorted().forEach(found::add);
      }
    }
    if (found.size() == 1) {
      return found.get(0);
    }
    throw new IllegalArgumentException("forecast.csv = " + file + " is a directory " + (found.isEmpty()
        ? "without series/*.csv; set forecast.csv to a CSV file, or to the --out of seqspark ingest with ingest.format = csv"
        : "holding " + found.size() + " ingested series; set forecast.csv to one of them, e.g. " + found.get(0)));
  }

  public static Summary run(Settings s, RunDirectory run, List<String> commandLine, PrintStream log) throws IOException {
    ForecastOptions o = ForecastOptions.from(s);
    Threads.set(Math.max(1, s.getInt("run.threads")));
    TimeSeries series = series(o, null);
    List<WalkForward.Fold> folds = Backtest.folds(series, o);
    try (RunRecorder rec = RunRecorder.start(run, s, false, "forecast", "forecast train",
        List.of("run", "model", "train", "forecast"), commandLine, log)) {
      rec.input("csv", o.csv());
      Manifest manifest = rec.manifest();
      manifest.put("seriesLength", series.length()).put("columns", series.columns()).put("folds", folds.size())
          .put("parameters", new Forecaster(o.spec(), DataType.FLOAT, o.seed()).params().size());
      rec.writeManifest();
      rec.print(String.format("%s: %,d steps (%s .. %s), %s, %d folds, history %d -> horizon %d", series.source(),
          series.length(), series.dates().get(0), series.dates().get(series.length() - 1), o.modelName(), folds.size(),
          o.history(), o.horizon()));
      List<HtmlReport.Figure> figures = new ArrayList<>();
      List<Backtest.FoldResult> done = new ArrayList<>();
      long windows = 0;
      double trainSeconds = 0;
      for (WalkForward.Fold fold : folds) {
        Backtest.FoldResult r = Backtest.runFold(series, o, fold);
        done.add(r);
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("step", fold.index() + 1);
        m.put("fold", fold.index());
        m.put("origin", fold.origin());
        m.put("origin_date", series.dates().get(fold.origin()));
        m.put("windows", r.origins().length);
        putMetrics(m, r.model(), r.persistenceMetrics().rmse(), r.seasonalMetrics().rmse());
        m.put("train_mse", r.trainMse());
        m.put("seconds", r.seconds());
        rec.metric(m);
        rec.print(String.format(Locale.ROOT, "fold %d (origin %s): rmse %.3f, mae %.3f, mase %.3f; persistence rmse"
            + " %.3f, seasonal naive rmse %.3f (%.1f s)", fold.index(), series.dates().get(fold.origin()),
            r.model().rmse(), r.model().mae(), r.model().mase(), r.persistenceMetrics().rmse(),
            r.seasonalMetrics().rmse(), r.seconds()));
        figures.add(figure(series, r, o.horizon()));
        windows += r.origins().length;
        trainSeconds += r.seconds();
      }
      rec.figures(figures);
      Backtest.Result result = new Backtest.Result(o.modelName(), done);
      Map<String, Object> mean = new LinkedHashMap<>();
      mean.put("fold", "mean");
      mean.put("folds", done.size());
      mean.put("rmse", result.meanRmse());
      mean.put("mae", result.meanMae());
      mean.put("mase", result.meanMase());
      mean.put("persistence_rmse", result.meanPersistenceRmse());
      mean.put("seasonal_naive_rmse", result.meanSeasonalRmse());
      rec.metric(mean);
      rec.print(String.format(Locale.ROOT, "mean over %d folds: rmse %.3f, mae %.3f, mase %.3f; persistence %.3f,"
          + " seasonal naive %.3f", folds.size(), result.meanRmse(), result.meanMae(), result.meanMase(),
          result.meanPersistenceRmse(), result.meanSeasonalRmse()));
      // the model to keep: trained on the whole series, so predict forecasts from its end
      Backtest.Trained last = Backtest.train(series, o, series.length(), TrainStep.stepSeed(o.seed(), folds.size()), null);
      Map<String, Object> results = new LinkedHashMap<>();
      results.put("rmse", result.meanRmse());
      results.put("mae", result.meanMae());
      results.put("mase", result.meanMase());
      results.put("persistenceRmse", result.meanPersistenceRmse());
      results.put("seasonalNaiveRmse", result.meanSeasonalRmse());
      results.put("trainedThrough", series.length());
      results.put("trainedThroughDate", series.dates().get(series.length() - 1));
      results.put("scalerMean", toList(last.scaler().mean()));
      results.put("scalerStd", toList(last.scaler().std()));
      RunRecorder.Result r = rec.finish(folds.size(), "windows", trainSeconds > 0 ? windows / trainSeconds : Double.NaN,
          Map.of(), results);
      ModelArchive.write(run.modelFile(), s, Vocabulary.builder().build(1, 0), last.model().params(), manifest.toMap());
      return new Summary(run.dir(), result, r);
    }
  }

  static void putMetrics(Map<String, Object> m, ForecastMetrics model, double persistenceRmse, double seasonalRmse) {
    m.put("rmse", model.rmse());
    m.put("mae", model.mae());
    m.put("mase", model.mase());
    m.put("persistence_rmse", persistenceRmse);
    m.put("seasonal_naive_rmse", seasonalRmse);
  }

  /**
   * The fold's actual target around its test range, and the model's and persistence's forecasts from origins every
   * {@code horizon} steps (so the K-step trajectories tile the range without overlap); x is the step index, labelled
   * with the series' dates.
   */
  static HtmlReport.Figure figure(TimeSeries series, Backtest.FoldResult r, int horizon) {
    TreeMap<Double, Double> actual = new TreeMap<>();
    TreeMap<Double, Double> model = new TreeMap<>();
    TreeMap<Double, Double> persistence = new TreeMap<>();
    int from = Math.max(0, r.fold().origin() - 2 * horizon);
    int to = Math.min(series.length(), r.fold().testEnd() + horizon - 1);
    for (int t = from; t < to; t++) {
      actual.put((double) t, series.value(0, t));
    }
    for (int i = 0; i < r.origins().length; i += horizon) {
      for (int k = 0; k < horizon; k++) {
        model.put((double) (r.origins()[i] + k), r.forecasts()[i][k]);
        persistence.put((double) (r.origins()[i] + k), r.persistence()[i][k]);
      }
    }
    Map<String, TreeMap<Double, Double>> curves = new LinkedHashMap<>();
    curves.put("actual", actual);
    curves.put("forecast", model);
    curves.put("persistence", persistence);
    return new HtmlReport.Figure(String.format(Locale.ROOT, "fold %d: forecasts from %s (rmse %.2f; persistence %.2f)",
        r.fold().index(), series.dates().get(r.fold().origin()), r.model().rmse(), r.persistenceMetrics().rmse()),
        "date", curves, series.dates());
  }

  private static List<Double> toList(double[] a) {
    List<Double> out = new ArrayList<>();
    for (double v : a) {
      out.add(v);
    }
    return out;
  }

  /** Loads a {@code model.zip} written by {@link #run}. */
  public static Loaded load(Path zip) throws IOException {
    ModelArchive.Contents c = ModelArchive.read(zip);
    ForecastOptions o = ForecastOptions.from(c.settings());
    Forecaster model = new Forecaster(o.spec(), DataType.FLOAT, o.seed());
    ModelArchive.checkLayout(zip, c.layout(), model.params());
    model.params().setParams(c.params());
    Object mean = c.manifest().get("scalerMean");
    Object std = c.manifest().get("scalerStd");
    if (!(mean instanceof List<?> ml) || !(std instanceof List<?> sl)) {
      throw new IllegalArgumentException("model archive " + zip + " has no scaler in its manifest; it is not a"
          + " forecast model (train one with seqspark forecast train)");
    }
    Scaler scaler = new Scaler(doubles(ml), doubles(sl), o.logTarget());
    int through = ((Number) c.manifest().get("trainedThrough")).intValue();
    return new Loaded(c.settings(), o, new Backtest.Trained(model, scaler, through, Double.NaN, 0));
  }

  private static double[] doubles(List<?> l) {
    double[] out = new double[l.size()];
    for (int i = 0; i < out.length; i++) {
      out[i] = ((Number) l.get(i)).doubleValue();
    }
    return out;
  }

  /** Forecasts the {@code horizon} steps after the end of {@code series} with a loaded model. */
  public static double[] predictNext(Loaded m, TimeSeries series) {
    if (series.length() < m.options().history()) {
      throw new IllegalArgumentException(series.source() + " has " + series.length() + " steps; the model reads "
          + m.options().history() + " (forecast.history): pass a longer series");
    }
    return Backtest.forecast(m.trained(), series, m.options(), new int[] {series.length()})[0];
  }

  /**
   * Scores a loaded model on every complete window with origin in [from, end): RMSE, MAE, MASE (scale from the steps
   * before {@code from}) and the two baselines on the same windows.
   */
  public static Map<String, Object> evaluate(Loaded m, TimeSeries series, int from) {
    ForecastOptions o = m.options();
    int last = series.length() - o.horizon();
    if (from < Math.max(o.history(), o.season()) || from > last) {
      throw new IllegalArgumentException("no complete window to evaluate from step " + from + " of " + series.length()
          + " (need history " + o.history() + ", season " + o.season() + " before it and horizon " + o.horizon()
          + " after it); pass --from within [" + Math.max(o.history(), o.season()) + ", " + last + "] or a longer series");
    }
    Backtest.FoldResult r = Backtest.score(series, o, new WalkForward.Fold(0, from, last + 1), m.trained(),
        System.nanoTime());
    Map<String, Object> out = new LinkedHashMap<>();
    out.put("from", from);
    out.put("from_date", series.dates().get(from));
    out.put("windows", r.origins().length);
    putMetrics(out, r.model(), r.persistenceMetrics().rmse(), r.seasonalMetrics().rmse());
    return out;
  }
}
