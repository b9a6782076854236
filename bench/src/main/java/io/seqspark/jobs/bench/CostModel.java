package io.seqspark.jobs.bench;

import io.seqspark.jobs.LocalSparkHome;
import io.seqspark.core.config.Settings;
import io.seqspark.core.data.Batch;
import io.seqspark.core.data.Shard;
import io.seqspark.core.io.Json;
import io.seqspark.core.task.Dims;
import io.seqspark.core.task.LanguageModelFamily;
import io.seqspark.core.train.LearningRate;
import io.seqspark.core.train.StepStats;
import io.seqspark.core.train.TrainSetup;
import io.seqspark.core.train.TrainStep;
import io.seqspark.spark.train.CachedShards;
import io.seqspark.spark.train.FamilyWorkload;
import io.seqspark.spark.train.ParameterAveraging;
import io.seqspark.spark.train.RoundTimes;
import io.seqspark.spark.train.SparkDefaults;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.apache.spark.SparkConf;
import org.apache.spark.api.java.JavaSparkContext;
import org.apache.spark.scheduler.SparkListener;
import org.apache.spark.scheduler.SparkListenerTaskEnd;

/**
 * Issue 13's cost model, the measuring half: rounds of parameter averaging on {@code local-cluster[N,1,MiB]} (N
 * executor JVMs of one core each) for N = 1, 2, 4, 8 and one or more model sizes, each round's time split into
 * compute, parameter GET, PUT, driver average and Spark's launch and collect, as medians over the timed rounds; then
 * {@link RoundCostModel} fits the terms and predicts larger clusters.
 *
 * <p>This machine has two cores, so beyond N = 2 the executors time-share them and the measured compute grows about
 * N/2-fold (more when other jobs run). The compute term is therefore taken from N = 1 only (per step, as
 * {@link RoundCostModel} states); what is fitted across N are the communication and scheduling terms, after each
 * point is scaled by its stretch to a quiet machine's compute ({@link RoundCostModel#normalized}). Spark's per-task
 * CPU time is recorded next to the wall times, so the table shows that each task's work stays the same while its
 * wall time stretches.
 *
 * <p>Entry points: {@link #measure} (the integrator's {@code bench scaling} calls it) and {@code main} for a run on
 * its own: {@code CostModel [--quick]}; the last line is {@code RESULT {json}}. Local-cluster needs SPARK_HOME
 * (see {@link LocalSparkHome}).
 */
public final class CostModel {
  private CostModel() {
  }

  /**
   * What to measure.
   *
   * @param conf          the LM config (lm-ptb)
   * @param sizes         model sizes: name → extra config settings (e.g. model.hiddenSize=650); the first is the one
   *                      predictions are made for
   * @param sizeK         steps per round for each size (same order as {@code sizes})
   * @param executors     executor counts N
   * @param rounds        timed rounds per (size, N); medians are taken over them
   * @param warmupRounds  untimed rounds first (JIT, executor caches)
   * @param executorMemoryMb heap of each local-cluster executor
   * @param extraSets     settings applied to every size (after --quick's)
   * @param quietSecondsPerStep one executor's compute per step of the first size on a quiet machine, which the
   *                      measurements are scaled to ({@link RoundCostModel#normalized}); NaN = leave them as measured
   */
  public record Options(Path conf, Map<String, List<String>> sizes, List<Integer> sizeK, int[] executors, int rounds,
                        int warmupRounds, int executorMemoryMb, List<String> extraSets, double quietSecondsPerStep) {
    /** The protocol: lm-ptb (4.65M parameters, k = 4) and 2×650 (19.8M, k = 1), N = 1, 2, 4, 8. */
    public static Options standard() {
      Map<String, List<String>> sizes = new LinkedHashMap<>();
      sizes.put("ptb-200", List.of());
      sizes.put("ptb-650", List.of("model.embeddingSize=650", "model.hiddenSize=650"));
      return new Options(Path.of("conf/lm-ptb.conf"), sizes, List.of(4, 1), new int[] {1, 2, 4, 8}, 5, 2, 1024,
          List.of(), QUIET_SECONDS_PER_STEP);
    }

    /** Seconds-long smoke run: a tiny model, N = 1, 2, two timed rounds. */
    public static Options quick() {
      Map<String, List<String>> sizes = new LinkedHashMap<>();
      sizes.put("tiny-32", List.of("model.embeddingSize=32", "model.hiddenSize=32", "data.maxVocabSize=2000"));
      sizes.put("tiny-64", List.of("model.embeddingSize=64", "model.hiddenSize=64", "data.maxVocabSize=2000"));
      return new Options(Path.of("conf/lm-ptb.conf"), sizes, List.of(2, 1), new int[] {1, 2}, 2, 1, 768, List.of(),
          Double.NaN);
    }
  }

  /** Per-task CPU and run time from Spark's task metrics, for the tasks that ended while it listened. */
  static final class TaskCpu extends SparkListener {
    private final List<double[]> tasks = new ArrayList<>();

    @Override
    public synchronized void onTaskEnd(SparkListenerTaskEnd end) {
      if (end.taskMetrics() != null) {
        tasks.add(new double[] {end.taskMetrics().executorCpuTime() / 1e9, end.taskMetrics().executorRunTime() / 1e3});
      }
    }

    synchronized void reset() {
      tasks.clear();
    }

    /** Median CPU seconds and run seconds per task. */
    synchronized double[] medians() {
      return new double[] {median(tasks.stream().mapToDouble(t -> t[0]).toArray()),
          median(tasks.stream().mapToDouble(t -> t[1]).toArray())};
    }
  }

  /** Runs every (size, N) and returns the measured points, the fit, the predictions and the markdown tables. */
  public static Map<String, Object> measure(Options o) throws IOException {
    Map<String, Object> result = new LinkedHashMap<>();
    List<RoundCostModel.Point> points = new ArrayList<>();
    Map<String, Settings> settings = new LinkedHashMap<>();
    Map<String, LanguageModelFamily.Data> data = new LinkedHashMap<>();
    for (Map.Entry<String, List<String>> e : o.sizes().entrySet()) {
      List<String> sets = new ArrayList<>(e.getValue());
      sets.addAll(o.extraSets());
      Settings s = Settings.load(List.of(o.conf()), sets);
      settings.put(e.getKey(), s);
      data.put(e.getKey(), LanguageModelFamily.INSTANCE.load(s, null));
    }
    double load0 = loadAverage();
    for (int n : o.executors()) {
      try (JavaSparkContext sc = new JavaSparkContext(sparkConf(n, o.executorMemoryMb()))) {
        waitForExecutors(sc, n);
        int i = 0;
        for (String name : o.sizes().keySet()) {
          int k = o.sizeK().get(i++);
          points.add(measureOne(sc, name, settings.get(name), data.get(name), n, k, o.rounds(), o.warmupRounds()));
        }
      }
    }
    double load1 = loadAverage();
    result.put("load_average_before_after", List.of(load0, load1));
    fitAndPredict(points, o.sizes().keySet().iterator().next(), o.quietSecondsPerStep(), result);
    return result;
  }

  /**
   * Fits and predicts from the measured points of earlier runs' RESULT lines: each (model, N, k) gets the median of
   * every term over the runs (the first model is the one predicted; scaled to the standard quiet compute).
   */
  public static Map<String, Object> refit(List<Path> results) throws IOException {
    Map<String, List<RoundCostModel.Point>> byKey = new LinkedHashMap<>();
    List<Double> loads = new ArrayList<>();
    for (Path f : results) {
      String line = java.nio.file.Files.readAllLines(f).stream().filter(l -> l.startsWith("RESULT ")).reduce((x, y) -> y)
          .orElseThrow(() -> new IllegalArgumentException(f + ": no RESULT line; pass the output of a CostModel run"));
      Map<String, Object> m = Json.readMap(line.substring("RESULT ".length()));
      for (Object o : (List<?>) m.get("load_average_before_after")) {
        loads.add(((Number) o).doubleValue());
      }
      for (Object o : (List<?>) m.get("measured")) {
        RoundCostModel.Point p = RoundCostModel.Point.fromMap((Map<?, ?>) o);
        byKey.computeIfAbsent(p.model() + "/" + p.executors() + "/" + p.k(), k -> new ArrayList<>()).add(p);
      }
    }
    List<RoundCostModel.Point> points = new ArrayList<>();
    byKey.values().forEach(ps -> points.add(RoundCostModel.Point.median(ps)));
    Map<String, Object> result = new LinkedHashMap<>();
    result.put("runs", results.size());
    result.put("load_averages", loads);
    fitAndPredict(points, points.get(0).model(), QUIET_SECONDS_PER_STEP, result);
    return result;
  }

  /**
   * One executor's compute per step of lm-ptb on a quiet machine, one core: 480 ms per round of 4 steps in the
   * session-3 overhead split (docs/BENCHMARKS.md, 2026-11-22 04:57, no other jobs). Measurements on a shared machine
   * are scaled to it ({@link RoundCostModel#normalized}).
   */
  static final double QUIET_SECONDS_PER_STEP = 0.120;

  /** Adds the points, the fit, the predictions and the tables to {@code result}. */
  static void fitAndPredict(List<RoundCostModel.Point> raw, String reference, double quietSecondsPerStep,
                            Map<String, Object> result) {
    List<RoundCostModel.Point> points = RoundCostModel.normalized(raw, reference, quietSecondsPerStep);
    RoundCostModel.Fit fit = RoundCostModel.fit(points);
    result.put("measured", raw.stream().map(RoundCostModel.Point::toMap).toList());
    result.put("quiet_seconds_per_step", Double.isNaN(quietSecondsPerStep) ? "not scaled" : quietSecondsPerStep);
    result.put("stretch", RoundCostModel.stretch(raw, points));
    result.put("table_normalized", RoundCostModel.measuredTable(points));
    result.put("fit", fit.toMap());
    RoundCostModel.Point ref = points.stream().filter(p -> p.model().equals(reference) && p.executors() == 1)
        .findFirst().orElseThrow();
    result.putAll(RoundCostModel.predictions(fit, ref, new int[] {16, 64, 100}, new int[] {4, 16},
        RoundCostModel.Network.TEN_GBIT));
    result.put("table_measured", RoundCostModel.measuredTable(raw));
    result.put("table_check", RoundCostModel.checkTable(fit, points));
    result.put("table_predicted", RoundCostModel.predictedTable(fit, ref, new int[] {1, 2, 4, 8, 16, 64, 100},
        new int[] {4, 16}, RoundCostModel.Network.TEN_GBIT));
  }

  private static RoundCostModel.Point measureOne(JavaSparkContext sc, String name, Settings s,
                                                 LanguageModelFamily.Data data, int n, int k, int rounds,
                                                 int warmupRounds) {
    int vocab = data.vocabulary().size();
    List<Shard> shards = data.trainStream() != null ? Shard.ofStream(data.trainStream(), n)
        : Shard.ofSentences(data.trainSentences(), n);
    CachedShards<Shard> cached = new CachedShards<>(sc, shards);
    FamilyWorkload<Batch> workload = new FamilyWorkload<>(LanguageModelFamily.INSTANCE, s, Dims.ofVocabulary(vocab));
    TrainStep<?> driver = TrainSetup.step(s, LanguageModelFamily.model(s, vocab));
    long params = driver.model().params().size();
    ParameterAveraging.Options opts = ParameterAveraging.Options.of(s, 1, new LearningRate(
        s.getDouble("train.learningRate"), s.getDouble("train.lrDecay"), s.getInt("train.lrDecayAfterEpoch")),
        s.getLong("seed"));
    new ParameterAveraging(sc, workload, opts.withFrequency(1), driver).runEpoch(cached.rdd(), 1, 0, warmupRounds,
        null);
    TaskCpu cpu = new TaskCpu();
    sc.sc().addSparkListener(cpu);
    PerRound r = new PerRound();
    new ParameterAveraging(sc, workload, opts.withFrequency(k), driver).runEpoch(cached.rdd(), 1, 0, rounds, r);
    sc.sc().removeSparkListener(cpu);
    cached.close();
    double[] task = cpu.medians();
    RoundCostModel.Point p = new RoundCostModel.Point(name, params, n, k, r.times.size(),
        med(r, RoundTimes::seconds), med(r, RoundTimes::compute), med(r, RoundTimes::read), med(r, RoundTimes::pack),
        med(r, RoundTimes::average), med(r, RoundTimes::launch), med(r, RoundTimes::collect),
        med(r, RoundTimes::broadcast), task[0], task[1], (double) r.tokens / ((long) r.times.size() * n * k));
    System.err.println("costmodel " + Json.write(p.toMap()));
    return p;
  }

  /** Keeps each round's time split. */
  static final class PerRound implements ParameterAveraging.Listener {
    final List<RoundTimes> times = new ArrayList<>();
    long tokens;

    @Override
    public void onRound(int epoch, int round, StepStats stats, double lr, double seconds) {
      tokens += stats.tokens();
    }

    @Override
    public void onRoundTimes(int epoch, int round, RoundTimes t) {
      times.add(t);
    }
  }

  private static double med(PerRound r, java.util.function.ToDoubleFunction<RoundTimes> f) {
    return median(r.times.stream().mapToDouble(f).toArray());
  }

  static double median(double[] v) {
    if (v.length == 0) {
      return Double.NaN;
    }
    double[] s = v.clone();
    Arrays.sort(s);
    return s.length % 2 == 1 ? s[s.length / 2] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2;
  }

  private static SparkConf sparkConf(int n, int executorMemoryMb) throws IOException {
    String why = LocalSparkHome.unavailable().orElse(null);
    if (why != null) {
      throw new IllegalStateException("the cost model needs local-cluster (one executor JVM per partition): " + why);
    }
    SparkConf c = new SparkConf().setAppName("seqspark cost model N=" + n)
        .setMaster("local-cluster[" + n + ",1," + executorMemoryMb + "]")
        .set("spark.driver.host", "127.0.0.1").set("spark.ui.enabled", "false")
        .set("spark.executor.memory", executorMemoryMb + "m")
        // one executor per partition: no task waits for another executor's data to become local
        .set("spark.locality.wait", "0");
    LocalSparkHome.configure(c);
    return SparkDefaults.apply(c);
  }

  /** Waits (bounded) until all n executors have registered, so the first round does not wait for JVM start-up. */
  private static void waitForExecutors(JavaSparkContext sc, int n) {
    long deadline = System.currentTimeMillis() + 180_000;
    while (sc.sc().getExecutorMemoryStatus().size() < n + 1 && System.currentTimeMillis() < deadline) {
      try {
        Thread.sleep(200);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        return;
      }
    }
  }

  private static double loadAverage() {
    return java.lang.management.ManagementFactory.getOperatingSystemMXBean().getSystemLoadAverage();
  }

  /**
   * {@code CostModel [--quick] [--only SIZE] [--executors 1,2,4] [--set KEY=VALUE]... [--refit FILE...]}: measures
   * (or, with --refit, takes the "measured" points of earlier RESULT lines in FILEs, medians per (model, N) over the
   * files), fits, prints the tables and ends with {@code RESULT {json}}.
   */
  public static void main(String[] args) throws IOException {
    List<String> a = Arrays.asList(args);
    boolean quick = a.contains("--quick");
    int refit = a.indexOf("--refit");
    Options o = quick ? Options.quick() : Options.standard();
    List<String> sets = new ArrayList<>();
    Map<String, List<String>> sizes = new LinkedHashMap<>(o.sizes());
    List<Integer> ks = new ArrayList<>(o.sizeK());
    for (int i = 0; i < args.length - 1; i++) {
      if (args[i].equals("--executors")) {
        o = new Options(o.conf(), o.sizes(), o.sizeK(),
            Arrays.stream(args[i + 1].split(",")).mapToInt(Integer::parseInt).toArray(), o.rounds(), o.warmupRounds(),
            o.executorMemoryMb(), o.extraSets(), o.quietSecondsPerStep());
      } else if (args[i].equals("--set")) {
        sets.add(args[i + 1]);
      } else if (args[i].equals("--only")) {
        int at = new ArrayList<>(sizes.keySet()).indexOf(args[i + 1]);
        if (at < 0) {
          throw new IllegalArgumentException("--only " + args[i + 1] + ": not one of " + sizes.keySet());
        }
        sizes.keySet().retainAll(List.of(args[i + 1]));
        ks = List.of(ks.get(at));
      }
    }
    o = new Options(o.conf(), sizes, ks, o.executors(), o.rounds(), o.warmupRounds(), o.executorMemoryMb(), sets,
        o.quietSecondsPerStep());
    Map<String, Object> r = refit >= 0 ? refit(a.subList(refit + 1, a.size()).stream().map(Path::of).toList())
        : measure(o);
    System.out.println(r.get("table_measured"));
    System.out.println(r.get("table_normalized"));
    System.out.println(r.get("table_check"));
    System.out.println(r.get("table_predicted"));
    System.out.println("RESULT " + Json.write(r));
  }
}
