package io.seqspark.core.data;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.function.BiConsumer;

/**
 * Reads the output of {@code seqspark ingest --input SRC --target TGT}: aligned example pairs for translation. The
 * directory holds {@code source/} and {@code target/}, each a {@link TokenShards} directory ({@code vocab.tsv} and
 * {@code shards/part-NNNNN.ids}) with its own vocabulary; shard files have the same names on both sides and example
 * i of a source shard is the translation of example i of the target shard of the same name. Each side's per-example
 * lengths come from its shard index ({@link TokenShards#lengths()}), so a trainer can bucket pairs by
 * (source length, target length) before reading any ids.
 */
public final class ParallelShards {

  /** Sub-directory of the source side. */
  public static final String SOURCE = "source";
  /** Sub-directory of the target side. */
  public static final String TARGET = "target";

  private final TokenShards source;
  private final TokenShards target;

  private ParallelShards(TokenShards source, TokenShards target) {
    this.source = source;
    this.target = target;
  }

  /**
   * The target shard paired with a source shard file named {@code .../source/shards/NAME} (a local path or a Hadoop
   * path or URI, '/'-separated): {@code .../target/shards/NAME}.
   *
   * @throws IllegalArgumentException if {@code sourceFile} is not under a {@code source/shards/} directory
   */
  public static String targetFile(String sourceFile) {
    String side = "/" + SOURCE + "/" + TokenShards.SHARD_DIR + "/";
    int at = sourceFile.lastIndexOf(side);
    if (at < 0 || sourceFile.indexOf('/', at + side.length()) >= 0) {
      throw new IllegalArgumentException(sourceFile + ": not a source shard of a parallel ingest (expected"
          + " .../" + SOURCE + "/" + TokenShards.SHARD_DIR + "/NAME" + TokenShards.SUFFIX + ")");
    }
    return sourceFile.substring(0, at) + "/" + TARGET + "/" + TokenShards.SHARD_DIR + "/"
        + sourceFile.substring(at + side.length());
  }

  /** True if {@code dir} looks like a parallel ingest output (has both side directories). */
  public static boolean isParallel(Path dir) {
    return Files.isDirectory(dir.resolve(SOURCE)) && Files.isDirectory(dir.resolve(TARGET));
  }

  /**
   * Opens a parallel ingest output, checking that both sides have the same shard files with the same example counts.
   *
   * @throws IllegalArgumentException if a side is missing or the sides do not align
   */
  public static ParallelShards open(Path dir) throws IOException {
    if (!isParallel(dir)) {
      throw new IllegalArgumentException(dir + ": no " + SOURCE + "/ and " + TARGET + "/ directories; expected the --out"
          + " of seqspark ingest --input SRC --target TGT");
    }
    TokenShards s = TokenShards.open(dir.resolve(SOURCE));
    TokenShards t = TokenShards.open(dir.resolve(TARGET));
    List<Path> sf = s.files();
    List<Path> tf = t.files();
    if (sf.size() != tf.size()) {
      throw new IllegalArgumentException(dir + ": " + sf.size() + " source shards but " + tf.size()
          + " target shards; the output is damaged, re-run seqspark ingest");
    }
    for (int i = 0; i < sf.size(); i++) {
      long a = TokenShards.footer(sf.get(i)).examples();
      long b = TokenShards.footer(tf.get(i)).examples();
      if (!sf.get(i).getFileName().equals(tf.get(i).getFileName()) || a != b) {
        throw new IllegalArgumentException(dir + ": source shard " + sf.get(i).getFileName() + " (" + a + " examples) does"
            + " not align with target shard " + tf.get(i).getFileName() + " (" + b + " examples); re-run seqspark ingest");
      }
    }
    return new ParallelShards(s, t);
  }

  public TokenShards source() {
    return source;
  }

  public TokenShards target() {
    return target;
  }

  /** Pairs over all shards. */
  public long pairs() throws IOException {
    return source.examples();
  }

  /** Streams every (source ids, target ids) pair in order, shard by shard; the arrays are fresh and may be kept. */
  public void forEach(BiConsumer<int[], int[]> action) throws IOException {
    List<Path> sf = source.files();
    List<Path> tf = target.files();
    for (int i = 0; i < sf.size(); i++) {
      List<int[]> a = TokenShards.read(sf.get(i));
      List<int[]> b = TokenShards.read(tf.get(i));
      for (int j = 0; j < a.size(); j++) {
        action.accept(a.get(j), b.get(j));
      }
    }
  }
}
