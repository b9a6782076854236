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
import io.seqspark.core.io.RunRecorder;
import io.seqspark.core.io.RunDirectory;
import io.seqspark.core.data.Minibatch;
import io.seqspark.core.train.EpochLoop;
import io.seqspark.core.train.Evaluation;
import io.seqspark.core.train.Rounds;
import io.seqspark.core.train.Selection;
import io.seqspark.core.train.TrainSetup;
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
 * family (data, model, metric names, the final test evaluation) is its {@link Family}; how rounds run (locally, or
 * Spark's averaging) is the {@link Loop}; the epochs, budgets, validation and checkpoints are the shared
 * {@link EpochLoop}. The test split is scored, and the archive written, with the best validated parameters.
 */
public final class TrainingRun {
  private TrainingRun() {
  }

  /**
   * How the training step is driven over the data: the local rounds (one batch, one step), or Spark's parameter
   * averaging rounds (in the spark module; core has no Spark). Either way the same {@link EpochLoop}, TrainStep, run
   * directory, metrics and checkpoints.
   */
  public interface Loop {
    /** The rounds that train {@code step} (the driver's model) on {@code data}'s training split. */
    <B extends Minibatch, D extends TrainingData<B>, M extends Trainable<B>> Rounds rounds(Family<B, D, M> family,
        D data, Settings s, TrainStep<B> step);

    /** Optimizer steps over the whole run (for the ETA); 0 if unknown. */
    default long totalSteps(Family<?, ?, ?> family, TrainingData<?> data, Settings s, int epochs) {
      long total = 0;
      for (int e = 1; e <= epochs; e++) {
        total += data.train().numBatches(e);
      }
      return total;
    }

    /**
     * The training shards' vocabulary when this loop's executors read the training split from ingested shards
     * themselves (the family then loads only the other splits, {@link Family#loadWithoutTrain}); null when the
     * family loads the training split here (the local loop, text input).
     */
    default Vocabulary shardVocabulary(Family<?, ?, ?> family, Settings s) throws IOException {
      return null;
    }

    /**
     * After {@link #shardVocabulary}: the source side's vocabulary when the shards are a parallel ingest's (the
     * training vocabulary is then the target side's); null otherwise.
     */
    default Vocabulary shardSourceVocabulary() {
      return null;
    }

    /** After {@link #shardVocabulary}: the ingest output's manifest when the executors read its shards; else null. */
    default Map<String, Object> shardManifest() {
      return null;
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
  public static Loop local() {
    return new Loop() {
      @Override
      public <B extends Minibatch, D extends TrainingData<B>, M extends Trainable<B>> Rounds rounds(
          Family<B, D, M> family, D data, Settings s, TrainStep<B> step) {
        return Rounds.local(step, data.train(), s.getLong("seed"));
      }

      @Override
      public String name() {
        return "local";
      }
    };
  }

  /** Trains {@code family} in {@code run} through {@code loop}; resumes from the latest checkpoint when {@code resume}. */
  public static <B extends Minibatch, D extends TrainingData<B>, M extends Trainable<B>> RunRecorder.Result run(
      Family<B, D, M> family, Settings s, RunDirectory run, boolean resume, List<String> commandLine, PrintStream log,
      Loop loop) throws IOException {
    try (RunRecorder rec = RunRecorder.start(run, s, resume, family.name(), family.command(), commandLine, log)) {
      Path vocabFile = run.dir().resolve("vocab.tsv");
      Vocabulary existing = resume && Files.exists(vocabFile) ? Vocabulary.load(vocabFile) : null;
      Vocabulary shards = loop.shardVocabulary(family, s);
      if (shards != null && existing != null && !shards.contentHash().equals(existing.contentHash())) {
        throw new IllegalArgumentException("data.train = " + s.getString("data.train") + ": its vocabulary (hash "
            + shards.contentHash().substring(0, 12) + ") is not the run's " + vocabFile + " (hash "
            + existing.contentHash().substring(0, 12) + "); resume with the shards the run started from");
      }
      D data = shards != null ? family.loadWithoutTrain(s, shards, loop.shardSourceVocabulary(), loop.shardManifest())
          : family.load(s, existing);
      Vocabulary vocab = data.vocabulary();
      if (existing == null) {
        vocab.save(vocabFile);
      }
      Dims dims = family.dims(data);
      Map<String, String> remote = new LinkedHashMap<>();
      for (Map.Entry<String, Path> in : family.inputs(s).entrySet()) {
        // only a family reading shards on the executors names its inputs by data.* keys that may be URIs
        // (a family with two files per split names them split.side: "train.source")
        String given = shards != null ? s.getString("data." + in.getKey().split("\\.")[0]) : null;
        if (given != null && isUri(given)) {
          remote.put(in.getKey(), given); // read by the executors through Hadoop: not hashed here
        } else {
          rec.input(in.getKey(), in.getValue());
        }
      }
      if (!remote.isEmpty()) {
        rec.manifest().put("remoteInputs", remote);
      }
      Manifest manifest = rec.manifest();
      manifest.put("dims", dims.toMap()).put("vocabularySize", vocab.size()).put("vocabularyHash", vocab.contentHash())
          .put("trainer", loop.name());
      family.describe(manifest, data);
      rec.writeManifest();

      M model = family.model(s, dims);
      manifest.put("parameters", model.params().size());
      for (Family.Pretrained p : resume ? List.<Family.Pretrained>of() : family.pretrained(s, data, model)) {
        rec.print(String.format("%s initialised from %s: %,d of %,d words had no vector (OOV)%s", p.name(), p.from(),
            p.oov(), p.words(), p.frozen() ? "; frozen" : ""));
        manifest.put(p.name() + "PretrainedOov", p.oov());
      }
      rec.writeManifest();
      TrainStep<B> step = family.step(s, model);
      Checkpoints checkpoints = new Checkpoints(loop.checkpointStore(s, run), s.getInt("run.keepCheckpoints"));
      Rounds rounds = loop.rounds(family, data, s, step);
      Position start = Position.start();
      if (resume) {
        java.util.Optional<String> latest = checkpoints.latest();
        if (latest.isPresent()) {
          start = checkpoints.restore(latest.get(), step);
          rounds.importState(checkpoints.extras(latest.get()));
        }
        rec.resumedAt(start.step());
        rec.print(String.format("resuming at epoch %d batch %d (step %d)", start.epoch(), start.batch(), start.step()));
      }
      rec.print(family.summary(s, data, model));

      Trainer.Options opts = TrainSetup.loopOptions(s);
      if (resume && opts.maxSeconds() > 0) {
        // train.maxSeconds budgets the whole run: a resumed run has what its checkpoint left
        double left = opts.maxSeconds() - rec.elapsedBefore();
        rec.print(String.format("train.maxSeconds = %.0f: %.0f s spent before the checkpoint, %.0f s left%s",
            opts.maxSeconds(), rec.elapsedBefore(), Math.max(left, 0), left > 0 ? ""
                : " (the running epoch ends now; raise train.maxSeconds to train further)"));
        opts = new Trainer.Options(opts.epochs(), opts.learningRate(), opts.maxSteps(), opts.seed(),
            opts.checkpointEverySteps(), Math.max(left, Double.MIN_VALUE), opts.selection(),
            opts.validateEverySteps());
      }
      if (!opts.selection().isDefault() && data.valid() == null) {
        throw new ConfigException(List.of("train.selectBy = " + opts.selection().metric() + ", train.plateauDecay = "
            + opts.selection().plateauDecay() + ", train.earlyStopPatience = " + opts.selection().earlyStopPatience()
            + ": selecting, decaying on a plateau and stopping early all follow the validation split, and this run has"
            + " none. Set data.valid (classify may hold one out: classify.validFraction), or leave those keys at their"
            + " defaults (valid_loss, 0, 0)"));
      }
      if (model.keepsBatches() && data.train() != null && loop.name().equals("local")) {
        // before the progress clock starts: e.g. the frozen biLM's layers of every training sentence
        // (model.contextualCacheMb), kept from epoch 1's batches whether the run is fresh or resumed
        long t0 = System.nanoTime();
        rec.print(String.format("keeping what the model keeps of epoch 1's %,d batches (model.contextualCacheMb)",
            data.train().numBatches(1)));
        rounds.prepare();
        String kept = model.kept();
        rec.print(String.format("kept in %.1f s%s", (System.nanoTime() - t0) / 1e9, kept.isEmpty() ? "" : ": " + kept));
      }
      long totalSteps = loop.totalSteps(family, data, s, opts.epochs());
      if (opts.maxSteps() > 0) {
        totalSteps = Math.min(totalSteps, opts.maxSteps());
      }
      Reporter<B, D, M> reporter = new Reporter<>(family, data, model, rec, log, s, start.step(), totalSteps,
          opts.epochs());
      BatchSource<B> valid = data.valid();
      Position end;
      try {
        end = EpochLoop.withMetrics(step, rounds, valid == null ? null : () -> validation(family, data, model), opts,
            checkpoints, reporter).run(start);
      } finally {
        rounds.close();
      }
      Map<String, Object> kept = keepBest(family, data, model, step, checkpoints, reporter, log, run.runId());
      Family.Metrics sink = new Family.Metrics() {
        @Override
        public void log(Map<String, Object> record) {
          rec.metric(record);
        }

        @Override
        public void print(String line) {
          rec.print(line);
        }

        @Override
        public long step() {
          return end.step();
        }
      };
      Map<String, Object> results = family.finish(s, data, model, kept, sink);
      RunRecorder.Result r = rec.finish(end.step(), family.unit(), reporter.overallRate(), kept, results);
      Map<String, byte[]> files = family.archiveFiles(data);
      for (Map.Entry<String, byte[]> f : files.entrySet()) {
        AtomicFiles.write(run.dir().resolve(f.getKey()), os -> os.write(f.getValue()));
      }
      ModelArchive.write(run.modelFile(), s, vocab, model.params(), manifest.toMap(), files);
      return r;
    }
  }

  /** The validation loss and the family's validation metrics (valid_loss, valid_ppl, valid_bleu, ...) of the model. */
  private static <B extends Minibatch, D extends TrainingData<B>, M extends Trainable<B>> EpochLoop.Validation
      validation(Family<B, D, M> family, D data, M model) {
    StepStats v = Evaluation.run(model, data.valid());
    Map<String, Object> m = new LinkedHashMap<>(family.lossMetrics("valid", v));
    m.putAll(family.splitMetrics(data, model, data.valid(), "valid"));
    return new EpochLoop.Validation(v, m);
  }

  /**
   * Puts the best validated parameters (checkpoints/best) into {@code model} when they differ from the last epoch's,
   * so the test split is scored, and the archive written, with them; returns their validation metrics (the last
   * epoch's when it was the best, or without a validation split or a best checkpoint).
   */
  private static <B extends Minibatch, D extends TrainingData<B>, M extends Trainable<B>> Map<String, Object> keepBest(
      Family<B, D, M> family, D data, M model, TrainStep<B> step, Checkpoints checkpoints, Reporter<B, D, M> reporter,
      PrintStream log, String runId) {
    if (data.valid() == null || checkpoints == null || reporter.lastValidLoss == null
        || !checkpoints.has(Checkpoints.BEST)) {
      return reporter.lastValid;
    }
    Position best = checkpoints.peek(Checkpoints.BEST);
    if (best.step() == reporter.lastValidStep) {
      return reporter.lastValid;
    }
    checkpoints.restore(Checkpoints.BEST, step);
    EpochLoop.Validation v = validation(family, data, model);
    String by = reporter.selectBy;
    log.printf(Locale.ROOT, "[%s] keeping the best validated parameters (step %d, %s %.4f), not the last (%s %.4f)%n",
        runId, best.step(), by, v.metric(by), by, reporter.lastSelected);
    return v.metrics();
  }

  /** Whether a configured path is a URI ({@code hdfs://...}, {@code s3a://...}, {@code file:///...}). */
  public static boolean isUri(String path) {
    return path != null && path.matches("[a-zA-Z][a-zA-Z0-9+.-]*://.*");
  }

  /** NaN as JSON null. */
  public static Object nanToNull(double v) {
    return Double.isNaN(v) ? null : v;
  }

  /** Progress lines on the log, metrics.jsonl and report.html. */
  private static final class Reporter<B extends Minibatch, D extends TrainingData<B>, M extends Trainable<B>>
      implements Trainer.Listener {
    private final Family<B, D, M> family;
    private final D data;
    private final M model;
    private final RunRecorder rec;
    private final PrintStream log;
    private final double every;
    private final long totalSteps;
    private final int epochs;
    private final Progress progress;
    private StepStats window = StepStats.ZERO;
    private double windowNorm;
    private double lastLr;
    private int windowSteps;
    private long windowStart = System.nanoTime();
    private long allUnits;
    private double allSeconds;
    Map<String, Object> lastValid = new LinkedHashMap<>();
    Double lastValidLoss;
    long lastValidStep = -1;
    final String selectBy;
    double lastSelected = Double.NaN;

    Reporter(Family<B, D, M> family, D data, M model, RunRecorder rec, PrintStream log, Settings s, long firstStep,
             long totalSteps, int epochs) {
      this.family = family;
      this.data = data;
      this.model = model;
      this.rec = rec;
      this.log = log;
      this.every = s.getDouble("run.logEverySeconds");
      this.totalSteps = totalSteps;
      this.epochs = epochs;
      this.selectBy = s.getString("train.selectBy");
      this.progress = new Progress(rec.run().runId(), firstStep, System::nanoTime)
          .describing(family.unit().equals("examples") ? "ex" : "tok", family.perplexity());
    }

    double overallRate() {
      return allSeconds == 0 ? Double.NaN : allUnits / allSeconds;
    }

    @Override
    public void onStep(int epoch, int batch, int batchesInEpoch, long step, double lr, TrainStep.Result r) {
      window = window.plus(r.stats());
      lastLr = lr;
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
    public void onEpoch(int epoch, long step, double lr, StepStats train, EpochLoop.Validation valid) {
      flush(epoch, step, lr);
      Map<String, Object> m = new LinkedHashMap<>();
      m.put("step", step);
      m.put("epoch", epoch);
      m.putAll(family.lossMetrics("epoch_train", train));
      m.put("padding_ratio", train.paddingRatio());
      StringBuilder line = new StringBuilder(String.format(Locale.ROOT, "[%s] epoch %d done: train loss %.4f", rec.run().runId(),
          epoch, train.meanLoss()));
      if (valid != null) {
        lastValid = new LinkedHashMap<>(valid.metrics());
        lastValidLoss = valid.stats().meanLoss();
        lastSelected = valid.metric(selectBy);
        lastValidStep = step;
        m.putAll(lastValid);
        lastValid.forEach((k, v) -> line.append(", ").append(k).append(' ')
            .append(v instanceof Double d ? String.format(Locale.ROOT, "%.4f", d) : v));
      }
      write(m);
      log.println(line);
      rec.report();
      windowStart = System.nanoTime();
    }

    @Override
    public void onValidate(int epoch, long step, EpochLoop.Validation valid) {
      flush(epoch, step, lastLr);
      Map<String, Object> m = new LinkedHashMap<>();
      m.put("step", step);
      m.put("epoch", epoch);
      m.putAll(valid.metrics());
      write(m);
      StringBuilder line = new StringBuilder(String.format(Locale.ROOT, "[%s] step %d:", rec.run().runId(), step));
      m.forEach((k, v) -> {
        if (k.startsWith("valid")) {
          line.append(' ').append(k).append(' ').append(v instanceof Double d ? String.format(Locale.ROOT, "%.4f", d) : v);
        }
      });
      log.println(line);
      windowStart = System.nanoTime();
    }

    @Override
    public void onSelection(int epoch, long step, Selection.Rule rule, Selection.Outcome o) {
      Selection.State st = o.next();
      String why = String.format(Locale.ROOT, "%s has not improved for %d epoch%s (best %.4f)", rule.metric(),
          st.badEpochs(), st.badEpochs() == 1 ? "" : "s", st.best());
      if (o.decayed()) {
        rec.print(String.format(Locale.ROOT, "plateau: %s; learning-rate factor now %.4g (train.plateauDecay)", why,
            st.lrFactor()));
      }
      if (o.stop()) {
        rec.print("early stop after epoch " + epoch + ": " + why + " (train.earlyStopPatience = "
            + rule.earlyStopPatience() + ")");
      }
      Map<String, Object> m = new LinkedHashMap<>();
      m.put("step", step);
      m.put("epoch", epoch);
      m.put("lr_factor", st.lrFactor());
      m.put("bad_epochs", st.badEpochs());
      if (o.stop()) {
        m.put("early_stop", true);
      }
      write(m);
    }

    private void write(Map<String, Object> m) {
      rec.metric(m);
    }
  }
}
