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

  /**
   * The two side directories of an ingest output of aligned examples and the {@code ingest.format} that writes them:
   * translation pairs ({@code source/}, {@code target/}), labelled lines ({@code text/}, {@code labels/}: one label id
   * per example) and tagged sentences ({@code words/}, {@code tags/}: one tag id per word). {@code secondIsVocabulary}:
   * whether the second side's {@code vocab.tsv} is a {@link Vocabulary} (translation) or a plain label list (label or
   * tag TAB count per line, ids in line order).
   */
  public record Sides(String first, String second, String format, boolean secondIsVocabulary) {
  }

  /** {@code ingest --input SRC --target TGT}. */
  public static final Sides TRANSLATION = new Sides(SOURCE, TARGET, "lines", true);
  /** {@code ingest.format = labelled}: classification lines. */
  public static final Sides LABELLED = new Sides("text", "labels", "labelled", false);
  /** {@code ingest.format = tagged}: CoNLL-style tagged sentences. */
  public static final Sides TAGGED = new Sides("words", "tags", "tagged", false);

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
    return pairedFile(sourceFile, TRANSLATION);
  }

  /**
   * The second side's shard paired with a first-side shard file named {@code .../<first>/shards/NAME}:
   * {@code .../<second>/shards/NAME}.
   *
   * @throws IllegalArgumentException if {@code firstFile} is not under a {@code <first>/shards/} directory
   */
  public static String pairedFile(String firstFile, Sides sides) {
    String first = sides.first();
    String second = sides.second();
    String side = "/" + first + "/" + TokenShards.SHARD_DIR + "/";
    int at = firstFile.lastIndexOf(side);
    if (at < 0 || firstFile.indexOf('/', at + side.length()) >= 0) {
      throw new IllegalArgumentException(firstFile + ": not a source shard of a parallel ingest (expected"
          + " .../" + first + "/" + TokenShards.SHARD_DIR + "/NAME" + TokenShards.SUFFIX + ")");
    }
    return firstFile.substring(0, at) + "/" + second + "/" + TokenShards.SHARD_DIR + "/"
        + firstFile.substring(at + side.length());
  }

  /** True if {@code dir} looks like a parallel ingest output (has both side directories). */
  public static boolean isParallel(Path dir) {
    return isParallel(dir, TRANSLATION);
  }

  /** True if {@code dir} has both side directories of {@code sides}. */
  public static boolean isParallel(Path dir, Sides sides) {
    return dir != null && Files.isDirectory(dir.resolve(sides.first()))
        && Files.isDirectory(dir.resolve(sides.second()));
  }

  /**
   * Opens a parallel ingest output, checking that both sides have the same shard files with the same example counts.
   *
   * @throws IllegalArgumentException if a side is missing or the sides do not align
   */
  public static ParallelShards open(Path dir) throws IOException {
    return open(dir, TRANSLATION);
  }

  /**
   * Opens an ingest output with the side directories of {@code sides}, checking that both have the same shard files
   * with the same example counts; {@link #source()} is the first side, {@link #target()} the second.
   */
  public static ParallelShards open(Path dir, Sides sides) throws IOException {
    String first = sides.first();
    String second = sides.second();
    if (!isParallel(dir, sides)) {
      throw new IllegalArgumentException(dir + ": no " + first + "/ and " + second + "/ directories; expected the --out"
          + " of seqspark ingest " + (sides.equals(TRANSLATION) ? "--input SRC --target TGT"
          : "--input FILES --set ingest.format=" + sides.format()));
    }
    TokenShards s = TokenShards.open(dir.resolve(first));
    TokenShards t = TokenShards.open(dir.resolve(second));
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
