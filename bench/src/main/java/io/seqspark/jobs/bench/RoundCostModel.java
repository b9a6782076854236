package io.seqspark.jobs.bench;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * Issue 13's cost model, the fitting half: round time of parameter averaging as a sum of terms in the executor count
 * N, the parameter count P and the driver's network bandwidth B, fitted to {@link CostModel}'s measurements.
 * <pre>
 *   T(N, P, B) = k·c                                compute: c = seconds per step of one executor, from N = 1
 *              + s0 + s1·N + st·L(N)                Spark: job launch (submit → first task) + collect (last task →
 *                                                   aggregate on the driver), per task growing with N, plus st per
 *                                                   extra stage: Spark's treeAggregate (depth 2) adds L(N) = 1 level
 *                                                   from N = 6 on
 *              + g0 + max(4P/rg, N·4P/B)            GET: one task's endpoint cost (connect, copy into the model),
 *              + u0 + max(4P/ru, N·4P/B)            PUT  or the driver's NIC carrying N copies, whichever is longer
 *              + a0 + a1·N·P                        driver average: N float vectors summed in double, one thread
 *              + σ·P                                driver snapshot of θ for the round
 *              + o                                  the rest (task set-up besides GET, listener), from N ≤ 2
 * </pre>
 * Bytes through the driver per round on the direct channel: 2·N·4P (GET and PUT do not overlap: every task GETs
 * before its steps and PUTs after them). The {@code tree} transport replaces both: GET through Spark's torrent
 * broadcast (peers relay blocks; bounded here by ⌈log2(N+1)⌉ copies' time at B) and PUT through a tree of fan-out f
 * (each level a Spark shuffle stage, st + s1 per reducer, whose reducers receive ≤ f partial sums: leaves as 4P float bytes, inner nodes as
 * 8P double bytes; the driver only the last ≤ f), so the driver carries O(f·P) bytes whatever N is.
 *
 * <p>Assumptions, stated where they enter: executors compute as one core of this machine does (c from N = 1; at
 * N &gt; 2 this machine time-shares its two cores, so compute is not fitted across N); a task's endpoint costs (g0,
 * rg, u0, ru) are this machine's; the network is B on the driver's NIC and at least B on every executor's, full
 * duplex, no other traffic; the driver's average runs at the measured rate a1; Spark's scheduling cost per task s1 is
 * the slope measured for N ≤ 8 (a real cluster manager adds its own); tree stages cost one Spark launch each.
 */
public final class RoundCostModel {
  private RoundCostModel() {
  }

  /**
   * One measured configuration: medians over its timed rounds, in seconds.
   *
   * @param get      the slowest task's time to its first step (the round's GET, broadcast read included)
   * @param put      the slowest task's time after its last step (the PUT, carried state included)
   * @param snapshot the driver's time to snapshot θ and broadcast the round's input
   * @param taskCpu  Spark's executor CPU time per task (median): the work, which time-sharing does not stretch
   * @param taskRun  Spark's executor run time per task (median, wall)
   * @param tokensPerStep training tokens one executor's step consumes
   */
  public record Point(String model, long params, int executors, int k, int rounds, double round, double compute,
                      double get, double put, double average, double launch, double collect, double snapshot,
                      double taskCpu, double taskRun, double tokensPerStep) {
    /** The part of the round not inside any measured term. */
    public double other() {
      return round - compute - get - put - average - launch - collect - snapshot;
    }

    /** Bytes of one float32 copy of the parameters. */
    double bytes() {
      return 4.0 * params;
    }

    /** This point as ordered key → value (milliseconds for times), for the RESULT line. */
    public Map<String, Object> toMap() {
      Map<String, Object> m = new LinkedHashMap<>();
      m.put("model", model);
      m.put("params", params);
      m.put("executors", executors);
      m.put("k", k);
      m.put("rounds", rounds);
      m.put("round_ms", ms(round));
      m.put("compute_ms", ms(compute));
      m.put("task_cpu_ms", ms(taskCpu));
      m.put("task_run_ms", ms(taskRun));
      m.put("get_ms", ms(get));
      m.put("put_ms", ms(put));
      m.put("average_ms", ms(average));
      m.put("launch_ms", ms(launch));
      m.put("collect_ms", ms(collect));
      m.put("snapshot_ms", ms(snapshot));
      m.put("other_ms", ms(other()));
      m.put("overhead_fraction", round4(1 - compute / round));
      m.put("tokens_per_s", Math.round(executors * k * tokensPerStep / round));
      m.put("tokens_per_step", tokensPerStep);
      return m;
    }

    /** A point back from {@link #toMap()} (an earlier run's RESULT line). */
    public static Point fromMap(Map<?, ?> m) {
      int n = num(m, "executors").intValue();
      int k = num(m, "k").intValue();
      double round = num(m, "round_ms").doubleValue() / 1e3;
      double tokensPerStep = m.containsKey("tokens_per_step") ? num(m, "tokens_per_step").doubleValue()
          : num(m, "tokens_per_s").doubleValue() * round / (n * k);
      return new Point((String) m.get("model"), num(m, "params").longValue(), n, k, num(m, "rounds").intValue(), round,
          sec(m, "compute_ms"), sec(m, "get_ms"), sec(m, "put_ms"), sec(m, "average_ms"), sec(m, "launch_ms"),
          sec(m, "collect_ms"), sec(m, "snapshot_ms"), sec(m, "task_cpu_ms"), sec(m, "task_run_ms"), tokensPerStep);
    }

    private static Number num(Map<?, ?> m, String key) {
      Object v = m.get(key);
      if (!(v instanceof Number n)) {
        throw new IllegalArgumentException("cost model point " + m + ": " + key + " = " + v + ", expected a number");
      }
      return n;
    }

    private static double sec(Map<?, ?> m, String key) {
      return num(m, key).doubleValue() / 1e3;
    }

    /** The median of each term over repeated runs of one (model, N, k); rounds add up. */
    public static Point median(List<Point> ps) {
      Point f = ps.get(0);
      return new Point(f.model(), f.params(), f.executors(), f.k(), ps.stream().mapToInt(Point::rounds).sum(),
          med(ps, Point::round), med(ps, Point::compute), med(ps, Point::get), med(ps, Point::put),
          med(ps, Point::average), med(ps, Point::launch), med(ps, Point::collect), med(ps, Point::snapshot),
          med(ps, Point::taskCpu), med(ps, Point::taskRun), f.tokensPerStep());
    }

    private static double med(List<Point> ps, java.util.function.ToDoubleFunction<Point> f) {
      return RoundCostModel.median(ps.stream().mapToDouble(f).toArray());
    }
  }

  /** The driver's network bandwidth assumed for predictions. */
  public record Network(String name, double bytesPerSecond) {
    /** A 10 Gb/s NIC: 1.25e9 bytes/s each way. */
    public static final Network TEN_GBIT = new Network("10 Gb/s", 1.25e9);
  }

  /**
   * The fitted terms (seconds, bytes/s), see the class comment.
   *
   * @param secondsPerStep c per model, from its N = 1 point
   * @param tokensPerStep  tokens per executor step per model
   * @param loopbackRate   this machine's driver serving rate seen at N ≥ 2 (median of N·4P / (GET − g0)); reported,
   *                       not used for predictions (both ends share two cores)
   */
  public record Fit(Map<String, Double> secondsPerStep, Map<String, Double> tokensPerStep, double s0, double s1,
                    double stage, double g0, double getRate, double u0, double putRate, double a0, double a1, double sigma,
                    double o, double loopbackRate) {
    /** The terms as ordered key → value, for the RESULT line. */
    public Map<String, Object> toMap() {
      Map<String, Object> m = new LinkedHashMap<>();
      secondsPerStep.forEach((k, v) -> m.put("compute_ms_per_step_" + k, ms(v)));
      m.put("spark_ms", ms(s0));
      m.put("spark_ms_per_task", round4(1e3 * s1));
      m.put("stage_ms", ms(stage));
      m.put("get_ms", ms(g0));
      m.put("get_endpoint_mb_per_s", Math.round(getRate / 1e6));
      m.put("put_ms", ms(u0));
      m.put("put_endpoint_mb_per_s", Math.round(putRate / 1e6));
      m.put("average_ms", ms(a0));
      m.put("average_ns_per_value", round4(1e9 * a1));
      m.put("snapshot_ns_per_param", round4(1e9 * sigma));
      m.put("other_ms", ms(o));
      m.put("loopback_mb_per_s", Math.round(loopbackRate / 1e6));
      return m;
    }
  }

  /**
   * The points with every term divided by the point's stretch: how much slower its compute ran than one executor's
   * compute on a quiet machine would under the point's own time-sharing, {@code compute / (k · c_quiet · max(1, N/2))}
   * (two cores shared by N executors). Other people's jobs on a shared machine slow a round's every part; this
   * assumes they slow each part by the factor they slow compute, so a round's split keeps its proportions and its
   * scale becomes a quiet machine's. {@code quietSecondsPerStep} is one executor's compute per step of model
   * {@code reference} on a quiet machine; other models scale by their measured N = 1 compute against the reference's.
   * Returns the points unchanged when it is NaN.
   */
  public static List<Point> normalized(List<Point> points, String reference, double quietSecondsPerStep) {
    if (Double.isNaN(quietSecondsPerStep)) {
      return points;
    }
    Map<String, Double> perStep = new LinkedHashMap<>();
    for (Point p : points) {
      if (p.executors() == 1) {
        perStep.putIfAbsent(p.model(), p.compute() / p.k());
      }
    }
    Double ref = perStep.get(reference);
    if (ref == null) {
      throw new IllegalArgumentException("no N = 1 point of " + reference + " to scale the quiet compute from");
    }
    List<Point> out = new ArrayList<>();
    for (Point p : points) {
      Double c = perStep.get(p.model());
      if (c == null) {
        throw new IllegalArgumentException("no N = 1 point of " + p.model() + " (its compute per step is taken there)");
      }
      double quiet = quietSecondsPerStep * c / ref;
      double f = p.compute() / (p.k() * quiet * Math.max(1, p.executors() / 2.0));
      out.add(new Point(p.model(), p.params(), p.executors(), p.k(), p.rounds(), p.round() / f, p.compute() / f,
          p.get() / f, p.put() / f, p.average() / f, p.launch() / f, p.collect() / f, p.snapshot() / f,
          p.taskCpu() / f, p.taskRun() / f, p.tokensPerStep()));
    }
    return out;
  }

  /** Each point's stretch as {@link #normalized} divides by it. */
  public static Map<String, Double> stretch(List<Point> raw, List<Point> normalized) {
    Map<String, Double> m = new LinkedHashMap<>();
    for (int i = 0; i < raw.size(); i++) {
      m.put(raw.get(i).model() + "_N" + raw.get(i).executors(), round4(raw.get(i).round() / normalized.get(i).round()));
    }
    return m;
  }

  /** Fits the terms to measured points (at least one N = 1 point per model; two sizes fix the GET/PUT intercepts). */
  public static Fit fit(List<Point> points) {
    Map<String, Double> perStep = new LinkedHashMap<>();
    Map<String, Double> tokens = new LinkedHashMap<>();
    List<Point> ones = new ArrayList<>();
    for (Point p : points) {
      if (p.executors() == 1 && !perStep.containsKey(p.model())) {
        perStep.put(p.model(), p.compute() / p.k());
        tokens.put(p.model(), p.tokensPerStep());
        ones.add(p);
      }
    }
    if (ones.isEmpty()) {
      throw new IllegalArgumentException("the cost model needs a measurement with N = 1 executor (compute is taken"
          + " from it); got N = " + points.stream().map(Point::executors).toList());
    }
    // the per-task slope from rounds without an extra stage; a stage's cost from the rest
    List<Point> flat = points.stream().filter(p -> aggregateLevels(p.executors()) == 0).toList();
    double[] spark = line(flat.isEmpty() ? points : flat, p -> (double) p.executors(), p -> p.launch() + p.collect());
    double[] staged = points.stream().filter(p -> aggregateLevels(p.executors()) > 0).mapToDouble(
        p -> (p.launch() + p.collect() - spark[0] - spark[1] * p.executors()) / aggregateLevels(p.executors())).toArray();
    double stage = staged.length == 0 ? spark[0] : Math.max(0, median(staged));
    double[] get = line(ones, Point::bytes, Point::get);
    double[] put = line(ones, Point::bytes, Point::put);
    double[] avg = line(points, p -> (double) p.executors() * p.params(), Point::average);
    double sigma = median(points.stream().mapToDouble(p -> p.snapshot() / p.params()).toArray());
    double other = median(points.stream().filter(p -> p.executors() <= 2).mapToDouble(Point::other).toArray());
    double g0 = get[0];
    double loopback = median(points.stream().filter(p -> p.executors() >= 2)
        .mapToDouble(p -> p.executors() * p.bytes() / Math.max(1e-6, p.get() - g0)).toArray());
    if (!(loopback > 0)) {
      loopback = Double.POSITIVE_INFINITY; // no N >= 2 point
    }
    return new Fit(perStep, tokens, spark[0], spark[1], stage, g0, 1 / get[1], put[0], 1 / put[1], avg[0], avg[1], sigma,
        other, loopback);
  }

  /**
   * Extra stages Spark's {@code treeAggregate} at depth 2 (spark.treeDepth's default) runs for n partitions: it adds a
   * level while n &gt; scale + ⌈n / scale⌉, scale = max(⌈√n⌉, 2), dividing n by scale.
   */
  static int aggregateLevels(int n) {
    int scale = Math.max((int) Math.ceil(Math.sqrt(n)), 2);
    int levels = 0;
    int parts = n;
    while (parts > scale + (int) Math.ceil((double) parts / scale)) {
      parts /= scale;
      levels++;
    }
    return levels;
  }

  /**
   * Least squares y = b0 + b1·x, kept non-negative: through the origin when every x is the same (one model size) or
   * the intercept comes out negative, and flat (b1 = 0, b0 = mean) when the slope does (noise on a loaded machine).
   */
  static double[] line(List<Point> points, java.util.function.ToDoubleFunction<Point> fx,
                       java.util.function.ToDoubleFunction<Point> fy) {
    int n = points.size();
    double mx = 0;
    double my = 0;
    for (Point p : points) {
      mx += fx.applyAsDouble(p) / n;
      my += fy.applyAsDouble(p) / n;
    }
    double sxx = 0;
    double sxy = 0;
    for (Point p : points) {
      double dx = fx.applyAsDouble(p) - mx;
      sxx += dx * dx;
      sxy += dx * (fy.applyAsDouble(p) - my);
    }
    double b1 = sxx == 0 ? Double.NaN : sxy / sxx;
    if (sxx == 0 || my - b1 * mx < 0) {
      double sx2 = 0;
      double sxy0 = 0;
      for (Point p : points) {
        sx2 += fx.applyAsDouble(p) * fx.applyAsDouble(p);
        sxy0 += fx.applyAsDouble(p) * fy.applyAsDouble(p);
      }
      return new double[] {0, Math.max(0, sxy0 / sx2)};
    }
    if (b1 < 0) {
      return new double[] {my, 0};
    }
    return new double[] {my - b1 * mx, b1};
  }

  /** The predicted round: each term in seconds. */
  public record Round(int executors, int k, double compute, double spark, double get, double put, double average,
                      double rest, double tokensPerStep) {
    /** Total round time. */
    public double seconds() {
      return compute + spark + get + put + average + rest;
    }

    /** 1 − compute / T. */
    public double overhead() {
      return 1 - compute / seconds();
    }

    /** Training tokens per second of the whole cluster. */
    public double tokensPerSecond() {
      return executors * k * tokensPerStep / seconds();
    }
  }

  /** The direct channel: every executor GETs from and PUTs to the driver. */
  public static Round direct(Fit f, Point model, int n, int k, Network net) {
    double b = model.bytes();
    double nic = n * b / net.bytesPerSecond();
    return new Round(n, k, k * f.secondsPerStep().get(model.model()),
        f.s0() + f.s1() * n + f.stage() * aggregateLevels(n),
        f.g0() + Math.max(b / f.getRate(), nic), f.u0() + Math.max(b / f.putRate(), nic),
        f.a0() + f.a1() * n * model.params(), f.sigma() * model.params() + f.o(), f.tokensPerStep().get(model.model()));
  }

  /**
   * The tree transport with fan-out {@code fanOut}: GET by torrent broadcast, PUT by a reduce tree whose levels are
   * Spark shuffle stages; the driver folds the last ≤ fanOut partial sums.
   */
  public static Round tree(Fit f, Point model, int n, int k, Network net, int fanOut) {
    double b = model.bytes();
    double get = f.g0() + b / f.getRate() + Math.ceil(log2(n + 1.0)) * b / net.bytesPerSecond();
    double put = f.u0() + b / f.putRate();
    double spark = f.s0() + f.s1() * n;
    int nodes = n;
    double childBytes = b; // leaves travel as float32, partial sums as double
    while (nodes > fanOut) {
      int parents = (nodes + fanOut - 1) / fanOut;
      spark += f.stage() + f.s1() * parents;
      put += fanOut * childBytes / net.bytesPerSecond() + f.a1() * fanOut * model.params();
      nodes = parents;
      childBytes = 2 * b;
    }
    put += nodes * childBytes / net.bytesPerSecond();
    double average = f.a0() + f.a1() * nodes * model.params();
    return new Round(n, k, k * f.secondsPerStep().get(model.model()), spark, get, put, average,
        f.sigma() * model.params() + f.o(), f.tokensPerStep().get(model.model()));
  }

  /** The fan-out the tree transport is predicted with (spark.treeFanOut's default). */
  public static final int FAN_OUT = 8;

  private static double log2(double x) {
    return Math.log(x) / Math.log(2);
  }

  /**
   * The keys for {@code model}: overhead_predicted_N (direct channel, the first k), and per k and transport
   * overhead and tokens/s ({@code overhead_predicted_k16_64}, {@code tokens_per_s_predicted_tree_k4_100}, ...).
   */
  public static Map<String, Object> predictions(Fit f, Point model, int[] ns, int[] ks, Network net) {
    Map<String, Object> m = new LinkedHashMap<>();
    for (int n : ns) {
      m.put("overhead_predicted_" + n, round4(direct(f, model, n, ks[0], net).overhead()));
    }
    for (int k : ks) {
      for (int n : ns) {
        Round d = direct(f, model, n, k, net);
        Round t = tree(f, model, n, k, net, FAN_OUT);
        m.put("overhead_predicted_k" + k + "_" + n, round4(d.overhead()));
        m.put("tokens_per_s_predicted_k" + k + "_" + n, Math.round(d.tokensPerSecond()));
        m.put("overhead_predicted_tree_k" + k + "_" + n, round4(t.overhead()));
        m.put("tokens_per_s_predicted_tree_k" + k + "_" + n, Math.round(t.tokensPerSecond()));
      }
    }
    m.put("prediction_network", net.name());
    m.put("prediction_model", model.model() + " (" + model.params() + " parameters)");
    return m;
  }

  /** The measured points as a markdown table (milliseconds per round, medians). */
  public static String measuredTable(List<Point> points) {
    StringBuilder s = new StringBuilder("| model | P | N | k | round | compute | task CPU | GET | PUT | driver average"
        + " | launch | collect | snapshot | other | overhead | tokens/s |\n|---|---|---|---|---|---|---|---|---|---|---|---|"
        + "---|---|---|---|\n");
    for (Point p : points) {
      s.append(String.format(Locale.ROOT, "| %s | %,d | %d | %d | %.0f | %.0f | %.0f | %.0f | %.0f | %.0f | %.0f | %.0f"
              + " | %.0f | %.0f | %.1f %% | %,d |%n", p.model(), p.params(), p.executors(), p.k(), 1e3 * p.round(),
          1e3 * p.compute(), 1e3 * p.taskCpu(), 1e3 * p.get(), 1e3 * p.put(), 1e3 * p.average(), 1e3 * p.launch(),
          1e3 * p.collect(), 1e3 * p.snapshot(), 1e3 * p.other(), 100 * (1 - p.compute() / p.round()),
          Math.round(p.executors() * p.k() * p.tokensPerStep() / p.round())));
    }
    return s.toString();
  }

  /**
   * The model against its own measurements: each point's overhead (round − compute) measured and as the fitted terms
   * give it on this machine (the network term at the loopback rate seen here).
   */
  public static String checkTable(Fit f, List<Point> points) {
    Network here = new Network("loopback", f.loopbackRate());
    StringBuilder s = new StringBuilder("| model | N | measured overhead | modelled overhead | modelled Spark | GET | PUT"
        + " | average |\n|---|---|---|---|---|---|---|---|\n");
    for (Point p : points) {
      Round r = direct(f, p, p.executors(), p.k(), here);
      s.append(String.format(Locale.ROOT, "| %s | %d | %.0f | %.0f | %.0f | %.0f | %.0f | %.0f |%n", p.model(),
          p.executors(), 1e3 * (p.round() - p.compute()), 1e3 * (r.seconds() - r.compute()), 1e3 * r.spark(),
          1e3 * r.get(), 1e3 * r.put(), 1e3 * r.average()));
    }
    return s.toString();
  }

  /** Predicted rounds for {@code model} at each N and k, direct channel and tree transport, as a markdown table. */
  public static String predictedTable(Fit f, Point model, int[] ns, int[] ks, Network net) {
    StringBuilder s = new StringBuilder("| N | k | compute | Spark | GET | PUT | driver average | round (direct) |"
        + " overhead | tokens/s | round (tree) | overhead (tree) | tokens/s (tree) |\n"
        + "|---|---|---|---|---|---|---|---|---|---|---|---|---|\n");
    for (int k : ks) {
      for (int n : ns) {
        Round d = direct(f, model, n, k, net);
        Round t = tree(f, model, n, k, net, FAN_OUT);
        s.append(String.format(Locale.ROOT, "| %d | %d | %.0f | %.0f | %.0f | %.0f | %.0f | %.0f | %.1f %% | %,d | %.0f"
                + " | %.1f %% | %,d |%n", n, k, 1e3 * d.compute(), 1e3 * d.spark(), 1e3 * d.get(), 1e3 * d.put(),
            1e3 * d.average(), 1e3 * d.seconds(), 100 * d.overhead(), Math.round(d.tokensPerSecond()),
            1e3 * t.seconds(), 100 * t.overhead(), Math.round(t.tokensPerSecond())));
      }
    }
    return s.toString();
  }

  static double median(double[] v) {
    return CostModel.median(v);
  }

  private static double ms(double seconds) {
    return Math.round(seconds * 1e4) / 10.0;
  }

  private static double round4(double v) {
    return Double.isFinite(v) ? Math.round(v * 1e4) / 1e4 : Double.NaN;
  }
}
