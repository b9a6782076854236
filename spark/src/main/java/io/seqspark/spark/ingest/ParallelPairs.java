package io.seqspark.spark.ingest;

import io.seqspark.core.data.ParallelShards;
import io.seqspark.core.data.TokenShards;
import io.seqspark.core.data.Vocabulary;
import io.seqspark.spark.ingest.InputFiles.InputFile;
import java.io.IOException;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.apache.hadoop.fs.Path;
import org.apache.spark.api.java.JavaPairRDD;
import org.apache.spark.api.java.JavaRDD;
import org.apache.spark.api.java.JavaSparkContext;
import org.apache.spark.broadcast.Broadcast;
import org.apache.spark.storage.StorageLevel;
import scala.Tuple2;

/**
 * Aligned parallel files for translation: {@code --input SRC --target TGT}, each a path or glob, paired by sorted
 * order (the i-th source file with the i-th target file); line i of a source file is the translation of line i of its
 * target file. Both sides are read like any input (byte ranges, policies per side, counted by reason per file); a
 * line dropped on either side drops the pair. Pairing: every line (kept or dropped) gets its global index on its side
 * from the per-range line counts, both sides are range-partitioned by that index into the same partitions, and the
 * partitions are zipped, so aligned lines meet without a join and in input order. Output: {@code source/} and
 * {@code target/}, each a {@link TokenShards} directory with its own vocabulary, with equal shard names and example
 * counts ({@link ParallelShards} reads them as pairs).
 */
final class ParallelPairs {

  private ParallelPairs() {}

  /** Before any reading: only the lines format, and as many target files as source files. */
  static void check(IngestOptions o, String input, List<InputFile> sources, String target, List<InputFile> targets) {
    if (o.format() != IngestOptions.Format.LINES) {
      throw new IllegalArgumentException("--target with ingest.format = " + o.format().name().toLowerCase(java.util.Locale.ROOT)
          + ": parallel files pair line i with line i. Fix: --set ingest.format=lines");
    }
    if (sources.size() != targets.size()) {
      throw new IllegalArgumentException("--input " + input + " matches " + sources.size() + " file(s) but --target "
          + target + " matches " + targets.size() + "; parallel files are paired by sorted order, one target file per"
          + " source file. Fix: make both patterns match the same number of files");
    }
  }

  /** Each source file and its target file must have as many lines; else ONE error naming both files and counts. */
  static void checkLineCounts(List<FileReport> reports, int pairs) {
    for (int i = 0; i < pairs; i++) {
      FileReport s = reports.get(i);
      FileReport t = reports.get(pairs + i);
      if (s.linesRead != t.linesRead) {
        throw new IllegalArgumentException("parallel files do not align: " + s.path + " has " + s.linesRead
            + " lines" + cut(s) + " but " + t.path + " has " + t.linesRead + " lines" + cut(t) + " (pair " + (i + 1)
            + " of " + pairs + "). Fix: give line-aligned files (the same number of lines, line i translating line i);"
            + " nothing was written");
      }
    }
  }

  private static String cut(FileReport r) {
    return r.error == null ? "" : " (read only up to " + r.error + ")";
  }

  /** Pairs the blocks' lines, builds both vocabularies and writes both sides under {@code dir}. */
  static Map<String, Object> write(JavaSparkContext sc, JavaRDD<Block> blocks, List<FileReport> parts,
      List<FileReport> reports, IngestOptions o, Path dir, HadoopConf conf) throws IOException {
    Map<String, Long> offsets = offsets(parts, reports);
    long lines = 0;
    int sourceRanges = 0;
    for (FileReport r : reports) {
      lines += r.side == 0 ? r.linesRead : 0;
    }
    for (FileReport p : parts) {
      sourceRanges += p.side == 0 && p.range >= 0 ? 1 : 0;
    }
    ShardOutput.Ordered byLine = new ShardOutput.Ordered(o.shards() > 0 ? o.shards() : Math.max(1, sourceRanges),
        Math.max(1, lines));
    JavaRDD<String[]> source = indexed(blocks, 0, offsets).repartitionAndSortWithinPartitions(byLine).values();
    JavaRDD<String[]> target = indexed(blocks, 1, offsets).repartitionAndSortWithinPartitions(byLine).values();
    JavaRDD<Tuple2<String[], String[]>> pairs = source.zipPartitions(target, (Iterator<String[]> a, Iterator<String[]> b) -> {
      List<Tuple2<String[], String[]>> out = new ArrayList<>();
      while (a.hasNext() && b.hasNext()) {
        String[] x = a.next();
        String[] y = b.next();
        if (x.length > 0 && y.length > 0) {
          out.add(new Tuple2<>(x, y));
        }
      }
      return out.iterator();
    }).persist(StorageLevel.MEMORY_AND_DISK());
    try {
      long[] totals = pairs.aggregate(new long[3], (acc, p) -> {
        acc[0]++;
        acc[1] += p._1().length;
        acc[2] += p._2().length;
        return acc;
      }, (x, y) -> {
        for (int i = 0; i < 3; i++) {
          x[i] += y[i];
        }
        return x;
      });
      Map<String, Object> m = new LinkedHashMap<>();
      m.put("examples", totals[0]);
      m.put("pairsDropped", lines - totals[0]);
      m.put("tokens", totals[1] + totals[2]);
      m.put(ParallelShards.SOURCE, side(sc, pairs.map(Tuple2::_1), totals[0], totals[1], ParallelShards.SOURCE, o, dir, conf));
      m.put(ParallelShards.TARGET, side(sc, pairs.map(Tuple2::_2), totals[0], totals[2], ParallelShards.TARGET, o, dir, conf));
      return m;
    } finally {
      pairs.unpersist(false);
    }
  }

  private static Map<String, Object> side(JavaSparkContext sc, JavaRDD<String[]> examples, long count, long tokens,
      String name, IngestOptions o, Path dir, HadoopConf conf) throws IOException {
    int partitions = examples.getNumPartitions();
    Vocabulary vocab = DistributedVocabulary.build(DistributedVocabulary.partialCounts(examples, partitions), partitions,
        tokens, o.minCount(), o.maxVocabSize(), o.eosPerLine() ? count : 0);
    Broadcast<PackedCounts> bc = sc.broadcast(Ingest.tokenList(vocab));
    Path sideDir = new Path(dir, name);
    List<ShardOutput.ShardInfo> shards = ShardOutput.write(ShardOutput.encodeTexts(examples, bc),
        new Path(sideDir, TokenShards.SHARD_DIR).toString(), conf, 0);
    bc.destroy();
    Ingest.writeVocabulary(dir.getFileSystem(conf.get()), new Path(sideDir, TokenShards.VOCABULARY_FILE), vocab);
    return IngestManifest.side(vocab, vocab.contentHash(), count, tokens, shards, name + "/");
  }

  /** Every line of one side keyed by its index on that side; a dropped line is an empty array. */
  private static JavaPairRDD<Long, String[]> indexed(JavaRDD<Block> blocks, int side, Map<String, Long> offsets) {
    return blocks.filter(b -> b.report.side == side && b.report.range >= 0).flatMapToPair(b -> {
      String[][] lines = b.tokens();
      long first = offsets.get(key(b.report));
      List<Tuple2<Long, String[]>> out = new ArrayList<>(lines.length);
      for (int i = 0; i < lines.length; i++) {
        out.add(new Tuple2<>(first + i, lines[i] == null ? new String[0] : lines[i]));
      }
      return out.iterator();
    });
  }

  /** The index on its side of each range's first line: lines of the earlier files, then of the earlier ranges. */
  private static Map<String, Long> offsets(List<FileReport> parts, List<FileReport> merged) {
    Map<Long, Long> fileStart = new HashMap<>();
    long[] sideLines = new long[2];
    for (FileReport r : merged) {
      fileStart.put(((long) r.side << 32) | r.fileIndex, sideLines[r.side]);
      sideLines[r.side] += r.linesRead;
    }
    List<FileReport> ranges = new ArrayList<>(parts.stream().filter(p -> p.range >= 0).toList());
    ranges.sort(Comparator.<FileReport>comparingInt(p -> p.side).thenComparingInt(p -> p.fileIndex)
        .thenComparingInt(p -> p.range));
    Map<String, Long> out = new HashMap<>();
    long at = 0;
    long file = -1;
    for (FileReport p : ranges) {
      long f = ((long) p.side << 32) | p.fileIndex;
      if (f != file) {
        file = f;
        at = fileStart.get(f);
      }
      out.put(key(p), at);
      at += p.linesRead;
    }
    return out;
  }

  private static String key(FileReport r) {
    return r.side + ":" + r.fileIndex + ":" + r.range;
  }
}
