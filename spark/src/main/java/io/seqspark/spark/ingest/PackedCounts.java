package io.seqspark.spark.ingest;

import java.io.Serializable;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import scala.Tuple2;

/**
 * (token, count) pairs packed into three primitive arrays: the unit the vocabulary count shuffles. One record per
 * (read task, reduce partition) instead of one per token: Spark serializes a few arrays instead of hundreds of
 * thousands of small objects, which measured as the largest cost of ingest on one core.
 */
final class PackedCounts implements Serializable {
  private char[] chars = new char[256];
  private int[] ends = new int[16];
  private long[] counts = new long[16];
  private int size;
  private int used;

  void add(CharSequence token, long count) {
    int len = token.length();
    if (used + len > chars.length) {
      chars = Arrays.copyOf(chars, Math.max(used + len, chars.length * 2));
    }
    for (int i = 0; i < len; i++) {
      chars[used + i] = token.charAt(i);
    }
    used += len;
    if (size == ends.length) {
      ends = Arrays.copyOf(ends, size * 2);
      counts = Arrays.copyOf(counts, size * 2);
    }
    ends[size] = used;
    counts[size++] = count;
  }

  int size() {
    return size;
  }

  String token(int i) {
    int from = i == 0 ? 0 : ends[i - 1];
    return new String(chars, from, ends[i] - from);
  }

  long count(int i) {
    return counts[i];
  }

  /** Packs {@code counts} split by reduce partition (the token's hash modulo {@code partitions}), keyed by it. */
  static Iterator<Tuple2<Integer, PackedCounts>> split(Iterable<Map.Entry<String, Long>> counts, int partitions) {
    PackedCounts[] parts = new PackedCounts[partitions];
    for (Map.Entry<String, Long> e : counts) {
      int p = Math.floorMod(e.getKey().hashCode(), partitions);
      if (parts[p] == null) {
        parts[p] = new PackedCounts();
      }
      parts[p].add(e.getKey(), e.getValue());
    }
    List<Tuple2<Integer, PackedCounts>> out = new ArrayList<>();
    for (int p = 0; p < partitions; p++) {
      if (parts[p] != null) {
        out.add(new Tuple2<>(p, parts[p]));
      }
    }
    return out.iterator();
  }
}
