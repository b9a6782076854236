package io.seqspark.core.data;

import java.io.IOException;
import java.io.OutputStream;
import java.util.Arrays;
import java.util.zip.CRC32;

/**
 * Writes one token-id shard (format in {@link TokenShards} and docs/FORMATS.md) to a stream, in one sequential pass:
 * ids as they come, then the length index, then a fixed-size footer. Putting the index and counts at the END is what
 * lets a writer stream to HDFS or S3 (no seeking back to patch a header) while a reader still gets every length from
 * one seek; only the lengths (4 bytes per example) are held in memory.
 *
 * <p>Not thread-safe. {@link #close()} writes the index and footer and closes the stream.
 */
public final class TokenShardWriter implements AutoCloseable {

  private final OutputStream out;
  private final CRC32 crc = new CRC32();
  private final byte[] buf = new byte[1 << 16];
  private int bufLen;
  private long written;
  private int[] lengths = new int[1024];
  private long count;
  private long tokens;
  private boolean closed;

  public TokenShardWriter(OutputStream out) throws IOException {
    this.out = out;
    writeInt(TokenShards.MAGIC);
    writeInt(TokenShards.VERSION);
  }

  /** Appends one example; ids must be >= 0. An empty example is allowed (length 0). */
  public void add(int[] ids) throws IOException {
    if (closed) {
      throw new IllegalStateException("add after close");
    }
    if (count == Integer.MAX_VALUE - 8) {
      throw new IllegalStateException("a shard holds at most " + (Integer.MAX_VALUE - 8) + " examples; use more shards");
    }
    if (count == lengths.length) {
      lengths = Arrays.copyOf(lengths, (int) Math.min(Integer.MAX_VALUE - 8, lengths.length * 2L));
    }
    lengths[(int) count++] = ids.length;
    tokens += ids.length;
    for (int id : ids) {
      if (id < 0) {
        throw new IllegalArgumentException("token id " + id + " is negative; ids must be >= 0");
      }
      writeVarint(id);
    }
  }

  /** Examples added so far. */
  public long count() {
    return count;
  }

  /** Tokens added so far. */
  public long tokens() {
    return tokens;
  }

  /** Bytes written so far (the file size after {@link #close()}). */
  public long bytes() {
    return written + bufLen;
  }

  @Override
  public void close() throws IOException {
    if (closed) {
      return;
    }
    closed = true;
    long indexOffset = bytes();
    for (int i = 0; i < count; i++) {
      writeVarint(lengths[i]);
    }
    flushBuffer();
    long crcValue = crc.getValue();
    // The footer is not covered by the CRC (it carries it); its fields are cross-checked by the reader instead.
    byte[] footer = new byte[TokenShards.FOOTER_BYTES];
    putLong(footer, 0, count);
    putLong(footer, 8, tokens);
    putLong(footer, 16, indexOffset);
    putInt(footer, 24, (int) crcValue);
    putInt(footer, 28, TokenShards.END_MAGIC);
    out.write(footer);
    written += footer.length;
    out.close();
  }

  private void writeVarint(int v) throws IOException {
    if (bufLen > buf.length - 5) {
      flushBuffer();
    }
    while ((v & ~0x7F) != 0) {
      buf[bufLen++] = (byte) ((v & 0x7F) | 0x80);
      v >>>= 7;
    }
    buf[bufLen++] = (byte) v;
  }

  private void writeInt(int v) throws IOException {
    if (bufLen > buf.length - 4) {
      flushBuffer();
    }
    putInt(buf, bufLen, v);
    bufLen += 4;
  }

  private void flushBuffer() throws IOException {
    crc.update(buf, 0, bufLen);
    out.write(buf, 0, bufLen);
    written += bufLen;
    bufLen = 0;
  }

  static void putInt(byte[] b, int at, int v) {
    b[at] = (byte) (v >>> 24);
    b[at + 1] = (byte) (v >>> 16);
    b[at + 2] = (byte) (v >>> 8);
    b[at + 3] = (byte) v;
  }

  static void putLong(byte[] b, int at, long v) {
    putInt(b, at, (int) (v >>> 32));
    putInt(b, at + 4, (int) v);
  }
}
