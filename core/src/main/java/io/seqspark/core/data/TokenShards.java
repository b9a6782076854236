package io.seqspark.core.data;

import java.io.BufferedInputStream;
import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.nio.channels.Channels;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Consumer;
import java.util.stream.Stream;
import java.util.zip.CRC32;

/**
 * Reads the output of {@code seqspark ingest}: a directory with {@code vocab.tsv} (a frozen {@link Vocabulary}),
 * {@code manifest.json} and {@code shards/part-NNNNN.ids}, the token ids of every kept example in input order (shard
 * by shard, in name order). No Spark is needed to read them, so the local trainer can use them directly.
 *
 * <p>One shard file, all integers big-endian, varints unsigned LEB128 (7 bits per byte, low bits first):
 * <pre>
 *   header  8 bytes   magic "SQID" (0x53514944), format version (int32, = 1)
 *   body              for each example in order: its ids, one varint each (no separators: the index says where)
 *   index             for each example in order: its length in tokens, one varint each
 *   footer 32 bytes   example count (int64), token count (int64), byte offset of the index (int64),
 *                     CRC-32 of every byte before the footer (int32), end magic "SQIE" (0x53514945)
 * </pre>
 * The index sits at the end so a writer can stream to any file system; {@link #lengths(Path)} reads the footer and
 * the index only (one seek), which is all length bucketing needs. A full read verifies the CRC and every count, so a
 * truncated or damaged shard fails with its path instead of yielding wrong ids.
 */
public final class TokenShards {

  public static final int MAGIC = 0x53514944;
  public static final int END_MAGIC = 0x53514945;
  public static final int VERSION = 1;
  static final int HEADER_BYTES = 8;
  static final int FOOTER_BYTES = 32;
  /** Sub-directory of an ingest output holding the shards. */
  public static final String SHARD_DIR = "shards";
  /** File-name suffix of a shard. */
  public static final String SUFFIX = ".ids";
  /** The vocabulary file of an ingest output. */
  public static final String VOCABULARY_FILE = "vocab.tsv";

  /** What a shard's footer says. */
  public record Footer(long examples, long tokens, long indexOffset, int crc32) {}

  private final Path dir;
  private final List<Path> files;

  private TokenShards(Path dir, List<Path> files) {
    this.dir = dir;
    this.files = files;
  }

  /**
   * Opens an ingest output directory (or a directory holding {@code .ids} files directly).
   *
   * @throws IllegalArgumentException if it holds no shard
   */
  public static TokenShards open(Path dir) throws IOException {
    Path shardDir = Files.isDirectory(dir.resolve(SHARD_DIR)) ? dir.resolve(SHARD_DIR) : dir;
    if (!Files.isDirectory(shardDir)) {
      throw new IllegalArgumentException(dir + ": not a directory; expected the --out directory of seqspark ingest");
    }
    if (ParallelShards.isParallel(dir) && !Files.isDirectory(dir.resolve(SHARD_DIR))) {
      throw new IllegalArgumentException(dir + ": an ingest of parallel files (source/ and target/); read it with"
          + " ParallelShards, or open one side (" + dir.resolve(ParallelShards.SOURCE) + ")");
    }
    List<Path> files;
    try (Stream<Path> s = Files.list(shardDir)) {
      files = s.filter(p -> p.getFileName().toString().endsWith(SUFFIX)).sorted().toList();
    }
    if (files.isEmpty()) {
      throw new IllegalArgumentException(dir + ": no *" + SUFFIX + " shard files in " + shardDir
          + "; expected the --out directory of seqspark ingest");
    }
    return new TokenShards(dir, files);
  }

  /** The shard files, in order. */
  public List<Path> files() {
    return files;
  }

  /** The vocabulary saved next to the shards. */
  public Vocabulary vocabulary() throws IOException {
    return Vocabulary.load(dir.resolve(VOCABULARY_FILE));
  }

  /** Examples over all shards, from the footers only. */
  public long examples() throws IOException {
    long n = 0;
    for (Path f : files) {
      n += footer(f).examples();
    }
    return n;
  }

  /** The length of every example over all shards, in order, without reading any ids. */
  public int[] lengths() throws IOException {
    List<int[]> parts = new ArrayList<>();
    long total = 0;
    for (Path f : files) {
      int[] l = lengths(f);
      parts.add(l);
      total += l.length;
    }
    if (total > Integer.MAX_VALUE - 8) {
      throw new IllegalArgumentException(dir + ": " + total + " examples do not fit one array; read shard by shard");
    }
    int[] out = new int[(int) total];
    int p = 0;
    for (int[] l : parts) {
      System.arraycopy(l, 0, out, p, l.length);
      p += l.length;
    }
    return out;
  }

  /** Every example over all shards, in order. */
  public List<int[]> readAll() throws IOException {
    List<int[]> out = new ArrayList<>();
    forEach(out::add);
    return out;
  }

  /** Streams every example over all shards, in order; each array is fresh and may be kept. */
  public void forEach(Consumer<int[]> action) throws IOException {
    for (Path f : files) {
      forEach(f, action);
    }
  }

  /** Reads and checks one shard's footer. */
  public static Footer footer(Path file) throws IOException {
    try (FileChannel ch = FileChannel.open(file, StandardOpenOption.READ)) {
      return footer(file, ch);
    }
  }

  /** The lengths of one shard's examples: footer and index only. */
  public static int[] lengths(Path file) throws IOException {
    try (FileChannel ch = FileChannel.open(file, StandardOpenOption.READ)) {
      Footer f = footer(file, ch);
      ch.position(f.indexOffset());
      InputStream in = new BufferedInputStream(Channels.newInputStream(ch), 1 << 16);
      long[] remaining = {ch.size() - FOOTER_BYTES - f.indexOffset()};
      int[] lengths = new int[(int) f.examples()];
      long tokens = 0;
      for (int i = 0; i < lengths.length; i++) {
        lengths[i] = readVarint(in, file, remaining);
        tokens += lengths[i];
      }
      if (remaining[0] != 0 || tokens != f.tokens()) {
        throw damaged(file, "the index disagrees with the footer (tokens " + tokens + " vs " + f.tokens() + ")");
      }
      return lengths;
    }
  }

  /** Every example of one shard, in order. */
  public static List<int[]> read(Path file) throws IOException {
    List<int[]> out = new ArrayList<>();
    forEach(file, out::add);
    return out;
  }

  /** Streams one shard's examples, verifying the CRC and the counts at the end (before returning normally). */
  public static void forEach(Path file, Consumer<int[]> action) throws IOException {
    int[] lengths = lengths(file);
    Footer f = footer(file);
    CRC32 crc = new CRC32();
    try (InputStream raw = Files.newInputStream(file)) {
      InputStream in = new CrcStream(new BufferedInputStream(raw, 1 << 16), crc);
      long[] remaining = {f.indexOffset()};
      for (int i = 0; i < HEADER_BYTES; i++) {
        readByte(in, file, remaining);
      }
      for (int length : lengths) {
        int[] ids = new int[length];
        for (int j = 0; j < length; j++) {
          ids[j] = readVarint(in, file, remaining);
        }
        action.accept(ids);
      }
      if (remaining[0] != 0) {
        throw damaged(file, remaining[0] + " unread bytes between the last example and the index");
      }
      remaining[0] = Files.size(file) - FOOTER_BYTES - f.indexOffset();
      while (remaining[0] > 0) {
        readByte(in, file, remaining);
      }
    }
    if ((int) crc.getValue() != f.crc32()) {
      throw damaged(file, "CRC-32 mismatch");
    }
  }

  private static Footer footer(Path file, FileChannel ch) throws IOException {
    long size = ch.size();
    if (size < HEADER_BYTES + FOOTER_BYTES) {
      throw damaged(file, "only " + size + " bytes, shorter than header + footer");
    }
    ByteBuffer head = ByteBuffer.allocate(HEADER_BYTES);
    readFully(ch, head, 0, file);
    if (head.getInt(0) != MAGIC) {
      throw new IllegalArgumentException(file + ": not a seqspark token shard (bad magic)");
    }
    if (head.getInt(4) != VERSION) {
      throw new IllegalArgumentException(file + ": token shard format version " + head.getInt(4)
          + " is not supported (this reader knows version " + VERSION + "); re-run seqspark ingest");
    }
    ByteBuffer foot = ByteBuffer.allocate(FOOTER_BYTES);
    readFully(ch, foot, size - FOOTER_BYTES, file);
    Footer f = new Footer(foot.getLong(0), foot.getLong(8), foot.getLong(16), foot.getInt(24));
    if (foot.getInt(28) != END_MAGIC || f.examples() < 0 || f.examples() > Integer.MAX_VALUE - 8 || f.tokens() < 0
        || f.indexOffset() < HEADER_BYTES || f.indexOffset() > size - FOOTER_BYTES) {
      throw damaged(file, "bad footer (truncated or overwritten?)");
    }
    return f;
  }

  private static void readFully(FileChannel ch, ByteBuffer b, long at, Path file) throws IOException {
    while (b.hasRemaining()) {
      if (ch.read(b, at + b.position()) < 0) {
        throw damaged(file, "unexpected end of file");
      }
    }
  }

  private static int readByte(InputStream in, Path file, long[] remaining) throws IOException {
    if (remaining[0]-- <= 0) {
      throw damaged(file, "a section is longer than the footer says");
    }
    int b = in.read();
    if (b < 0) {
      throw new EOFException(file + ": token shard is damaged: unexpected end of file");
    }
    return b;
  }

  private static int readVarint(InputStream in, Path file, long[] remaining) throws IOException {
    int v = 0;
    for (int shift = 0; shift < 35; shift += 7) {
      int b = readByte(in, file, remaining);
      v |= (b & 0x7F) << shift;
      if ((b & 0x80) == 0) {
        if (v < 0) {
          break;
        }
        return v;
      }
    }
    throw damaged(file, "a varint is longer than 5 bytes or negative");
  }

  private static IllegalArgumentException damaged(Path file, String why) {
    return new IllegalArgumentException(file + ": token shard is damaged: " + why + "; re-run seqspark ingest");
  }

  /** Feeds every byte read into a CRC. */
  private static final class CrcStream extends java.io.FilterInputStream {
    private final CRC32 crc;

    CrcStream(InputStream in, CRC32 crc) {
      super(in);
      this.crc = crc;
    }

    @Override
    public int read() throws IOException {
      int b = in.read();
      if (b >= 0) {
        crc.update(b);
      }
      return b;
    }
  }
}
