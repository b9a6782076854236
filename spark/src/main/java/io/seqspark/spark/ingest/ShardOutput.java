package io.seqspark.spark.ingest;

import io.seqspark.core.data.TokenShardWriter;
import io.seqspark.core.data.TokenShards;
import java.io.IOException;
import java.io.Serializable;
import java.util.ArrayList;
import java.util.Collections;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.Path;
import org.apache.spark.Partitioner;
import org.apache.spark.TaskContext;
import org.apache.spark.api.java.JavaRDD;
import org.apache.spark.broadcast.Broadcast;

/**
 * Encodes examples with the frozen vocabulary and writes one {@code part-NNNNN.ids} shard per partition, in input
 * order. Each task writes under an attempt-specific name and renames, so a retried or speculative task never leaves a
 * half-written shard under the final name.
 */
final class ShardOutput {

  /** One written shard, as listed in the manifest. */
  record ShardInfo(String file, long examples, long tokens, long bytes) implements Serializable {}

  private ShardOutput() {}

  /**
   * The last vocabulary index built in this JVM, for the broadcast value it was built from: built once per executor,
   * not once per task. Keyed by the value itself (an executor holds one deserialised copy per broadcast), not by the
   * broadcast id: ids start again at 0 in every SparkContext, so a second context in one JVM (tests, benchmarks,
   * a notebook) would otherwise reuse the first one's index and write wrong ids.
   */
  private static PackedCounts lastTokens;
  private static Map<String, Integer> lastIndex;

  private static synchronized Map<String, Integer> index(Broadcast<PackedCounts> tokens) {
    PackedCounts value = tokens.value();
    if (value != lastTokens) {
      lastIndex = Block.index(value);
      lastTokens = value;
    }
    return lastIndex;
  }

  /** The global ids of every kept example of the blocks, in order; the token map is built once per partition. */
  static JavaRDD<int[]> encode(JavaRDD<Block> blocks, Broadcast<PackedCounts> tokens) {
    return blocks.mapPartitions((Iterator<Block> it) -> {
      Map<String, Integer> ids = index(tokens);
      List<Iterator<int[]>> parts = new ArrayList<>();
      while (it.hasNext()) {
        Block b = it.next();
        parts.add(b.examples(b.globalIds(ids)));
      }
      return parts.stream().flatMap(p -> {
        Iterable<int[]> i = () -> p;
        return java.util.stream.StreamSupport.stream(i.spliterator(), false);
      }).filter(java.util.Objects::nonNull).iterator();
    });
  }

  /** Ids of string examples (parallel files); the token map is built once per partition. */
  static JavaRDD<int[]> encodeTexts(JavaRDD<String[]> examples, Broadcast<PackedCounts> tokens) {
    return examples.mapPartitions((Iterator<String[]> it) -> {
      Map<String, Integer> ids = index(tokens);
      return new Iterator<int[]>() {
        @Override
        public boolean hasNext() {
          return it.hasNext();
        }

        @Override
        public int[] next() {
          String[] t = it.next();
          int[] out = new int[t.length];
          for (int i = 0; i < t.length; i++) {
            out[i] = ids.getOrDefault(t[i], 1);
          }
          return out;
        }
      };
    });
  }

  /**
   * Redistributes into {@code shards} partitions balanced by example count, keeping the global order (partition p
   * gets examples [p·n/shards, (p+1)·n/shards)); 0 keeps the input partitioning (one per file).
   */
  static JavaRDD<int[]> reshard(JavaRDD<int[]> ids, int shards, long examples) {
    if (shards == 0 || examples == 0) {
      return ids;
    }
    return ids.zipWithIndex().mapToPair(t -> new scala.Tuple2<>(t._2(), t._1()))
        .repartitionAndSortWithinPartitions(new Ordered(shards, examples)).values();
  }

  /**
   * Writes the shards under {@code dir}, partition p as {@code part-<first + p>} ({@code first} > 0 numbers them after
   * an earlier ingest's); empty partitions write nothing. Returns the shards in order.
   */
  static List<ShardInfo> write(JavaRDD<int[]> ids, String dir, HadoopConf conf, int first) {
    return sorted(ids.mapPartitionsWithIndex((Integer index, Iterator<int[]> it) -> {
      ShardInfo info = writeShard(dir, first + index, it, conf);
      return info == null ? Collections.<ShardInfo>emptyIterator() : List.of(info).iterator();
    }, true).collect());
  }

  /**
   * One shard per block ({@code part-<block's partition>}, as {@link #write} names them for the encoded blocks), from
   * {@code tasks} tasks that each write a run of consecutive blocks: a task per core instead of one per block saves
   * Spark's per-task cost (launch, deserialization, result), a serial cost of the ingest. Numbered from {@code first} as
   * in {@link #write}. Returns the shards in order.
   */
  static List<ShardInfo> writeBlocks(JavaRDD<Block> blocks, Broadcast<PackedCounts> tokens, int tasks, String dir,
      HadoopConf conf, int first) {
    return sorted(blocks.coalesce(Math.max(1, Math.min(tasks, blocks.getNumPartitions()))).mapPartitions(
        (Iterator<Block> it) -> {
          Map<String, Integer> ids = index(tokens);
          List<ShardInfo> out = new ArrayList<>();
          while (it.hasNext()) {
            Block b = it.next();
            ShardInfo info = writeShard(dir, first + b.partition, b.examples(b.globalIds(ids)), conf);
            if (info != null) {
              out.add(info);
            }
          }
          return out.iterator();
        }).collect());
  }

  private static List<ShardInfo> sorted(List<ShardInfo> shards) {
    List<ShardInfo> infos = new ArrayList<>(shards);
    infos.sort((a, b) -> a.file().compareTo(b.file()));
    return infos;
  }

  /**
   * Writes the non-null examples of {@code it} as shard {@code index} under an attempt-specific name, then renames it
   * into place; null (and no file) if there are none.
   */
  private static ShardInfo writeShard(String dir, int index, Iterator<int[]> it, HadoopConf conf) throws IOException {
    int[] first = null;
    while (first == null && it.hasNext()) {
      first = it.next();
    }
    if (first == null) {
      return null;
    }
    String name = String.format("part-%05d%s", index, TokenShards.SUFFIX);
    Path target = new Path(dir, name);
    long attempt = TaskContext.get() == null ? 0 : TaskContext.get().taskAttemptId();
    Path tmp = new Path(dir, "." + name + ".attempt-" + attempt);
    FileSystem fs = target.getFileSystem(conf.get());
    TokenShardWriter w = new TokenShardWriter(fs.create(tmp, true));
    try {
      w.add(first);
      while (it.hasNext()) {
        int[] e = it.next();
        if (e != null) {
          w.add(e);
        }
      }
    } finally {
      w.close();
    }
    fs.delete(target, false);
    if (!fs.rename(tmp, target)) {
      throw new IOException("cannot rename " + tmp + " to " + target);
    }
    return new ShardInfo(name, w.count(), w.tokens(), w.bytes());
  }

  /** Range partitioner over example indices 0..n-1. */
  static final class Ordered extends Partitioner {
    private final int shards;
    private final long n;

    Ordered(int shards, long n) {
      this.shards = shards;
      this.n = n;
    }

    @Override
    public int numPartitions() {
      return shards;
    }

    @Override
    public int getPartition(Object key) {
      long i = (Long) key;
      return (int) Math.min(shards - 1, i * shards / n);
    }

    @Override
    public boolean equals(Object o) {
      return o instanceof Ordered other && other.shards == shards && other.n == n;
    }

    @Override
    public int hashCode() {
      return Long.hashCode(n) * 31 + shards;
    }
  }
}
