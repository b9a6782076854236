package io.seqspark.jobs;

import io.seqspark.core.config.Settings;
import io.seqspark.core.data.TimeSeries;
import io.seqspark.core.forecast.ForecastTraining;
import io.seqspark.core.forecast.Threads;
import io.seqspark.core.io.Json;
import io.seqspark.core.io.RunDirectory;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/** {@code seqspark forecast train | eval | predict}: walk-forward forecasting of one CSV column (forecast.* keys). */
@Command(name = "forecast", description = "Time-series forecasting: walk-forward train and evaluate, score a model, forecast the next horizon.",
    subcommands = {ForecastCommand.Train.class, ForecastCommand.Eval.class, ForecastCommand.Predict.class})
public final class ForecastCommand {

  @Command(name = "train", mixinStandardHelpOptions = true,
      description = "Walk-forward folds (metrics per fold and mean, forecasts vs actuals in report.html), then the model trained on the whole series (model.zip).")
  static final class Train implements Callable<Integer> {
    @Mixin
    RunOptions run;
    @Spec
    picocli.CommandLine.Model.CommandSpec spec;

    @Override
    public Integer call() throws Exception {
      if (run.resuming() || run.master() != null) {
        throw new IllegalArgumentException("forecast train runs locally and from the start: drop --resume and --master");
      }
      Settings s = run.settings(List.of(io.seqspark.core.forecast.ForecastOptions.DEFAULTS));
      if (s.getPath("forecast.csv") == null) {
        throw new IllegalArgumentException("forecast.csv is not set: pass --conf forecast-sunspots, or --set"
            + " forecast.csv=FILE with forecast.dateColumn and forecast.target naming its columns");
      }
      RunDirectory dir = run.runDirectory("forecast", s);
      ForecastTraining.Summary sum = ForecastTraining.run(s, dir, LmCommand.commandLine(spec), System.err);
      System.out.printf("run directory:         %s%n", sum.runDir());
      System.out.printf(Locale.ROOT, "mean rmse (%d folds):  %.3f  (mae %.3f, mase %.3f)%n", sum.result().folds().size(),
          sum.result().meanRmse(), sum.result().meanMae(), sum.result().meanMase());
      System.out.printf(Locale.ROOT, "persistence rmse:      %.3f%nseasonal naive rmse:   %.3f%n",
          sum.result().meanPersistenceRmse(), sum.result().meanSeasonalRmse());
      return 0;
    }
  }

  /** --model and an optional --csv: the loaded model and the series it reads. */
  static final class Input {
    @Mixin
    ModelOption model;
    @Option(names = "--csv", paramLabel = "FILE", description = "Series to read (default: the model's forecast.csv), with the model's column names.")
    Path csv;

    ForecastTraining.Loaded loaded;
    TimeSeries series;

    void load() throws java.io.IOException {
      loaded = ForecastTraining.load(model.archive());
      Threads.set(Math.max(1, loaded.settings().getInt("run.threads")));
      series = ForecastTraining.series(loaded.options(), csv);
    }
  }

  @Command(name = "eval", mixinStandardHelpOptions = true,
      description = "Score a trained model (RMSE, MAE, MASE, with both baselines) on every window from --from on; prints one JSON line.")
  static final class Eval implements Callable<Integer> {
    @Mixin
    Input in;
    @Option(names = "--json", description = "Print one JSON object of the metrics (the default output already is one).")
    boolean json;
    @Option(names = "--from", paramLabel = "DATE|STEP", description = "First origin, a date label of the series or a 0-based step (default: the first step after the model's training data).")
    String from;

    @Override
    public Integer call() throws Exception {
      in.load();
      int start;
      if (from == null) {
        start = in.loaded.trained().origin();
        if (start > in.series.length() - in.loaded.options().horizon()) {
          throw new IllegalArgumentException(in.series.source() + " has no complete window after the model's training"
              + " data (it was trained through step " + start + " of this series): pass a newer series with --csv, or"
              + " --from DATE to score windows it was trained on (in-sample)");
        }
      } else {
        int i = in.series.dates().indexOf(from);
        try {
          start = i >= 0 ? i : Integer.parseInt(from);
        } catch (NumberFormatException e) {
          throw new IllegalArgumentException("--from " + from + ": neither a date label of " + in.series.source()
              + " nor a step number; pass e.g. --from " + in.series.dates().get(in.series.length() / 2));
        }
      }
      Map<String, Object> m = ForecastTraining.evaluate(in.loaded, in.series, start);
      if (start < in.loaded.trained().origin()) {
        System.err.println("seqspark: warning: windows before step " + in.loaded.trained().origin()
            + " were seen in training; these scores are in-sample");
      }
      System.out.println(Json.write(m));
      return 0;
    }
  }

  @Command(name = "predict", mixinStandardHelpOptions = true,
      description = "Forecast the forecast.horizon steps after the end of the series: one line per step (+k, value).")
  static final class Predict implements Callable<Integer> {
    @Mixin
    Input in;

    @Override
    public Integer call() throws Exception {
      in.load();
      double[] f = ForecastTraining.predictNext(in.loaded, in.series);
      System.out.printf("# %s after %s (%s), %d steps%n", in.series.columns().get(0),
          in.series.dates().get(in.series.length() - 1), in.series.source(), f.length);
      for (int k = 0; k < f.length; k++) {
        System.out.printf(Locale.ROOT, "+%d\t%.4f%n", k + 1, f[k]);
      }
      return 0;
    }
  }
}
