package io.seqspark.spark.train;

import io.seqspark.core.config.ConfigException;
import io.seqspark.core.config.Settings;
import io.seqspark.core.io.DirectoryStore;
import io.seqspark.core.io.RunDirectory;
import io.seqspark.core.task.TrainingData;
import io.seqspark.core.task.TrainingRun;
import io.seqspark.core.train.Checkpoints;
import io.seqspark.core.train.Evaluation;
import io.seqspark.core.train.Position;
import io.seqspark.core.train.StepStats;
import io.seqspark.core.train.TrainStep;
import io.seqspark.core.train.Trainer;
import java.io.IOException;
import java.util.List;
import org.apache.spark.api.java.JavaRDD;
import org.apache.spark.api.java.JavaSparkContext;

/**
 * A training job on Spark, for any model family: the training split is sharded over {@code spark.workers} partitions
 * (cached), each epoch runs {@link ParameterAveraging} rounds, then the driver validates and checkpoints, exactly where
 * the local trainer does. One listener step = one averaging round. A family supplies its shards and its
 * {@link Workload}.
 */
public abstract class SparkTrainingLoop<D extends TrainingData> implements TrainingRun.Loop<D> {
  private final JavaSparkContext sc;

  protected SparkTrainingLoop(JavaSparkContext sc) {
    this.sc = sc;
  }

  /** The training split cut into {@code partitions} shards; partition 0 of 1 must batch exactly as the local loop. */
  protected abstract List<Shard> shards(D data, int partitions);

  /** How executors build the model and batch a shard. */
  protected abstract Workload workload(D data, Settings s);

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

  @Override
  public long totalSteps(D data, Settings s, int epochs) {
    long perPartition = Math.max(1, data.train().numBatches(1) / partitions(s));
    return epochs * (long) Math.ceil((double) perPartition / s.getInt("spark.averagingFrequency"));
  }

  @Override
  public Position run(TrainStep step, D data, Settings s, Trainer.Options options,
                      Checkpoints checkpoints, Position start, Trainer.Listener listener) {
    int p = partitions(s);
    CachedShards<Shard> cached = new CachedShards<>(sc, shards(data, p));
    JavaRDD<Shard> rdd = cached.rdd();
    ParameterAveraging pa = new ParameterAveraging(sc, workload(data, s),
        ParameterAveraging.Options.of(s, options.epochs(), options.learningRate(), options.seed()), step);
    long[] count = {start.step()};
    double best = start.bestValidLoss();
    if (start.step() > 0 && checkpoints != null) {
      // the driver's parameters and optimizer were restored by the caller; the partitions' state comes from here
      checkpoints.latest().ifPresent(c -> pa.importState(checkpoints.extras(c)));
    }
    long every = options.checkpointEverySteps();
    try {
      for (int epoch = start.epoch(); epoch <= options.epochs(); epoch++) {
        StepStats[] epochStats = {StepStats.ZERO};
        double lr = options.learningRate().at(epoch);
        int firstRound = epoch == start.epoch() ? start.batch() : 0;
        double bestSoFar = best;
        int e0 = epoch;
        long left = options.maxSteps() > 0 ? options.maxSteps() - count[0] : Integer.MAX_VALUE;
        if (left <= 0) {
          return new Position(epoch, firstRound, count[0], best);
        }
        int ran = pa.runEpoch(rdd, epoch, firstRound, (int) Math.min(left, Integer.MAX_VALUE), (e, round, stats, rate, secs) -> {
          epochStats[0] = epochStats[0].plus(stats);
          listener.onStep(e, round, -1, ++count[0], rate, new TrainStep.Result(stats, Double.NaN));
          if (every > 0 && count[0] % every == 0 && checkpoints != null) {
            // a round-level checkpoint: resume continues with round + 1 of this epoch, partition states included
            Position pos = new Position(e0, round + 1, count[0], bestSoFar);
            listener.onCheckpoint(checkpoints.save(step, pos, false, pa.exportState()), pos);
          }
        });
        if (options.maxSteps() > 0 && count[0] >= options.maxSteps() && ran == left) {
          return new Position(epoch, firstRound + ran, count[0], best); // stopped by train.maxSteps inside the epoch
        }
        StepStats v = data.valid() == null ? null : Evaluation.run(step.model(), data.valid());
        boolean improved = v != null && (Double.isNaN(best) || v.meanLoss() < best);
        if (improved) {
          best = v.meanLoss();
        }
        listener.onEpoch(epoch, count[0], lr, epochStats[0], v);
        if (checkpoints != null) {
          Position pos = new Position(epoch + 1, 0, count[0], best);
          listener.onCheckpoint(checkpoints.save(step, pos, improved, pa.exportState()), pos);
        }
      }
    } finally {
      cached.close();
    }
    return new Position(options.epochs() + 1, 0, count[0], best);
  }
}
