package io.seqspark.core.task;

import io.seqspark.core.config.Settings;
import io.seqspark.core.data.Vocabulary;
import io.seqspark.core.decode.Sampler;
import io.seqspark.core.io.AtomicFiles;
import io.seqspark.core.io.HtmlReport;
import io.seqspark.core.io.Manifest;
import io.seqspark.core.io.MetricsLog;
import io.seqspark.core.io.ModelArchive;
import io.seqspark.core.io.Progress;
import io.seqspark.core.io.RunDirectory;
import io.seqspark.core.model.LanguageModel;
import io.seqspark.core.train.Checkpoints;
import io.seqspark.core.train.Evaluation;
import io.seqspark.core.train.Position;
import io.seqspark.core.train.StepStats;
import io.seqspark.core.train.TrainStep;
import io.seqspark.core.train.Trainer;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * {@code lm train} on one machine: a run directory with the resolved config, manifest, metrics, report,
 * checkpoints and model archive, around {@link Trainer}. Resuming continues from the run's latest checkpoint.
 */
public final class LanguageModelTraining {

  /** The outcome; perplexities are NaN where the split is not configured. */
  public record Summary(Path runDir, double validPerplexity, double testPerplexity, long steps, double seconds,
                        double tokensPerSecond, List<String> samples) {
  }

  private LanguageModelTraining() {
  }

  /**
   * How the training step is driven over the data: the local {@link Trainer}, or Spark's parameter averaging (in the
   * spark module; core has no Spark). Either way the same TrainStep, run directory, metrics and checkpoints.
   */
  public interface Loop {
    /** Trains from {@code start}; reports through {@code listener}; returns where it stopped. */
    Position run(TrainStep step, LanguageModelTask.Data data, Settings s, Trainer.Options options, Checkpoints checkpoints,
                 Position start, Trainer.Listener listener);

    /** Listener steps over the whole run (for the ETA); 0 if unknown. */
    default long totalSteps(LanguageModelTask.Data data, Settings s, int epochs) {
      long total = 0;
      for (int e = 1; e <= epochs; e++) {
        total += data.train().numBatches(e);
      }
      return total;
    }

    /** For the manifest: "local", "spark local[2]", ... */
    String name();

    /** The local loop. */
    Loop LOCAL = new Loop() {
      @Override
      public Position run(TrainStep step, LanguageModelTask.Data data, Settings s, Trainer.Options options,
                          Checkpoints checkpoints, Position start, Trainer.Listener listener) {
        return new Trainer(step, data.train(), data.valid(), options, checkpoints, listener).run(start);
      }

      @Override
      public String name() {
        return "local";
      }
    };
  }

  public static Summary run(Settings s, RunDirectory run, boolean resume, List<String> commandLine, PrintStream log)
      throws IOException {
    return run(s, run, resume, commandLine, log, Loop.LOCAL);
  }

  public static Summary run(Settings s, RunDirectory run, boolean resume, List<String> commandLine, PrintStream log,
                            Loop loop) throws IOException {
    long t0 = System.nanoTime();
    if (!resume) {
      AtomicFiles.writeString(run.configFile(), s.render());
    }
    Path vocabFile = run.dir().resolve("vocab.tsv");
    Vocabulary existing = resume && Files.exists(vocabFile) ? Vocabulary.load(vocabFile) : null;
    LanguageModelTask.Data data = LanguageModelTask.load(s, existing);
    Vocabulary vocab = data.vocabulary();
    if (existing == null) {
      vocab.save(vocabFile);
    }
    Manifest manifest = Manifest.start(run.runId(), commandLine, Clock.systemUTC()).config(s)
        .input("train", s.getPath("data.train"));
    for (String split : new String[] {"valid", "test"}) {
      if (s.getPath("data." + split) != null) {
        manifest.input(split, s.getPath("data." + split));
      }
    }
    manifest.put("vocabularySize", vocab.size()).put("vocabularyHash", vocab.contentHash()).put("resumed", resume)
        .put("trainer", loop.name());
    manifest.write(run.manifestFile());

    LanguageModel model = LanguageModelTask.model(s, vocab.size());
    TrainStep step = LanguageModelTask.step(s, model);
    Checkpoints checkpoints = new Checkpoints(run.checkpointsDir(), s.getInt("run.keepCheckpoints"));
    Position start = Position.start();
    if (resume) {
      start = checkpoints.latest().map(c -> Checkpoints.restore(c, step)).orElse(Position.start());
      log.printf("[%s] resuming at epoch %d batch %d (step %d)%n", run.runId(), start.epoch(), start.batch(), start.step());
    }
    log.printf("[%s] %s: vocabulary %,d, %,d parameters, %,d training tokens per epoch%s%s%n", run.runId(),
        s.getString("model.cell"), vocab.size(), model.params().size(), data.train().tokens(1),
        data.train().carriesState() ? "" : String.format(", padding ratio %.3f", data.trainPaddingRatio()),
        model.receptiveField().isPresent() ? String.format(", receptive field %d tokens", model.receptiveField().getAsInt()) : "");
    if (model.receptiveField().isPresent()) {
      manifest.put("receptiveField", model.receptiveField().getAsInt());
      manifest.write(run.manifestFile());
    }

    Trainer.Options opts = LanguageModelTask.trainerOptions(s);
    long totalSteps = loop.totalSteps(data, s, opts.epochs());
    if (opts.maxSteps() > 0) {
      totalSteps = Math.min(totalSteps, opts.maxSteps());
    }
    Reporter reporter;
    Position end;
    try (MetricsLog metrics = MetricsLog.open(run.metricsFile())) {
      reporter = new Reporter(run, metrics, log, s, start.step(), totalSteps, opts.epochs());
      end = loop.run(step, data, s, opts, checkpoints, start, reporter);
      double test = Double.NaN;
      if (data.test() != null) {
        test = Evaluation.run(model, data.test()).perplexity();
        metrics.log(Map.of("step", end.step(), "test_ppl", test));
        log.printf("[%s] test perplexity %.2f%n", run.runId(), test);
      }
      List<String> samples = new ArrayList<>();
      int n = s.getInt("eval.generate");
      if (n > 0) {
        for (List<String> sentence : Sampler.generate(model, vocab, LanguageModelTask.sentenceStart(s), n, s.getInt("eval.maxGenerateLength"),
            s.getDouble("eval.temperature"), s.getLong("seed"))) {
          samples.add(String.join(" ", sentence));
        }
      }
      double seconds = (System.nanoTime() - t0) / 1e9;
      manifest.put("validPerplexity", nanToNull(reporter.lastValidPpl)).put("testPerplexity", nanToNull(test))
          .put("validBitsPerToken", nanToNull(log2(reporter.lastValidPpl))).put("testBitsPerToken", nanToNull(log2(test)))
          .put("steps", end.step()).put("seconds", seconds).put("trainTokensPerSecond", reporter.overallTokensPerSecond())
          .put("samples", samples).finish();
      manifest.write(run.manifestFile());
      ModelArchive.write(run.modelFile(), s, vocab, model.params(), manifest.toMap());
      HtmlReport.write(run.reportFile(), MetricsLog.read(run.metricsFile()), "seqspark lm train " + run.runId());
      return new Summary(run.dir(), reporter.lastValidPpl, test, end.step(), seconds, reporter.overallTokensPerSecond(),
          samples);
    }
  }

  /** Bits per token (per character for a char model) = log2(perplexity) = mean loss in nats / ln 2. */
  private static double log2(double perplexity) {
    return Math.log(perplexity) / Math.log(2);
  }

  private static Object nanToNull(double v) {
    return Double.isNaN(v) ? null : v;
  }

  /** Progress lines on stderr, metrics.jsonl and report.html. */
  private static final class Reporter implements Trainer.Listener {
    private final RunDirectory run;
    private final MetricsLog metrics;
    private final PrintStream log;
    private final double every;
    private final long totalSteps;
    private final int epochs;
    private final Progress progress;
    private StepStats window = StepStats.ZERO;
    private double windowNorm;
    private int windowSteps;
    private long windowStart = System.nanoTime();
    private long allTokens;
    private double allSeconds;
    double lastValidPpl = Double.NaN;

    Reporter(RunDirectory run, MetricsLog metrics, PrintStream log, Settings s, long firstStep, long totalSteps, int epochs) {
      this.run = run;
      this.metrics = metrics;
      this.log = log;
      this.every = s.getDouble("run.logEverySeconds");
      this.totalSteps = totalSteps;
      this.epochs = epochs;
      this.progress = new Progress(run.runId(), firstStep, System::nanoTime);
    }

    double overallTokensPerSecond() {
      return allSeconds == 0 ? Double.NaN : allTokens / allSeconds;
    }

    @Override
    public void onStep(int epoch, int batch, int batchesInEpoch, long step, double lr, TrainStep.Result r) {
      window = window.plus(r.stats());
      windowNorm += r.gradNorm();
      windowSteps++;
      if (progress.due(every) || step == totalSteps) {
        flush(epoch, step, lr);
      }
    }

    private void flush(int epoch, long step, double lr) {
      if (windowSteps == 0) {
        return;
      }
      double secs = (System.nanoTime() - windowStart) / 1e9;
      double tps = window.tokens() / secs;
      allTokens += window.tokens();
      allSeconds += secs;
      log.println(progress.line(epoch, epochs, step, totalSteps, tps, window.meanLoss(), lr));
      Map<String, Object> m = new LinkedHashMap<>();
      m.put("step", step);
      m.put("epoch", epoch);
      m.put("train_loss", window.meanLoss());
      m.put("train_ppl", window.perplexity());
      m.put("tokens_per_s", tps);
      m.put("lr", lr);
      if (!Double.isNaN(windowNorm)) {
        m.put("grad_norm", windowNorm / windowSteps);
      }
      write(m);
      window = StepStats.ZERO;
      windowNorm = 0;
      windowSteps = 0;
      windowStart = System.nanoTime();
    }

    @Override
    public void onEpoch(int epoch, long step, double lr, StepStats train, StepStats valid) {
      flush(epoch, step, lr);
      Map<String, Object> m = new LinkedHashMap<>();
      m.put("step", step);
      m.put("epoch", epoch);
      m.put("epoch_train_ppl", train.perplexity());
      m.put("padding_ratio", train.paddingRatio());
      if (valid != null) {
        lastValidPpl = valid.perplexity();
        m.put("valid_loss", valid.meanLoss());
        m.put("valid_ppl", lastValidPpl);
      }
      write(m);
      log.printf("[%s] epoch %d done: train perplexity %.2f%s%n", run.runId(), epoch, train.perplexity(),
          valid == null ? "" : String.format(", valid perplexity %.2f", lastValidPpl));
      try {
        HtmlReport.write(run.reportFile(), MetricsLog.read(run.metricsFile()), "seqspark lm train " + run.runId());
      } catch (IOException e) {
        log.println("[" + run.runId() + "] could not update report.html: " + e.getMessage());
      }
      windowStart = System.nanoTime();
    }

    private void write(Map<String, Object> m) {
      m.put("elapsed_s", Math.round(progress.elapsed().toMillis() / 100.0) / 10.0);
      try {
        metrics.log(m);
      } catch (IOException e) {
        throw new java.io.UncheckedIOException("could not append to " + metrics.file(), e);
      }
    }
  }
}
