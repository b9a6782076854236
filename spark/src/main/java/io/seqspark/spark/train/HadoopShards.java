package io.seqspark.spark.train;

import io.seqspark.core.data.ParallelShards;
import io.seqspark.core.data.ShardInput;
import io.seqspark.core.data.ShardPiece;
import io.seqspark.core.data.TokenShards;
import io.seqspark.core.data.Vocabulary;
import io.seqspark.core.io.Json;
import io.seqspark.spark.ingest.HadoopConf;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.FSDataInputStream;
import org.apache.hadoop.fs.FileSystem;

/**
 * An ingest output on any Hadoop file system ({@code file://}, {@code hdfs://}, {@code s3a://}, or a plain local
 * path), as the driver sees it: its manifest's shard list (file, examples, tokens) and its vocabulary, nothing else;
 * and the {@link ShardInput.Opener} executors read the shards with ({@link #opener}, {@link #localCopies}). An ingest
 * of parallel files ({@link #openParallel}) lists its source shards as the pieces (each read with its target shard,
 * {@link io.seqspark.core.data.ShardExamples#paired}), counting both sides' tokens, and has two vocabularies.
 */
public final class HadoopShards {
  /** The manifest file of an ingest output. */
  public static final String MANIFEST = "manifest.json";

  private final String dir;
  private final List<ShardPiece> files;
  private final Vocabulary vocabulary;
  private final Vocabulary sourceVocabulary;
  private final Map<String, Object> manifest;

  private HadoopShards(String dir, List<ShardPiece> files, Vocabulary vocabulary, Vocabulary sourceVocabulary,
                       Map<String, Object> manifest) {
    this.dir = dir;
    this.files = files;
    this.vocabulary = vocabulary;
    this.sourceVocabulary = sourceVocabulary;
    this.manifest = manifest;
  }

  /** Whether {@code dir} is an ingest output of parallel files (manifest, source/ and target/ with vocabularies). */
  public static boolean isParallel(String dir, Configuration conf) {
    return isParallel(dir, conf, ParallelShards.TRANSLATION);
  }

  /** Whether {@code dir} is an ingest output with the two sides of {@code sides} (manifest, both vocabularies). */
  public static boolean isParallel(String dir, Configuration conf, ParallelShards.Sides sides) {
    if (dir == null || dir.isEmpty()) {
      return false;
    }
    try {
      org.apache.hadoop.fs.Path p = new org.apache.hadoop.fs.Path(dir);
      FileSystem fs = p.getFileSystem(conf);
      return fs.isFile(new org.apache.hadoop.fs.Path(p, MANIFEST))
          && fs.isFile(new org.apache.hadoop.fs.Path(p, sides.first() + "/" + TokenShards.VOCABULARY_FILE))
          && fs.isFile(new org.apache.hadoop.fs.Path(p, sides.second() + "/" + TokenShards.VOCABULARY_FILE));
    } catch (IOException | IllegalArgumentException e) {
      return false;
    }
  }

  /**
   * Reads the manifest's shard lists and both vocabularies of the parallel ingest output {@code dir}: the pieces are
   * the source shards (tokens: both sides'), {@link #vocabulary} is the target side's, {@link #sourceVocabulary} the
   * source side's.
   *
   * @throws IllegalArgumentException if the manifest's sides do not list the same shard names and example counts
   */
  @SuppressWarnings("unchecked")
  public static HadoopShards openParallel(String key, String dir, Configuration conf) throws IOException {
    return openParallel(key, dir, conf, ParallelShards.TRANSLATION);
  }

  /**
   * {@link #openParallel(String, String, Configuration)} for the sides of {@code sides}. When the second side is a
   * label list (classify's labels/, tag's tags/: {@code secondIsVocabulary} false), {@link #vocabulary} is the first
   * side's, {@link #sourceVocabulary} is null, and the family takes the labels from {@link #manifest}.
   */
  @SuppressWarnings("unchecked")
  public static HadoopShards openParallel(String key, String dir, Configuration conf, ParallelShards.Sides sides)
      throws IOException {
    org.apache.hadoop.fs.Path root = new org.apache.hadoop.fs.Path(dir);
    FileSystem fs = root.getFileSystem(conf);
    Map<String, Object> manifest = manifest(fs, root);
    List<Map<String, Object>> source = sideShards(key, dir, manifest, sides.first());
    List<Map<String, Object>> target = sideShards(key, dir, manifest, sides.second());
    List<ShardPiece> files = new ArrayList<>();
    for (int i = 0; i < source.size(); i++) {
      Map<String, Object> a = source.get(i);
      Map<String, Object> b = i < target.size() ? target.get(i) : null;
      String file = new org.apache.hadoop.fs.Path(root, (String) a.get("file")).toString();
      long examples = ((Number) a.get("examples")).longValue();
      if (b == null || source.size() != target.size()
          || !ParallelShards.pairedFile(file, sides)
              .equals(new org.apache.hadoop.fs.Path(root, (String) b.get("file")).toString())
          || examples != ((Number) b.get("examples")).longValue()) {
        throw new IllegalArgumentException(key + " = " + dir + ": its " + MANIFEST + " lists source shards that do not"
            + " align with its target shards (" + a + " vs " + b + "); re-run seqspark ingest --input SRC --target TGT");
      }
      files.add(new ShardPiece(file, 0, examples, ((Number) a.get("tokens")).longValue()
          + ((Number) b.get("tokens")).longValue()));
    }
    Vocabulary first = vocabulary(fs, new org.apache.hadoop.fs.Path(root, sides.first() + "/"
        + TokenShards.VOCABULARY_FILE));
    if (!sides.secondIsVocabulary()) {
      return new HadoopShards(dir, List.copyOf(files), first, null, manifest);
    }
    return new HadoopShards(dir, List.copyOf(files),
        vocabulary(fs, new org.apache.hadoop.fs.Path(root, sides.second() + "/" + TokenShards.VOCABULARY_FILE)), first,
        manifest);
  }

  @SuppressWarnings("unchecked")
  private static List<Map<String, Object>> sideShards(String key, String dir, Map<String, Object> manifest,
                                                      String side) {
    if (!(manifest.get(side) instanceof Map<?, ?> m) || !(m.get("shards") instanceof List<?> l) || l.isEmpty()) {
      throw new IllegalArgumentException(key + " = " + dir + ": its " + MANIFEST + " has no \"" + side + "\".shards;"
          + " expected the --out of seqspark ingest --input SRC --target TGT");
    }
    return (List<Map<String, Object>>) l;
  }

  private static Map<String, Object> manifest(FileSystem fs, org.apache.hadoop.fs.Path root) throws IOException {
    try (InputStream in = fs.open(new org.apache.hadoop.fs.Path(root, MANIFEST))) {
      return Json.readMap(new String(in.readAllBytes(), StandardCharsets.UTF_8));
    }
  }

  private static Vocabulary vocabulary(FileSystem fs, org.apache.hadoop.fs.Path file) throws IOException {
    Path tmp = Files.createTempFile("seqspark-vocab", ".tsv");
    try {
      try (InputStream in = fs.open(file)) {
        Files.copy(in, tmp, StandardCopyOption.REPLACE_EXISTING);
      }
      return Vocabulary.load(tmp);
    } finally {
      Files.deleteIfExists(tmp);
    }
  }

  /** Whether {@code dir} is an ingest output of token shards (manifest, vocabulary and shards/). */
  public static boolean isShards(String dir, Configuration conf) {
    if (dir == null || dir.isEmpty()) {
      return false;
    }
    try {
      org.apache.hadoop.fs.Path p = new org.apache.hadoop.fs.Path(dir);
      FileSystem fs = p.getFileSystem(conf);
      return fs.isFile(new org.apache.hadoop.fs.Path(p, MANIFEST))
          && fs.isFile(new org.apache.hadoop.fs.Path(p, TokenShards.VOCABULARY_FILE))
          && fs.getFileStatus(new org.apache.hadoop.fs.Path(p, TokenShards.SHARD_DIR)).isDirectory();
    } catch (IOException | IllegalArgumentException e) {
      return false;
    }
  }

  /** Reads the manifest's shard list and the vocabulary of the ingest output {@code dir} ({@code key} names it). */
  @SuppressWarnings("unchecked")
  public static HadoopShards open(String key, String dir, Configuration conf) throws IOException {
    org.apache.hadoop.fs.Path root = new org.apache.hadoop.fs.Path(dir);
    FileSystem fs = root.getFileSystem(conf);
    Map<String, Object> manifest = manifest(fs, root);
    Object shards = manifest.get("shards");
    if (!(shards instanceof List<?> list) || list.isEmpty()) {
      throw new IllegalArgumentException(key + " = " + dir + ": its " + MANIFEST + " lists no token shards (an"
          + " ingest of parallel files or CSV series?); executors read the shards of a text ingest. Fix: re-run"
          + " seqspark ingest on the training text into a new directory and point " + key + " at it");
    }
    List<ShardPiece> files = new ArrayList<>();
    for (Object o : list) {
      Map<String, Object> e = (Map<String, Object>) o;
      String file = new org.apache.hadoop.fs.Path(root, (String) e.get("file")).toString();
      long examples = ((Number) e.get("examples")).longValue();
      files.add(new ShardPiece(file, 0, examples, ((Number) e.get("tokens")).longValue()));
    }
    return new HadoopShards(dir, List.copyOf(files),
        vocabulary(fs, new org.apache.hadoop.fs.Path(root, TokenShards.VOCABULARY_FILE)), null, manifest);
  }

  /** The ingest output's location as given. */
  public String dir() {
    return dir;
  }

  /** Every shard file as a whole piece, in corpus order, with the manifest's counts. */
  public List<ShardPiece> files() {
    return files;
  }

  /** The ingest's vocabulary (of a parallel ingest: the target side's). */
  public Vocabulary vocabulary() {
    return vocabulary;
  }

  /** A parallel ingest's source-side vocabulary; null for one text's ingest. */
  public Vocabulary sourceVocabulary() {
    return sourceVocabulary;
  }

  /** The ingest output's manifest.json as read. */
  public Map<String, Object> manifest() {
    return manifest;
  }

  /** Tokens over all shards, by the manifest. */
  public long tokens() {
    return files.stream().mapToLong(ShardPiece::tokens).sum();
  }

  /** Opens shard files through Hadoop with the driver's configuration (broadcast once). */
  public static ShardInput.Opener opener(HadoopConf conf) {
    return file -> open(file, conf.get());
  }

  /**
   * Copies each shard file to this executor's local disk the first time it is opened (Spark's per-application
   * directory, removed when the application ends), then reads the copy: {@code data.cache = disk}.
   */
  public static ShardInput.Opener localCopies(HadoopConf conf) {
    return file -> ShardInput.local(localCopy(file, conf.get()));
  }

  private static synchronized Path localCopy(String file, Configuration conf) throws IOException {
    Path dir = Path.of(org.apache.spark.SparkFiles.getRootDirectory(), "seqspark-shards");
    Files.createDirectories(dir);
    String name = Integer.toHexString(file.hashCode()) + "-" + new org.apache.hadoop.fs.Path(file).getName();
    Path local = dir.resolve(name);
    if (!Files.exists(local)) {
      Path tmp = Files.createTempFile(dir, name, ".tmp");
      try {
        org.apache.hadoop.fs.Path p = new org.apache.hadoop.fs.Path(file);
        try (InputStream in = p.getFileSystem(conf).open(p)) {
          Files.copy(in, tmp, StandardCopyOption.REPLACE_EXISTING);
        }
        Files.move(tmp, local, StandardCopyOption.ATOMIC_MOVE);
      } finally {
        Files.deleteIfExists(tmp);
      }
    }
    return local;
  }

  /** One shard file on a Hadoop file system. */
  static ShardInput open(String file, Configuration conf) throws IOException {
    org.apache.hadoop.fs.Path p = new org.apache.hadoop.fs.Path(file);
    FileSystem fs = p.getFileSystem(conf);
    long size = fs.getFileStatus(p).getLen();
    FSDataInputStream main = fs.open(p);
    return new ShardInput() {
      @Override
      public long size() {
        return size;
      }

      @Override
      public void readFully(long position, byte[] b) throws IOException {
        main.readFully(position, b);
      }

      @Override
      public InputStream stream(long position) throws IOException {
        FSDataInputStream in = fs.open(p);
        in.seek(position);
        return in;
      }

      @Override
      public void close() throws IOException {
        main.close();
      }
    };
  }
}
