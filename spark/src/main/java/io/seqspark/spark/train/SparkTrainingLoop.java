package io.seqspark.spark.train;

import io.seqspark.core.config.ConfigException;
import io.seqspark.core.config.Settings;
import io.seqspark.core.data.Minibatch;
import io.seqspark.core.io.DirectoryStore;
import io.seqspark.core.io.RunDirectory;
import io.seqspark.core.task.Family;
import io.seqspark.core.task.TrainingData;
import io.seqspark.core.task.TrainingRun;
import io.seqspark.core.train.Rounds;
import io.seqspark.core.train.TrainSetup;
import io.seqspark.core.train.TrainStep;
import io.seqspark.core.train.Trainable;
import java.io.IOException;
import java.util.List;
import java.util.Map;
import org.apache.spark.api.java.JavaSparkContext;

/**
 * Training on Spark, for any model family: the family cuts the training split into {@code spark.workers} shards
 * (cached on the executors), and the shared {@link io.seqspark.core.train.EpochLoop} runs {@link ParameterAveraging}
 * rounds (each partition k optimizer steps on its own batches, then the token-weighted average) where the local
 * trainer runs single steps; validation, best model, budgets and checkpoints are the same code. Executors rebuild the
 * model from the family's name, the config and its dimensions ({@link FamilyWorkload}).
 */
public final class SparkTrainingLoop implements TrainingRun.Loop {
  private final JavaSparkContext sc;
  private final ParameterAveraging.Listener listener;

  public SparkTrainingLoop(JavaSparkContext sc) {
    this(sc, null);
  }

  /** With a listener that also sees each round's time split (benchmarks). */
  public SparkTrainingLoop(JavaSparkContext sc, ParameterAveraging.Listener listener) {
    this.sc = sc;
    this.listener = listener;
  }

  /** {@code run.checkpointDir} may be any Hadoop file system path here (empty: the run directory's checkpoints/). */
  @Override
  public DirectoryStore checkpointStore(Settings s, RunDirectory run) {
    String dir = s.getString("run.checkpointDir");
    if (dir.isEmpty()) {
      return TrainingRun.Loop.super.checkpointStore(s, run);
    }
    try {
      return new HadoopDirectoryStore(dir, sc.hadoopConfiguration());
    } catch (IOException | IllegalArgumentException e) {
      throw new ConfigException(List.of("run.checkpointDir = " + dir + ": not a usable Hadoop file system path ("
          + e.getMessage() + "); give a URI such as hdfs://namenode/ckpt/run1 or file:///tmp/ckpt, with the file"
          + " system's client and credentials configured for Spark (see README, On a cluster)"));
    }
  }

  int partitions(Settings s) {
    int w = s.getInt("spark.workers");
    return w > 0 ? w : sc.defaultParallelism();
  }

  @Override
  public String name() {
    return "spark " + sc.master() + ", " + sc.defaultParallelism() + " default parallelism";
  }

  /** Each epoch advances about the batches of one partition in optimizer steps. */
  @Override
  public long totalSteps(Family<?, ?, ?> family, TrainingData<?> data, Settings s, int epochs) {
    return epochs * (long) Math.max(1, Math.ceil((double) data.train().numBatches(1) / partitions(s)));
  }

  @Override
  public <B extends Minibatch, D extends TrainingData<B>, M extends Trainable<B>> Rounds rounds(Family<B, D, M> family,
      D data, Settings s, TrainStep<B> step) {
    CachedShards<io.seqspark.core.data.Shard> cached = new CachedShards<>(sc, family.shards(data, partitions(s)));
    ParameterAveraging pa = new ParameterAveraging(sc, new FamilyWorkload<>(family, s, family.dims(data)),
        ParameterAveraging.Options.of(s, s.getInt("train.epochs"), TrainSetup.loopOptions(s).learningRate(),
            s.getLong("seed")), step).channelTimeoutSeconds(s.getInt("spark.channelTimeoutSeconds"));
    Rounds r = pa.rounds(cached.rdd(), listener);
    return new Rounds() {
      @Override
      public void startEpoch(int epoch, boolean fresh) {
        r.startEpoch(epoch, fresh);
      }

      @Override
      public Round run(int epoch, int round, double lr, long stepsBefore) {
        return r.run(epoch, round, lr, stepsBefore);
      }

      @Override
      public int rounds(int epoch) {
        return -1;
      }

      @Override
      public Map<String, double[]> exportState() {
        return r.exportState();
      }

      @Override
      public void importState(Map<String, double[]> state) {
        r.importState(state);
      }

      @Override
      public void close() {
        r.close();
        cached.close();
      }
    };
  }
}
