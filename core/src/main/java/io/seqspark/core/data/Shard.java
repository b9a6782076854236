package io.seqspark.core.data;

import java.io.Serializable;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * One partition's training data as primitive arrays (cached on the executors): a contiguous slice of the token
 * stream (stream regime) or a set of sentences (sentences regime). Partition p of P holds shard p.
 *
 * @param partition the partition index, 0-based
 * @param stream    the token ids of this partition's slice of the stream, or null
 * @param sentences this partition's sentences, or null
 */
public record Shard(int partition, int[] stream, int[][] sentences) implements Serializable {

  /**
   * Cuts a stream into {@code parts} contiguous slices of equal length (the remainder is dropped), so partition p
   * trains on its own streams exactly as one machine would on the same tokens.
   */
  public static List<Shard> ofStream(int[] stream, int parts) {
    int len = stream.length / parts;
    List<Shard> out = new ArrayList<>();
    for (int p = 0; p < parts; p++) {
      out.add(new Shard(p, Arrays.copyOfRange(stream, p * len, (p + 1) * len), null));
    }
    return out;
  }

  /**
   * Deals sentences to {@code parts} partitions so that each holds a similar number of tokens: longest first, each
   * to the partition with the fewest tokens so far (ties to the lowest index). With one part, the order is kept.
   */
  public static List<Shard> ofSentences(List<int[]> sentences, int parts) {
    List<List<int[]>> buckets = new ArrayList<>();
    for (int p = 0; p < parts; p++) {
      buckets.add(new ArrayList<>());
    }
    if (parts == 1) {
      buckets.get(0).addAll(sentences);
    } else {
      Integer[] order = new Integer[sentences.size()];
      for (int i = 0; i < order.length; i++) {
        order[i] = i;
      }
      Arrays.sort(order, (a, b) -> sentences.get(b).length != sentences.get(a).length
          ? Integer.compare(sentences.get(b).length, sentences.get(a).length) : Integer.compare(a, b));
      long[] tokens = new long[parts];
      for (int i : order) {
        int best = 0;
        for (int p = 1; p < parts; p++) {
          if (tokens[p] < tokens[best]) {
            best = p;
          }
        }
        buckets.get(best).add(sentences.get(i));
        tokens[best] += sentences.get(i).length;
      }
    }
    List<Shard> out = new ArrayList<>();
    for (int p = 0; p < parts; p++) {
      out.add(new Shard(p, null, buckets.get(p).toArray(new int[0][])));
    }
    return out;
  }
}
