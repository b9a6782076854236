package io.seqspark.spark.train;

import io.seqspark.core.data.Shard;
import java.io.Serializable;
import java.util.ArrayList;
import java.util.List;
import org.apache.spark.api.java.JavaRDD;
import org.apache.spark.api.java.JavaSparkContext;
import org.apache.spark.broadcast.Broadcast;

/**
 * Training shards as a cached RDD whose tasks stay small. {@code sc.parallelize(shards)} would put each shard's
 * arrays into its partition object, and Spark serialises a task's partition with the task: every averaging round
 * would ship every shard again (measured: 3.6 MB per task per round for PTB on one partition). Here each shard
 * travels once, as its own broadcast; the RDD's partitions hold only an index, and an executor builds (and caches)
 * its partition from the broadcast it needs — again after an executor loss, since the broadcasts live until
 * {@link #close}.
 */
public final class CachedShards<T extends Serializable> implements AutoCloseable {
  private final List<Broadcast<T>> broadcasts = new ArrayList<>();
  private final JavaRDD<T> rdd;

  /** Partition p holds {@code shards.get(p)} (a {@link Shard} must say it is for partition p). */
  public CachedShards(JavaSparkContext sc, List<T> shards) {
    List<Integer> index = new ArrayList<>();
    for (int p = 0; p < shards.size(); p++) {
      if (shards.get(p) instanceof Shard s && s.partition() != p) {
        throw new IllegalArgumentException("shard " + p + " is for partition " + s.partition());
      }
      broadcasts.add(sc.broadcast(shards.get(p)));
      index.add(p);
    }
    List<Broadcast<T>> bs = List.copyOf(broadcasts);
    rdd = sc.parallelize(index, shards.size())
        .mapPartitions(it -> {
          List<T> out = new ArrayList<>();
          it.forEachRemaining(p -> out.add(bs.get(p).value()));
          return out.iterator();
        })
        .cache();
  }

  /** The cached shards, partition p holding shard p. */
  public JavaRDD<T> rdd() {
    return rdd;
  }

  /** Drops the cached partitions and the shards' broadcasts. */
  @Override
  public void close() {
    rdd.unpersist(false);
    for (Broadcast<T> b : broadcasts) {
      b.destroy();
    }
  }
}
