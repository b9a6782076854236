package io.seqspark.spark.ingest;

import io.seqspark.core.data.Vocabulary;
import java.io.Serializable;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import org.apache.spark.api.java.JavaPairRDD;
import org.apache.spark.api.java.JavaRDD;
import scala.Tuple2;

/**
 * The frozen core {@link Vocabulary} built from examples spread over a cluster, identical to the one
 * {@code Vocabulary.Builder} builds on one machine from the same tokens.
 *
 * <p>Tokens are counted per partition (by the read pass, {@link Block}, or {@link #partialCounts}), summed with
 * {@code reduceByKey}, then cut by {@code minCount} on the executors; with a size limit only the top
 * {@code maxSize - 4} (token, count) pairs reach the driver ({@code takeOrdered}, same order as the builder: count
 * descending, then token). Everything cut is counted into {@code <unk>} from the total, exactly as the builder does,
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
    JavaPairRDD<String, Long> counts = partialCounts.reduceByKey(Long::sum).cache();
    try {
      List<Tuple2<String, Long>> specials = counts.filter(t -> Vocabulary.SPECIALS.contains(t._1())).collect();
      JavaPairRDD<String, Long> words = counts.filter(t -> !Vocabulary.SPECIALS.contains(t._1()) && t._2() >= minCount);
      List<Tuple2<String, Long>> kept = maxSize == 0 ? words.collect()
          : words.takeOrdered(Math.max(0, maxSize - Vocabulary.SPECIALS.size()), new ByCountThenToken());
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
    } finally {
      counts.unpersist(false);
    }
  }
}
