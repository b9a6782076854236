package io.seqspark.spark.train;

import io.seqspark.core.config.Settings;
import io.seqspark.core.data.Minibatch;
import io.seqspark.core.data.Shard;
import io.seqspark.core.task.Dims;
import io.seqspark.core.task.Families;
import io.seqspark.core.task.Family;
import io.seqspark.core.train.BatchSource;
import io.seqspark.core.train.TrainStep;
import io.seqspark.core.train.Trainable;

/**
 * Any registered model family on Spark: the executor looks the family up by name ({@link Families}) and builds the
 * model from the resolved config and the {@link Dims} the driver ships, and batches its shard the family's way.
 *
 * @param <B> the family's batch type
 */
public final class FamilyWorkload<B extends Minibatch> extends ConfiguredWorkload implements Workload<B> {
  private final String family;
  private final Dims dims;

  public FamilyWorkload(Family<B, ?, ?> family, Settings settings, Dims dims) {
    super(settings);
    this.family = family.name();
    this.dims = dims;
  }

  @SuppressWarnings("unchecked")
  private Family<B, ?, Trainable<B>> family() {
    return (Family<B, ?, Trainable<B>>) Families.get(family);
  }

  @Override
  public String id() {
    return family + "-" + Integer.toHexString(dims.hashCode()) + "-" + configHash();
  }

  @Override
  public TrainStep<B> newStep() {
    Family<B, ?, Trainable<B>> f = family();
    return f.step(settings(), f.model(settings(), dims));
  }

  @Override
  public BatchSource<B> source(Shard shard) {
    return family().shardSource(settings(), shard);
  }
}
