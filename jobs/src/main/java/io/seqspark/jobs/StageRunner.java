package io.seqspark.jobs;

import io.seqspark.core.config.Settings;
import io.seqspark.core.io.Json;
import io.seqspark.core.pipeline.PipelineDirectory;
import io.seqspark.core.pipeline.Planner;
import io.seqspark.core.pipeline.StageJob;
import io.seqspark.core.pipeline.StageSpec;
import io.seqspark.core.task.Families;
import io.seqspark.core.task.Family;
import io.seqspark.core.w2v.Word2VecArchive;
import io.seqspark.core.w2v.Word2VecTraining;
import java.io.IOException;
import java.io.OutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Function;

/**
 * Runs one pipeline stage in this JVM: through the same command line a user would type ({@code seqspark lm train
 * --out ... --conf ...}, picocli on the existing commands, so a stage does exactly what the command does), with its
 * output going to the stage's temp directory and its console output copied to {@code logs/NAME-vN.log}; then
 * publishes it. Evaluations are called directly, since their result is a metrics map, written to metrics.json.
 */
final class StageRunner {
  /** A stage that did not finish: its exit code and the first error line, for the pipeline's message. */
  static final class StageFailed extends Exception {
    private static final long serialVersionUID = 1L;

    StageFailed(String message, Throwable cause) {
      super(message, cause);
    }
  }

  private final PipelineDirectory dir;
  private final int keepVersions;

  StageRunner(PipelineDirectory dir, int keepVersions) {
    this.dir = dir;
    this.keepVersions = keepVersions;
  }

  /** Runs (or resumes) {@code d}'s stage; {@code outputs} holds every upstream stage's published directory. */
  Path run(Planner.Decision d, Map<String, PipelineDirectory.Version> outputs) throws IOException, StageFailed {
    StageSpec s = d.stage();
    int n = d.version();
    if (d.action() == Planner.Action.RUN && d.pending() != null) {
      dir.discard(s.name(), d.pending().n());
    }
    Function<String, String> ref = name -> outputs.get(name).dir().toAbsolutePath().toString();
    Map<String, Object> record = new LinkedHashMap<>();
    record.put("stage", s.name());
    record.put("job", s.job().command());
    record.put("version", n);
    record.put("fingerprint", d.fingerprint().hash());
    record.put("components", d.fingerprint().components());
    record.put("inputs", d.fingerprint().inputDetails());
    Map<String, Object> upstream = new LinkedHashMap<>();
    for (String u : s.dependsOn()) {
      PipelineDirectory.Version v = outputs.get(u);
      upstream.put(u, Map.of("version", "v" + v.n(), "fingerprint", v.fingerprint(), "dir", v.dir().toAbsolutePath().toString()));
    }
    record.put("upstream", upstream);
    if (d.warmStartFrom() != null) {
      record.put("warmStartFrom", d.warmStartFrom().dir().toAbsolutePath().toString());
    }
    if (d.previousIngest() != null) {
      record.put("previous", d.previousIngest().dir().toAbsolutePath().toString());
      record.put("newFiles", d.newFiles());
    }
    org.apache.spark.api.java.JavaSparkContext spark = RunOptions.shared();
    if (spark != null) { // every stage of a run on Spark shares the pipeline's one context
      record.put("sparkApplication", spark.sc().applicationId());
    }
    Instant started = Instant.now();
    record.put("started", started.toString());
    record.put("host", java.net.InetAddress.getLocalHost().getHostName());
    record.put("pid", ProcessHandle.current().pid());
    Path log = dir.logFile(s.name(), n);
    record.put("log", log.toAbsolutePath().toString());
    Path tmp = dir.begin(s.name(), n, record);
    Path setConf = log.resolveSibling(s.name() + "-v" + n + ".set.conf");
    Files.writeString(setConf, s.setJson(ref) + "\n");

    PrintStream out = System.out;
    PrintStream err = System.err;
    try (OutputStream file = Files.newOutputStream(log, StandardOpenOption.CREATE, StandardOpenOption.APPEND)) {
      System.setOut(new PrintStream(new Tee(out, file), true, StandardCharsets.UTF_8));
      System.setErr(new PrintStream(new Tee(err, file), true, StandardCharsets.UTF_8));
      System.err.println("pipeline: " + (d.action() == Planner.Action.RESUME ? "resuming " : "running ") + s.name()
          + " v" + n + " (" + s.job().command() + "): " + String.join("; ", d.reasons()));
      execute(d, tmp, setConf, ref);
    } catch (StageFailed | RuntimeException e) {
      record.put("error", e.getMessage());
      dir.updatePending(s.name(), n, record);
      throw e instanceof StageFailed f ? f : new StageFailed(e.toString(), e);
    } finally {
      System.setOut(out);
      System.setErr(err);
    }
    record.put("finished", Instant.now().toString());
    record.put("seconds", java.time.Duration.between(started, Instant.now()).toMillis() / 1e3);
    record.put("metrics", metrics(s.job(), tmp));
    return dir.publish(s.name(), n, record, keepVersions);
  }

  private void execute(Planner.Decision d, Path tmp, Path setConf, Function<String, String> ref)
      throws IOException, StageFailed {
    StageSpec s = d.stage();
    List<String> args = new ArrayList<>();
    switch (s.job().kind()) {
      case INGEST -> {
        List<String> inputs = new ArrayList<>();
        for (String i : s.inputs()) {
          inputs.add(StageSpec.substitute(i, ref));
        }
        String input = inputs.size() == 1 ? inputs.get(0) : "{" + String.join(",", inputs) + "}";
        args.addAll(List.of("ingest", "--input", input, "--out", tmp.toString()));
        for (Path c : confs(s)) {
          args.addAll(List.of("--conf", c.toString()));
        }
        args.addAll(List.of("--conf", setConf.toString()));
        if (d.previousIngest() != null) {
          args.addAll(List.of("--previous", d.previousIngest().dir().toAbsolutePath().toString()));
        }
      }
      case TRAIN -> {
        args.addAll(List.of(s.job().family(), "train"));
        if (d.action() == Planner.Action.RESUME) {
          args.addAll(List.of("--resume", tmp.toString()));
        } else {
          args.addAll(List.of("--out", tmp.toString()));
          for (String c : s.confs()) {
            args.addAll(List.of("--conf", c));
          }
          args.addAll(List.of("--conf", setConf.toString()));
          if (d.warmStartFrom() != null) {
            args.addAll(List.of("--set", s.job().warmStartKey() + "=" + d.warmStartFrom().dir().toAbsolutePath()));
            if (s.warmStartEpochs() > 0) {
              args.addAll(List.of("--set", "train.epochs=" + s.warmStartEpochs()));
            }
          }
        }
      }
      case EVAL -> {
        evaluate(s, tmp, setConf, ref);
        return;
      }
      default -> throw new IllegalStateException("unknown stage kind " + s.job().kind());
    }
    System.err.println("pipeline: seqspark " + String.join(" ", args));
    int code = SeqSpark.run(args.toArray(String[]::new));
    if (code != 0) {
      throw new StageFailed("exit code " + code, null);
    }
  }

  private static List<Path> confs(StageSpec s) {
    List<Path> files = new ArrayList<>(s.job().defaults());
    for (String c : s.confs()) {
      files.add(Path.of(c));
    }
    return files;
  }

  @SuppressWarnings({"unchecked", "rawtypes"})
  private static void evaluate(StageSpec s, Path tmp, Path setConf, Function<String, String> ref) throws IOException {
    Path model = Path.of(StageSpec.substitute(s.model(), ref));
    String data = StageSpec.substitute(s.data(), ref);
    Map<String, Object> m;
    if (s.job() == StageJob.W2V_EVAL) {
      List<Path> files = confs(s);
      files.add(setConf);
      m = Word2VecTraining.evaluate(Settings.load(files, List.of()), Word2VecArchive.load(model), System.err,
          model.getFileName().toString());
    } else {
      Path zip = Files.isDirectory(model) ? model.resolve("model.zip") : model;
      Family family = Families.get(s.job().family());
      Family.Loaded loaded = Families.load(zip, family);
      m = family.evaluate(loaded, data.isEmpty() ? null : Path.of(data));
    }
    Files.createDirectories(tmp);
    Files.writeString(tmp.resolve("metrics.json"), Json.writePretty(m) + "\n");
    System.err.println("pipeline: " + s.name() + " metrics " + Json.write(m));
  }

  /** The figures status shows: an eval's metrics, a run's validation/test results, an ingest's counts. */
  static Map<String, Object> metrics(StageJob job, Path out) throws IOException {
    Map<String, Object> m = new LinkedHashMap<>();
    Path file = out.resolve(job.kind() == StageJob.Kind.EVAL ? "metrics.json" : "manifest.json");
    if (!Files.isRegularFile(file)) {
      return m;
    }
    Map<String, Object> all = Json.readMap(Files.readString(file));
    all.forEach((k, v) -> {
      if (v instanceof Number && (job.kind() == StageJob.Kind.EVAL || k.startsWith("valid_") || k.startsWith("test_")
          || k.startsWith("analogy_") || k.startsWith("wordsim_") || k.equals("examples") || k.equals("tokens")
          || k.equals("vocabularySize") || k.equals("steps") || k.equals("meanLoss"))) {
        m.put(k, v);
      }
    });
    return m;
  }

  /** Copies what a stage prints to the console and to its log. */
  private static final class Tee extends OutputStream {
    private final OutputStream a;
    private final OutputStream b;

    Tee(OutputStream a, OutputStream b) {
      this.a = a;
      this.b = b;
    }

    @Override
    public void write(int x) throws IOException {
      a.write(x);
      b.write(x);
    }

    @Override
    public void write(byte[] buf, int off, int len) throws IOException {
      a.write(buf, off, len);
      b.write(buf, off, len);
    }

    @Override
    public void flush() throws IOException {
      a.flush();
      b.flush();
    }
  }
}
