package io.seqspark.spark.ingest;

import io.seqspark.core.data.Tokenizer;
import io.seqspark.spark.ingest.IngestOptions.Format;
import io.seqspark.spark.ingest.IngestOptions.Policy;
import java.io.IOException;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CharsetDecoder;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.security.DigestInputStream;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.NoSuchElementException;
import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.Path;
import org.apache.hadoop.io.compress.CompressionCodec;
import org.apache.hadoop.io.compress.CompressionCodecFactory;

/**
 * Reads one input file inside a task: decompresses by extension (Hadoop's {@link CompressionCodecFactory}: .gz,
 * .bz2, and any codec the cluster configures), cuts lines at the byte level with a cap of {@code maxLineBytes}, decodes
 * each line strictly as UTF-8 (a lenient decoder would turn bad bytes into U+FFFD tokens silently), tokenizes, and
 * applies the policies. It yields the kept examples, then one {@link FileReport}; it never throws for bad data or a
 * damaged file, so a {@code fail} policy surfaces once, on the driver.
 *
 * <p>The SHA-256 is taken over the raw (compressed) bytes, read to the end even after a decoding error, so it
 * identifies the file as stored.
 */
final class TextFileReader implements java.util.Iterator<Item> {

  private final IngestOptions o;
  private final Tokenizer tokenizer;
  private final FileReport report;
  private final CharsetDecoder strict = StandardCharsets.UTF_8.newDecoder()
      .onMalformedInput(CodingErrorAction.REPORT).onUnmappableCharacter(CodingErrorAction.REPORT);
  private final CharsetDecoder lenient = StandardCharsets.UTF_8.newDecoder()
      .onMalformedInput(CodingErrorAction.REPLACE).onUnmappableCharacter(CodingErrorAction.REPLACE);
  private final MessageDigest sha;
  private InputStream raw;
  private InputStream in;
  private final byte[] chunk = new byte[1 << 16];
  private int chunkPos;
  private int chunkLen;
  private byte[] line = new byte[256];
  private int lineLen;
  private boolean overflow;
  private boolean done;
  private boolean reported;
  private Item next;
  private final List<String> paragraph = new ArrayList<>();
  private long paragraphStart;

  TextFileReader(InputFiles.InputFile file, int fileIndex, IngestOptions options, Configuration conf) {
    this.o = options;
    this.tokenizer = options.newTokenizer();
    this.report = new FileReport(file.path(), fileIndex);
    try {
      sha = MessageDigest.getInstance("SHA-256");
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("every Java has SHA-256", e);
    }
    try {
      Path p = new Path(file.path());
      raw = new DigestInputStream(p.getFileSystem(conf).open(p, 1 << 16), sha);
      CompressionCodec codec = new CompressionCodecFactory(conf).getCodec(p);
      in = codec == null ? raw : codec.createInputStream(raw);
    } catch (IOException | RuntimeException e) {
      corrupt(e);
    }
  }

  @Override
  public boolean hasNext() {
    while (next == null && !reported) {
      if (done) {
        finish();
        next = Item.report(report);
        reported = true;
      } else {
        advance();
      }
    }
    return next != null;
  }

  @Override
  public Item next() {
    if (!hasNext()) {
      throw new NoSuchElementException();
    }
    Item n = next;
    next = null;
    return n;
  }

  /** Reads one line and handles it; sets {@link #next} when it completes an example, {@link #done} at the end. */
  private void advance() {
    boolean gotLine;
    try {
      gotLine = readLine();
    } catch (IOException | RuntimeException e) {
      corrupt(e);
      return;
    }
    if (!gotLine) {
      done = true;
      flushParagraph();
      return;
    }
    long lineNo = ++report.linesRead;
    int len = lineLen;
    if (overflow) {
      if (o.overLength() == Policy.FAIL) {
        stop(Reason.LINE_TOO_LONG, lineNo, "longer than ingest.maxLineBytes = " + o.maxLineBytes() + " bytes");
        return;
      }
      if (o.overLength() == Policy.SKIP) {
        report.drop(Reason.LINE_TOO_LONG, lineNo, "over " + o.maxLineBytes() + " bytes");
        return;
      }
      // Cut at a character boundary: back up over UTF-8 continuation bytes of a character that straddles the cap.
      len = o.maxLineBytes();
      while (len > 0 && (line[len] & 0xC0) == 0x80) {
        len--;
      }
      report.change(Reason.LINE_TOO_LONG, lineNo, "truncated to " + len + " bytes");
    } else if (len > 0 && line[len - 1] == '\r') {
      len--;
    }
    int from = lineNo == 1 && len >= 3 && (line[0] & 0xff) == 0xEF && (line[1] & 0xff) == 0xBB
        && (line[2] & 0xff) == 0xBF ? 3 : 0;
    String text;
    try {
      text = strict.reset().decode(ByteBuffer.wrap(line, from, len - from)).toString();
    } catch (CharacterCodingException e) {
      if (o.malformed() == Policy.FAIL) {
        stop(Reason.MALFORMED_UTF8, lineNo, "not valid UTF-8");
        return;
      }
      if (o.malformed() == Policy.SKIP) {
        report.drop(Reason.MALFORMED_UTF8, lineNo, null);
        return;
      }
      try {
        text = lenient.reset().decode(ByteBuffer.wrap(line, from, len - from)).toString();
      } catch (CharacterCodingException impossible) {
        throw new IllegalStateException("a replacing decoder cannot fail", impossible);
      }
      report.change(Reason.MALFORMED_UTF8, lineNo, "bad bytes replaced by U+FFFD");
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
        report.drop(Reason.EMPTY_LINE, lineNo, null);
      }
    } else {
      emit(tokens, lineNo);
    }
  }

  private void flushParagraph() {
    if (!paragraph.isEmpty()) {
      emit(new ArrayList<>(paragraph), paragraphStart);
      paragraph.clear();
    }
  }

  private void emit(List<String> tokens, long lineNo) {
    if (o.maxLength() > 0 && tokens.size() > o.maxLength()) {
      String detail = tokens.size() + " tokens > ingest.maxLength = " + o.maxLength();
      if (o.overLength() == Policy.FAIL) {
        stop(Reason.OVER_LENGTH, lineNo, detail);
        return;
      }
      if (o.overLength() == Policy.SKIP) {
        report.drop(Reason.OVER_LENGTH, lineNo, detail);
        return;
      }
      tokens = tokens.subList(0, o.maxLength());
      report.change(Reason.OVER_LENGTH, lineNo, "truncated: " + detail);
    }
    report.examples++;
    report.tokens += tokens.size();
    next = Item.example(tokens.toArray(new String[0]));
  }

  /** A fail policy tripped: record it and stop reading this file (the driver fails the job with it). */
  private void stop(Reason r, long lineNo, String detail) {
    report.fail(r, lineNo, detail);
    paragraph.clear();
    done = true;
  }

  /** The file cannot be read on: keep what is complete, drop the unfinished line or paragraph, note why. */
  private void corrupt(Exception e) {
    String why = e.getClass().getSimpleName() + (e.getMessage() == null ? "" : ": " + e.getMessage());
    long lineNo = report.linesRead + 1;
    report.error = "line " + lineNo + ": " + why;
    if (o.corruptInput() == Policy.FAIL) {
      report.fail(Reason.CORRUPT_INPUT, lineNo, "cannot read on: " + why);
    } else {
      report.dropped.merge(Reason.CORRUPT_INPUT, 1L, Long::sum);
      report.samples.add("line " + lineNo + ": corruptInput, rest of file dropped (" + why + ")");
    }
    paragraph.clear();
    lineLen = 0;
    done = true;
  }

  /** Reads the raw bytes to the end for the hash, closes, and records the hash. */
  private void finish() {
    try {
      if (raw != null) {
        while (raw.read(chunk) >= 0) {
          // drain: the hash must cover every stored byte, also after a decoding error or a codec that stops early
        }
      }
      report.sha256 = HexFormat.of().formatHex(sha.digest());
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

  /**
   * Reads up to the next '\n' into {@link #line}; bytes past maxLineBytes (+1, to see the boundary) are discarded and
   * flagged as {@link #overflow}. Returns false at the end of input with no pending bytes.
   */
  private boolean readLine() throws IOException {
    lineLen = 0;
    overflow = false;
    boolean any = false;
    while (true) {
      if (chunkPos == chunkLen) {
        chunkLen = in.read(chunk);
        chunkPos = 0;
        if (chunkLen <= 0) {
          chunkLen = 0;
          return any;
        }
      }
      any = true;
      int start = chunkPos;
      int end = start;
      while (end < chunkLen && chunk[end] != '\n') {
        end++;
      }
      append(start, end - start);
      chunkPos = end < chunkLen ? end + 1 : end;
      if (end < chunkLen) {
        return true;
      }
    }
  }

  private void append(int from, int n) {
    int cap = o.maxLineBytes() + 1;
    int take = Math.min(n, cap - lineLen);
    if (take < n) {
      overflow = true;
    }
    if (take <= 0) {
      return;
    }
    if (lineLen + take > line.length) {
      line = java.util.Arrays.copyOf(line, (int) Math.min(cap, Math.max(lineLen + take, line.length * 2L)));
    }
    System.arraycopy(chunk, from, line, lineLen, take);
    lineLen += take;
    if (lineLen > o.maxLineBytes()) {
      overflow = true;
    }
  }
}
