package io.seqspark.jobs;

import io.seqspark.core.config.Settings;
import io.seqspark.core.io.Json;
import io.seqspark.core.io.RunDirectory;
import io.seqspark.core.task.Families;
import io.seqspark.core.task.Family;
import io.seqspark.core.task.TrainingRun;
import io.seqspark.spark.train.SparkTrainingLoop;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/**
 * What every model family's {@code train} and {@code eval} commands share, for any family in the {@link Families}
 * registry: a family's command classes only name the family (and add what is theirs, e.g. {@code lm generate}).
 */
final class FamilyCommands {
  private FamilyCommands() {
  }

  /** Validates the data, creates the run directory, trains locally or on Spark (--master) through the shared driver. */
  static io.seqspark.core.io.RunRecorder.Result train(Family<?, ?, ?> family, RunOptions run, Settings s, String job,
                                   picocli.CommandLine.Model.CommandSpec spec) throws Exception {
    // with --master, an ingest output given as a URI (hdfs://, s3a://) is checked by the Spark trainer through Hadoop
    if (run.master() == null || !family.readsShards() || !TrainingRun.isUri(s.getString("data.train"))) {
      family.checkInputs(s);
    }
    RunDirectory dir = run.runDirectory(job, s);
    if (run.resuming()) {
      requireSameTrainer(dir.dir(), run.master());
    }
    return run.withSpark("seqspark " + job + " " + dir.runId(), sc -> TrainingRun.run(family, s, dir, run.resuming(),
        commandLine(spec), System.err, sc == null ? TrainingRun.local() : new SparkTrainingLoop(sc)));
  }

  /**
   * A run resumes on the trainer it started on: a Spark run's checkpoint holds each partition's position and state,
   * which the local trainer would silently misread (and the other way round), so a mismatch is refused with the fix.
   */
  static void requireSameTrainer(Path runDir, String master) throws java.io.IOException {
    Path manifest = runDir.resolve("manifest.json");
    if (!java.nio.file.Files.exists(manifest)) {
      return;
    }
    Object trainer = io.seqspark.core.io.Json.readMap(java.nio.file.Files.readString(manifest)).get("trainer");
    if (!(trainer instanceof String t)) {
      return;
    }
    boolean wasSpark = t.startsWith("spark");
    if (wasSpark && master == null) {
      throw new IllegalArgumentException("--resume " + runDir + ": the run trained on Spark (" + t + "), and its"
          + " checkpoints hold each partition's position; resume it on Spark too: add --master (e.g. the "
          + t.substring("spark ".length(), t.indexOf(',') > 0 ? t.indexOf(',') : t.length()) + " it used)");
    }
    if (!wasSpark && master != null) {
      throw new IllegalArgumentException("--resume " + runDir + ": the run trained with the local trainer, and its"
          + " checkpoints hold one model's position; resume it locally: drop --master " + master);
    }
  }

  static List<String> commandLine(picocli.CommandLine.Model.CommandSpec spec) {
    List<String> cmd = new ArrayList<>();
    cmd.add(spec.qualifiedName());
    cmd.addAll(spec.commandLine().getParseResult().originalArgs());
    return cmd;
  }

  /** The lines of {@code file}, or of standard input when it is null (UTF-8): what predict/translate commands read. */
  static List<String> lines(Path file) throws java.io.IOException {
    List<String> out = new ArrayList<>();
    try (java.io.BufferedReader in = file != null ? java.nio.file.Files.newBufferedReader(file,
        java.nio.charset.StandardCharsets.UTF_8) : new java.io.BufferedReader(new java.io.InputStreamReader(System.in,
        java.nio.charset.StandardCharsets.UTF_8))) {
      for (String line = in.readLine(); line != null; line = in.readLine()) {
        out.add(line);
      }
    }
    return out;
  }

  /** Prints an outcome's metrics that start with one of {@code prefixes}, one per line. */
  static void printMetrics(Map<String, Object> metrics, String... prefixes) {
    metrics.forEach((k, v) -> {
      for (String p : prefixes) {
        if (v instanceof Double d && k.startsWith(p)) {
          System.out.printf(Locale.ROOT, "%-20s%.4f%n", k + ":", d);
          return;
        }
      }
    });
  }

  /** {@code <family> train}: a family's command class extends this and names its family. */
  abstract static class Train implements Callable<Integer> {
    @Mixin
    RunOptions run;
    @picocli.CommandLine.Spec
    picocli.CommandLine.Model.CommandSpec spec;

    abstract Family<?, ?, ?> family();

    /** Checks a family can make of the settings before anything is written (e.g. the architecture's rules). */
    void check(Settings s) {
    }

    @Override
    public Integer call() throws Exception {
      Settings s = run.settings(List.of());
      check(s);
      io.seqspark.core.io.RunRecorder.Result o = train(family(), run, s, family().name(), spec);
      System.out.printf("run directory:      %s%n", o.runDir());
      printMetrics(o.results(), "valid_", "test_");
      System.out.printf("steps:              %,d in %.1f s (%,.0f training %s/s)%n", o.steps(), o.seconds(),
          o.unitsPerSecond(), family().unit());
      return 0;
    }
  }

  /** {@code <family> eval --model RUN [FILE] [--json]}: a family's command class extends this and names its family. */
  abstract static class Eval implements Callable<Integer> {
    @Mixin
    ModelOption model;
    @Parameters(arity = "0..1", paramLabel = "FILE",
        description = "Data to evaluate (default: the run's own test split, else its valid split).")
    Path file;
    @Option(names = "--json", description = "Print one JSON object of the metrics on stdout.")
    boolean json;

    abstract Family<?, ?, ?> family();

    /** The human-readable lines (default: one "key: value" per metric). */
    void print(Map<String, Object> metrics) {
      metrics.forEach((k, v) -> System.out.printf(Locale.ROOT, "%-20s%s%n", k + ":",
          v instanceof Double d ? String.format(Locale.ROOT, "%.4f", d) : v));
    }

    @Override
    public Integer call() throws Exception {
      Map<String, Object> m = evaluate(family(), model.archive(), file);
      if (json) {
        System.out.println(Json.write(m));
      } else {
        print(m);
      }
      return 0;
    }
  }

  @SuppressWarnings({"unchecked", "rawtypes"})
  private static Map<String, Object> evaluate(Family family, Path archive, Path file) throws java.io.IOException {
    Family.Loaded loaded = Families.load(archive, family);
    return family.evaluate(loaded, file);
  }
}
