package io.seqspark.spark.train;

import org.apache.spark.SparkConf;

/**
 * Spark settings parameter averaging runs best with, applied only where the user has not set them (spark-submit
 * {@code --conf} and spark-defaults.conf win). Measured in docs/BENCHMARKS.md (parameter averaging):
 * <ul>
 *   <li>{@code spark.broadcast.compress=false}: the broadcast is float32 parameters, which LZ4 barely shrinks; compressing
 *   and decompressing them cost every round time on the driver and on each executor.</li>
 *   <li>{@code spark.task.maxDirectResultSize=128m}: a partition's result (its float32 parameters) goes back in the task's
 *   status message instead of being stored in the executor's block manager and fetched by the driver in a second
 *   request. Bounded by {@code spark.rpc.message.maxSize} (128 MiB by default), so models beyond ~32M parameters
 *   fall back to the block-manager path on their own.</li>
 * </ul>
 */
public final class SparkDefaults {
  private SparkDefaults() {
  }

  /** Sets the defaults above where {@code conf} has no value; returns {@code conf}. */
  public static SparkConf apply(SparkConf conf) {
    return conf.setIfMissing("spark.broadcast.compress", "false")
        .setIfMissing("spark.task.maxDirectResultSize", "128m");
  }
}
