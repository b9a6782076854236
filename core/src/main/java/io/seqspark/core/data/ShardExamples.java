package io.seqspark.core.data;

import java.io.Closeable;
import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.NoSuchElementException;
import java.util.zip.CRC32;

/**
 * The examples of one partition: its {@link ShardPiece}s read in order through a {@link ShardInput.Opener} (on
 * Spark, by the executor, from any Hadoop file system). Lengths come from the shards' indexes without reading ids;
 * examples are read all at once ({@link #readAll}) or streamed from any example on ({@link #cursor}). A piece that is
 * a whole file read from its start has its CRC-32 and counts verified, as {@link TokenShards} does; a range is checked
 * against the footer's counts. Paired examples ({@link #paired}) read each piece of a parallel ingest's source side
 * together with the same range of its target side and give each pair as one {@link PairBatcher#encode}d array.
 */
public final class ShardExamples {
  private final List<ShardPiece> pieces;
  private final ShardInput.Opener opener;
  private final boolean paired;
  private final ParallelShards.Sides sides;
  private long[] starts;

  /** The examples of {@code pieces}, in order, read through {@code opener}. */
  public ShardExamples(List<ShardPiece> pieces, ShardInput.Opener opener) {
    this(pieces, opener, false);
  }

  private ShardExamples(List<ShardPiece> pieces, ShardInput.Opener opener, boolean paired) {
    this(pieces, opener, paired, ParallelShards.TRANSLATION);
  }

  private ShardExamples(List<ShardPiece> pieces, ShardInput.Opener opener, boolean paired,
                        ParallelShards.Sides sides) {
    this.pieces = List.copyOf(pieces);
    this.opener = opener;
    this.paired = paired;
    this.sides = sides;
  }

  /**
   * The pairs of a parallel ingest: {@code sourcePieces} name source shards ({@code .../source/shards/NAME}); each
   * is read with the same example range of its target shard ({@link ParallelShards#targetFile}), and example i is
   * {@code PairBatcher.encode(source i, target i)}, ids as ingest wrote them.
   */
  public static ShardExamples paired(List<ShardPiece> sourcePieces, ShardInput.Opener opener) {
    return new ShardExamples(sourcePieces, opener, true);
  }

  /**
   * {@link #paired} for an ingest output with the side directories of {@code sides}: {@code firstPieces} name shards
   * of the first side, each read with the same range of the second side's shard of the same name.
   */
  public static ShardExamples paired(List<ShardPiece> firstPieces, ShardInput.Opener opener,
                                     ParallelShards.Sides sides) {
    return new ShardExamples(firstPieces, opener, true, sides);
  }

  /** The pieces, in reading order. */
  public List<ShardPiece> pieces() {
    return pieces;
  }

  /** Examples over all pieces. */
  public long examples() {
    long n = 0;
    for (ShardPiece p : pieces) {
      n += p.examples();
    }
    return n;
  }

  /** The length of every example, in order, from the indexes only (paired: of the encoded pair, 1 + both sides). */
  public int[] lengths() throws IOException {
    long n = examples();
    if (n > Integer.MAX_VALUE - 8) {
      throw new IllegalArgumentException(n + " examples in one partition do not fit one array; use more partitions");
    }
    int[] out = new int[(int) n];
    int k = 0;
    for (ShardPiece p : pieces) {
      try (ShardInput in = opener.open(p.file())) {
        int[] l = index(p.file(), in, footer(p.file(), in));
        checkRange(p, (long) l.length);
        System.arraycopy(l, (int) p.firstExample(), out, k, (int) p.examples());
      }
      if (paired) {
        String target = ParallelShards.pairedFile(p.file(), sides);
        try (ShardInput in = opener.open(target)) {
          int[] l = index(target, in, footer(target, in));
          checkRange(new ShardPiece(target, p.firstExample(), p.endExample(), 0), l.length);
          for (int i = 0; i < p.examples(); i++) {
            out[k + i] += 1 + l[(int) p.firstExample() + i];
          }
        }
      }
      k += (int) p.examples();
    }
    return out;
  }

  /** Every example, in order; each array is fresh. */
  public List<int[]> readAll() throws IOException {
    List<int[]> out = new ArrayList<>();
    try (Cursor c = cursor(0)) {
      while (c.hasNext()) {
        out.add(c.next());
      }
    }
    return out;
  }

  /** Reads the examples from example {@code from} (0-based over all pieces) on; close it when done. */
  public Cursor cursor(long from) throws IOException {
    if (starts == null) {
      long[] s = new long[pieces.size() + 1];
      for (int i = 0; i < pieces.size(); i++) {
        s[i + 1] = s[i] + pieces.get(i).examples();
      }
      starts = s;
    }
    if (from < 0 || from > starts[pieces.size()]) {
      throw new IllegalArgumentException("example " + from + " is out of range 0.." + starts[pieces.size()]);
    }
    int i = 0;
    while (i < pieces.size() && starts[i + 1] <= from) {
      i++;
    }
    return new Cursor(i, i < pieces.size() ? from - starts[i] : 0);
  }

  /** Examples in order from a starting one; {@link Iterator#next} throws {@link UncheckedIOException} on read errors. */
  public final class Cursor implements Iterator<int[]>, Closeable {
    private int piece;
    private long skip;
    private PieceReader reader;
    /** Paired: the target side's reader of the same piece. */
    private PieceReader target;

    private Cursor(int piece, long skip) {
      this.piece = piece;
      this.skip = skip;
    }

    @Override
    public boolean hasNext() {
      try {
        while (reader == null || !reader.hasNext()) {
          if (reader != null) {
            reader.finish();
            if (target != null) {
              target.finish();
            }
            closeReaders();
            piece++;
          }
          if (piece >= pieces.size()) {
            return false;
          }
          reader = new PieceReader(pieces.get(piece), opener, skip);
          if (paired) {
            ShardPiece p = pieces.get(piece);
            target = new PieceReader(new ShardPiece(ParallelShards.pairedFile(p.file(), sides), p.firstExample(),
                p.endExample(), 0), opener, skip);
            if (target.footer.examples() != reader.footer.examples()) {
              throw new IllegalArgumentException(p.file() + " (" + reader.footer.examples() + " examples) does not"
                  + " align with " + target.piece.file() + " (" + target.footer.examples() + "); re-run seqspark ingest");
            }
          }
          skip = 0;
        }
        return true;
      } catch (IOException e) {
        throw new UncheckedIOException(e);
      }
    }

    @Override
    public int[] next() {
      if (!hasNext()) {
        throw new NoSuchElementException();
      }
      try {
        return paired ? PairBatcher.encode(reader.next(), target.next()) : reader.next();
      } catch (IOException e) {
        throw new UncheckedIOException(e);
      }
    }

    @Override
    public void close() throws IOException {
      closeReaders();
      piece = pieces.size();
    }

    private void closeReaders() throws IOException {
      try {
        if (reader != null) {
          reader.close();
        }
      } finally {
        reader = null;
        if (target != null) {
          target.close();
          target = null;
        }
      }
    }
  }

  /**
   * Reads one piece: its footer, then the index and the body side by side (two streams), so it holds two buffers and
   * no per-file arrays whatever the file's size.
   */
  private static final class PieceReader implements Closeable {
    private final ShardPiece piece;
    private final ShardInput input;
    private final TokenShards.Footer footer;
    private final Bytes body;
    private final Bytes index;
    private final CRC32 crc;
    private long next;
    private long tokens;

    PieceReader(ShardPiece piece, ShardInput.Opener opener, long skip) throws IOException {
      this.piece = piece;
      this.input = opener.open(piece.file());
      try {
        this.footer = footer(piece.file(), input);
        checkRange(piece, footer.examples());
        this.next = piece.firstExample() + skip;
        this.crc = next == 0 && piece.endExample() == footer.examples() ? new CRC32() : null;
        this.body = new Bytes(piece.file(), input.stream(0), crc);
        this.index = new Bytes(piece.file(), input.stream(footer.indexOffset()), null);
        for (int i = 0; i < TokenShards.HEADER_BYTES; i++) {
          body.readByte();
        }
        long skipTokens = 0;
        for (long e = 0; e < next; e++) {
          skipTokens += index.readVarint();
        }
        tokens += skipTokens;
        body.skipVarints(skipTokens);
      } catch (IOException | RuntimeException e) {
        input.close();
        throw e;
      }
    }

    boolean hasNext() {
      return next < piece.endExample();
    }

    int[] next() throws IOException {
      next++;
      int[] ids = new int[index.readVarint()];
      tokens += ids.length;
      for (int j = 0; j < ids.length; j++) {
        ids[j] = body.readVarint();
      }
      return ids;
    }

    /** After the last example of a whole file: the body must end at the index, and counts and CRC must match. */
    void finish() throws IOException {
      if (crc == null) {
        return;
      }
      if (body.consumed != footer.indexOffset()) {
        throw damaged(piece.file(), (footer.indexOffset() - body.consumed) + " unread bytes between the last example"
            + " and the index");
      }
      if (tokens != footer.tokens() || index.consumed != input.size() - TokenShards.FOOTER_BYTES - footer.indexOffset()) {
        throw damaged(piece.file(), "the index disagrees with the footer (tokens " + tokens + " vs " + footer.tokens()
            + ")");
      }
      long rest = input.size() - TokenShards.FOOTER_BYTES - body.consumed;
      for (long i = 0; i < rest; i++) {
        body.readByte();
      }
      body.foldCrc();
      if ((int) crc.getValue() != footer.crc32()) {
        throw damaged(piece.file(), "CRC-32 mismatch");
      }
    }

    @Override
    public void close() throws IOException {
      try {
        body.in.close();
        index.in.close();
      } finally {
        input.close();
      }
    }
  }

  /** A buffered byte reader with varint decoding, counting what it consumed and (optionally) its CRC-32. */
  private static final class Bytes {
    private final String file;
    private final InputStream in;
    private final CRC32 crc;
    private final byte[] buf = new byte[1 << 16];
    private int pos;
    private int lim;
    long consumed;

    Bytes(String file, InputStream in, CRC32 crc) {
      this.file = file;
      this.in = in;
      this.crc = crc;
    }

    int readByte() throws IOException {
      if (pos == lim) {
        foldCrc();
        lim = in.read(buf, 0, buf.length);
        pos = 0;
        if (lim <= 0) {
          lim = 0;
          throw new EOFException(file + ": token shard is damaged: unexpected end of file; re-run seqspark ingest");
        }
      }
      consumed++;
      return buf[pos++] & 0xFF;
    }

    /** Adds the bytes consumed from the current buffer to the CRC (once). */
    void foldCrc() {
      if (crc != null && pos > 0) {
        crc.update(buf, 0, pos);
      }
      lim -= pos;
      System.arraycopy(buf, pos, buf, 0, Math.max(lim, 0));
      pos = 0;
    }

    /** Skips {@code n} varints: counts the bytes that end one (high bit clear) without decoding any. */
    void skipVarints(long n) throws IOException {
      while (n > 0) {
        if (pos == lim) {
          readByte(); // refill (and fold the CRC); that byte counts below
          pos--;
          consumed--;
        }
        int end = lim;
        int p = pos;
        while (p < end && n > 0) {
          if (buf[p++] >= 0) {
            n--;
          }
        }
        consumed += p - pos;
        pos = p;
      }
    }

    int readVarint() throws IOException {
      int v = 0;
      for (int shift = 0; shift < 35; shift += 7) {
        int b = readByte();
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
  }

  private static void checkRange(ShardPiece p, long examples) {
    if (p.endExample() > examples) {
      throw new IllegalArgumentException(p.file() + ": holds " + examples + " examples, but the plan reads up to "
          + p.endExample() + "; the shards changed since the manifest was written: re-run seqspark ingest");
    }
  }

  static TokenShards.Footer footer(String file, ShardInput in) throws IOException {
    long size = in.size();
    if (size < TokenShards.HEADER_BYTES + TokenShards.FOOTER_BYTES) {
      throw damaged(file, "only " + size + " bytes, shorter than header + footer");
    }
    byte[] head = new byte[TokenShards.HEADER_BYTES];
    in.readFully(0, head);
    ByteBuffer h = ByteBuffer.wrap(head);
    if (h.getInt(0) != TokenShards.MAGIC) {
      throw new IllegalArgumentException(file + ": not a seqspark token shard (bad magic)");
    }
    if (h.getInt(4) != TokenShards.VERSION) {
      throw new IllegalArgumentException(file + ": token shard format version " + h.getInt(4)
          + " is not supported (this reader knows version " + TokenShards.VERSION + "); re-run seqspark ingest");
    }
    byte[] foot = new byte[TokenShards.FOOTER_BYTES];
    in.readFully(size - TokenShards.FOOTER_BYTES, foot);
    ByteBuffer f = ByteBuffer.wrap(foot);
    TokenShards.Footer out = new TokenShards.Footer(f.getLong(0), f.getLong(8), f.getLong(16), f.getInt(24));
    if (f.getInt(28) != TokenShards.END_MAGIC || out.examples() < 0 || out.examples() > Integer.MAX_VALUE - 8
        || out.tokens() < 0 || out.indexOffset() < TokenShards.HEADER_BYTES
        || out.indexOffset() > size - TokenShards.FOOTER_BYTES) {
      throw damaged(file, "bad footer (truncated or overwritten?)");
    }
    return out;
  }

  static int[] index(String file, ShardInput in, TokenShards.Footer f) throws IOException {
    long bytes = in.size() - TokenShards.FOOTER_BYTES - f.indexOffset();
    int[] lengths = new int[(int) f.examples()];
    long tokens = 0;
    try (InputStream s = new java.io.BufferedInputStream(in.stream(f.indexOffset()), 1 << 16)) {
      long read = 0;
      for (int i = 0; i < lengths.length; i++) {
        int v = 0;
        int shift = 0;
        while (true) {
          if (read++ >= bytes) {
            throw damaged(file, "the index is longer than the footer says");
          }
          int b = s.read();
          if (b < 0) {
            throw damaged(file, "unexpected end of file in the index");
          }
          v |= (b & 0x7F) << shift;
          if ((b & 0x80) == 0) {
            break;
          }
          shift += 7;
          if (shift >= 35) {
            throw damaged(file, "a varint is longer than 5 bytes");
          }
        }
        if (v < 0) {
          throw damaged(file, "a negative length in the index");
        }
        lengths[i] = v;
        tokens += v;
      }
      if (read != bytes || tokens != f.tokens()) {
        throw damaged(file, "the index disagrees with the footer (tokens " + tokens + " vs " + f.tokens() + ")");
      }
    }
    return lengths;
  }

  private static IllegalArgumentException damaged(String file, String why) {
    return new IllegalArgumentException(file + ": token shard is damaged: " + why + "; re-run seqspark ingest");
  }
}
