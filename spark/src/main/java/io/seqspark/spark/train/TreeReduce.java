package io.seqspark.spark.train;

import java.util.ArrayList;
import java.util.List;
import org.apache.spark.HashPartitioner;
import org.apache.spark.api.java.JavaRDD;
import scala.Tuple2;

/**
 * The PUT half of {@code spark.transport = tree}: the partitions' round results meet in a tree of fan-out f whose
 * levels are Spark shuffle stages, so the driver receives at most f partial sums instead of every partition's
 * parameters. Reducer j of a level gets nodes f·j … f·j + f − 1 of the level below (fetched from their executors,
 * peer to peer) and folds them into node j exactly as {@link WeightedValues#foldLevel} defines, so the result is the
 * same bits the driver would compute from all partitions' values (the fixed tree of {@link WeightedValues}).
 */
final class TreeReduce {
  private TreeReduce() {
  }

  /**
   * Reduces {@code leaves} (one result per partition, partition p holding partition p's) to one result on the driver:
   * shuffle levels while more than {@code fanOut} nodes remain, then the last ≤ fanOut are collected and merged.
   */
  static RoundResult reduce(JavaRDD<RoundResult> leaves, int fanOut) {
    JavaRDD<RoundResult> level = leaves;
    int nodes = leaves.getNumPartitions();
    while (nodes > fanOut) {
      int parents = (nodes + fanOut - 1) / fanOut;
      level = level.mapPartitionsWithIndex((i, it) -> {
        List<Tuple2<Integer, Tuple2<Integer, RoundResult>>> out = new ArrayList<>();
        it.forEachRemaining(r -> out.add(new Tuple2<>(i / fanOut, new Tuple2<>(i, r))));
        return out.iterator();
      }, true).mapToPair(t -> t).partitionBy(new HashPartitioner(parents)).values().mapPartitions(it -> {
        List<Tuple2<Integer, RoundResult>> children = new ArrayList<>();
        it.forEachRemaining(children::add);
        children.sort((a, b) -> Integer.compare(a._1(), b._1()));
        RoundResult merged = RoundResult.zero();
        for (Tuple2<Integer, RoundResult> c : children) {
          merged = merged.plus(c._2());
        }
        merged.foldLevel(fanOut);
        return List.of(merged).iterator();
      });
      nodes = parents;
    }
    RoundResult merged = RoundResult.zero();
    for (RoundResult r : level.collect()) {
      merged = merged.plus(r);
    }
    return merged;
  }
}
