package io.seqspark.spark.train;

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
 * and the {@link ShardInput.Opener} executors read the shards with ({@link #opener}, {@link #localCopies}).
 */
public final class HadoopShards {
  /** The manifest file of an ingest output. */
  public static final String MANIFEST = "manifest.json";

  private final String dir;
  private final List<ShardPiece> files;
  private final Vocabulary vocabulary;

  private HadoopShards(String dir, List<ShardPiece> files, Vocabulary vocabulary) {
    this.dir = dir;
    this.files = files;
    this.vocabulary = vocabulary;
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
    Map<String, Object> manifest;
    try (InputStream in = fs.open(new org.apache.hadoop.fs.Path(root, MANIFEST))) {
      manifest = Json.readMap(new String(in.readAllBytes(), StandardCharsets.UTF_8));
    }
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
    Path tmp = Files.createTempFile("seqspark-vocab", ".tsv");
    try {
      try (InputStream in = fs.open(new org.apache.hadoop.fs.Path(root, TokenShards.VOCABULARY_FILE))) {
        Files.copy(in, tmp, StandardCopyOption.REPLACE_EXISTING);
      }
      return new HadoopShards(dir, List.copyOf(files), Vocabulary.load(tmp));
    } finally {
      Files.deleteIfExists(tmp);
    }
  }

  /** The ingest output's location as given. */
  public String dir() {
    return dir;
  }

  /** Every shard file as a whole piece, in corpus order, with the manifest's counts. */
  public List<ShardPiece> files() {
    return files;
  }

  /** The ingest's vocabulary. */
  public Vocabulary vocabulary() {
    return vocabulary;
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
