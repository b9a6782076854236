package io.seqspark.spark.train;

import io.seqspark.core.data.Minibatch;
import io.seqspark.core.data.Shard;
import io.seqspark.core.train.BatchSource;
import io.seqspark.core.train.TrainStep;
import java.io.Serializable;

/**
 * What a Spark worker needs to train a model: how to build the model and its {@link TrainStep}, and how to batch a
 * shard. {@link FamilyWorkload} is this for every registered model family; {@link ParameterAveraging} is the same for
 * all.
 *
 * @param <B> the batch type
 */
public interface Workload<B extends Minibatch> extends Serializable {

  /** A stable id for executor-side caches (e.g. a hash of the resolved config). */
  String id();

  /** A fresh model + optimizer + step, built from the configuration (parameters are overwritten each round). */
  TrainStep<B> newStep();

  /** The batches of a shard; partition 0 must batch exactly as the local trainer does (same seed). */
  BatchSource<B> source(Shard shard);
}
