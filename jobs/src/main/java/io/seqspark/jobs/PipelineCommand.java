package io.seqspark.jobs;

import io.seqspark.core.io.Json;
import io.seqspark.core.io.Manifest;
import io.seqspark.core.io.RunLock;
import io.seqspark.core.pipeline.PipelineDirectory;
import io.seqspark.core.pipeline.PipelineSpec;
import io.seqspark.core.pipeline.Planner;
import io.seqspark.spark.train.SparkDefaults;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.Callable;
import org.apache.spark.SparkConf;
import org.apache.spark.api.java.JavaSparkContext;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/**
 * {@code seqspark pipeline run | plan | status PIPELINE.conf}: declared pipelines of seqspark jobs (docs/FORMATS.md),
 * with fingerprinted stages that are skipped when up to date, published atomically, resumed after a crash, and exit
 * codes a scheduler can act on (README, "Scheduled pipelines").
 */
@Command(name = "pipeline", description = "Declared pipelines of seqspark jobs: run what is out of date, show the plan"
    + " or the status.", subcommands = {PipelineCommand.Run.class, PipelineCommand.Plan.class, PipelineCommand.Status.class})
public final class PipelineCommand {
  /** Ran, and every stage that ran succeeded. */
  public static final int OK = 0;
  /** A stage failed; its name and log are in the message. */
  public static final int STAGE_FAILED = 1;
  /** The pipeline file or a stage's config is wrong; nothing was done. */
  public static final int BAD_PIPELINE = 2;
  /** Could not take the pipeline directory's lock (another run holds it). EX_TEMPFAIL of sysexits.h. */
  public static final int LOCKED = 75;
  /** Nothing to do: every stage is up to date (Airflow's skip exit code). */
  public static final int NOTHING_TO_DO = 99;

  /** What the three commands share. */
  abstract static class Base implements Callable<Integer> {
    @Parameters(index = "0", paramLabel = "PIPELINE.conf", description = "The pipeline file (HOCON, docs/FORMATS.md).")
    Path file;
    @Option(names = "--dir", paramLabel = "DIR", description = "Pipeline directory (default: pipeline.dir of the file, else runs/pipelines/<name>).")
    Path dir;

    /** The checked pipeline, or null after printing its problems (exit 2). */
    PipelineSpec spec() {
      try {
        return PipelineSpec.parse(file, dir);
      } catch (IllegalArgumentException e) {
        System.err.println("seqspark pipeline: error: " + e.getMessage());
        return null;
      }
    }
  }

  @Command(name = "run", mixinStandardHelpOptions = true, description = {"Run every stage that is out of date, in graph"
      + " order; skip the rest. Exit codes: 0 ran and succeeded, 99 nothing to do, 2 bad pipeline or config (nothing"
      + " done), 1 a stage failed (name and log in the message), 75 another run holds the pipeline's lock."})
  static final class Run extends Base {
    @Option(names = "--master", paramLabel = "URL", description = "Run every stage on one Spark context for this master (under spark-submit: its master). Without it: ingest on local[*], training with the local trainer.")
    String master;

    @Override
    public Integer call() throws Exception {
      PipelineSpec spec = spec();
      if (spec == null) {
        return BAD_PIPELINE;
      }
      Files.createDirectories(spec.dir());
      RunLock lock;
      try {
        lock = RunLock.acquire(spec.dir(), "pipeline run " + file, m -> System.err.println("pipeline: " + m));
      } catch (IllegalStateException e) {
        System.err.println("seqspark pipeline: cannot run " + spec.name() + ": " + e.getMessage());
        return LOCKED;
      }
      try (lock) {
        PipelineDirectory pdir = new PipelineDirectory(spec.dir());
        List<Planner.Decision> plan = Planner.plan(spec, pdir, Manifest.seqsparkVersion());
        if (plan.stream().noneMatch(Planner.Decision::runs)) {
          System.out.println("pipeline " + spec.name() + ": nothing to do, all " + plan.size() + " stages are up to date");
          return NOTHING_TO_DO;
        }
        String m = master != null ? master : System.getProperty("spark.master");
        JavaSparkContext sc = m == null ? null : sparkContext(spec, m);
        RunOptions.share(sc);
        if (sc != null) {
          System.err.println("pipeline: every stage runs on Spark " + sc.master() + ", application "
              + sc.sc().applicationId());
        }
        try {
          return runStages(spec, pdir, plan, sc);
        } finally {
          RunOptions.share(null);
          if (sc != null) {
            sc.close();
          }
        }
      }
    }

    private static JavaSparkContext sparkContext(PipelineSpec spec, String m) throws IOException {
      SparkConf conf = SparkDefaults.apply(new SparkConf().setAppName("seqspark pipeline " + spec.name()).setMaster(m));
      if (m.startsWith("local")) {
        conf.setIfMissing("spark.driver.host", "127.0.0.1").setIfMissing("spark.ui.enabled", "false");
      }
      LocalSparkHome.configureIfLocalCluster(conf, m);
      return new JavaSparkContext(conf);
    }

    private static int runStages(PipelineSpec spec, PipelineDirectory pdir, List<Planner.Decision> plan,
                                 JavaSparkContext sc) throws IOException {
      StageRunner runner = new StageRunner(pdir, spec.keepVersions());
      Map<String, PipelineDirectory.Version> outputs = new HashMap<>();
      Map<String, Double> seconds = new LinkedHashMap<>();
      for (Planner.Decision d : plan) {
        String name = d.stage().name();
        if (!d.runs()) {
          System.err.println("pipeline: skip " + name + ": " + String.join("; ", d.reasons()));
          outputs.put(name, d.latest());
          continue;
        }
        long t0 = System.nanoTime();
        try {
          runner.run(d, outputs);
        } catch (StageRunner.StageFailed e) {
          Path log = pdir.logFile(name, d.version());
          System.err.println("seqspark pipeline: stage " + name + " (" + d.stage().job().command() + ") failed: "
              + e.getMessage() + firstError(log) + "; log: " + log.toAbsolutePath()
              + ". Fix the cause and run again: finished stages are kept" + (d.stage().job().resumable()
              ? ", and this one resumes from its latest checkpoint" : ""));
          return STAGE_FAILED;
        }
        seconds.put(name, (System.nanoTime() - t0) / 1e9);
        outputs.put(name, pdir.latest(name));
        System.err.printf(Locale.ROOT, "pipeline: %s v%d published in %.1f s%n", name, d.version(), seconds.get(name));
      }
      StringBuilder b = new StringBuilder("pipeline " + spec.name() + ": ran");
      seconds.forEach((k, v) -> b.append(String.format(Locale.ROOT, " %s (%.1f s)", k, v)));
      System.out.println(b);
      return OK;
    }

    /** The first "error:" line of a stage's log, for the one-line failure message. */
    private static String firstError(Path log) {
      try {
        for (String line : Files.readAllLines(log)) {
          int i = line.indexOf("error: ");
          if (i >= 0) {
            return " (" + line.substring(i + 7).trim() + ")";
          }
        }
      } catch (IOException | RuntimeException ignored) {
        // no log: the message stands without it
      }
      return "";
    }
  }

  @Command(name = "plan", mixinStandardHelpOptions = true, description = "Print what a run would do, stage by stage, and"
      + " why (which config key, input file or upstream stage changed). Does no work and takes no lock.")
  static final class Plan extends Base {
    @Option(names = "--json", description = "One JSON object per stage, one per line.")
    boolean json;

    @Override
    public Integer call() throws Exception {
      PipelineSpec spec = spec();
      if (spec == null) {
        return BAD_PIPELINE;
      }
      List<Planner.Decision> plan = Planner.plan(spec, new PipelineDirectory(spec.dir()), Manifest.seqsparkVersion());
      for (Planner.Decision d : plan) {
        if (json) {
          Map<String, Object> m = new LinkedHashMap<>();
          m.put("stage", d.stage().name());
          m.put("action", d.action().name().toLowerCase(Locale.ROOT));
          m.put("version", d.version());
          m.put("fingerprint", d.fingerprint().hash());
          m.put("reasons", d.reasons());
          System.out.println(Json.write(m));
        } else {
          System.out.printf("%-7s %-12s %-16s v%-3d %s%n", d.action().name().toLowerCase(Locale.ROOT), d.stage().name(),
              d.stage().job().command(), d.version(), String.join("; ", d.reasons()));
        }
      }
      return OK;
    }
  }

  @Command(name = "status", mixinStandardHelpOptions = true, description = "Each stage's newest output: fingerprint,"
      + " state, path, age, key metrics, and the provenance chain (which corpus version made which vectors, ...).")
  static final class Status extends Base {
    @Option(names = "--json", description = "One JSON object per stage, one per line.")
    boolean json;

    @Override
    public Integer call() throws Exception {
      PipelineSpec spec = spec();
      if (spec == null) {
        return BAD_PIPELINE;
      }
      PipelineDirectory pdir = new PipelineDirectory(spec.dir());
      List<Planner.Decision> plan = Planner.plan(spec, pdir, Manifest.seqsparkVersion());
      java.util.Optional<String> holder = RunLock.holder(spec.dir());
      if (!json) {
        System.out.println("pipeline " + spec.name() + " in " + spec.dir().toAbsolutePath()
            + holder.map(h -> " (running: " + h + ")").orElse(""));
        System.out.printf("%-12s %-16s %-8s %-12s %-24s %-9s %s%n", "STAGE", "JOB", "VERSION", "FINGERPRINT", "STATE",
            "AGE", "METRICS");
      }
      Map<String, PipelineDirectory.Version> latest = new HashMap<>();
      for (Planner.Decision d : plan) {
        latest.put(d.stage().name(), d.latest());
      }
      for (Planner.Decision d : plan) {
        PipelineDirectory.Version v = d.latest();
        String state = state(d);
        String age = v == null ? "-" : age(v);
        Object metrics = v == null ? Map.of() : v.record().getOrDefault("metrics", Map.of());
        String chain = v == null ? "" : provenance(v, pdir);
        if (json) {
          Map<String, Object> m = new LinkedHashMap<>();
          m.put("stage", d.stage().name());
          m.put("job", d.stage().job().command());
          m.put("version", v == null ? null : "v" + v.n());
          m.put("fingerprint", v == null ? null : v.fingerprint());
          m.put("currentFingerprint", d.fingerprint().hash());
          m.put("state", state);
          m.put("reasons", d.reasons());
          m.put("output", v == null ? null : v.dir().toAbsolutePath().toString());
          m.put("finished", v == null ? null : v.record().get("finished"));
          m.put("metrics", metrics);
          m.put("provenance", chain);
          if (d.pending() != null && d.pending().record().get("error") != null) {
            m.put("lastError", d.pending().record().get("error"));
            m.put("log", d.pending().record().get("log"));
          }
          System.out.println(Json.write(m));
          continue;
        }
        System.out.printf("%-12s %-16s %-8s %-12s %-24s %-9s %s%n", d.stage().name(), d.stage().job().command(),
            v == null ? "-" : "v" + v.n(), v == null ? "-" : v.fingerprint().substring(0, 12), state, age,
            metricsText(metrics));
        if (v != null) {
          System.out.println("             output " + v.dir().toAbsolutePath());
          if (!chain.isEmpty()) {
            System.out.println("             from   " + chain);
          }
        }
        if (d.runs()) {
          System.out.println("             next   " + String.join("; ", d.reasons()));
        }
        if (d.pending() != null && d.pending().record().get("error") != null) {
          System.out.println("             failed " + d.pending().record().get("error") + " (log "
              + d.pending().record().get("log") + ")");
        }
      }
      return OK;
    }

    private static String state(Planner.Decision d) {
      if (!d.runs()) {
        return "up to date";
      }
      if (d.action() == Planner.Action.RESUME) {
        return "interrupted (resumes)";
      }
      if (d.pending() != null && d.pending().record().get("error") != null) {
        return "failed";
      }
      return d.latest() == null ? "never run" : "out of date";
    }

    private static String age(PipelineDirectory.Version v) {
      Object f = v.record().get("finished");
      if (!(f instanceof String s)) {
        return "-";
      }
      Duration a = Duration.between(Instant.parse(s), Instant.now());
      return a.toDays() > 0 ? a.toDays() + "d" : a.toHours() > 0 ? a.toHours() + "h" : a.toMinutes() > 0
          ? a.toMinutes() + "m" : a.toSeconds() + "s";
    }

    private static String metricsText(Object metrics) {
      List<String> parts = new ArrayList<>();
      if (metrics instanceof Map<?, ?> m) {
        m.forEach((k, val) -> {
          if (parts.size() < 4) {
            parts.add(k + "=" + (val instanceof Double x ? String.format(Locale.ROOT, "%.4g", x) : val));
          }
        });
      }
      return String.join(" ", parts);
    }

    /** {@code lm/v2 <- vectors/v1 <- corpus/v1}: each version's upstream versions, recursively, from the records. */
    @SuppressWarnings("unchecked")
    static String provenance(PipelineDirectory.Version v, PipelineDirectory pdir) {
      if (!(v.record().get("upstream") instanceof Map<?, ?> up) || up.isEmpty()) {
        return "";
      }
      List<String> parts = new ArrayList<>();
      ((Map<String, Object>) up).forEach((name, info) -> {
        String ver = info instanceof Map<?, ?> i ? String.valueOf(i.get("version")) : "?";
        String text = name + "/" + ver;
        try {
          for (PipelineDirectory.Version u : pdir.versions(name)) {
            if (("v" + u.n()).equals(ver)) {
              String deeper = provenance(u, pdir);
              text += deeper.isEmpty() ? "" : " <- " + deeper;
            }
          }
        } catch (IOException e) {
          text += " (unreadable)";
        }
        parts.add(text);
      });
      return parts.size() == 1 ? parts.get(0) : "(" + String.join(", ", parts) + ")";
    }
  }
}
