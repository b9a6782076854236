package io.seqspark.spark.train;

import io.seqspark.core.data.Minibatch;
import io.seqspark.core.data.Shard;
import io.seqspark.core.train.BatchSource;
import io.seqspark.core.train.Rounds;
import io.seqspark.core.train.TrainSetup;
import io.seqspark.core.train.LearningRate;
import io.seqspark.core.train.StepStats;
import io.seqspark.core.train.TrainStep;
import io.seqspark.core.train.Trainable;
import java.io.Serializable;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import org.apache.spark.api.java.JavaRDD;
import org.apache.spark.api.java.JavaSparkContext;
import org.apache.spark.broadcast.Broadcast;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

/**
 * Data-parallel training by parameter averaging, in rounds:
 * <pre>
 *   driver: publish parameters + optimizer state (ParameterChannel, or Spark's broadcast with spark.transport = spark);
 *           broadcast each partition's carried state and step count
 *   each partition: k TrainSteps on its own next k batches (the same TrainStep as the local Trainer), then upload
 *   treeAggregate: loss sums, token counts, carried states (and the values themselves on the Spark transport)
 *   driver: θ = Σ tokens_p·θ_p / Σ tokens_p in one pass ({@link WeightedValues}; likewise the optimizer state)
 * </pre>
 * Averaging is weighted by the tokens each partition trained on in the round, so a partition with short or few
 * batches counts for what it saw (dl4j-spark divides by the worker count). With one partition this is exactly the
 * local {@link io.seqspark.core.train.Trainer}: same batches, same seeds, and its values are taken as they are.
 */
public final class ParameterAveraging {

  /** How parameters travel between the driver and the partitions each round (config key spark.transport). */
  public enum Transport {
    /** Raw floats over a socket to the driver ({@link ParameterChannel}); spark.transportPort picks its port. */
    DIRECT,
    /** Spark's broadcast one way and task results the other (no extra port; slower for large models). */
    SPARK
  }

  /** Settings of the distributed loop. */
  public record Options(int averagingFrequency, int treeDepth, int epochs, LearningRate learningRate, long seed,
                        Transport transport, int transportPort) {
    public Options(int averagingFrequency, int treeDepth, int epochs, LearningRate learningRate, long seed) {
      this(averagingFrequency, treeDepth, epochs, learningRate, seed, Transport.DIRECT, 0);
    }

    /** The loop's settings from spark.* keys (averagingFrequency, treeDepth, transport, transportPort). */
    public static Options of(io.seqspark.core.config.Settings s, int epochs, LearningRate learningRate, long seed) {
      return new Options(s.getInt("spark.averagingFrequency"), s.getInt("spark.treeDepth"), epochs, learningRate, seed,
          Transport.valueOf(s.getString("spark.transport").toUpperCase(java.util.Locale.ROOT)),
          s.getInt("spark.transportPort"));
    }

    /** The same settings with another averaging frequency. */
    public Options withFrequency(int k) {
      return new Options(k, treeDepth, epochs, learningRate, seed, transport, transportPort);
    }

    public Options {
      if (averagingFrequency < 1) {
        throw new IllegalArgumentException("spark.averagingFrequency = " + averagingFrequency + ": must be >= 1");
      }
      if (treeDepth < 1) {
        throw new IllegalArgumentException("spark.treeDepth = " + treeDepth + ": must be >= 1");
      }
    }
  }

  /** Observes rounds. */
  public interface Listener {
    void onRound(int epoch, int round, StepStats stats, double lr, double seconds);

    /** After {@link #onRound}: where the round's wall time went (see {@link RoundTimes}). */
    default void onRoundTimes(int epoch, int round, RoundTimes times) {
    }
  }

  private final JavaSparkContext sc;
  private final Workload<?> workload;
  private final Options options;
  private final TrainStep<?> driver;

  /**
   * @param driver the driver's copy of the model and optimizer: holds the averaged parameters between rounds and
   *               at the end (for checkpoints, evaluation and the model archive)
   */
  public ParameterAveraging(JavaSparkContext sc, Workload<?> workload, Options options, TrainStep<?> driver) {
    this.sc = sc;
    this.workload = workload;
    this.options = options;
    this.driver = driver;
  }

  /** The seed of partition p's random streams: the run seed itself for partition 0, so one partition = local. */
  public static long partitionSeed(long seed, int partition) {
    return TrainSetup.partitionSeed(seed, partition);
  }

  private final Map<Integer, double[][]> states = new HashMap<>();
  private long roundSerial;
  private final Map<Integer, Long> stepCounts = new HashMap<>();

  /** Trains over {@code shards} (one per partition, cached) for the configured epochs; returns the rounds run. */
  public int fit(JavaRDD<Shard> shards, Listener listener) {
    int rounds = 0;
    for (int epoch = 1; epoch <= options.epochs(); epoch++) {
      rounds += runEpoch(shards, epoch, listener);
    }
    return rounds;
  }

  /** One epoch from its start: see {@link #runEpoch(JavaRDD, int, int, int, Listener)}. */
  public int runEpoch(JavaRDD<Shard> shards, int epoch, Listener listener) {
    return runEpoch(shards, epoch, 0, Integer.MAX_VALUE, listener);
  }

  /**
   * Rounds {@code firstRound, firstRound+1, ...} of {@code epoch} until every partition has run all its batches or
   * {@code maxRounds} rounds have run; returns the rounds run (fewer than maxRounds: the epoch is complete).
   * Starting at round 0 starts every partition's streams from zero state, as the local trainer starts each epoch; a later first round continues from {@link #importState imported} state (resume).
   */
  public int runEpoch(JavaRDD<Shard> shards, int epoch, int firstRound, int maxRounds, Listener listener) {
    double lr = options.learningRate().at(epoch);
    if (firstRound == 0) {
      states.clear();
    }
    int rounds = 0;
    try {
      for (int round = firstRound; rounds < maxRounds; round++) {
        RoundResult r = round(shards, epoch, round, lr, listener);
        if (r == null) {
          return rounds; // every partition has run all its batches of this epoch
        }
        rounds++;
      }
      return rounds;
    } finally {
      closeChannel();
    }
  }

  private ParameterChannel channel;

  private ParameterChannel channel() {
    if (channel == null && options.transport() == Transport.DIRECT) {
      channel = new ParameterChannel(sc.getConf().get("spark.driver.host", "localhost"), options.transportPort());
    }
    return channel;
  }

  private void closeChannel() {
    if (channel != null) {
      channel.close();
      channel = null;
    }
  }

  /**
   * One round: ships the driver's values, runs every partition's k steps, averages into the driver's model, keeps the
   * partitions' carried state; null (nothing changed) when every partition has run all its batches of the epoch.
   */
  private RoundResult round(JavaRDD<Shard> shards, int epoch, int round, double lr, Listener listener) {
    long t0 = System.nanoTime();
    ParameterChannel ch = channel();
    RoundResult r = runRound(shards, ch, epoch, round, lr);
    long t2 = System.nanoTime();
    if (r.tokens == 0) {
      return null;
    }
    average(r, ch, epoch, round);
    long t3 = System.nanoTime();
    states.putAll(r.states);
    stepCounts.putAll(r.stepCounts);
    if (listener != null) {
      double seconds = (System.nanoTime() - t0) / 1e9;
      listener.onRound(epoch, round, new StepStats(r.lossSum, r.tokens, r.sequences, r.positions), lr, seconds);
      listener.onRoundTimes(epoch, round, new RoundTimes(seconds, r.maxComputeSeconds, r.maxReadSeconds,
          r.maxSetupSeconds, r.maxPackSeconds, r.driverBroadcastSeconds, (t3 - t2) / 1e9,
          Math.max(0, r.firstStartMillis - r.submitMillis) / 1e3,
          Math.max(0, r.collectedMillis - r.lastEndMillis) / 1e3));
    }
    return r;
  }

  /**
   * These averaging rounds as the shared {@link io.seqspark.core.train.EpochLoop} runs them: a round advances the
   * optimizer steps of its busiest partition (k, fewer at an epoch's end); its state is the partitions' carried
   * states and step counts. {@code listener} (may be null) also sees each round's time split.
   */
  public Rounds rounds(JavaRDD<Shard> shards, Listener listener) {
    return new Rounds() {
      @Override
      public void startEpoch(int epoch, boolean fresh) {
        if (fresh) {
          states.clear();
        }
      }

      @Override
      public Round run(int epoch, int round, double lr, long stepsBefore) {
        RoundResult r = round(shards, epoch, round, lr, listener);
        return r == null ? null
            : new Round(new StepStats(r.lossSum, r.tokens, r.sequences, r.positions), Double.NaN, r.maxSteps);
      }

      @Override
      public int rounds(int epoch) {
        return -1;
      }

      @Override
      public Map<String, double[]> exportState() {
        return ParameterAveraging.this.exportState();
      }

      @Override
      public void importState(Map<String, double[]> state) {
        ParameterAveraging.this.importState(state);
      }

      @Override
      public void close() {
        closeChannel();
      }
    };
  }

  /** Ships the driver's values, runs every partition's k steps, and returns their aggregate (values still raw). */
  private RoundResult runRound(JavaRDD<Shard> shards, ParameterChannel channel, int epoch, int round, double lr) {
    long t0 = System.nanoTime();
    long key = ++roundSerial;
    float[] params = new float[0];
    float[] optimizer = new float[0];
    if (channel != null) {
      channel.publish(key, driver.model().params().params(), driver.optimizer().state());
    } else {
      params = toFloats(driver.model().params().params());
      optimizer = toFloats(driver.optimizer().state());
    }
    RoundInput in = new RoundInput(workload, params, optimizer, channel == null ? null : channel.address(), key,
        new HashMap<>(states), new HashMap<>(stepCounts), epoch, round, options.averagingFrequency(), lr,
        options.seed(), shards.id());
    Broadcast<RoundInput> b = sc.broadcast(in);
    long t1 = System.nanoTime();
    long submitMillis = System.currentTimeMillis();
    RoundResult r = shards.mapPartitions(it -> {
          long start = System.nanoTime();
          long startMillis = System.currentTimeMillis();
          RoundInput value = b.value();
          return List.of(runPartition(value, it, start, startMillis)).iterator();
        })
        .treeAggregate(RoundResult.zero(), RoundResult::plus, RoundResult::plus, options.treeDepth());
    r.collectedMillis = System.currentTimeMillis();
    r.submitMillis = submitMillis;
    r.driverBroadcastSeconds = (t1 - t0) / 1e9;
    b.destroy();
    return r;
  }

  /** The per-partition state a checkpoint must hold to resume exactly: carried states and step counts. */
  public Map<String, double[]> exportState() {
    Map<String, double[]> out = new java.util.TreeMap<>();
    for (Map.Entry<Integer, Long> e : stepCounts.entrySet()) {
      out.put("steps-" + e.getKey(), new double[] {e.getValue()});
    }
    for (Map.Entry<Integer, double[][]> e : states.entrySet()) {
      for (int i = 0; i < e.getValue().length; i++) {
        out.put("state-" + e.getKey() + "-" + i, e.getValue()[i]);
      }
    }
    return out;
  }

  /** Restores what {@link #exportState()} returned. */
  public void importState(Map<String, double[]> saved) {
    stepCounts.clear();
    states.clear();
    Map<Integer, java.util.TreeMap<Integer, double[]>> byPartition = new HashMap<>();
    for (Map.Entry<String, double[]> e : saved.entrySet()) {
      String[] parts = e.getKey().split("-");
      if (parts[0].equals("steps")) {
        stepCounts.put(Integer.parseInt(parts[1]), (long) e.getValue()[0]);
      } else if (parts[0].equals("state")) {
        byPartition.computeIfAbsent(Integer.parseInt(parts[1]), k -> new java.util.TreeMap<>())
            .put(Integer.parseInt(parts[2]), e.getValue());
      }
    }
    byPartition.forEach((p, m) -> states.put(p, m.values().toArray(new double[0][])));
  }

  private void average(RoundResult r, ParameterChannel channel, int epoch, int round) {
    if (channel != null) {
      r.params.resolve((p, a) -> channel.upload(p, a)[0]);
      r.optimizer.resolve((p, a) -> channel.upload(p, a)[1]);
    }
    float[] theta = r.params.mean();
    for (int i = 0; i < theta.length; i++) {
      if (!Float.isFinite(theta[i])) {
        throw nonFinite(epoch, round, theta[i], i);
      }
    }
    driver.model().params().setParams(theta);
    float[] state = r.optimizer.mean();
    if (state.length > 0) {
      driver.optimizer().setState(Nd4j.createFromArray(state));
    }
    if (channel != null) {
      channel.clearUploads();
    }
  }

  private static IllegalStateException nonFinite(int epoch, int round, double value, int index) {
    return new IllegalStateException("epoch " + epoch + " round " + round + ": the averaged parameters contain " + value
        + " (parameter " + index + "); training stopped before writing them. Lower train.learningRate or set"
        + " train.clipNorm, and resume from the last checkpoint");
  }

  /** A heap copy of {@code a} in float32: one copy when {@code a} is a whole float buffer (a model's flat parameters). */
  static float[] toFloats(INDArray a) {
    if (a.length() == 0) {
      return new float[0];
    }
    if (a.dataType() == DataType.FLOAT && !a.isView() && a.data().length() == a.length()) {
      return a.data().asFloat();
    }
    return a.castTo(DataType.FLOAT).dup('c').data().asFloat();
  }

  /** Everything a partition needs for one round; broadcast once per round. */
  record RoundInput(Workload<?> workload, float[] params, float[] optimizer, ParameterChannel.Address channel,
                    long roundKey, Map<Integer, double[][]> states,
                    Map<Integer, Long> stepCounts, int epoch, int round, int k, double lr, long seed, int rddId)
      implements Serializable {
  }

  /** One model, optimizer and batch source per (workload, partition) and executor JVM, reused across rounds. */
  private static final Map<String, Worker<?>> WORKERS = new ConcurrentHashMap<>();

  private record Worker<B extends Minibatch>(TrainStep<B> step, BatchSource<B> source, Shard shard) {
  }

  /** Runs partition p's k steps of this round, starting from the broadcast parameters and state. */
  static RoundResult runPartition(RoundInput in, Iterator<Shard> shards, long taskStart, long startMillis) {
    RoundResult out = RoundResult.zero();
    if (!shards.hasNext()) {
      return out;
    }
    Shard shard = shards.next();
    int p = shard.partition();
    // keyed by workload, RDD and partition, and checked against the shard object itself: RDD ids start again in
    // every SparkContext, so a later context in the same JVM must not reuse a worker built on another context's data
    String key = in.workload().id() + "/" + in.rddId() + "/" + p;
    Worker<?> w = WORKERS.get(key);
    if (w == null || w.shard() != shard) {
      w = worker(in.workload(), shard);
      WORKERS.put(key, w);
    }
    return runPartition(in, w, p, taskStart, startMillis);
  }

  private static <B extends Minibatch> Worker<B> worker(Workload<B> workload, Shard shard) {
    return new Worker<>(workload.newStep(), workload.source(shard), shard);
  }

  private static <B extends Minibatch> RoundResult runPartition(RoundInput in, Worker<B> w, int p, long taskStart,
                                                                long startMillis) {
    RoundResult out = RoundResult.zero();
    int n = w.source().numBatches(in.epoch());
    int from = in.round() * in.k();
    int to = Math.min(from + in.k(), n);
    if (from >= to) {
      return out;
    }
    Trainable<B> model = w.step().model();
    if (in.channel() != null) {
      ParameterChannel.get(in.channel(), in.roundKey(), model.params().params(), w.step().optimizer().state());
    } else {
      model.params().setParams(in.params());
      if (in.optimizer().length > 0) {
        w.step().optimizer().setState(Nd4j.createFromArray(in.optimizer()));
      }
    }
    long readNanos = System.nanoTime() - taskStart;
    model.setCarryState(w.source().carriesState());
    double[][] state = in.states().get(p);
    if (state == null) {
      model.resetState();
    } else {
      List<INDArray> s = new ArrayList<>();
      for (double[] a : state) {
        s.add(Nd4j.createFromArray(a));
      }
      model.restoreState(s);
    }
    long step = in.stepCounts().getOrDefault(p, 0L);
    long seed = partitionSeed(in.seed(), p);
    StepStats sum = StepStats.ZERO;
    long c0 = System.nanoTime();
    for (int k = from; k < to; k++) {
      sum = sum.plus(w.step().run(w.source().batch(in.epoch(), k), in.lr(), ++step, seed).stats());
    }
    long c1 = System.nanoTime();
    out.maxReadSeconds = readNanos / 1e9;
    out.maxSetupSeconds = (c0 - taskStart) / 1e9;
    out.firstStartMillis = startMillis;
    out.maxComputeSeconds = (c1 - c0) / 1e9;
    FaultInjection.afterSteps(p, in.epoch(), in.round(), model);
    out.tokens = sum.tokens();
    if (in.channel() == null) {
      out.params = WeightedValues.of(p, toFloats(model.params().params()), out.tokens);
      out.optimizer = WeightedValues.of(p, toFloats(w.step().optimizer().state()), out.tokens);
    } else {
      int attempt = org.apache.spark.TaskContext.get() == null ? 0 : org.apache.spark.TaskContext.get().attemptNumber();
      ParameterChannel.put(in.channel(), in.roundKey(), p, attempt, model.params().params(),
          w.step().optimizer().state());
      out.params = WeightedValues.pending(p, attempt, out.tokens);
      out.optimizer = WeightedValues.pending(p, attempt, out.tokens);
    }
    out.lossSum = sum.lossSum();
    out.sequences = sum.sequences();
    out.positions = sum.positions();
    out.steps = to - from;
    out.maxSteps = to - from;
    List<INDArray> carried = model.state();
    // the carried state lives in double on the heap (Recurrent): ship it in full precision
    double[][] st = new double[carried.size()][];
    for (int i = 0; i < st.length; i++) {
      st[i] = carried.get(i).castTo(DataType.DOUBLE).dup('c').data().asDouble();
    }
    out.states.put(p, st);
    out.stepCounts.put(p, step);
    out.maxPackSeconds = (System.nanoTime() - c1) / 1e9;
    out.lastEndMillis = System.currentTimeMillis();
    return out;
  }

}
