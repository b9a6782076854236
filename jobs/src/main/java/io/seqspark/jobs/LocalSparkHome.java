package io.seqspark.jobs;

import java.io.File;
import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.apache.spark.SparkConf;

/**
 * Spark's {@code local-cluster[workers, cores, memoryMiB]} master (separate executor JVMs on this machine) without a
 * Spark installation, as measured in ../shared/STACK.md and used by the spark module's LocalCluster test harness:
 * <ul>
 *   <li>{@code $SPARK_HOME} holds an empty {@code RELEASE} and {@code jars/} with a link to every jar of this JVM's
 *       class path (the worker launches executors with {@code $SPARK_HOME/jars/*});</li>
 *   <li>{@code launcher/target/scala-2.12/} exists and {@code SPARK_SCALA_VERSION=2.12} goes to the executors' env,
 *       so Spark's launcher does not fail with "Cannot find any build directories";</li>
 *   <li>the executors get this JVM's class path (made absolute), its {@code --add-opens} list and its {@code -Dorg.bytedeco.*} and
 *       {@code -Djdk.reflect.*} properties, and the ND4J/OpenMP environment variables that are set here.</li>
 * </ul>
 * The worker of a local-cluster reads SPARK_HOME from the <em>environment</em> of this JVM (it cannot be set from
 * Java), so this helper fills the directory SPARK_HOME names and fails with the fix when it is unset;
 * {@code bin/seqspark} exports {@code SPARK_HOME=jobs/target/spark-home} for a local-cluster master when it is unset,
 * so {@code lm train --master 'local-cluster[2,1,2048]'} works from a clean clone. A SPARK_HOME holding a Spark
 * distribution (a non-empty {@code RELEASE}) is used as it is, never written to.
 */
public final class LocalSparkHome {
  private LocalSparkHome() {
  }

  /** Env variables passed on to executors when set here: BLAS kernel choice and OpenMP behaviour matter for speed. */
  static final List<String> PASSED_ENV = List.of("OPENBLAS_CORETYPE", "OMP_WAIT_POLICY", "OMP_NUM_THREADS");

  /** Why local-cluster cannot run in this JVM, or empty when it can. */
  public static Optional<String> unavailable() {
    String home = System.getenv("SPARK_HOME");
    if (home == null || home.isBlank()) {
      return Optional.of("SPARK_HOME is not set in the environment (a local-cluster worker reads it from there): run"
          + " through bin/seqspark (which sets it), or with SPARK_HOME=jobs/target/spark-home (any writable directory;"
          + " seqspark fills it)");
    }
    return Optional.empty();
  }

  /**
   * Fills {@code $SPARK_HOME} (creating it) and sets on {@code conf} what executors of a local-cluster need.
   *
   * @throws IllegalStateException when SPARK_HOME is unset (see {@link #unavailable()})
   */
  public static SparkConf configure(SparkConf conf) throws IOException {
    unavailable().ifPresent(why -> {
      throw new IllegalStateException(why);
    });
    Path home = prepare(Path.of(System.getenv("SPARK_HOME")));
    conf.set("spark.home", home.toString());
    conf.set("spark.executor.extraClassPath", absoluteClassPath());
    conf.set("spark.executor.extraJavaOptions", String.join(" ", executorJavaOptions()));
    conf.set("spark.executorEnv.SPARK_SCALA_VERSION", "2.12");
    for (Map.Entry<String, String> e : passedEnv().entrySet()) {
      conf.set("spark.executorEnv." + e.getKey(), e.getValue());
    }
    return conf;
  }

  /**
   * For a {@code local-cluster[workers, cores, MiB]} master: {@link #configure}s {@code conf}, and gives each
   * executor the memory its worker offers (Spark's default would be 1g whatever the master says) unless
   * {@code spark.executor.memory} is set. Other masters: {@code conf} unchanged.
   */
  public static SparkConf configureIfLocalCluster(SparkConf conf, String master) throws IOException {
    java.util.regex.Matcher m = java.util.regex.Pattern.compile("local-cluster\\[\\s*\\d+\\s*,\\s*\\d+\\s*,\\s*(\\d+)\\s*]")
        .matcher(master == null ? "" : master);
    if (!m.matches()) {
      return conf;
    }
    configure(conf);
    conf.setIfMissing("spark.executor.memory", m.group(1) + "m");
    return conf;
  }

  /** Creates {@code RELEASE}, {@code launcher/target/scala-2.12/} and {@code jars/} links under {@code home}. */
  public static Path prepare(Path home) throws IOException {
    home = Files.createDirectories(home.toAbsolutePath());
    Path existing = home.resolve("RELEASE");
    if (Files.isRegularFile(existing) && Files.size(existing) > 0) {
      return home; // a Spark distribution: its own jars/ serve the workers
    }
    Path jars = Files.createDirectories(home.resolve("jars"));
    Files.createDirectories(home.resolve("launcher/target/scala-2.12"));
    Path release = home.resolve("RELEASE");
    if (!Files.exists(release)) {
      Files.writeString(release, "");
    }
    for (String entry : System.getProperty("java.class.path").split(File.pathSeparator)) {
      Path p = Path.of(entry);
      if (entry.endsWith(".jar") && Files.isRegularFile(p)) {
        Path link = jars.resolve(p.getFileName().toString());
        if (Files.isSymbolicLink(link) && !Files.exists(link)) {
          Files.delete(link); // a dangling link from an older class path
        }
        if (!Files.exists(link)) {
          Files.createSymbolicLink(link, p.toAbsolutePath());
        }
      }
    }
    return home;
  }

  /**
   * This JVM's class path with every entry made absolute: executors start in their own work directory, where a
   * relative entry such as {@code jobs/target/classes} finds nothing (tasks then fail deserialising lambdas).
   */
  static String absoluteClassPath() {
    List<String> out = new ArrayList<>();
    for (String entry : System.getProperty("java.class.path").split(File.pathSeparator)) {
      if (!entry.isEmpty()) {
        out.add(Path.of(entry).toAbsolutePath().toString());
      }
    }
    return String.join(File.pathSeparator, out);
  }

  /** This JVM's {@code --add-opens}, {@code -Dorg.bytedeco.*} and {@code -Djdk.reflect.*} options. */
  static List<String> executorJavaOptions() {
    List<String> out = new ArrayList<>();
    for (String a : ManagementFactory.getRuntimeMXBean().getInputArguments()) {
      if (a.startsWith("--add-opens") || a.startsWith("--add-modules") || a.startsWith("-Dorg.bytedeco.") || a.startsWith("-Djdk.reflect.")) {
        out.add(a);
      }
    }
    return out;
  }

  static Map<String, String> passedEnv() {
    Map<String, String> out = new LinkedHashMap<>();
    for (String k : PASSED_ENV) {
      String v = System.getenv(k);
      if (v != null && !v.isEmpty()) {
        out.put(k, v);
      }
    }
    return out;
  }
}
