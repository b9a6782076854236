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
 * (the distributed equivalent of {@code reduceByKey}) and sorted there in the builder's order (count descending,
 * then token); with a size limit only each partition's top {@code maxSize - 4} (token, count) pairs reach the driver,
 * which merges the sorted parts and keeps the overall top, without sorting again. Everything cut is counted into
 * {@code <unk>} from the total, exactly as the builder does, without shipping the cut tokens anywhere.
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
    return assemble(reduce(partialCounts, partitions, minCount, maxSize), totalTokens, maxSize, eosCount);
  }

  /** Most words kept: the size limit less the specials; unlimited for maxSize 0. */
  private static int keep(int maxSize) {
    return maxSize == 0 ? Integer.MAX_VALUE : Math.max(0, maxSize - Vocabulary.SPECIALS.size());
  }

  /** One reduce partition's share: its specials' counts, and its kept words in vocabulary order. */
  record Ranked(PackedCounts specials, PackedCounts words) implements Serializable {}

  /**
   * The Spark part of {@link #build}, one job: sums the partial counts by token on the executors; each reduce task
   * returns its specials and its words that pass minCount (only its top {@code maxSize - 4} with a limit), sorted
   * there (count descending, then token), so the driver only merges sorted parts.
   */
  static List<Ranked> reduce(JavaPairRDD<Integer, PackedCounts> partialCounts, int partitions, int minCount,
      int maxSize) {
    int k = keep(maxSize);
    ByCountThenToken order = new ByCountThenToken();
    // Partial counts arrive packed by reduce partition (already keyed by it, so the identity partitioner routes them).
    return partialCounts.partitionBy(new HashPartitioner(partitions)).mapPartitions(
        (Iterator<Tuple2<Integer, PackedCounts>> it) -> {
          Map<String, long[]> sums = new HashMap<>();
          while (it.hasNext()) {
            PackedCounts p = it.next()._2();
            for (int i = 0; i < p.size(); i++) {
              sums.computeIfAbsent(p.token(i), t -> new long[1])[0] += p.count(i);
            }
          }
          PackedCounts specials = new PackedCounts();
          List<Tuple2<String, Long>> words = new ArrayList<>();
          PriorityQueue<Tuple2<String, Long>> top = new PriorityQueue<>(order.reversed());
          for (Map.Entry<String, long[]> e : sums.entrySet()) {
            long c = e.getValue()[0];
            if (Vocabulary.SPECIALS.contains(e.getKey())) {
              specials.add(e.getKey(), c);
            } else if (c >= minCount) {
              if (k == Integer.MAX_VALUE) {
                words.add(new Tuple2<>(e.getKey(), c));
              } else {
                top.add(new Tuple2<>(e.getKey(), c));
                if (top.size() > k) {
                  top.poll();
                }
              }
            }
          }
          words.addAll(top);
          words.sort(order);
          PackedCounts ranked = new PackedCounts();
          words.forEach(t -> ranked.add(t._1(), t._2()));
          return List.of(new Ranked(specials, ranked)).iterator();
        }).collect();
  }

  /**
   * The driver part of {@link #build}: merges the sorted parts into the overall top words (each token lives in one
   * part), adds the specials, and freezes them as they are, with no second sort.
   */
  static Vocabulary assemble(List<Ranked> parts, long totalTokens, int maxSize, long eosCount) {
    int k = keep(maxSize);
    int n = Vocabulary.SPECIALS.size();
    long[] special = new long[n];
    long words = 0;
    for (Ranked r : parts) {
      for (int i = 0; i < r.specials().size(); i++) {
        special[Vocabulary.SPECIALS.indexOf(r.specials().token(i))] += r.specials().count(i);
      }
      words += r.words().size();
    }
    int size = (int) Math.min(words, k) + n;
    String[] tokens = new String[size];
    long[] counts = new long[size];
    // k-way merge: a heap of parts ordered by their next word.
    int[] at = new int[parts.size()];
    String[] head = new String[parts.size()];
    PriorityQueue<Integer> next = new PriorityQueue<>((a, b) -> {
      long ca = parts.get(a).words().count(at[a]);
      long cb = parts.get(b).words().count(at[b]);
      return ca != cb ? Long.compare(cb, ca) : head[a].compareTo(head[b]);
    });
    for (int p = 0; p < parts.size(); p++) {
      if (parts.get(p).words().size() > 0) {
        head[p] = parts.get(p).words().token(0);
        next.add(p);
      }
    }
    long seen = 0;
    for (int i = n; i < size; i++) {
      int p = next.poll();
      PackedCounts w = parts.get(p).words();
      tokens[i] = head[p];
      counts[i] = w.count(at[p]);
      seen += counts[i];
      if (++at[p] < w.size()) {
        head[p] = w.token(at[p]);
        next.add(p);
      }
    }
    for (int i = 0; i < n; i++) {
      tokens[i] = Vocabulary.SPECIALS.get(i);
      counts[i] = special[i];
      seen += special[i];
    }
    if (seen > totalTokens) {
      throw new IllegalStateException("counted " + seen + " tokens in the vocabulary but only " + totalTokens
          + " were read; the read pass and the count disagree");
    }
    // Everything cut (below minCount, past the size limit) is <unk>, as Vocabulary.Builder counts it.
    counts[Vocabulary.UNK_ID] += totalTokens - seen;
    counts[Vocabulary.EOS_ID] += eosCount;
    return Vocabulary.ofRanked(tokens, counts);
  }

  /**
   * One reduce partition's share of new files counted against an earlier vocabulary: the counts of the specials, of
   * the earlier vocabulary's words, and its candidate new words (passing minCount, only its top {@code maxNew} with a
   * limit) in vocabulary order.
   */
  record Against(PackedCounts specials, PackedCounts known, PackedCounts candidates) implements Serializable {}

  /**
   * The Spark part of {@link #extend}: like {@link #reduce}, but the words of {@code previous} (broadcast token list
   * in id order) are counted apart and never compete for the new places. {@code maxNew} 0 = no new words (frozen),
   * {@link Integer#MAX_VALUE} = unlimited.
   */
  static List<Against> reduceAgainst(JavaPairRDD<Integer, PackedCounts> partialCounts, int partitions,
      org.apache.spark.broadcast.Broadcast<PackedCounts> previous, int minCount, int maxNew) {
    ByCountThenToken order = new ByCountThenToken();
    return partialCounts.partitionBy(new HashPartitioner(partitions)).mapPartitions(
        (Iterator<Tuple2<Integer, PackedCounts>> it) -> {
          Map<String, Integer> known = Block.index(previous.value());
          Map<String, long[]> sums = new HashMap<>();
          while (it.hasNext()) {
            PackedCounts p = it.next()._2();
            for (int i = 0; i < p.size(); i++) {
              sums.computeIfAbsent(p.token(i), t -> new long[1])[0] += p.count(i);
            }
          }
          PackedCounts specials = new PackedCounts();
          PackedCounts hits = new PackedCounts();
          PriorityQueue<Tuple2<String, Long>> top = new PriorityQueue<>(order.reversed());
          for (Map.Entry<String, long[]> e : sums.entrySet()) {
            long c = e.getValue()[0];
            if (Vocabulary.SPECIALS.contains(e.getKey())) {
              specials.add(e.getKey(), c);
            } else if (known.containsKey(e.getKey())) {
              hits.add(e.getKey(), c);
            } else if (c >= minCount && maxNew > 0) {
              top.add(new Tuple2<>(e.getKey(), c));
              if (top.size() > maxNew) {
                top.poll();
              }
            }
          }
          List<Tuple2<String, Long>> words = new ArrayList<>(top);
          words.sort(order);
          PackedCounts ranked = new PackedCounts();
          words.forEach(t -> ranked.add(t._1(), t._2()));
          return List.of(new Against(specials, hits, ranked)).iterator();
        }).collect();
  }

  /**
   * The driver part: {@code previous}'s ids and words unchanged, its counts plus the new files' counts, then the best
   * {@code maxNew} candidates over all parts (count descending, then token) appended; every new-file token that
   * encodes to {@code <unk>} is counted into it, and {@code eosCount} into {@code </s>}, as a fresh ingest counts.
   */
  static Vocabulary extend(Vocabulary previous, List<Against> parts, long newTokens, int maxNew, long eosCount) {
    int n = previous.size();
    long[] counts = new long[n];
    for (int i = 0; i < n; i++) {
      counts[i] = previous.count(i);
    }
    long seen = 0;
    List<Tuple2<String, Long>> candidates = new ArrayList<>();
    for (Against a : parts) {
      for (int i = 0; i < a.specials().size(); i++) {
        counts[Vocabulary.SPECIALS.indexOf(a.specials().token(i))] += a.specials().count(i);
        seen += a.specials().count(i);
      }
      for (int i = 0; i < a.known().size(); i++) {
        counts[previous.id(a.known().token(i))] += a.known().count(i);
        seen += a.known().count(i);
      }
      for (int i = 0; i < a.candidates().size(); i++) {
        candidates.add(new Tuple2<>(a.candidates().token(i), a.candidates().count(i)));
      }
    }
    candidates.sort(new ByCountThenToken());
    int added = (int) Math.min(candidates.size(), maxNew);
    String[] tokens = new String[n + added];
    long[] all = java.util.Arrays.copyOf(counts, n + added);
    for (int i = 0; i < n; i++) {
      tokens[i] = previous.token(i);
    }
    for (int i = 0; i < added; i++) {
      tokens[n + i] = candidates.get(i)._1();
      all[n + i] = candidates.get(i)._2();
      seen += all[n + i];
    }
    if (seen > newTokens) {
      throw new IllegalStateException("counted " + seen + " new tokens in the vocabulary but only " + newTokens
          + " were read; the read pass and the count disagree");
    }
    all[Vocabulary.UNK_ID] += newTokens - seen;
    all[Vocabulary.EOS_ID] += eosCount;
    return Vocabulary.of(tokens, all);
  }
}
