package io.seqspark.spark.ingest;

import io.seqspark.core.data.Tokenizer;
import io.seqspark.core.data.WordTokenizer;
import io.seqspark.spark.ingest.IngestOptions.Format;
import io.seqspark.spark.ingest.IngestOptions.Policy;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.security.DigestInputStream;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.List;
import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.FSDataInputStream;
import org.apache.hadoop.fs.Path;
import org.apache.hadoop.io.compress.CompressionCodec;
import org.apache.hadoop.io.compress.CompressionCodecFactory;

/**
 * Reads one {@link ReadTask} inside a task into a {@link Block}: decompresses by extension (Hadoop's
 * {@link CompressionCodecFactory}: .gz, .bz2, and any codec the cluster configures), cuts records at the byte level
 * with a cap of {@code maxLineBytes}, checks each record strictly as UTF-8 (a lenient decoder would turn bad bytes
 * into U+FFFD tokens silently), tokenizes, and applies the policies. It never throws for bad data or a damaged file,
 * so a {@code fail} policy surfaces once, on the driver.
 *
 * <p>Byte ranges (the Hadoop way): with separator {@code '\n'} (lines) or any ASCII white-space byte (stream), a
 * range [start, end) owns the records whose first byte lies in it. A range that starts mid-file seeks to start - 1
 * and skips through the first separator; every range stops after the first separator at or past end - 1, so the
 * record crossing its end is its own and the next range starts right after that separator. ASCII white space never
 * occurs inside a UTF-8 multi-byte character, and the word tokenizer splits there anyway, so cutting a stream at it
 * changes no token.
 *
 * <p>The SHA-256 is taken over the raw (compressed) bytes by a task that reads the whole file, read to the end even
 * after a decoding error, so it identifies the file as stored; files read in ranges are hashed by a HASH task.
 */
final class TextFileReader {
  /** Stream format: text is decoded and tokenized in records of about this many bytes, ending at white space. */
  static final int STREAM_RECORD_BYTES = 1 << 16;
  private static final boolean[] SPACE = new boolean[256];

  static {
    // The ASCII bytes Character.isWhitespace accepts: \t \n VT \f \r, FS GS RS US, space.
    for (int b : new int[] {9, 10, 11, 12, 13, 28, 29, 30, 31, 32}) {
      SPACE[b] = true;
    }
  }

  private final ReadTask task;
  private final IngestOptions o;
  private final Tokenizer tokenizer;
  /** Bytes of a valid stream record tokenised at once (see streamRecord). */
  private static final int CHUNK = 1 << 16;
  private final FileReport report;
  private final Block block;
  private final boolean stream;
  private final long limit;
  private MessageDigest sha;
  private InputStream raw;
  private InputStream in;
  private final byte[] chunk = new byte[1 << 16];
  private int chunkPos;
  private int chunkLen;
  /** Offset in the file of chunk[0] (plain files; for compressed ones, of the decompressed stream). */
  private long chunkBase;
  private byte[] rec = new byte[256];
  private int recLen;
  private boolean overflow;
  private boolean done;
  private final List<String> paragraph = new ArrayList<>();
  private long paragraphStart;
  /** Stream format: tokens in the open example; newlines seen; whether the last byte read was '\n'. */
  private int open;
  private long newlines;
  private boolean anyByte;
  private boolean lastNewline;
  private boolean eof;
  private long ensuredFor = -1;

  private TextFileReader(ReadTask task, IngestOptions o, boolean keepDropped) {
    this.task = task;
    this.o = o;
    this.tokenizer = o.newTokenizer();
    this.report = new FileReport(task.file().path(), task.fileIndex(), task.side(), task.range());
    this.block = new Block(report, keepDropped);
    this.stream = o.format() == Format.STREAM;
    this.limit = task.end() == Long.MAX_VALUE ? Long.MAX_VALUE : task.end() - 1;
  }

  /** Runs one task: reads its range into a block, or (HASH) only hashes the file. */
  static Block read(ReadTask task, IngestOptions o, boolean keepDropped, Configuration conf) {
    if (task.kind() == ReadTask.Kind.HASH) {
      FileReport r = new FileReport(task.file().path(), task.fileIndex(), task.side(), -1);
      r.sha256 = UpToDate.sha256(task.file(), conf);
      Block b = new Block(r, keepDropped);
      b.seal();
      return b;
    }
    TextFileReader reader = new TextFileReader(task, o, keepDropped);
    reader.run(conf);
    reader.block.seal();
    return reader.block;
  }

  private void run(Configuration conf) {
    try {
      Path p = new Path(task.file().path());
      FSDataInputStream file = p.getFileSystem(conf).open(p, 1 << 16);
      raw = file;
      if (task.whole()) {
        sha = MessageDigest.getInstance("SHA-256");
        raw = new DigestInputStream(file, sha);
        CompressionCodec codec = new CompressionCodecFactory(conf).getCodec(p);
        in = codec == null ? raw : codec.createInputStream(raw);
      } else {
        in = raw;
      }
      if (task.start() > 0) {
        file.seek(task.start() - 1);
        chunkBase = task.start() - 1;
        skipThroughSeparator();
      } else {
        skipByteOrderMark();
      }
      if (stream) {
        readStream();
      } else {
        while (!done) {
          advance();
        }
      }
    } catch (IOException | RuntimeException | NoSuchAlgorithmException e) {
      corrupt(e);
    }
    finish();
  }

  /** Range alignment: drop bytes through the first separator; a range with none before its end owns nothing. */
  private void skipThroughSeparator() throws IOException {
    while (fill()) {
      byte b = chunk[chunkPos];
      long at = chunkBase + chunkPos++;
      if (stream ? SPACE[b & 0xff] : b == '\n') {
        done = at >= limit;
        return;
      }
    }
    done = true;
  }

  private void skipByteOrderMark() throws IOException {
    if (fill() && chunkLen - chunkPos >= 3 && (chunk[0] & 0xff) == 0xEF && (chunk[1] & 0xff) == 0xBB
        && (chunk[2] & 0xff) == 0xBF) {
      chunkPos = 3;
    }
  }

  /** Makes sure a byte is available in {@link #chunk}; false at the end of input. */
  private boolean fill() throws IOException {
    while (chunkPos == chunkLen) {
      chunkBase += chunkLen;
      chunkPos = 0;
      chunkLen = in.read(chunk);
      if (chunkLen < 0) {
        chunkLen = 0;
        eof = true;
        return false;
      }
    }
    return true;
  }

  // ---------------------------------------------------------------- lines and paragraphs

  /** Reads one line and handles it; sets {@link #done} at the end of input or of the range. */
  private void advance() throws IOException {
    if (!readLine()) {
      done = true;
      flushParagraph();
      return;
    }
    long lineNo = ++report.linesRead;
    int len = recLen;
    if (overflow) {
      if (o.overLength() == Policy.FAIL) {
        stop(Reason.LINE_TOO_LONG, lineNo, "longer than ingest.maxLineBytes = " + o.maxLineBytes() + " bytes");
        return;
      }
      if (o.overLength() == Policy.SKIP) {
        drop(Reason.LINE_TOO_LONG, lineNo, "over " + o.maxLineBytes() + " bytes");
        return;
      }
      len = characterBoundary(rec, o.maxLineBytes());
      report.change(Reason.LINE_TOO_LONG, lineNo, "truncated to " + len + " bytes");
    } else if (len > 0 && rec[len - 1] == '\r') {
      len--;
    }
    String text = decode(rec, 0, len, lineNo);
    if (text == null) {
      return;
    }
    List<String> tokens = tokenizer.tokenize(text);
    if (o.format() == Format.PARAGRAPHS) {
      if (tokens.isEmpty()) {
        flushParagraph();
      } else {
        if (paragraph.isEmpty()) {
          paragraphStart = lineNo;
        }
        paragraph.addAll(tokens);
      }
    } else if (tokens.isEmpty()) {
      if (o.emptyLines() == Policy.FAIL) {
        stop(Reason.EMPTY_LINE, lineNo, "no tokens");
      } else {
        drop(Reason.EMPTY_LINE, lineNo, null);
      }
    } else {
      emit(tokens, lineNo);
    }
  }

  private void flushParagraph() {
    if (!paragraph.isEmpty()) {
      emit(paragraph, paragraphStart);
      paragraph.clear();
    }
  }

  private void emit(List<String> tokens, long lineNo) {
    int n = tokens.size();
    if (o.maxLength() > 0 && n > o.maxLength()) {
      String detail = n + " tokens > ingest.maxLength = " + o.maxLength();
      if (o.overLength() == Policy.FAIL) {
        stop(Reason.OVER_LENGTH, lineNo, detail);
        return;
      }
      if (o.overLength() == Policy.SKIP) {
        drop(Reason.OVER_LENGTH, lineNo, detail);
        return;
      }
      n = o.maxLength();
      report.change(Reason.OVER_LENGTH, lineNo, "truncated: " + detail);
    }
    for (int i = 0; i < n; i++) {
      block.add(tokens.get(i));
    }
    block.endExample(n);
    report.examples++;
    report.tokens += n;
  }

  /**
   * Reads up to the next '\n' into {@link #rec}; bytes past maxLineBytes (+1, to see the boundary) are discarded and
   * flagged as {@link #overflow}. Returns false at the end of input with no pending bytes. A '\n' at or past the
   * range's last byte ends the range after this line.
   */
  private boolean readLine() throws IOException {
    recLen = 0;
    overflow = false;
    boolean any = false;
    while (fill()) {
      any = true;
      int start = chunkPos;
      int end = start;
      while (end < chunkLen && chunk[end] != '\n') {
        end++;
      }
      append(start, end - start);
      if (end < chunkLen) {
        chunkPos = end + 1;
        done = chunkBase + end >= limit;
        return true;
      }
      chunkPos = end;
    }
    return any;
  }

  private void append(int from, int n) {
    int cap = o.maxLineBytes() + 1;
    int take = Math.min(n, cap - recLen);
    if (take < n) {
      overflow = true;
    }
    if (take <= 0) {
      return;
    }
    ensure(recLen + take);
    System.arraycopy(chunk, from, rec, recLen, take);
    recLen += take;
    if (recLen > o.maxLineBytes()) {
      overflow = true;
    }
  }

  private void ensure(int capacity) {
    if (capacity > rec.length) {
      rec = Arrays.copyOf(rec, (int) Math.min(Integer.MAX_VALUE - 16, Math.max(capacity, rec.length * 2L)));
    }
  }

  // ---------------------------------------------------------------- stream

  /**
   * Stream format: bytes are gathered into records of about {@link #STREAM_RECORD_BYTES} that end at white space,
   * each decoded and tokenized at once; tokens fill examples of {@code streamExampleTokens}. A run of more than
   * maxLineBytes bytes without white space is an over-long "line" (ingest.overLength).
   */
  private void readStream() throws IOException {
    int piece = 0;
    boolean discarding = false;
    while (!done && fill()) {
      if (chunkBase != ensuredFor) {
        // Room for the rest of this chunk, so no capacity check per byte below (recLen grows by at most 1 per byte).
        ensure(recLen + chunkLen - chunkPos);
        ensuredFor = chunkBase;
      }
      byte b = chunk[chunkPos];
      long at = chunkBase + chunkPos++;
      anyByte = true;
      lastNewline = b == '\n';
      if (SPACE[b & 0xff]) {
        if (lastNewline) {
          newlines++;
        }
        discarding = false;
        piece = 0;
        if (at >= limit) {
          done = true;
        } else if (recLen >= STREAM_RECORD_BYTES) {
          streamRecord(0, recLen);
          recLen = 0;
        } else if (recLen > 0) {
          rec[recLen++] = b;
        }
      } else if (!discarding) {
        rec[recLen++] = b;
        if (++piece > o.maxLineBytes()) {
          overLongPiece(recLen - piece);
          discarding = true;
          piece = 0;
        }
      }
    }
    if (!done || recLen > 0) {
      streamRecord(0, recLen);
      recLen = 0;
    }
    report.linesRead = newlines + (eof && anyByte && !lastNewline ? 1 : 0);
    closeExample();
  }

  /** A run of maxLineBytes + 1 bytes without white space starts at rec[from]: apply ingest.overLength to it. */
  private void overLongPiece(int from) {
    long lineNo = newlines + 1;
    streamRecord(0, from);
    if (o.overLength() == Policy.FAIL) {
      stop(Reason.LINE_TOO_LONG, lineNo, "a run of more than ingest.maxLineBytes = " + o.maxLineBytes()
          + " bytes without white space");
    } else if (o.overLength() == Policy.SKIP) {
      drop(Reason.LINE_TOO_LONG, lineNo, "a word over " + o.maxLineBytes() + " bytes");
    } else {
      int len = characterBoundary(Arrays.copyOfRange(rec, from, recLen), o.maxLineBytes());
      report.change(Reason.LINE_TOO_LONG, lineNo, "a word truncated to " + len + " bytes");
      streamRecord(from, from + len);
    }
    recLen = 0;
  }

  /** Decodes and tokenizes rec[from, to); on bad UTF-8 falls back to word by word, so the policy hits one word. */
  private void streamRecord(int from, int to) {
    if (to <= from || done && report.failure != null) {
      return;
    }
    if (Utf8.isValid(rec, from, to - from)) {
      if (!(tokenizer instanceof WordTokenizer)) {
        streamTokens(new String(rec, from, to - from, StandardCharsets.UTF_8));
        return;
      }
      // A long record (a range of text8's one line is a megabyte) is tokenised in pieces of about CHUNK bytes cut at
      // white space, where the word tokenizer splits anyway: the same tokens, but each piece's string and token list
      // stay small and in cache (one megabyte-sized list grown by copying was 14 % of a read task's samples, and
      // two tasks doing it at once slowed each other down).
      for (int i = from; i < to; ) {
        int j = Math.min(to, i + CHUNK);
        while (j < to && !SPACE[rec[j] & 0xff]) {
          j++;
        }
        streamTokens(new String(rec, i, j - i, StandardCharsets.UTF_8));
        i = j;
      }
      return;
    }
    int i = from;
    while (i < to) {
      int j = i;
      while (j < to && !SPACE[rec[j] & 0xff]) {
        j++;
      }
      if (j > i) {
        String word = decode(rec, i, j - i, newlines + 1);
        if (word != null) {
          streamTokens(word);
        }
        if (report.failure != null) {
          return;
        }
      }
      i = j + 1;
    }
  }

  private void streamTokens(String text) {
    for (String t : tokenizer.tokenize(text)) {
      block.add(t);
      report.tokens++;
      if (++open == o.streamExampleTokens()) {
        closeExample();
      }
    }
  }

  private void closeExample() {
    if (open > 0) {
      block.endExample(open);
      report.examples++;
      open = 0;
    }
  }

  // ---------------------------------------------------------------- shared

  /** The strict decoding of b[from, from+len), or null if it is not UTF-8 and the policy dropped it (or failed). */
  private String decode(byte[] b, int from, int len, long lineNo) {
    if (Utf8.isValid(b, from, len)) {
      return new String(b, from, len, StandardCharsets.UTF_8);
    }
    if (o.malformed() == Policy.FAIL) {
      stop(Reason.MALFORMED_UTF8, lineNo, "not valid UTF-8");
      return null;
    }
    if (o.malformed() == Policy.SKIP) {
      drop(Reason.MALFORMED_UTF8, lineNo, stream ? "a word" : null);
      return null;
    }
    report.change(Reason.MALFORMED_UTF8, lineNo, "bad bytes replaced by U+FFFD");
    return new String(b, from, len, StandardCharsets.UTF_8);
  }

  /** {@code cap} cut back to a character boundary: b[cap] must be the byte after the cut. */
  private static int characterBoundary(byte[] b, int cap) {
    int len = cap;
    while (len > 0 && (b[len] & 0xC0) == 0x80) {
      len--;
    }
    return len;
  }

  private void drop(Reason r, long lineNo, String detail) {
    report.drop(r, lineNo, detail);
    block.dropped();
  }

  /** A fail policy tripped: record it and stop reading (the driver fails the job with it). */
  private void stop(Reason r, long lineNo, String detail) {
    report.fail(r, lineNo, detail);
    paragraph.clear();
    done = true;
  }

  /** The file cannot be read on: keep what is complete, drop the unfinished record, note why. */
  private void corrupt(Exception e) {
    String why = e.getClass().getSimpleName() + (e.getMessage() == null ? "" : ": " + e.getMessage());
    long lineNo = (stream ? newlines : report.linesRead) + 1;
    report.error = new FileReport.Problem(lineNo, why);
    if (o.corruptInput() == Policy.FAIL) {
      report.fail(Reason.CORRUPT_INPUT, lineNo, "cannot read on: " + why);
    } else {
      report.dropped.merge(Reason.CORRUPT_INPUT, 1L, Long::sum);
      report.sample(lineNo, "corruptInput, rest of file dropped (" + why + ")");
    }
    if (stream) {
      report.linesRead = newlines;
      recLen = 0;
      closeExample();
    }
    paragraph.clear();
    recLen = 0;
    done = true;
  }

  /** A whole-file task reads the raw bytes to the end for the hash; then everything is closed. */
  private void finish() {
    try {
      if (sha != null) {
        while (raw.read(chunk) >= 0) {
          // drain: the hash must cover every stored byte, also after a decoding error or a codec that stops early
        }
        report.sha256 = HexFormat.of().formatHex(sha.digest());
      }
    } catch (IOException e) {
      report.sha256 = null;
      if (report.error == null) {
        corrupt(e);
      }
    } finally {
      closeQuietly(in);
      closeQuietly(raw);
    }
  }

  private static void closeQuietly(InputStream s) {
    try {
      if (s != null) {
        s.close();
      }
    } catch (IOException | RuntimeException ignored) {
      // reading is over; a close error changes nothing that was read
    }
  }
}
