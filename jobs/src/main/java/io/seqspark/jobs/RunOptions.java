package io.seqspark.jobs;

import io.seqspark.core.config.Settings;
import io.seqspark.core.io.RunDirectory;
import java.io.IOException;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import io.seqspark.spark.train.SparkDefaults;
import org.apache.spark.SparkConf;
import org.apache.spark.api.java.JavaSparkContext;
import picocli.CommandLine.Option;

/**
 * The options every training job shares. Hyperparameters are NOT options: they are config keys, set with
 * {@code --conf} files and {@code --set key=value}, so each has one name, one default and one rule
 * (conf/reference.conf).
 */
public final class RunOptions {
  @Option(names = "--conf", paramLabel = "FILE", description = "Config file (HOCON) or bundled preset name (e.g. lm-ptb); repeatable, later files win.")
  List<Path> confs = new ArrayList<>();

  @Option(names = "--set", paramLabel = "KEY=VALUE", description = "Override one config key, e.g. --set train.epochs=3; repeatable, wins over files.")
  List<String> sets = new ArrayList<>();

  @Option(names = "--out", paramLabel = "DIR", description = "Run directory to create (default: runs/<job>-<run id>).")
  Path out;

  @Option(names = "--overwrite", description = "Replace --out if it already holds a run.")
  boolean overwrite;

  @Option(names = "--master", paramLabel = "URL", description = "Train data-parallel on Spark (parameter averaging), e.g. local[2], yarn; under spark-submit its --master is used. Without it: the local trainer.")
  String master;

  @Option(names = "--resume", paramLabel = "RUN_DIR", description = "Continue the run in RUN_DIR from its latest checkpoint (its config.conf, plus any --set).")
  Path resume;

  /** The validated settings: the run's own config when resuming, else reference → presets/files → --set. */
  public Settings settings(List<Path> defaults) {
    if (resume != null) {
      if (!confs.isEmpty()) {
        throw new IllegalArgumentException("--resume " + resume + " uses that run's config.conf; drop --conf (use --set to change a key)");
      }
      return Settings.load(List.of(resume.resolve("config.conf")), sets);
    }
    List<Path> files = new ArrayList<>(defaults);
    files.addAll(confs);
    return Settings.load(files, sets);
  }

  /** Creates (or, with --resume, reopens) the run directory; refuses to overwrite without --overwrite. */
  public RunDirectory runDirectory(String job, Settings s) throws IOException {
    if (resume != null) {
      if (out != null) {
        throw new IllegalArgumentException("--resume continues in " + resume + "; drop --out");
      }
      return RunDirectory.resume(resume);
    }
    Path dir = out;
    if (dir == null) {
      String id = s.getString("run.id").isEmpty() ? RunDirectory.newRunId(Instant.now(), new Random()) : s.getString("run.id");
      dir = Path.of("runs", job + "-" + id);
    }
    return RunDirectory.create(dir, overwrite);
  }

  /** The context a pipeline run shares with all its stages (set by {@code pipeline run --master}), else null. */
  private static volatile JavaSparkContext shared;

  /** Makes every job in this JVM train on {@code sc} (not stopped by them) until {@code share(null)}. */
  static void share(JavaSparkContext sc) {
    shared = sc;
  }

  /** The pipeline's shared Spark context, or null. */
  static JavaSparkContext shared() {
    return shared;
  }

  /**
   * The Spark master to train on: --master, else a pipeline's shared context's, else spark-submit's spark.master, else
   * null (local trainer).
   */
  public String master() {
    if (master != null) {
      return master;
    }
    JavaSparkContext sc = shared;
    return sc != null ? sc.master() : System.getProperty("spark.master");
  }

  public boolean resuming() {
    return resume != null;
  }

  /** A training job's body: {@code sc} is the Spark context to train on, or null for the local trainer. */
  public interface Job<T> {
    T run(JavaSparkContext sc) throws IOException;
  }

  /**
   * Runs {@code job} on a Spark context for {@link #master()} (stopped afterwards), or with null when local; inside a
   * pipeline run with --master, on the pipeline's shared context (left running for the next stage).
   */
  public <T> T withSpark(String appName, Job<T> job) throws IOException {
    JavaSparkContext sc0 = shared;
    if (sc0 != null) {
      return job.run(sc0);
    }
    String m = master();
    if (m == null) {
      return job.run(null);
    }
    SparkConf conf = SparkDefaults.apply(new SparkConf().setAppName(appName).setMaster(m));
    if (m.startsWith("local")) {
      conf.setIfMissing("spark.driver.host", "127.0.0.1").setIfMissing("spark.ui.enabled", "false");
    }
    LocalSparkHome.configureIfLocalCluster(conf, m);
    try (JavaSparkContext sc = new JavaSparkContext(conf)) {
      return job.run(sc);
    }
  }
}
