package io.seqspark.spark.ingest;

import io.seqspark.core.data.Vocabulary;
import java.io.Serializable;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.PriorityQueue;
import org.apache.spark.HashPartitioner;
import org.apache.spark.api.java.JavaPairRDD;
import org.apache.spark.api.java.JavaRDD;
import scala.Tuple2;

/**
 * The frozen core {@link Vocabulary} built from examples spread over a cluster, identical to the one
 * {@code Vocabulary.Builder} builds on one machine from the same tokens.
 *
 * <p>Tokens are counted per partition (by the read pass, {@link Block}, or {@link #partialCounts}), shipped packed
 * ({@link PackedCounts}) to reduce tasks by token hash, summed there, then cut by {@code minCount} on the executors
 * (the distributed equivalent of {@code reduceByKey}); with a size limit only each partition's top
 * {@code maxSize - 4} (token, count) pairs reach the driver, which keeps the overall top (same order as the builder:
 * count descending, then token). Everything cut is counted into {@code <unk>} from the total, exactly as the builder does,
 * without shipping the cut tokens anywhere.
 */
final class DistributedVocabulary {

  private DistributedVocabulary() {}

  /** Count descending, then token ascending: {@code Vocabulary.Builder}'s order, so ties are cut identically. */
  static final class ByCountThenToken implements Comparator<Tuple2<String, Long>>, Serializable {
    @Override
    public int compare(Tuple2<String, Long> a, Tuple2<String, Long> b) {
      int c = Long.compare(b._2(), a._2());
      return c != 0 ? c : a._1().compareTo(b._1());
    }
  }

  /** Per-partition counts of string examples, packed by reduce partition for {@link #build}. */
  static JavaPairRDD<Integer, PackedCounts> partialCounts(JavaRDD<String[]> examples, int partitions) {
    return examples.mapPartitionsToPair((Iterator<String[]> it) -> {
      Map<String, Long> local = new HashMap<>();
      while (it.hasNext()) {
        for (String t : it.next()) {
          local.merge(t, 1L, Long::sum);
        }
      }
      return PackedCounts.split(local.entrySet(), partitions);
    });
  }

  /**
   * Builds the vocabulary.
   *
   * @param partialCounts (token, count) pairs packed per reduce partition (key), a token possibly several times
   * @param partitions    reduce partitions, the key range of partialCounts
   * @param totalTokens   every token counted (known from the read pass)
   * @param eosCount    added to {@code </s>} (one per example when data.eosPerLine, as lm train counts it)
   */
  static Vocabulary build(JavaPairRDD<Integer, PackedCounts> partialCounts, int partitions, long totalTokens,
      int minCount, int maxSize, long eosCount) {
    return assemble(reduce(partialCounts, partitions, minCount, maxSize), totalTokens, minCount, maxSize, eosCount);
  }

  /** Most words kept: the size limit less the specials; unlimited for maxSize 0. */
  private static int keep(int maxSize) {
    return maxSize == 0 ? Integer.MAX_VALUE : Math.max(0, maxSize - Vocabulary.SPECIALS.size());
  }

  /**
   * The Spark part of {@link #build}, one job: sums the partial counts by token on the executors and returns each
   * reduce partition's specials and its words that pass minCount (only its top {@code maxSize - 4} with a limit).
   */
  static List<PackedCounts> reduce(JavaPairRDD<Integer, PackedCounts> partialCounts, int partitions, int minCount,
      int maxSize) {
    int k = keep(maxSize);
    ByCountThenToken order = new ByCountThenToken();
    // One job, nothing cached: partial counts arrive packed by reduce partition (already keyed by it, so the identity
    // partitioner routes them); each reduce task sums its tokens and returns its specials and its top k words (all
    // words without a size limit), packed again; the driver merges them, as takeOrdered would.
    List<PackedCounts> reduced = partialCounts.partitionBy(new HashPartitioner(partitions)).mapPartitions(
        (Iterator<Tuple2<Integer, PackedCounts>> it) -> {
          Map<String, long[]> sums = new HashMap<>();
          while (it.hasNext()) {
            PackedCounts p = it.next()._2();
            for (int i = 0; i < p.size(); i++) {
              sums.computeIfAbsent(p.token(i), t -> new long[1])[0] += p.count(i);
            }
          }
          PackedCounts out = new PackedCounts();
          PriorityQueue<Tuple2<String, Long>> top = new PriorityQueue<>(order.reversed());
          for (Map.Entry<String, long[]> e : sums.entrySet()) {
            long c = e.getValue()[0];
            if (Vocabulary.SPECIALS.contains(e.getKey())) {
              out.add(e.getKey(), c);
            } else if (c >= minCount) {
              if (k == Integer.MAX_VALUE) {
                out.add(e.getKey(), c);
              } else {
                top.add(new Tuple2<>(e.getKey(), c));
                if (top.size() > k) {
                  top.poll();
                }
              }
            }
          }
          top.forEach(t -> out.add(t._1(), t._2()));
          return List.of(out).iterator();
        }).collect();
    return reduced;
  }

  /** The driver part of {@link #build}: the overall top words of the reduced counts, frozen with the specials. */
  static Vocabulary assemble(List<PackedCounts> reduced, long totalTokens, int minCount, int maxSize, long eosCount) {
    int k = keep(maxSize);
    ByCountThenToken order = new ByCountThenToken();
    List<Tuple2<String, Long>> specials = new ArrayList<>();
    List<Tuple2<String, Long>> kept = new ArrayList<>();
    for (PackedCounts p : reduced) {
      for (int i = 0; i < p.size(); i++) {
        String t = p.token(i);
        (Vocabulary.SPECIALS.contains(t) ? specials : kept).add(new Tuple2<>(t, p.count(i)));
      }
    }
    if (kept.size() > k) {
      kept.sort(order);
      kept = kept.subList(0, k);
    }
    Vocabulary.Builder b = Vocabulary.builder();
    long seen = 0;
    for (Tuple2<String, Long> t : specials) {
      b.add(t._1(), t._2());
      seen += t._2();
    }
    for (Tuple2<String, Long> t : kept) {
      b.add(t._1(), t._2());
      seen += t._2();
    }
    if (seen > totalTokens) {
      throw new IllegalStateException("counted " + seen + " tokens in the vocabulary but only " + totalTokens
          + " were read; the read pass and the count disagree");
    }
    b.add(Vocabulary.UNK, totalTokens - seen);
    b.add(Vocabulary.EOS, eosCount);
    return b.build(minCount, maxSize);
  }
}
