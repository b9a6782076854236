package io.seqspark.core.task;

import io.seqspark.core.config.ConfigException;
import io.seqspark.core.config.Settings;
import io.seqspark.core.data.Vocabulary;
import io.seqspark.core.io.AtomicFiles;
import io.seqspark.core.io.DirectoryStore;
import io.seqspark.core.io.HtmlReport;
import io.seqspark.core.io.LocalDirectoryStore;
import io.seqspark.core.io.Manifest;
import io.seqspark.core.io.MetricsLog;
import io.seqspark.core.io.ModelArchive;
import io.seqspark.core.io.Progress;
import io.seqspark.core.io.RunDirectory;
import io.seqspark.core.nn.Embedding;
import io.seqspark.core.train.BatchSource;
import io.seqspark.core.train.Checkpoints;
import io.seqspark.core.train.Position;
import io.seqspark.core.train.StepStats;
import io.seqspark.core.train.TrainStep;
import io.seqspark.core.train.Trainable;
import io.seqspark.core.train.Trainer;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * The training driver every model family shares ({@code lm train}, {@code classify train}, ...): writes the run
 * directory (resolved config, vocabulary, manifest, metrics.jsonl, report.html, checkpoints, model.zip), resumes
 * from the latest checkpoint, and drives a {@link Loop} (local or Spark) with a progress reporter. What differs per
 * family (data, model, metric names, the final test evaluation) is its {@link Family}.
 */
public final class TrainingRun {
  private TrainingRun() {
  }

  /** What a model family contributes to a run. */
  public interface Family<D extends TrainingData, M extends Trainable> {
    /** The command, for the report title: "lm train", "classify train". */
    String command();

    /** Loads the splits; on resume {@code existing} is the run's saved vocabulary (else null: build it). */
    D load(Settings s, Vocabulary existing) throws IOException;

    /** Family-specific manifest entries known before training (e.g. the class labels). */
    default void describe(Manifest manifest, D data) {
    }

    M model(Settings s, D data);

    TrainStep step(Settings s, M model);

    /** The model's token embedding, which {@code model.embedding.pretrained} initialises; null if it has none. */
    default Embedding embedding(M model) {
      return null;
    }

    /** The opening log line after the run id: model, sizes, data. */
    String summary(Settings s, D data, M model);

    /** What the loss is counted over ({@link StepStats#tokens()}): "tokens" or "examples"; names the rate metric. */
    default String unit() {
      return "tokens";
    }

    /** Metrics of a loss sum, keys prefixed by {@code split} (e.g. train_loss, train_ppl). */
    Map<String, Object> lossMetrics(String split, StepStats stats);

    /** Extra metrics of a validation split after each epoch (e.g. accuracy); none by default. */
    default Map<String, Object> splitMetrics(D data, M model, BatchSource split, String prefix) {
      return Map.of();
    }

    /**
     * After training: evaluate the test split etc. Metrics go to {@code metrics}; the returned entries go to the
     * manifest and the outcome. {@code lastValid} holds the last epoch's validation metrics (empty if none).
     */
    Map<String, Object> finish(Settings s, D data, M model, Map<String, Object> lastValid, Metrics metrics)
        throws IOException;
  }

  /** Where {@link Family#finish} records metrics and log lines. */
  public interface Metrics {
    void log(Map<String, Object> record) throws IOException;

    void print(String line);

    long step();
  }

  /**
   * How the training step is driven over the data: the local {@link Trainer}, or Spark's parameter averaging (in the
   * spark module; core has no Spark). Either way the same TrainStep, run directory, metrics and checkpoints.
   */
  public interface Loop<D extends TrainingData> {
    /** Trains from {@code start}; reports through {@code listener}; returns where it stopped. */
    Position run(TrainStep step, D data, Settings s, Trainer.Options options, Checkpoints checkpoints, Position start,
                 Trainer.Listener listener);

    /** Listener steps over the whole run (for the ETA); 0 if unknown. */
    default long totalSteps(D data, Settings s, int epochs) {
      long total = 0;
      for (int e = 1; e <= epochs; e++) {
        total += data.train().numBatches(e);
      }
      return total;
    }

    /** For the manifest: "local", "spark local[2]", ... */
    String name();

    /**
     * Where checkpoints go: {@code run.checkpointDir}, or the run directory's {@code checkpoints/} when it is empty. The
     * local loop writes local paths only; the Spark loop writes any Hadoop file system path.
     */
    default DirectoryStore checkpointStore(Settings s, RunDirectory run) {
      String dir = s.getString("run.checkpointDir");
      if (dir.isEmpty()) {
        return new LocalDirectoryStore(run.checkpointsDir());
      }
      java.net.URI uri = java.net.URI.create(dir);
      if (uri.getScheme() != null && !uri.getScheme().equals("file")) {
        throw new ConfigException(List.of("run.checkpointDir = " + dir + ": a local training run writes checkpoints"
            + " to local paths only; train with --master (e.g. --master local[*]) to write them to " + uri.getScheme()
            + "://, or give a local directory"));
      }
      return new LocalDirectoryStore(uri.getScheme() == null ? Path.of(dir) : Path.of(uri));
    }
  }

  /** The local loop. */
  public static <D extends TrainingData> Loop<D> local() {
    return new Loop<>() {
      @Override
      public Position run(TrainStep step, D data, Settings s, Trainer.Options options, Checkpoints checkpoints,
                          Position start, Trainer.Listener listener) {
        return new Trainer(step, data.train(), data.valid(), options, checkpoints, listener).run(start);
      }

      @Override
      public String name() {
        return "local";
      }
    };
  }

  /**
   * The outcome of a run.
   *
   * @param lastValid      the last epoch's validation metrics (empty without a validation split)
   * @param results        what {@link Family#finish} returned
   * @param unitsPerSecond training throughput in the family's {@link Family#unit()}
   */
  public record Outcome(Path runDir, long steps, double seconds, double unitsPerSecond, Map<String, Object> lastValid,
                        Map<String, Object> results) {
  }

  public static <D extends TrainingData, M extends Trainable> Outcome run(Family<D, M> family, Settings s, RunDirectory run,
      boolean resume, List<String> commandLine, PrintStream log, Loop<? super D> loop) throws IOException {
    long t0 = System.nanoTime();
    if (!resume) {
      AtomicFiles.writeString(run.configFile(), s.render());
    }
    Path vocabFile = run.dir().resolve("vocab.tsv");
    Vocabulary existing = resume && Files.exists(vocabFile) ? Vocabulary.load(vocabFile) : null;
    D data = family.load(s, existing);
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
    family.describe(manifest, data);
    manifest.write(run.manifestFile());

    M model = family.model(s, data);
    Embedding embedding = family.embedding(model);
    int oov = resume || embedding == null ? -1 : LanguageModelTask.initEmbedding(s, embedding, vocab);
    if (oov >= 0) {
      log.printf("[%s] embedding initialised from %s: %,d of %,d words had no vector (OOV)%s%n", run.runId(),
          s.getPath("model.embedding.pretrained"), oov, vocab.size() - Vocabulary.SPECIALS.size(),
          embedding.frozen() ? "; frozen" : "");
      manifest.put("embeddingPretrainedOov", oov);
      manifest.write(run.manifestFile());
    }
    TrainStep step = family.step(s, model);
    Checkpoints checkpoints = new Checkpoints(loop.checkpointStore(s, run), s.getInt("run.keepCheckpoints"));
    Position start = Position.start();
    if (resume) {
      start = checkpoints.latest().map(c -> checkpoints.restore(c, step)).orElse(Position.start());
      log.printf("[%s] resuming at epoch %d batch %d (step %d)%n", run.runId(), start.epoch(), start.batch(), start.step());
    }
    log.printf("[%s] %s%n", run.runId(), family.summary(s, data, model));

    Trainer.Options opts = LanguageModelTask.trainerOptions(s);
    long totalSteps = loop.totalSteps(data, s, opts.epochs());
    if (opts.maxSteps() > 0) {
      totalSteps = Math.min(totalSteps, opts.maxSteps());
    }
    String title = "seqspark " + family.command() + " " + run.runId();
    try (MetricsLog metrics = MetricsLog.open(run.metricsFile())) {
      Reporter<D, M> reporter = new Reporter<>(family, data, model, run, metrics, log, s, start.step(), totalSteps,
          opts.epochs(), title);
      Position end = loop.run(step, data, s, opts, checkpoints, start, reporter);
      Metrics sink = new Metrics() {
        @Override
        public void log(Map<String, Object> record) throws IOException {
          metrics.log(record);
        }

        @Override
        public void print(String line) {
          log.printf("[%s] %s%n", run.runId(), line);
        }

        @Override
        public long step() {
          return end.step();
        }
      };
      Map<String, Object> results = family.finish(s, data, model, reporter.lastValid, sink);
      double seconds = (System.nanoTime() - t0) / 1e9;
      results.forEach(manifest::put);
      String unit = family.unit();
      manifest.put("steps", end.step()).put("seconds", seconds)
          .put("train" + Character.toUpperCase(unit.charAt(0)) + unit.substring(1) + "PerSecond", reporter.overallRate())
          .finish();
      manifest.write(run.manifestFile());
      ModelArchive.write(run.modelFile(), s, vocab, model.params(), manifest.toMap());
      HtmlReport.write(run.reportFile(), MetricsLog.read(run.metricsFile()), title);
      return new Outcome(run.dir(), end.step(), seconds, reporter.overallRate(), reporter.lastValid, results);
    }
  }

  /** NaN as JSON null. */
  public static Object nanToNull(double v) {
    return Double.isNaN(v) ? null : v;
  }

  /** Progress lines on the log, metrics.jsonl and report.html. */
  private static final class Reporter<D extends TrainingData, M extends Trainable> implements Trainer.Listener {
    private final Family<D, M> family;
    private final D data;
    private final M model;
    private final RunDirectory run;
    private final MetricsLog metrics;
    private final PrintStream log;
    private final double every;
    private final long totalSteps;
    private final int epochs;
    private final String title;
    private final Progress progress;
    private StepStats window = StepStats.ZERO;
    private double windowNorm;
    private int windowSteps;
    private long windowStart = System.nanoTime();
    private long allUnits;
    private double allSeconds;
    Map<String, Object> lastValid = new LinkedHashMap<>();

    Reporter(Family<D, M> family, D data, M model, RunDirectory run, MetricsLog metrics, PrintStream log,
             Settings s, long firstStep, long totalSteps, int epochs, String title) {
      this.family = family;
      this.data = data;
      this.model = model;
      this.run = run;
      this.metrics = metrics;
      this.log = log;
      this.every = s.getDouble("run.logEverySeconds");
      this.totalSteps = totalSteps;
      this.epochs = epochs;
      this.title = title;
      this.progress = new Progress(run.runId(), firstStep, System::nanoTime);
    }

    double overallRate() {
      return allSeconds == 0 ? Double.NaN : allUnits / allSeconds;
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
      double rate = window.tokens() / secs;
      allUnits += window.tokens();
      allSeconds += secs;
      log.println(progress.line(epoch, epochs, step, totalSteps, rate, window.meanLoss(), lr));
      Map<String, Object> m = new LinkedHashMap<>();
      m.put("step", step);
      m.put("epoch", epoch);
      m.putAll(family.lossMetrics("train", window));
      m.put(family.unit() + "_per_s", rate);
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
    public void onEpoch(int epoch, long step, double lr, StepStats train, StepStats validStats) {
      flush(epoch, step, lr);
      Map<String, Object> m = new LinkedHashMap<>();
      m.put("step", step);
      m.put("epoch", epoch);
      m.putAll(family.lossMetrics("epoch_train", train));
      m.put("padding_ratio", train.paddingRatio());
      StringBuilder line = new StringBuilder(String.format(Locale.ROOT, "[%s] epoch %d done: train loss %.4f", run.runId(),
          epoch, train.meanLoss()));
      if (validStats != null) {
        lastValid = new LinkedHashMap<>(family.lossMetrics("valid", validStats));
        lastValid.putAll(family.splitMetrics(data, model, data.valid(), "valid"));
        m.putAll(lastValid);
        lastValid.forEach((k, v) -> line.append(", ").append(k).append(' ')
            .append(v instanceof Double d ? String.format(Locale.ROOT, "%.4f", d) : v));
      }
      write(m);
      log.println(line);
      try {
        HtmlReport.write(run.reportFile(), MetricsLog.read(run.metricsFile()), title);
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
