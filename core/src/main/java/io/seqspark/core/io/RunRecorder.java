package io.seqspark.core.io;

import io.seqspark.core.config.Settings;
import java.io.IOException;
import java.io.PrintStream;
import java.io.UncheckedIOException;
import java.nio.file.Path;
import java.time.Clock;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * What every job writes into its run directory, in one place: the resolved {@code config.conf} (once; a resumed run
 * keeps its own), {@code manifest.json} (command, family, config, inputs with hashes, seed, versions, results, end
 * time), {@code metrics.jsonl} (each record stamped with {@code elapsed_s}), {@code report.html} (rewritten on demand and
 * at the end, after the manifest is final) and the archive, plus one {@link Result}. The model families' shared driver,
 * forecasting and Word2Vec all record their runs through it.
 *
 * <p>A recording holds the run directory's {@link RunLock} from {@link #start} to {@link #close}, so a second run on
 * the same directory (the same {@code --out}, or a {@code --resume} of a run still going) is refused before it writes.
 */
public final class RunRecorder implements AutoCloseable {

  /**
   * The outcome of any run.
   *
   * @param steps          optimizer steps (or the job's own unit of progress: folds, words)
   * @param unitsPerSecond training throughput in the job's unit (tokens, examples, words)
   * @param lastValid      the kept model's validation metrics (empty if none)
   * @param results        the job's final results, also in the manifest
   */
  public record Result(Path runDir, long steps, double seconds, double unitsPerSecond, Map<String, Object> lastValid,
                       Map<String, Object> results) {
  }

  private final RunDirectory run;
  private final Manifest manifest;
  private MetricsLog metrics;
  /** Wall seconds the run had spent before the checkpoint it resumed from ({@link #resumedAt}). */
  private double elapsedBefore;
  private final PrintStream log;
  private final String title;
  private final RunLock lock;
  private final long t0 = System.nanoTime();
  private List<HtmlReport.Figure> figures = List.of();

  private RunRecorder(RunDirectory run, Manifest manifest, MetricsLog metrics, PrintStream log, String title,
                      RunLock lock) {
    this.run = run;
    this.lock = lock;
    this.manifest = manifest;
    this.metrics = metrics;
    this.log = log;
    this.title = title;
  }

  /**
   * Opens the recording of {@code command} ("lm train", "forecast train") in {@code run}: takes the directory's
   * {@link RunLock}, writes config.conf unless resuming, starts the manifest (family, command, config, seed) and opens
   * metrics.jsonl for appending.
   *
   * @throws IllegalStateException if another live run holds the directory's lock
   */
  public static RunRecorder start(RunDirectory run, Settings s, boolean resume, String family, String command,
                                  List<String> commandLine, PrintStream log) throws IOException {
    return start(run, s, resume, family, command, List.of("run", "data", "model", "train", "eval", "spark", family),
        commandLine, log);
  }

  /**
   * As {@link #start(RunDirectory, Settings, boolean, String, String, List, PrintStream)}, naming the config sections
   * the job reads (the report shows those and folds the others away); the top-level keys (seed) always show.
   */
  public static RunRecorder start(RunDirectory run, Settings s, boolean resume, String family, String command,
                                  List<String> configSections, List<String> commandLine, PrintStream log)
      throws IOException {
    RunLock lock = RunLock.acquire(run.dir(), "seqspark " + command,
        line -> log.printf("[%s] %s%n", run.runId(), line));
    try {
      if (!resume) {
        AtomicFiles.writeString(run.configFile(), s.render());
      }
      Manifest m = Manifest.start(run.runId(), commandLine, Clock.systemUTC()).config(s);
      List<String> sections = new java.util.ArrayList<>(List.of(""));
      sections.addAll(configSections);
      m.put("family", family).put("command", command).put("configSections", sections).put("resumed", resume);
      return new RunRecorder(run, m, MetricsLog.open(run.metricsFile()), log, "seqspark " + command + " " + run.runId(),
          lock);
    } catch (IOException | RuntimeException e) {
      lock.close();
      throw e;
    }
  }

  public RunDirectory run() {
    return run;
  }

  /** The manifest being built; {@link #writeManifest()} publishes it. */
  public Manifest manifest() {
    return manifest;
  }

  /** Records an input file (size, modification time, content hash) under {@code role}. */
  public RunRecorder input(String role, Path file) throws IOException {
    manifest.input(role, file);
    return this;
  }

  /** Writes manifest.json as it stands (atomically). */
  public void writeManifest() throws IOException {
    manifest.write(run.manifestFile());
  }

  /** Appends one metrics record, stamped with the seconds since the recording started. */
  public void metric(Map<String, Object> record) {
    Map<String, Object> m = new LinkedHashMap<>(record);
    m.putIfAbsent("elapsed_s", Math.round((elapsedBefore + seconds()) * 10) / 10.0);
    try {
      metrics.log(m);
    } catch (IOException e) {
      throw new UncheckedIOException("could not append to " + metrics.file(), e);
    }
  }

  /**
   * Tells the recording that training resumed from the checkpoint at {@code step}: metrics.jsonl loses the records the
   * interrupted process wrote after that checkpoint ({@link MetricsLog#rewind}), and {@code elapsed_s} continues from
   * the checkpoint's, so the log of a resumed run reads as an uninterrupted run's. The manifest records both.
   */
  public synchronized void resumedAt(long step) throws IOException {
    metrics.close();
    elapsedBefore = MetricsLog.rewind(run.metricsFile(), step);
    metrics = MetricsLog.open(run.metricsFile());
    manifest.put("resumedAtStep", step).put("elapsedBeforeResumeSeconds", elapsedBefore);
  }

  /** Wall seconds the run had spent before the checkpoint it resumed from; 0 for a new run. */
  public synchronized double elapsedBefore() {
    return elapsedBefore;
  }

  /** A log line prefixed with the run id. */
  public void print(String line) {
    log.printf("[%s] %s%n", run.runId(), line);
  }

  /** Figures the report shows beside its metric charts (e.g. forecasts against actuals). */
  public void figures(List<HtmlReport.Figure> figures) {
    this.figures = List.copyOf(figures);
  }

  /** Rewrites report.html from what is recorded so far; a failure is logged, never fatal (it is a view). */
  public void report() {
    try {
      HtmlReport.writeRun(run.dir(), title, figures);
    } catch (IOException | UncheckedIOException e) {
      print("could not update report.html: " + e.getMessage());
    }
  }

  /** Seconds since the recording started. */
  public double seconds() {
    return (System.nanoTime() - t0) / 1e9;
  }

  /**
   * Ends the run: puts {@code results}, the step count, the wall time and the throughput (manifest key
   * {@code train<Unit>PerSecond}) into the manifest, stamps its end time, writes it, then the final report.
   */
  public Result finish(long steps, String unit, double unitsPerSecond, Map<String, Object> lastValid,
                       Map<String, Object> results) throws IOException {
    double seconds = seconds();
    results.forEach(manifest::put);
    manifest.put("steps", steps).put("seconds", seconds)
        .put("train" + Character.toUpperCase(unit.charAt(0)) + unit.substring(1) + "PerSecond", unitsPerSecond).finish();
    writeManifest();
    metrics.close();
    report();
    return new Result(run.dir(), steps, seconds, unitsPerSecond, lastValid, results);
  }

  /** Closes metrics.jsonl and releases the run directory's lock. */
  @Override
  public void close() throws IOException {
    try {
      metrics.close();
    } finally {
      lock.close();
    }
  }
}
