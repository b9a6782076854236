package io.seqspark.spark.train;

import io.seqspark.core.config.Settings;
import io.seqspark.core.data.Shard;
import io.seqspark.core.train.LearningRate;
import io.seqspark.core.train.Rounds;
import io.seqspark.core.train.StepStats;
import io.seqspark.core.train.TrainSetup;
import io.seqspark.core.train.TrainStep;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;
import org.apache.spark.api.java.JavaRDD;
import org.apache.spark.api.java.JavaSparkContext;
import org.apache.spark.broadcast.Broadcast;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

/**
 * Data-parallel training by parameter averaging, in rounds:
 * <pre>
 *   driver: publish the start point (θ, or BMUF's look-ahead) + optimizer state (ParameterChannel, or Spark's
 *           broadcast with spark.transport = spark or tree); broadcast each partition's carried state and step count
 *   each partition: k TrainSteps on its own next k batches (the same TrainStep as the local Trainer), then upload
 *   treeAggregate: loss sums, token counts, carried states (and the values themselves on the Spark transport;
 *           spark.transport = tree: a reduce tree of shuffle stages instead, {@link TreeReduce})
 *   driver: avg = Σ tokens_p·θ_p / Σ tokens_p summed in one fixed tree order ({@link WeightedValues}; likewise the
 *           optimizer state), so every transport gives the same bits,
 *           then θ from avg through the {@link BlockFilter} (block momentum; η = 0, ζ = 1 keeps avg as it is)
 * </pre>
 * Averaging is weighted by the tokens each partition trained on in the round, so a partition with short or few
 * batches counts for what it saw (dl4j-spark divides by the worker count). With one partition this is exactly the
 * local {@link io.seqspark.core.train.Trainer}: same batches, same seeds, and its values are taken as they are (the
 * derived block momentum 1 − 1/N is 0 there).
 *
 * <p>Step j of a round (0-based) is optimizer step {@code stepsBefore + j + 1} of the run, and trains at the
 * schedule's rate for it ({@link LearningRate#at(int, long)}, the local trainer's rate at that step); during
 * spark.syncWarmupSteps a round is one step. The executor side is {@link PartitionRound}.
 */
public final class ParameterAveraging {

  /** How parameters travel between the driver and the partitions each round (config key spark.transport). */
  public enum Transport {
    /** Raw floats over a socket to the driver ({@link ParameterChannel}); spark.transportPort picks its port. */
    DIRECT,
    /** Spark's broadcast one way and task results the other (no extra port; slower for large models). */
    SPARK,
    /**
     * Nothing through the driver but the top of a tree: Spark's torrent broadcast (executors relay its blocks to each
     * other) one way, a reduce tree of fan-out spark.treeFanOut ({@link TreeReduce}, shuffle stages) the other, so
     * the driver's network carries O(fan-out · parameters) per round instead of 2 · N · parameters.
     */
    TREE
  }

  /** What happens to the optimizer state after each round (config key spark.optimizerState). */
  public enum OptimizerState {
    /** The token-weighted mean of the partitions' states, shipped back to every partition. */
    AVERAGE,
    /**
     * Each partition keeps its own, on its executor; nothing travels. A checkpoint collects them (one Spark job); a
     * partition whose executor was lost cannot continue (the run stops and resumes from its last checkpoint).
     */
    LOCAL,
    /** Zeroed at the start of every round, Adam's bias correction restarting with the moments. */
    RESET
  }

  /**
   * Settings of the distributed loop.
   *
   * @param filter          the driver's update filter; null = none (plain averaging, no filter state)
   * @param syncWarmupSteps while fewer optimizer steps have run, rounds are one step (spark.syncWarmupSteps)
   * @param scaleLearningRate multiply the rate by the partition count (spark.scaleLearningRate)
   * @param treeFanOut      fan-out of the fixed tree the partitions' values are summed in, on every transport, and of
   *                        the reduce tree of spark.transport = tree (spark.treeFanOut)
   */
  public record Options(int averagingFrequency, int treeDepth, int epochs, LearningRate learningRate, long seed,
                        Transport transport, int transportPort, BlockFilter.Spec filter, OptimizerState optimizerState,
                        long syncWarmupSteps, boolean scaleLearningRate, int treeFanOut) {
    /** Plain averaging of parameters and optimizer state on the direct transport. */
    public Options(int averagingFrequency, int treeDepth, int epochs, LearningRate learningRate, long seed) {
      this(averagingFrequency, treeDepth, epochs, learningRate, seed, Transport.DIRECT, 0);
    }

    /** Plain averaging of parameters and optimizer state. */
    public Options(int averagingFrequency, int treeDepth, int epochs, LearningRate learningRate, long seed,
                   Transport transport, int transportPort) {
      this(averagingFrequency, treeDepth, epochs, learningRate, seed, transport, transportPort, null,
          OptimizerState.AVERAGE, 0, false, DEFAULT_FAN_OUT);
    }

    /**
     * The loop's settings from spark.* keys (averagingFrequency, treeDepth, transport, transportPort, blockMomentum,
     * blockLearningRate, nesterov, optimizerState, syncWarmupSteps, scaleLearningRate, treeFanOut).
     */
    public static Options of(Settings s, int epochs, LearningRate learningRate, long seed) {
      return new Options(s.getInt("spark.averagingFrequency"), s.getInt("spark.treeDepth"), epochs, learningRate, seed,
          Transport.valueOf(s.getString("spark.transport").toUpperCase(Locale.ROOT)), s.getInt("spark.transportPort"),
          BlockFilter.Spec.of(s), OptimizerState.valueOf(s.getString("spark.optimizerState").toUpperCase(Locale.ROOT)),
          s.getLong("spark.syncWarmupSteps"), s.getBoolean("spark.scaleLearningRate"), s.getInt("spark.treeFanOut"));
    }

    /** The same settings with another averaging frequency. */
    public Options withFrequency(int k) {
      return new Options(k, treeDepth, epochs, learningRate, seed, transport, transportPort, filter, optimizerState,
          syncWarmupSteps, scaleLearningRate, treeFanOut);
    }

    /** The same settings with another update filter (null = none). */
    public Options withFilter(BlockFilter.Spec f) {
      return new Options(averagingFrequency, treeDepth, epochs, learningRate, seed, transport, transportPort, f,
          optimizerState, syncWarmupSteps, scaleLearningRate, treeFanOut);
    }

    /** The same settings with another optimizer-state policy. */
    public Options withOptimizerState(OptimizerState policy) {
      return new Options(averagingFrequency, treeDepth, epochs, learningRate, seed, transport, transportPort, filter,
          policy, syncWarmupSteps, scaleLearningRate, treeFanOut);
    }

    public Options {
      if (averagingFrequency < 1) {
        throw new IllegalArgumentException("spark.averagingFrequency = " + averagingFrequency + ": must be >= 1");
      }
      if (treeDepth < 1) {
        throw new IllegalArgumentException("spark.treeDepth = " + treeDepth + ": must be >= 1");
      }
      if (syncWarmupSteps < 0) {
        throw new IllegalArgumentException("spark.syncWarmupSteps = " + syncWarmupSteps + ": must be >= 0; 0 = none");
      }
      if (treeFanOut < 2) {
        throw new IllegalArgumentException("spark.treeFanOut = " + treeFanOut + ": must be >= 2 (8 keeps up to 8"
            + " partitions summed in one pass, in partition order)");
      }
      if (optimizerState == null) {
        throw new IllegalArgumentException("spark.optimizerState: must be one of average, local, reset");
      }
    }
  }

  /** spark.treeFanOut's default: up to 8 partitions are summed in one pass, in partition order. */
  public static final int DEFAULT_FAN_OUT = 8;

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
   * @param driver the driver's copy of the model and optimizer: holds θ between rounds and at the end (for
   *               checkpoints, evaluation and the model archive)
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
  private final Map<Integer, Long> stepCounts = new HashMap<>();
  /** Round keys name a round on the channel and in executors' kept optimizer states: distinct per instance. */
  private long roundSerial = java.util.concurrent.ThreadLocalRandom.current().nextLong() >>> 2;
  /** The epoch's batch index where the next round starts; -1 = not known (a checkpoint from before it was saved). */
  private int cursor = -1;
  /** The epoch loop's plateau factor on the schedule's rate (train.plateauDecay); 1 until it first decays. */
  private double lrFactor = 1.0;
  /** Optimizer steps run by {@link #fit}/{@link #runEpoch} (the shared loop passes its own count instead). */
  private long fitSteps;
  private BlockFilter filter;
  private double[] importedVelocity;
  /** spark.optimizerState = local: which kept state each partition continues from, or the state itself (resume). */
  private final Map<Integer, long[]> localTags = new HashMap<>();
  private final Map<Integer, float[]> localStates = new HashMap<>();
  private JavaRDD<Shard> lastShards;
  /** The round's θ and start point, kept from publishing to filtering (null without a filter). */
  private float[] roundTheta;
  private float[] roundStart;

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
   * Starting at round 0 starts every partition's streams from zero state, as the local trainer starts each epoch;
   * a later first round continues from {@link #importState imported} state (resume).
   */
  public int runEpoch(JavaRDD<Shard> shards, int epoch, int firstRound, int maxRounds, Listener listener) {
    if (firstRound == 0) {
      states.clear();
      cursor = 0;
    }
    int rounds = 0;
    try {
      for (int round = firstRound; rounds < maxRounds; round++) {
        RoundResult r = round(shards, epoch, round, fitSteps, listener);
        if (r == null) {
          return rounds; // every partition has run all its batches of this epoch
        }
        fitSteps += r.maxSteps;
        rounds++;
      }
      return rounds;
    } finally {
      closeChannel();
    }
  }

  private ParameterChannel channel;
  /** False once the direct channel could not be opened as the conf's security asks (parameters then go via Spark). */
  private boolean directPossible = true;
  private int channelTimeoutSeconds = ParameterChannel.DEFAULT_TIMEOUT_SECONDS;

  /** Sets spark.channelTimeoutSeconds: how long a channel connection may sit idle before it fails; returns this. */
  public ParameterAveraging channelTimeoutSeconds(int seconds) {
    if (seconds < 1) {
      throw new IllegalArgumentException("spark.channelTimeoutSeconds = " + seconds + ": must be >= 1");
    }
    channelTimeoutSeconds = seconds;
    return this;
  }

  private ParameterChannel channel() {
    if (channel == null && options.transport() == Transport.DIRECT && directPossible) {
      channel = ParameterChannel.open(sc.getConf(), options.transportPort(), channelTimeoutSeconds);
      directPossible = channel != null;
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
   * One round: ships the start point, runs every partition's steps, averages and filters into the driver's model,
   * keeps the partitions' carried state; null (nothing changed) when every partition has run all its batches.
   */
  private RoundResult round(JavaRDD<Shard> shards, int epoch, int round, long stepsBefore, Listener listener) {
    long t0 = System.nanoTime();
    lastShards = shards;
    int partitions = shards.getNumPartitions();
    if (options.filter() != null && filter == null) {
      filter = BlockFilter.of(options.filter(), partitions);
      filter.setVelocity(importedVelocity);
    }
    if (cursor < 0) {
      cursor = round * options.averagingFrequency(); // rounds of k steps from the epoch's start
    }
    int k = stepsBefore < options.syncWarmupSteps() ? 1 : options.averagingFrequency();
    double lrScale = (options.scaleLearningRate() ? partitions : 1) * lrFactor;
    ParameterChannel ch = channel();
    RoundResult r = runRound(shards, ch, epoch, round, k, stepsBefore, lrScale);
    long t2 = System.nanoTime();
    if (r.tokens == 0) {
      return null;
    }
    average(r, ch, epoch, round);
    long t3 = System.nanoTime();
    cursor += k;
    states.putAll(r.states);
    stepCounts.putAll(r.stepCounts);
    localTags.putAll(r.optimizerTags);
    localStates.keySet().removeAll(r.optimizerTags.keySet());
    if (listener != null) {
      double seconds = (System.nanoTime() - t0) / 1e9;
      double lr = options.learningRate().at(epoch, stepsBefore + 1) * lrScale;
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
   * states and step counts, the filter's velocity and where the epoch stands. The loop's {@code lr} is not used:
   * the partitions take each step's rate from {@link Options#learningRate()}, which is the loop's schedule.
   * {@code listener} (may be null) also sees each round's time split.
   */
  public Rounds rounds(JavaRDD<Shard> shards, Listener listener) {
    return new Rounds() {
      @Override
      public void startEpoch(int epoch, boolean fresh) {
        if (fresh) {
          states.clear();
          cursor = 0;
        }
      }

      @Override
      public Round run(int epoch, int round, double lr, long stepsBefore) {
        RoundResult r = round(shards, epoch, round, stepsBefore, listener);
        return r == null ? null
            : new Round(new StepStats(r.lossSum, r.tokens, r.sequences, r.positions), Double.NaN, r.maxSteps);
      }

      @Override
      public int rounds(int epoch) {
        return -1;
      }

      @Override
      public void learningRateFactor(double factor) {
        lrFactor = factor;
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

  /** Ships the start point, runs every partition's steps, and returns their aggregate (values still raw). */
  private RoundResult runRound(JavaRDD<Shard> shards, ParameterChannel channel, int epoch, int round, int k,
                               long stepsBefore, double lrScale) {
    long t0 = System.nanoTime();
    long key = ++roundSerial;
    INDArray theta = driver.model().params().params();
    roundTheta = filter == null ? null : toFloats(theta);
    roundStart = filter == null ? null : filter.start(roundTheta);
    boolean publishOptimizer = switch (options.optimizerState()) {
      case AVERAGE -> true;
      case RESET -> false;
      // until every partition has a state of its own, the driver's (initial) state is where the others start
      case LOCAL -> localTags.size() + localStates.size() < shards.getNumPartitions();
    };
    INDArray none = Nd4j.create(DataType.FLOAT, 1, 0);
    INDArray opt = publishOptimizer ? driver.optimizer().state() : none;
    float[] params = new float[0];
    float[] optimizer = new float[0];
    if (channel != null) {
      channel.publish(key, roundStart == null || roundStart == roundTheta ? theta : Nd4j.createFromArray(roundStart),
          opt);
    } else {
      params = roundStart != null ? roundStart : toFloats(theta);
      optimizer = toFloats(opt);
    }
    PartitionRound.Input in = new PartitionRound.Input(workload, params, optimizer,
        channel == null ? null : channel.address(), key, new HashMap<>(states), new HashMap<>(stepCounts), epoch, round,
        cursor, k, options.learningRate(), stepsBefore, lrScale, options.seed(), shards.id(), options.optimizerState(),
        publishOptimizer, new HashMap<>(localTags), new HashMap<>(localStates));
    Broadcast<PartitionRound.Input> b = sc.broadcast(in);
    long t1 = System.nanoTime();
    long submitMillis = System.currentTimeMillis();
    JavaRDD<RoundResult> results = shards.mapPartitions(it -> {
      long start = System.nanoTime();
      long startMillis = System.currentTimeMillis();
      PartitionRound.Input value = b.value();
      return List.of(PartitionRound.run(value, it, start, startMillis)).iterator();
    });
    RoundResult r = options.transport() == Transport.TREE ? TreeReduce.reduce(results, options.treeFanOut())
        : results.treeAggregate(RoundResult.zero(), RoundResult::plus, RoundResult::plus, options.treeDepth());
    r.collectedMillis = System.currentTimeMillis();
    r.submitMillis = submitMillis;
    r.driverBroadcastSeconds = (t1 - t0) / 1e9;
    b.destroy();
    return r;
  }

  /**
   * The state a checkpoint must hold to resume exactly: each partition's carried state and step count, the block
   * filter's velocity, the epoch's next batch, and with spark.optimizerState = local each partition's optimizer state
   * (collected from the executors by one Spark job).
   */
  public Map<String, double[]> exportState() {
    Map<String, double[]> out = new TreeMap<>();
    for (Map.Entry<Integer, Long> e : stepCounts.entrySet()) {
      out.put("steps-" + e.getKey(), new double[] {e.getValue()});
    }
    for (Map.Entry<Integer, double[][]> e : states.entrySet()) {
      for (int i = 0; i < e.getValue().length; i++) {
        out.put("state-" + e.getKey() + "-" + i, e.getValue()[i]);
      }
    }
    if (cursor >= 0) {
      out.put("cursor", new double[] {cursor});
    }
    double[] v = filter != null ? filter.velocity() : importedVelocity;
    if (v != null && v.length > 0) {
      out.put("filter-velocity", v);
    }
    Map<Integer, float[]> local = new TreeMap<>(localStates);
    if (!localTags.isEmpty()) {
      local.putAll(PartitionRound.collectKept(lastShards, workload, localTags));
    }
    for (Map.Entry<Integer, float[]> e : local.entrySet()) {
      double[] d = new double[e.getValue().length];
      for (int i = 0; i < d.length; i++) {
        d[i] = e.getValue()[i];
      }
      out.put("optstate-" + e.getKey(), d);
    }
    return out;
  }

  /** Restores what {@link #exportState()} returned. */
  public void importState(Map<String, double[]> saved) {
    stepCounts.clear();
    states.clear();
    localTags.clear();
    localStates.clear();
    cursor = -1;
    importedVelocity = null;
    Map<Integer, TreeMap<Integer, double[]>> byPartition = new HashMap<>();
    for (Map.Entry<String, double[]> e : saved.entrySet()) {
      String[] parts = e.getKey().split("-");
      double[] v = e.getValue();
      switch (parts[0]) {
        case "steps" -> stepCounts.put(Integer.parseInt(parts[1]), (long) v[0]);
        case "state" -> byPartition.computeIfAbsent(Integer.parseInt(parts[1]), k -> new TreeMap<>())
            .put(Integer.parseInt(parts[2]), v);
        case "cursor" -> cursor = (int) v[0];
        case "filter" -> importedVelocity = v;
        case "optstate" -> {
          float[] f = new float[v.length];
          for (int i = 0; i < f.length; i++) {
            f[i] = (float) v[i];
          }
          localStates.put(Integer.parseInt(parts[1]), f);
        }
        default -> {
        }
      }
    }
    byPartition.forEach((p, m) -> states.put(p, m.values().toArray(new double[0][])));
    if (filter != null) {
      filter.setVelocity(importedVelocity);
    }
  }

  private void average(RoundResult r, ParameterChannel channel, int epoch, int round) {
    if (channel != null) {
      r.params.resolve((p, a) -> channel.upload(p, a)[0]);
      r.optimizer.resolve((p, a) -> channel.upload(p, a)[1]);
    }
    float[] avg = r.params.mean(options.treeFanOut());
    for (int i = 0; i < avg.length; i++) {
      if (!Float.isFinite(avg[i])) {
        throw nonFinite(epoch, round, avg[i], i);
      }
    }
    float[] theta = filter == null ? avg : filter.apply(roundTheta, roundStart, avg);
    if (theta != avg) {
      for (int i = 0; i < theta.length; i++) {
        if (!Float.isFinite(theta[i])) {
          throw nonFinite(epoch, round, theta[i], i);
        }
      }
    }
    driver.model().params().setParams(theta);
    float[] state = r.optimizer.mean(options.treeFanOut());
    if (state.length > 0) {
      driver.optimizer().setState(Nd4j.createFromArray(state));
    }
    roundTheta = null;
    roundStart = null;
    if (channel != null) {
      channel.clearUploads();
    }
  }

  private static IllegalStateException nonFinite(int epoch, int round, double value, int index) {
    return new IllegalStateException("epoch " + epoch + " round " + round + ": the averaged parameters contain " + value
        + " (parameter " + index + "); training stopped before writing them. Lower train.learningRate (or"
        + " spark.blockMomentum) or set train.clipNorm, and resume from the last checkpoint");
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
}
