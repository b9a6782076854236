package io.seqspark.spark.ingest;

import java.io.Serializable;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import scala.Tuple2;

/**
 * What one read task keeps of its text, as primitive arrays: a local dictionary (token → local id, with counts), the
 * local ids of every kept token in order, and each example's length. Counting the vocabulary then ships one
 * (token, count) pair per distinct token, and encoding maps local to global ids through one table, so the text is
 * tokenized once and never held as strings per token.
 *
 * <p>With {@code keepDropped} (parallel files), every line gets an entry in {@code lengths}: -1 for a dropped line,
 * so the two sides can be aligned line by line.
 */
final class Block implements Serializable {
  final FileReport report;
  final boolean keepDropped;
  /** The block's partition in the read pass (the read task's number), which names its shard. */
  int partition;
  /** The local dictionary while reading; packed into {@link #chars}/{@link #ends} by {@link #seal()}. */
  private transient String[] dict = new String[256];
  /** The sealed dictionary: token i is chars[ends[i-1], ends[i]) (primitive arrays: cheap to cache and size). */
  private char[] chars;
  private int[] ends;
  long[] counts = new long[256];
  int dictSize;
  int[] ids = new int[1024];
  int idCount;
  int[] lengths = new int[64];
  int entries;
  private transient Map<String, Integer> index = new HashMap<>();

  Block(FileReport report, boolean keepDropped) {
    this.report = report;
    this.keepDropped = keepDropped;
  }

  /** Appends a token to the open example. */
  void add(String token) {
    Integer id = index.get(token);
    if (id == null) {
      if (dictSize == dict.length) {
        dict = Arrays.copyOf(dict, dictSize * 2);
        counts = Arrays.copyOf(counts, dictSize * 2);
      }
      id = dictSize;
      dict[dictSize++] = token;
      index.put(token, id);
    }
    counts[id]++;
    if (idCount == ids.length) {
      if (idCount >= Integer.MAX_VALUE - 16) {
        throw new IllegalStateException("one read task holds at most " + (Integer.MAX_VALUE - 16) + " tokens");
      }
      ids = Arrays.copyOf(ids, (int) Math.min(Integer.MAX_VALUE - 16, idCount * 2L));
    }
    ids[idCount++] = id;
  }

  /** Closes the open example, {@code length} tokens long (the last ones added). */
  void endExample(int length) {
    entry(length);
  }

  /** A dropped line (recorded only with keepDropped). */
  void dropped() {
    if (keepDropped) {
      entry(-1);
    }
  }

  private void entry(int length) {
    if (entries == lengths.length) {
      lengths = Arrays.copyOf(lengths, entries * 2);
    }
    lengths[entries++] = length;
  }

  /** This block's counts packed by reduce partition, for {@link DistributedVocabulary#build}. */
  Iterator<Tuple2<Integer, PackedCounts>> counts(int partitions) {
    List<Map.Entry<String, Long>> entries = new ArrayList<>(dictSize);
    for (int i = 0; i < dictSize; i++) {
      entries.add(Map.entry(token(i), counts[i]));
    }
    return PackedCounts.split(entries, partitions);
  }

  /** Maps the local dictionary to global ids ({@code <unk>} = 1 for tokens the vocabulary cut). */
  int[] globalIds(Map<String, Integer> vocabulary) {
    int[] g = new int[dictSize];
    for (int i = 0; i < dictSize; i++) {
      g[i] = vocabulary.getOrDefault(token(i), 1);
    }
    return g;
  }

  /** Each entry's global ids (null for a dropped line), in order. */
  Iterator<int[]> examples(int[] global) {
    return new Iterator<>() {
      int e;
      int at;

      @Override
      public boolean hasNext() {
        return e < entries;
      }

      @Override
      public int[] next() {
        int n = lengths[e++];
        if (n < 0) {
          return null;
        }
        int[] out = new int[n];
        for (int i = 0; i < n; i++) {
          out[i] = global[ids[at + i]];
        }
        at += n;
        return out;
      }
    };
  }

  /** Each entry's tokens as strings (null for a dropped line), in order. */
  String[][] tokens() {
    String[] words = new String[dictSize];
    for (int i = 0; i < dictSize; i++) {
      words[i] = token(i);
    }
    String[][] out = new String[entries][];
    int at = 0;
    for (int e = 0; e < entries; e++) {
      int n = lengths[e];
      if (n >= 0) {
        out[e] = new String[n];
        for (int i = 0; i < n; i++) {
          out[e][i] = words[ids[at + i]];
        }
        at += n;
      }
    }
    return out;
  }

  /** Token → id of a vocabulary given as its token list (in id order). */
  static Map<String, Integer> index(PackedCounts tokens) {
    Map<String, Integer> ids = new HashMap<>(tokens.size() * 2);
    for (int i = 0; i < tokens.size(); i++) {
      ids.put(tokens.token(i), i);
    }
    return ids;
  }

  /** Local token {@code i} (after {@link #seal()}). */
  String token(int i) {
    int from = i == 0 ? 0 : ends[i - 1];
    return new String(chars, from, ends[i] - from);
  }

  /**
   * Ends the reading: the dictionary's strings are packed into one char array (a cached block is then a handful of
   * primitive arrays, which Spark sizes and stores without walking thousands of objects) and the index is dropped.
   */
  void seal() {
    int total = 0;
    for (int i = 0; i < dictSize; i++) {
      total += dict[i].length();
    }
    chars = new char[total];
    ends = new int[dictSize];
    int at = 0;
    for (int i = 0; i < dictSize; i++) {
      dict[i].getChars(0, dict[i].length(), chars, at);
      at += dict[i].length();
      ends[i] = at;
    }
    dict = null;
    index = null;
    counts = Arrays.copyOf(counts, dictSize);
    ids = Arrays.copyOf(ids, idCount);
    lengths = Arrays.copyOf(lengths, entries);
  }
}
