package io.seqspark.jobs.bench;

import io.seqspark.core.config.Settings;
import io.seqspark.core.data.TokenShardWriter;
import io.seqspark.core.data.Tokenizer;
import io.seqspark.core.data.Vocabulary;
import io.seqspark.core.io.AtomicFiles;
import io.seqspark.core.io.Json;
import io.seqspark.spark.ingest.Ingest;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import org.apache.spark.SparkConf;
import org.apache.spark.api.java.JavaSparkContext;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * {@code seqspark bench ingest}: raw-text MB/s of {@code seqspark ingest} in Spark local[1] and local[2], against a
 * plain single-threaded Java loop doing the same work (read, tokenize, count, build the vocabulary, encode, write one
 * shard), in the same process. The three alternate within each round (a fresh SparkContext per measurement, its
 * start-up not timed, a full GC before each), so load from other processes hits all of them alike; {@code --warmup}
 * rounds run first and are discarded, then the best of {@code --rounds} is reported. Every round is printed, each Spark
 * one with its phase breakdown ({@link io.seqspark.spark.ingest.IngestTimings}: driver wall time per phase, task count
 * and task time per stage). Spark time includes job scheduling, the hash of the split files and the shuffle of the
 * counts.
 *
 * <p>By default the corpora are read in the stream format (text8 is one 6.9 MB line, which only a white-space-aligned
 * split can share out) with 1 MB byte ranges: the corpus is 13 MB, so the 32 MB default would leave one task per file;
 * a cluster corpus of gigabytes gets the same tasks-per-core shape from the default.
 */
@Command(name = "ingest", mixinStandardHelpOptions = true,
    description = "Ingest throughput (MB/s of raw text): Spark local[1], local[2], and a single-threaded Java loop; ends with RESULT {json}.")
public final class IngestBench implements Callable<Integer> {
  @Option(names = "--files", split = ",", paramLabel = "FILE",
      defaultValue = "../shared/data/w2v/brown.untagged.txt,../shared/data/w2v/text8.prefix6877825",
      description = "Input files, comma-separated (default: Brown + a text8 prefix).")
  List<Path> files;

  @Option(names = "--repeat", defaultValue = "1", description = "Ingest every file this many times (as distinct"
      + " inputs), to see scaling once fixed costs are amortised; the issue's figure is --repeat 1 (default).")
  int repeat;

  @Option(names = "--pin-cores", negatable = true, defaultValue = "true", fallbackValue = "true",
      description = "Run local[1] and local[2] each in its own JVM pinned (taskset) to 1 and 2 CPUs, so local[1] has"
      + " exactly one core for its task, driver, collector and JIT (default; needs taskset and 2 CPUs, else off)."
      + " --no-pin-cores runs both in this JVM, where local[1] borrows the second core.")
  boolean pinCores;

  @Option(names = "--only-spark", hidden = true, defaultValue = "0", description = "Internal: run only local[N] and"
      + " print its best round (the child JVM of --pin-cores).")
  int onlySpark;

  @Option(names = "--rounds", defaultValue = "3", description = "Measurements per variant; the best is reported.")
  int rounds;

  @Option(names = "--warmup", defaultValue = "1", description = "Rounds run first and discarded (class loading, JIT).")
  int warmup;

  @Option(names = "--set", paramLabel = "KEY=VALUE", defaultValue = "ingest.format=stream,ingest.splitBytes=1048576",
      split = ",", description = "Config overrides (format, split size, tokenizer, policies), as for ingest; default: ${DEFAULT-VALUE}.")
  List<String> sets = new ArrayList<>();

  /** This JVM's CPU time: in local mode the driver's threads, the collector and the JIT run beside the tasks. */
  private static final com.sun.management.OperatingSystemMXBean CPU =
      (com.sun.management.OperatingSystemMXBean) java.lang.management.ManagementFactory.getOperatingSystemMXBean();
  /** Cores busy (process CPU time / wall) in the best counted round of each local[N], and that round's time. */
  private final Map<Integer, Double> coresUsed = new HashMap<>();
  private final Map<Integer, Double> bestSeconds = new HashMap<>();
  /** Every counted round's seconds per local[N]. */
  private final Map<Integer, List<Double>> roundSeconds = new HashMap<>();

  private static double median(List<Double> xs) {
    List<Double> v = new ArrayList<>(xs);
    java.util.Collections.sort(v);
    int n = v.size();
    return n % 2 == 1 ? v.get(n / 2) : (v.get(n / 2 - 1) + v.get(n / 2)) / 2;
  }

  @Override
  public Integer call() throws Exception {
    Path work = Files.createTempDirectory("seqspark-ingest-bench");
    try {
      Path in = work.resolve("in");
      Files.createDirectories(in);
      long bytes = 0;
      for (Path f : files) {
        if (!Files.isRegularFile(f)) {
          throw new IllegalArgumentException("--files: " + f + " is not a file. Fix: pass existing text files");
        }
        // Symbolic links keep the inputs where they are while giving ingest one directory to read.
        for (int i = 0; i < repeat; i++) {
          Files.createSymbolicLink(in.resolve((repeat > 1 ? i + "-" : "") + f.getFileName()), f.toAbsolutePath());
          bytes += Files.size(f);
        }
      }
      Settings s = Settings.load(List.of(), sets);
      double mb = bytes / 1e6;
      double s1 = Double.MAX_VALUE;
      double s2 = Double.MAX_VALUE;
      double j = Double.MAX_VALUE;
      double j2 = Double.MAX_VALUE;
      double c1 = Double.MAX_VALUE;
      if (onlySpark > 0) {
        for (int r = 1 - warmup; r <= rounds; r++) {
          sparkSeconds(onlySpark, r, s, in, work);
        }
        System.out.println("BEST " + bestSeconds.get(onlySpark) + " " + coresUsed.get(onlySpark) + " "
            + median(roundSeconds.get(onlySpark)));
        return 0;
      }
      pinCores = pinCores && onlySpark == 0 && canPin();
      double[] one = null;
      double[] two = null;
      if (pinCores) {
        one = pinnedChild(1);
        two = pinnedChild(2);
        s1 = one[0];
        s2 = two[0];
        coresUsed.put(1, one[1]);
        coresUsed.put(2, two[1]);
      }
      for (int r = 1 - warmup; r <= rounds; r++) {
        // Warm-up rounds are numbered <= 0 and not counted.
        double a = pinCores ? Double.MAX_VALUE : sparkSeconds(1, r, s, in, work);
        double b = pinCores ? Double.MAX_VALUE : sparkSeconds(2, r, s, in, work);
        double c = javaSeconds(r, s, work);
        double[] d = ceilingSeconds(r, s);
        if (r >= 1) {
          s1 = Math.min(s1, a);
          s2 = Math.min(s2, b);
          j = Math.min(j, c);
          c1 = Math.min(c1, d[0]);
          j2 = Math.min(j2, d[1]);
        }
      }
      Map<String, Object> result = new LinkedHashMap<>();
      result.put("mb", mb);
      result.put("pinned_cores", pinCores);
      if (pinCores) {
        // Pinned runs report the median round: a best-of is decided by one lucky round, and the two variants run
        // in different JVMs at different times, so their best rounds need not meet the same machine.
        result.put("statistic", "median of " + rounds + " rounds per variant (best-of as best_*)");
        result.put("mb_per_s_1", mb / one[2]);
        result.put("mb_per_s_2", mb / two[2]);
        result.put("scaling_2_vs_1", one[2] / two[2]);
        result.put("best_mb_per_s_1", mb / s1);
        result.put("best_mb_per_s_2", mb / s2);
        result.put("best_scaling_2_vs_1", s1 / s2);
      } else {
        result.put("statistic", "best of " + rounds + " rounds per variant");
        result.put("mb_per_s_1", mb / s1);
        result.put("mb_per_s_2", mb / s2);
        result.put("scaling_2_vs_1", s1 / s2);
      }
      result.put("single_thread_java_mb_per_s", mb / j);
      // local[1] is one task thread, not one core: the driver, collector and JIT use the other core for free
      result.put("cores_busy_1", coresUsed.get(1));
      result.put("cores_busy_2", coresUsed.get(2));
      // the ceiling: two independent threads' throughput over one thread's, same work, no Spark
      result.put("machine_scaling_2_vs_1", 2 * c1 / j2);
      result.put("scaling_vs_machine_ceiling", ((Number) result.get("scaling_2_vs_1")).doubleValue() / (2 * c1 / j2));
      System.out.println("RESULT " + Json.write(result));
      return 0;
    } finally {
      AtomicFiles.deleteRecursively(work);
    }
  }

  private static boolean canPin() {
    if (Runtime.getRuntime().availableProcessors() < 2) {
      return false;
    }
    try {
      return new ProcessBuilder("taskset", "-c", "0", "true").start().waitFor() == 0;
    } catch (IOException | InterruptedException e) {
      return false;
    }
  }

  /**
   * Runs local[n] in a child JVM (same Java, flags and class path) pinned to CPUs 0..n-1 with taskset; returns its
   * best round's {seconds, cores busy} and the median of its rounds' seconds.
   */
  private double[] pinnedChild(int n) throws IOException, InterruptedException {
    List<String> cmd = new ArrayList<>(List.of("taskset", "-c", n == 1 ? "0" : "0-" + (n - 1),
        ProcessHandle.current().info().command().orElse("java")));
    cmd.addAll(java.lang.management.ManagementFactory.getRuntimeMXBean().getInputArguments());
    // a JVM that sees one CPU picks the serial collector; keep both children on G1, as the unpinned runs are
    cmd.add("-XX:+UseG1GC");
    cmd.addAll(List.of("-cp", System.getProperty("java.class.path"), "io.seqspark.jobs.SeqSpark", "bench", "ingest",
        // a JVM on one CPU compiles slowly (its JIT shares the core): with one warm-up round its rounds were still
        // getting faster at the sixth, so children warm up for at least five
        "--only-spark", String.valueOf(n), "--rounds", String.valueOf(rounds), "--warmup", String.valueOf(Math.max(warmup, 5)),
        "--repeat", String.valueOf(repeat), "--set", String.join(",", sets)));
    cmd.add("--files");
    cmd.add(String.join(",", files.stream().map(Path::toString).toList()));
    Process p = new ProcessBuilder(cmd).redirectError(ProcessBuilder.Redirect.INHERIT).start();
    String best = null;
    try (BufferedReader out = new BufferedReader(new InputStreamReader(p.getInputStream(), StandardCharsets.UTF_8))) {
      for (String line; (line = out.readLine()) != null; ) {
        if (line.startsWith("BEST ")) {
          best = line.substring(5);
        }
      }
    }
    if (p.waitFor() != 0 || best == null) {
      throw new IllegalStateException("the pinned local[" + n + "] run failed (exit " + p.exitValue() + "): " + cmd);
    }
    String[] f = best.split(" ");
    System.err.printf("local[%d] pinned to %d CPU(s): best %.2f s, median %.2f s, %.2f cores busy%n", n, n,
        Double.parseDouble(f[0]), Double.parseDouble(f[2]), Double.parseDouble(f[1]));
    return new double[] {Double.parseDouble(f[0]), Double.parseDouble(f[1]), Double.parseDouble(f[2])};
  }

  private double sparkSeconds(int threads, int round, Settings s, Path in, Path work) throws IOException {
    SparkConf conf = new SparkConf().setAppName("bench ingest").setMaster("local[" + threads + "]")
        .set("spark.driver.host", "127.0.0.1").set("spark.ui.enabled", "false");
    try (JavaSparkContext sc = new JavaSparkContext(conf)) {
      sc.setLogLevel("WARN");
      Path out = work.resolve("out-" + threads + "-" + round);
      settle();
      long cpu0 = CPU.getProcessCpuTime();
      long t0 = System.nanoTime();
      Ingest.Result r = Ingest.run(sc, s, in.toString(), out.toString(), true, List.of("bench", "ingest"));
      double sec = (System.nanoTime() - t0) / 1e9;
      double cores = (CPU.getProcessCpuTime() - cpu0) / 1e9 / sec;
      if (round >= 1) {
        roundSeconds.computeIfAbsent(threads, k -> new ArrayList<>()).add(sec);
      }
      if (round >= 1 && sec < bestSeconds.getOrDefault(threads, Double.MAX_VALUE)) {
        bestSeconds.put(threads, sec);
        coresUsed.put(threads, cores);
      }
      System.err.printf("%s local[%d]: %.2f s, %.2f cores busy (process CPU time / wall); %s%n", label(round), threads,
          sec, cores, r.timings().describe());
      AtomicFiles.deleteRecursively(out);
      return sec;
    }
  }

  /**
   * A full collection before each measurement, so no variant pays for the garbage of the one before (the Java loop
   * leaves every line's token list behind, which otherwise surfaces as 100-200 ms young pauses in the next variant).
   */
  private static String label(int round) {
    return round >= 1 ? "round " + round : "warm-up round " + (round + 1) + " (not counted)";
  }

  private static void settle() {
    System.gc();
  }

  private double javaSeconds(int round, Settings s, Path work) throws IOException {
    settle();
    long t0 = System.nanoTime();
    javaIngest(s, work.resolve("java.ids"));
    double sec = (System.nanoTime() - t0) / 1e9;
    System.err.printf("%s single-thread Java: %.2f s%n", label(round), sec);
    return sec;
  }

  /**
   * The machine's own ceiling for this work: read, tokenize and count the inputs (nothing kept but the counts) in one
   * thread, then in two threads at once, each doing the whole of it (no coordination, no shared data). Returns
   * {one thread's seconds, two threads' wall seconds}; 2 × the first / the second is the best scaling two threads show
   * on this machine for the work that dominates ingest (below 2 where the two vCPUs share a physical core, memory
   * bandwidth or the collector's threads).
   */
  private double[] ceilingSeconds(int round, Settings s) throws Exception {
    settle();
    long t0 = System.nanoTime();
    tokenizeAndCount(s);
    double one = (System.nanoTime() - t0) / 1e9;
    settle();
    java.util.concurrent.ExecutorService pool = java.util.concurrent.Executors.newFixedThreadPool(2);
    try {
      long t1 = System.nanoTime();
      List<java.util.concurrent.Future<?>> fs = new ArrayList<>();
      for (int i = 0; i < 2; i++) {
        fs.add(pool.submit(() -> {
          tokenizeAndCount(s);
          return null;
        }));
      }
      for (java.util.concurrent.Future<?> f : fs) {
        f.get();
      }
      double two = (System.nanoTime() - t1) / 1e9;
      System.err.printf("%s machine ceiling: tokenize + count in one thread %.2f s, the same in two threads at once"
          + " %.2f s (%.2fx)%n", label(round), one, two, 2 * one / two);
      return new double[] {one, two};
    } finally {
      pool.shutdown();
    }
  }

  /** The input files, each {@code --repeat} times. */
  private List<Path> repeated() {
    List<Path> out = new ArrayList<>();
    for (int i = 0; i < repeat; i++) {
      out.addAll(files);
    }
    return out;
  }

  private long tokenizeAndCount(Settings s) throws IOException {
    Tokenizer t = Tokenizer.of(s.getString("data.tokenizer"), s.getBoolean("data.lowercase"), s.getBoolean("data.splitPunctuation"));
    Map<String, Long> counts = new HashMap<>();
    for (Path f : repeated()) {
      try (BufferedReader br = new BufferedReader(new InputStreamReader(Files.newInputStream(f), StandardCharsets.UTF_8), 1 << 16)) {
        for (String line; (line = br.readLine()) != null; ) {
          t.tokenize(line).forEach(x -> counts.merge(x, 1L, Long::sum));
        }
      }
    }
    return counts.size();
  }

  /** Read, tokenize, count, build the vocabulary, encode and write, in one thread, as ingest does in many. */
  private void javaIngest(Settings s, Path out) throws IOException {
    Tokenizer t = Tokenizer.of(s.getString("data.tokenizer"), s.getBoolean("data.lowercase"), s.getBoolean("data.splitPunctuation"));
    List<List<String>> lines = new ArrayList<>();
    Map<String, Long> counts = new HashMap<>();
    for (Path f : repeated()) {
      try (BufferedReader br = new BufferedReader(new InputStreamReader(Files.newInputStream(f), StandardCharsets.UTF_8), 1 << 16)) {
        for (String line; (line = br.readLine()) != null; ) {
          List<String> tokens = t.tokenize(line);
          if (!tokens.isEmpty()) {
            lines.add(tokens);
            tokens.forEach(x -> counts.merge(x, 1L, Long::sum));
          }
        }
      }
    }
    Vocabulary.Builder b = Vocabulary.builder();
    counts.forEach(b::add);
    Vocabulary v = b.build(s.getInt("data.minCount"), s.getInt("data.maxVocabSize"));
    try (TokenShardWriter w = new TokenShardWriter(Files.newOutputStream(out))) {
      for (List<String> l : lines) {
        w.add(v.encode(l));
      }
    }
  }
}
