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
 * <p>Tokens are counted per partition (by the read pass, {@link Block}, or {@link #partialCounts}), summed with
 * {@code combineByKey}, then cut by {@code minCount} on the executors; with a size limit only each partition's top
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

  /** Per-partition (token, count) pairs of string examples (a pair per token would allocate per token). */
  static JavaPairRDD<String, Long> partialCounts(JavaRDD<String[]> examples) {
    return examples.mapPartitionsToPair((Iterator<String[]> it) -> {
      Map<String, long[]> local = new HashMap<>();
      while (it.hasNext()) {
        for (String t : it.next()) {
          local.computeIfAbsent(t, k -> new long[1])[0]++;
        }
      }
      List<Tuple2<String, Long>> out = new ArrayList<>(local.size());
      local.forEach((t, c) -> out.add(new Tuple2<>(t, c[0])));
      return out.iterator();
    });
  }

  /**
   * Builds the vocabulary.
   *
   * @param partialCounts (token, count) pairs, a token possibly several times (once per partition)
   * @param totalTokens   every token counted (known from the read pass)
   * @param eosCount    added to {@code </s>} (one per example when data.eosPerLine, as lm train counts it)
   */
  static Vocabulary build(JavaPairRDD<String, Long> partialCounts, long totalTokens, int minCount, int maxSize, long eosCount) {
    // The partial counts are already combined per partition, so a map-side combine would only sort them again;
    // without it Spark's shuffle writes them straight to their partitions (no sort below 200 partitions).
    JavaPairRDD<String, Long> counts = partialCounts.combineByKey(c -> c, Long::sum, Long::sum,
        new HashPartitioner(partialCounts.getNumPartitions()), false, null);
    int k = maxSize == 0 ? Integer.MAX_VALUE : Math.max(0, maxSize - Vocabulary.SPECIALS.size());
    ByCountThenToken order = new ByCountThenToken();
    // One job, nothing cached: each partition returns its specials and its top k words (all words without a size
    // limit); the driver merges them, as takeOrdered would.
    List<Tuple2<String, Long>> specials = new ArrayList<>();
    List<Tuple2<String, Long>> kept = new ArrayList<>();
    for (Tuple2<String, Long> t : counts.mapPartitions((Iterator<Tuple2<String, Long>> it) -> {
      List<Tuple2<String, Long>> out = new ArrayList<>();
      PriorityQueue<Tuple2<String, Long>> top = new PriorityQueue<>(order.reversed());
      while (it.hasNext()) {
        Tuple2<String, Long> t = it.next();
        if (Vocabulary.SPECIALS.contains(t._1())) {
          out.add(t);
        } else if (t._2() >= minCount) {
          top.add(t);
          if (top.size() > k) {
            top.poll();
          }
        }
      }
      out.addAll(top);
      return out.iterator();
    }).collect()) {
      (Vocabulary.SPECIALS.contains(t._1()) ? specials : kept).add(t);
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
