package io.seqspark.spark.train;

import io.seqspark.core.data.Minibatch;
import io.seqspark.core.data.Shard;
import io.seqspark.core.train.BatchSource;
import io.seqspark.core.train.LearningRate;
import io.seqspark.core.train.StepStats;
import io.seqspark.core.train.TrainStep;
import io.seqspark.core.train.Trainable;
import java.io.Serializable;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import org.apache.spark.TaskContext;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

/**
 * The executor side of a {@link ParameterAveraging} round: partition p loads the round's starting values, runs its
 * next k {@link TrainStep}s (the local trainer's step), and hands back its values, loss sums and carried state.
 * Each executor JVM keeps one model, optimizer and batch source per (workload, RDD, partition), and with
 * {@code spark.optimizerState = local} that partition's optimizer state between rounds.
 */
final class PartitionRound {
  private PartitionRound() {
  }

  /** An optimizer state kept on the executor: the one attempt {@code attempt} of round {@code round} left. */
  private record KeptState(long round, int attempt, float[] values) {
  }

  /** One model, optimizer and batch source per (workload, partition) and executor JVM, reused across rounds. */
  private record Worker<B extends Minibatch>(TrainStep<B> step, BatchSource<B> source, Shard shard,
                                             List<KeptState> kept) {
  }

  private static final Map<String, Worker<?>> WORKERS = new ConcurrentHashMap<>();

  /**
   * Everything a partition needs for one round; broadcast once per round.
   *
   * @param params          the starting parameters (Spark transport; empty with the parameter channel)
   * @param optimizer       the driver's optimizer state (Spark transport; empty when not published)
   * @param from            the round's first batch of the epoch
   * @param k               steps this round (1 during spark.syncWarmupSteps)
   * @param firstStep       optimizer steps run before this round (the loop's count): step j of the round is
   *                        {@code firstStep + j + 1} in the learning-rate schedule
   * @param lrScale         factor on the schedule's rate (spark.scaleLearningRate: the partition count; else 1)
   * @param driverOptimizer whether the driver published its optimizer state this round
   * @param localTags       spark.optimizerState = local: which kept state each partition starts from ({round, attempt})
   * @param localStates     spark.optimizerState = local: states to start from, shipped after a resume
   */
  record Input(Workload<?> workload, float[] params, float[] optimizer, ParameterChannel.Address channel,
               long roundKey, Map<Integer, double[][]> states, Map<Integer, Long> stepCounts, int epoch, int round,
               int from, int k, LearningRate schedule, long firstStep, double lrScale, long seed, int rddId,
               ParameterAveraging.OptimizerState policy, boolean driverOptimizer, Map<Integer, long[]> localTags,
               Map<Integer, float[]> localStates) implements Serializable {
  }

  /** Runs partition p's steps of this round, starting from the broadcast values. */
  static RoundResult run(Input in, Iterator<Shard> shards, long taskStart, long startMillis) {
    if (!shards.hasNext()) {
      return RoundResult.zero();
    }
    Shard shard = shards.next();
    int p = shard.partition();
    // keyed by workload, RDD and partition, and checked against the shard object itself: RDD ids start again in
    // every SparkContext, so a later context in the same JVM must not reuse a worker built on another context's data
    String key = key(in.workload().id(), in.rddId(), p);
    Worker<?> w = WORKERS.get(key);
    if (w == null || w.shard() != shard) {
      w = worker(in.workload(), shard);
      WORKERS.put(key, w);
    }
    return run(in, w, p, taskStart, startMillis);
  }

  private static String key(String workloadId, int rddId, int partition) {
    return workloadId + "/" + rddId + "/" + partition;
  }

  private static <B extends Minibatch> Worker<B> worker(Workload<B> workload, Shard shard) {
    TrainStep<B> step = workload.newStep();
    BatchSource<B> source = workload.source(shard);
    io.seqspark.core.train.Trainable.prepare(step.model(), source);
    return new Worker<>(step, source, shard, new ArrayList<>());
  }

  private static <B extends Minibatch> RoundResult run(Input in, Worker<B> w, int p, long taskStart, long startMillis) {
    RoundResult out = RoundResult.zero();
    int n = w.source().numBatches(in.epoch());
    int from = in.from();
    int to = Math.min(from + in.k(), n);
    if (from >= to) {
      return out;
    }
    Trainable<B> model = w.step().model();
    INDArray optState = w.step().optimizer().state();
    INDArray none = Nd4j.create(DataType.FLOAT, 1, 0);
    if (in.channel() != null) {
      ParameterChannel.get(in.channel(), in.roundKey(), model.params().params(), in.driverOptimizer() ? optState : none);
    } else {
      model.params().setParams(in.params());
      if (in.optimizer().length > 0) {
        w.step().optimizer().setState(Nd4j.createFromArray(in.optimizer()));
      }
    }
    startOptimizer(in, w, p);
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
    long seed = ParameterAveraging.partitionSeed(in.seed(), p);
    // reset: Adam restarts its bias correction with its moments (optimizer steps 1..k of the round); the dropout
    // streams then follow a per-round seed, so no two rounds draw the same masks
    boolean restart = in.policy() == ParameterAveraging.OptimizerState.RESET && optState.length() > 0;
    long roundSeed = restart ? TrainStep.stepSeed(seed, -(1L << 32) - step) : seed;
    StepStats sum = StepStats.ZERO;
    long c0 = System.nanoTime();
    for (int k = from; k < to; k++) {
      double lr = in.schedule().at(in.epoch(), in.firstStep() + (k - from) + 1);
      if (in.lrScale() != 1) {
        lr *= in.lrScale();
      }
      ++step;
      long optimizerStep = restart ? k - from + 1 : step;
      sum = sum.plus(w.step().run(w.source().batch(in.epoch(), k), lr, optimizerStep, roundSeed).stats());
    }
    long c1 = System.nanoTime();
    out.maxReadSeconds = readNanos / 1e9;
    out.maxSetupSeconds = (c0 - taskStart) / 1e9;
    out.firstStartMillis = startMillis;
    out.maxComputeSeconds = (c1 - c0) / 1e9;
    FaultInjection.afterSteps(p, in.epoch(), in.round(), model);
    out.tokens = sum.tokens();
    int attempt = TaskContext.get() == null ? 0 : TaskContext.get().attemptNumber();
    // only the average policy ships the optimizer state to the driver
    INDArray shipped = in.policy() == ParameterAveraging.OptimizerState.AVERAGE ? optState : none;
    if (in.policy() == ParameterAveraging.OptimizerState.LOCAL) {
      synchronized (w.kept()) {
        w.kept().add(new KeptState(in.roundKey(), attempt, ParameterAveraging.toFloats(optState)));
      }
      out.optimizerTags.put(p, new long[] {in.roundKey(), attempt});
    }
    if (in.channel() == null) {
      out.params = WeightedValues.of(p, ParameterAveraging.toFloats(model.params().params()), out.tokens);
      out.optimizer = WeightedValues.of(p, ParameterAveraging.toFloats(shipped), out.tokens);
    } else {
      ParameterChannel.put(in.channel(), in.roundKey(), p, attempt, model.params().params(), shipped,
          FaultInjection.duringPut(p, in.epoch(), in.round(), in.channel().timeoutMillis() + 3000));
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

  /** Sets the optimizer state the round starts from, by spark.optimizerState (average: as loaded from the driver). */
  private static void startOptimizer(Input in, Worker<?> w, int p) {
    switch (in.policy()) {
      case AVERAGE -> {
      }
      case RESET -> w.step().optimizer().state().assign(0);
      case LOCAL -> {
        float[] shipped = in.localStates().get(p);
        long[] tag = shipped == null ? in.localTags().get(p) : null;
        if (shipped != null) {
          w.step().optimizer().setState(Nd4j.createFromArray(shipped));
        } else if (tag != null) {
          w.step().optimizer().setState(Nd4j.createFromArray(kept(w, p, tag)));
        } else if (!in.driverOptimizer()) {
          throw new IllegalStateException("partition " + p + " has no optimizer state of its own yet and the driver"
              + " published none (spark.optimizerState = local)");
        }
        // only the state this round starts from is still needed (a retry of the round starts from it again); the
        // others are failed attempts' or an earlier run's
        synchronized (w.kept()) {
          w.kept().removeIf(s -> tag == null || s.round() != tag[0] || s.attempt() != tag[1]);
        }
      }
      default -> throw new IllegalStateException("optimizer state policy " + in.policy());
    }
  }

  private static float[] kept(Worker<?> w, int p, long[] tag) {
    synchronized (w.kept()) {
      for (KeptState s : w.kept()) {
        if (s.round() == tag[0] && s.attempt() == tag[1]) {
          return s.values();
        }
      }
    }
    throw lost(p);
  }

  private static IllegalStateException lost(int p) {
    return new IllegalStateException("spark.optimizerState = local: partition " + p + "'s optimizer state is not on"
        + " this executor (its executor was lost, or the task moved to another one); resume from the last checkpoint"
        + " (seqspark ... --resume), or set spark.optimizerState = average, which survives lost executors");
  }

  /**
   * The optimizer state each partition keeps on its executor (spark.optimizerState = local), collected for a
   * checkpoint by one Spark job over the cached shards: partition → the state tagged {@code tags}.
   */
  static Map<Integer, float[]> collectKept(org.apache.spark.api.java.JavaRDD<Shard> shards, Workload<?> workload,
                                           Map<Integer, long[]> tags) {
    Map<Integer, long[]> t = new java.util.HashMap<>(tags);
    int rddId = shards.id();
    String workloadId = workload.id();
    List<Map.Entry<Integer, float[]>> got = shards.mapPartitions(it -> {
      List<Map.Entry<Integer, float[]>> one = new ArrayList<>();
      if (it.hasNext()) {
        Shard shard = it.next();
        int p = shard.partition();
        long[] tag = t.get(p);
        if (tag != null) {
          Worker<?> w = WORKERS.get(key(workloadId, rddId, p));
          if (w == null || w.shard() != shard) {
            throw lost(p);
          }
          one.add(new java.util.AbstractMap.SimpleImmutableEntry<>(p, kept(w, p, tag)));
        }
      }
      return one.iterator();
    }).collect();
    Map<Integer, float[]> out = new java.util.TreeMap<>();
    for (Map.Entry<Integer, float[]> e : got) {
      out.put(e.getKey(), e.getValue());
    }
    return out;
  }
}
