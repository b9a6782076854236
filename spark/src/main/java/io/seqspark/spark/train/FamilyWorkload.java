package io.seqspark.spark.train;

import io.seqspark.core.config.Settings;
import io.seqspark.core.data.Minibatch;
import io.seqspark.core.data.Shard;
import io.seqspark.core.data.ShardExamples;
import io.seqspark.core.data.ShardInput;
import io.seqspark.core.data.ShardPiece;
import io.seqspark.core.task.Dims;
import io.seqspark.core.task.Families;
import io.seqspark.core.task.Family;
import io.seqspark.core.train.BatchSource;
import io.seqspark.core.train.TrainStep;
import io.seqspark.core.train.Trainable;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.List;

/**
 * Any registered model family on Spark: the executor looks the family up by name ({@link Families}) and builds the
 * model from the resolved config and the {@link Dims} the driver ships, and batches its shard the family's way.
 *
 * @param <B> the family's batch type
 */
public final class FamilyWorkload<B extends Minibatch> extends ConfiguredWorkload implements Workload<B> {
  private final String family;
  private final Dims dims;
  private final ShardReading reading;

  /**
   * How the executors read their partitions from ingested shards: partition p reads {@code plan.get(p)} through
   * {@code opener}, keeping the examples on its heap ({@code data.cache = memory}) or streaming them every epoch
   * (stream, disk).
   */
  public record ShardReading(List<List<ShardPiece>> plan, String cache, ShardInput.Opener opener)
      implements java.io.Serializable {
  }

  /** Shards that carry their data (built on the driver). */
  public FamilyWorkload(Family<B, ?, ?> family, Settings settings, Dims dims) {
    this(family, settings, dims, null);
  }

  /** Shards the executors read themselves ({@code reading}; null: the shards carry their data). */
  public FamilyWorkload(Family<B, ?, ?> family, Settings settings, Dims dims, ShardReading reading) {
    super(settings);
    this.family = family.name();
    this.dims = dims;
    this.reading = reading;
  }

  /** Partition p's examples on its shards. */
  public ShardExamples examples(int p) {
    return family().examples(reading.plan().get(p), reading.opener());
  }

  /**
   * Partition p's shard, on its executor: with {@code data.cache = memory} its examples read from the shards into
   * the family's form; otherwise an empty shard, whose batches {@link #source} streams from the shards.
   */
  public Shard readShard(int p) {
    if (!reading.cache().equals("memory")) {
      return new Shard(p, null, null);
    }
    try {
      return family().shardOf(settings(), dims, p, examples(p).readAll());
    } catch (IOException e) {
      throw new UncheckedIOException("partition " + p + ": reading its shards " + reading.plan().get(p) + " failed", e);
    }
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
    if (reading != null && shard.stream() == null && shard.sentences() == null) {
      try {
        return family().streamedSource(settings(), dims, shard.partition(), examples(shard.partition()));
      } catch (IOException e) {
        throw new UncheckedIOException("partition " + shard.partition() + ": reading its shards failed", e);
      }
    }
    return family().shardSource(settings(), shard);
  }
}
