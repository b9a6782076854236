package io.seqspark.spark.ingest;

import io.seqspark.core.config.Settings;
import io.seqspark.core.data.ParallelShards;
import io.seqspark.core.data.TagSet;
import io.seqspark.core.data.TaggedCorpus;
import io.seqspark.core.data.TokenShards;
import io.seqspark.core.data.UnknownWords;
import io.seqspark.core.data.Vocabulary;
import io.seqspark.core.io.ModelArchive;
import io.seqspark.core.task.ClassifierFamily;
import io.seqspark.core.task.TaggerFamily;
import io.seqspark.spark.ingest.InputFiles.InputFile;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.Serializable;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.security.DigestInputStream;
import java.security.MessageDigest;
import java.util.AbstractMap;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.Path;
import org.apache.spark.api.java.JavaPairRDD;
import org.apache.spark.api.java.JavaRDD;
import org.apache.spark.api.java.JavaSparkContext;
import org.apache.spark.broadcast.Broadcast;
import org.apache.spark.storage.StorageLevel;
import scala.Tuple2;

/**
 * Labelled lines for {@code classify} ({@code ingest.format = labelled}) and tagged sentences for {@code tag}
 * ({@code ingest.format = tagged}), as two aligned sides like parallel files' ({@link ParallelShards#LABELLED}:
 * {@code text/} + {@code labels/}; {@link ParallelShards#TAGGED}: {@code words/} + {@code tags/}), with equal shard
 * names and example counts. Each input file is parsed whole, one task per file, by the parser training uses
 * ({@link ClassifierFamily#readLabelledLines}, {@link TaggedCorpus#read}), so the examples, their order and every
 * parse error (file and line) are training's; a file that breaks a rule fails the ingest once, on the driver, and
 * nothing is written. The vocabulary is counted on the executors and built with {@link Vocabulary.Builder} as
 * training builds it from the text (the tagger's rare words counted as their {@link UnknownWords} class), and the
 * words are encoded with training's {@link TaggedCorpus.WordEncoding}: the ids are the ones the local path gives.
 * The second side holds one id per example (a label's index into the sorted labels) or per word (a tag's
 * {@link TagSet} id); its {@code vocab.tsv} lists the labels or tags (TAB count) in id order, without a cut.
 */
final class LabelledIngest {

  private LabelledIngest() {}

  /** One input file parsed: its report and its examples (labelled: label, tokens; tagged: words then tags). */
  record Parsed(FileReport report, List<String[]> examples) implements Serializable {}

  /** The options' sides: labelled or tagged. */
  static ParallelShards.Sides sides(IngestOptions o) {
    return o.format() == IngestOptions.Format.TAGGED ? ParallelShards.TAGGED : ParallelShards.LABELLED;
  }

  /** Parses every file, builds the vocabulary and the label list, and writes both sides under {@code dir}. */
  static Map.Entry<List<FileReport>, Map<String, Object>> write(JavaSparkContext sc, Settings settings,
      List<InputFile> files, IngestOptions o, Path dir, HadoopConf conf) throws IOException {
    boolean tagged = o.format() == IngestOptions.Format.TAGGED;
    ParallelShards.Sides sides = sides(o);
    String config = settings.render();
    List<Integer> index = new ArrayList<>();
    for (int i = 0; i < files.size(); i++) {
      index.add(i);
    }
    JavaRDD<Parsed> parsed = sc.parallelize(index, files.size())
        .map(i -> parse(files.get(i), i, tagged, config, conf.get())).persist(StorageLevel.MEMORY_AND_DISK());
    JavaRDD<String[]> examples = null;
    try {
      List<FileReport> reports = parsed.map(Parsed::report).collect();
      long total = 0;
      for (FileReport r : reports) {
        if (r.failure != null) {
          throw new IllegalArgumentException(r.failure.text() + "; nothing was written");
        }
        total += r.examples;
      }
      JavaRDD<String[]> all = parsed.flatMap(p -> p.examples().iterator());
      examples = (o.shards() > 0 && total > 0 ? all.zipWithIndex().mapToPair(t -> new Tuple2<>(t._2(), t._1()))
          .repartitionAndSortWithinPartitions(new ShardOutput.Ordered(o.shards(), total)).values() : all)
          .persist(StorageLevel.MEMORY_AND_DISK());
      TaggedCorpus.WordEncoding enc = TaggerFamily.encoding(settings);
      boolean lower = enc.lowerCase();
      boolean classes = enc.unknownClasses();
      Vocabulary vocab = vocabulary(examples, tagged, lower, classes, o.minCount(), o.maxVocabSize());
      Map<String, Long> labelCounts = new TreeMap<>(examples
          .flatMap(e -> java.util.Arrays.asList(second(e, tagged)).iterator()).countByValue());
      List<String> labels = tagged ? TagSet.of(labelCounts.keySet()).tags() : List.copyOf(labelCounts.keySet());
      Broadcast<byte[]> bv = sc.broadcast(tsv(vocab));
      Broadcast<List<String>> bl = sc.broadcast(labels);
      JavaRDD<int[]> first = examples.mapPartitions(it -> {
        Vocabulary v = ModelArchive.vocabulary(bv.value());
        TaggedCorpus.WordEncoding words = new TaggedCorpus.WordEncoding(lower, classes);
        List<int[]> out = new ArrayList<>();
        it.forEachRemaining(e -> out.add(tagged ? wordIds(e, v, words)
            : v.encode(java.util.Arrays.asList(e).subList(1, e.length))));
        return out.iterator();
      });
      JavaRDD<int[]> second = examples.mapPartitions(it -> {
        Map<String, Integer> ids = new java.util.HashMap<>();
        for (int i = 0; i < bl.value().size(); i++) {
          ids.put(bl.value().get(i), i);
        }
        List<int[]> out = new ArrayList<>();
        it.forEachRemaining(e -> out.add(secondIds(e, tagged, ids)));
        return out.iterator();
      });
      List<ShardOutput.ShardInfo> a = ShardOutput.write(first, new Path(new Path(dir, sides.first()),
          TokenShards.SHARD_DIR).toString(), conf, 0);
      List<ShardOutput.ShardInfo> b = ShardOutput.write(second, new Path(new Path(dir, sides.second()),
          TokenShards.SHARD_DIR).toString(), conf, 0);
      bv.destroy();
      bl.destroy();
      FileSystem fs = dir.getFileSystem(conf.get());
      Ingest.writeVocabulary(fs, new Path(new Path(dir, sides.first()), TokenShards.VOCABULARY_FILE), vocab);
      StringBuilder list = new StringBuilder();
      for (String l : labels) {
        list.append(l).append('\t').append(labelCounts.getOrDefault(l, 0L)).append('\n');
      }
      try (OutputStream out = fs.create(new Path(new Path(dir, sides.second()), TokenShards.VOCABULARY_FILE), true)) {
        out.write(list.toString().getBytes(StandardCharsets.UTF_8));
      }
      long firstTokens = a.stream().mapToLong(ShardOutput.ShardInfo::tokens).sum();
      long secondTokens = b.stream().mapToLong(ShardOutput.ShardInfo::tokens).sum();
      Map<String, Object> m = new LinkedHashMap<>();
      m.put("examples", total);
      m.put("tokens", firstTokens);
      m.put(sides.first(), IngestManifest.side(vocab, vocab.contentHash(), total, firstTokens, a, sides.first() + "/"));
      m.put(sides.second(), labelSide(labelCounts, total, secondTokens, b, sides.second() + "/"));
      if (tagged) {
        Map<String, Object> e = new LinkedHashMap<>();
        e.put("lowercase", enc.lowerCase());
        e.put("unknownClasses", enc.unknownClasses());
        m.put("wordEncoding", e);
      }
      return new AbstractMap.SimpleEntry<>(reports, m);
    } finally {
      parsed.unpersist(false);
      if (examples != null) {
        examples.unpersist(false);
      }
    }
  }

  /** Reads one file through Hadoop into a local copy (keeping its name, so .gz is recognised) and parses it. */
  static Parsed parse(InputFile f, int index, boolean tagged, String config, Configuration conf) throws IOException {
    FileReport r = new FileReport(f.path(), index, 0, 0);
    Path p = new Path(f.path());
    java.nio.file.Path dir = Files.createTempDirectory("seqspark-ingest");
    java.nio.file.Path local = dir.resolve(p.getName());
    try {
      MessageDigest sha = MessageDigest.getInstance("SHA-256");
      try (InputStream in = new DigestInputStream(p.getFileSystem(conf).open(p), sha)) {
        Files.copy(in, local);
      }
      r.sha256 = HexFormat.of().formatHex(sha.digest());
      long[] lines = {0};
      io.seqspark.core.data.TextCorpus.readLines(local, raw -> {
        lines[0]++;
        return List.of();
      });
      r.linesRead = lines[0];
      List<String[]> out = new ArrayList<>();
      if (tagged) {
        for (TaggedCorpus.Sentence s : TaggedCorpus.read(local).sentences()) {
          List<String> both = new ArrayList<>(s.words());
          both.addAll(s.tags());
          out.add(both.toArray(new String[0]));
          r.tokens += s.words().size();
        }
      } else {
        out = ClassifierFamily.readLabelledLines(Settings.parse(config), local);
        for (String[] e : out) {
          r.tokens += e.length - 1;
        }
      }
      r.examples = out.size();
      return new Parsed(r, out);
    } catch (IllegalArgumentException e) {
      // a broken rule is reported, not thrown: the driver fails once with the file and line
      r.failure = new FileReport.Problem(0, String.valueOf(e.getMessage()).replace(local.toString(), f.path()));
      return new Parsed(r, List.of());
    } catch (java.security.NoSuchAlgorithmException e) {
      throw new IllegalStateException(e);
    } finally {
      Files.deleteIfExists(local);
      Files.deleteIfExists(dir);
    }
  }

  /** The labels of an example: its label, or (tagged) its tags. */
  private static String[] second(String[] e, boolean tagged) {
    return tagged ? java.util.Arrays.copyOfRange(e, e.length / 2, e.length) : new String[] {e[0]};
  }

  private static int[] secondIds(String[] e, boolean tagged, Map<String, Integer> ids) {
    String[] labels = second(e, tagged);
    int[] out = new int[labels.length];
    for (int i = 0; i < out.length; i++) {
      out[i] = ids.getOrDefault(labels[i], TagSet.UNKNOWN_ID);
    }
    return out;
  }

  private static int[] wordIds(String[] e, Vocabulary v, TaggedCorpus.WordEncoding enc) {
    int[] out = new int[e.length / 2];
    for (int i = 0; i < out.length; i++) {
      out[i] = enc.id(v, e[i]);
    }
    return out;
  }

  /**
   * The vocabulary of the words (labelled: the tokens after the label), counted on the executors: a word rarer than
   * {@code minCount} only adds to {@code <unk>}'s count, so the driver receives the kept words only. Tagged: a word
   * whose lookup form is rare is counted as its unknown-word class first, as {@link TaggedCorpus#wordVocabulary} does.
   */
  static Vocabulary vocabulary(JavaRDD<String[]> examples, boolean tagged, boolean lower, boolean classes,
      int minCount, int maxSize) {
    JavaPairRDD<String, Long> counts;
    if (tagged) {
      counts = examples.flatMapToPair(e -> {
        TaggedCorpus.WordEncoding enc = new TaggedCorpus.WordEncoding(lower, classes);
        List<Tuple2<Tuple2<String, String>, Long>> out = new ArrayList<>();
        for (int i = 0; i < e.length / 2; i++) {
          out.add(new Tuple2<>(new Tuple2<>(enc.key(e[i]), classes ? UnknownWords.classOf(e[i]) : ""), 1L));
        }
        return out.iterator();
      }).reduceByKey(Long::sum).mapToPair(t -> new Tuple2<>(t._1()._1(), new Tuple2<>(t._1()._2(), t._2())))
          .groupByKey().flatMapToPair(t -> {
            long n = 0;
            for (Tuple2<String, Long> c : t._2()) {
              n += c._2();
            }
            List<Tuple2<String, Long>> out = new ArrayList<>();
            if (classes && n < minCount) {
              t._2().forEach(c -> out.add(new Tuple2<>(c._1(), c._2())));
            } else {
              out.add(new Tuple2<>(t._1(), n));
            }
            return out.iterator();
          }).reduceByKey(Long::sum);
    } else {
      counts = examples.flatMapToPair(e -> {
        List<Tuple2<String, Long>> out = new ArrayList<>(e.length - 1);
        for (int i = 1; i < e.length; i++) {
          out.add(new Tuple2<>(e[i], 1L));
        }
        return out.iterator();
      }).reduceByKey(Long::sum);
    }
    List<Tuple2<String, Long>> kept = counts
        .mapToPair(t -> t._2() >= minCount ? t : new Tuple2<>(Vocabulary.UNK, t._2())).reduceByKey(Long::sum).collect();
    Vocabulary.Builder b = Vocabulary.builder();
    kept.forEach(t -> b.add(t._1(), t._2()));
    return b.build(minCount, maxSize);
  }

  private static byte[] tsv(Vocabulary v) throws IOException {
    java.nio.file.Path tmp = Files.createTempFile("seqspark-vocab", ".tsv");
    try {
      v.save(tmp);
      return Files.readAllBytes(tmp);
    } finally {
      Files.deleteIfExists(tmp);
    }
  }

  /**
   * The manifest entry of the label side: its labels or tags with their counts ({@code counts}, sorted; labels:
   * examples, tags: words), and its shards; no vocabulary (its vocab.tsv is the label list).
   */
  private static Map<String, Object> labelSide(Map<String, Long> counts, long examples, long tokens,
      List<ShardOutput.ShardInfo> shards, String prefix) {
    Map<String, Object> m = new LinkedHashMap<>();
    m.put("examples", examples);
    m.put("tokens", tokens);
    m.put("counts", counts);
    List<Map<String, Object>> sh = new ArrayList<>();
    for (ShardOutput.ShardInfo s : shards) {
      Map<String, Object> e = new LinkedHashMap<>();
      e.put("file", prefix + TokenShards.SHARD_DIR + "/" + s.file());
      e.put("examples", s.examples());
      e.put("tokens", s.tokens());
      e.put("bytes", s.bytes());
      sh.add(e);
    }
    m.put("shards", sh);
    return m;
  }
}
