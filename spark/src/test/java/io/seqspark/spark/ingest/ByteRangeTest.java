package io.seqspark.spark.ingest;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.seqspark.core.config.Settings;
import io.seqspark.core.data.Tokenizer;
import io.seqspark.spark.ingest.InputFiles.InputFile;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.apache.hadoop.conf.Configuration;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Reading a file in byte ranges gives exactly what one whole read gives, with the cut at every byte position of an
 * awkward file (CRLF, blank lines, runs of white space, multi-byte and no-break-space characters, punctuation, bad
 * UTF-8, an over-long word), in the lines and the stream format; and the whole read equals the single-machine
 * reference (split lines, or the tokenizer over the whole text).
 */
class ByteRangeTest {
  @TempDir
  Path tmp;
  static final Configuration CONF = new Configuration();

  static final String TEXT = "The cat, sat.\r\n\n  on\tthe  mat\n\u00fcber na\u00efve\u00a0caf\u00e9 \u4e2d\u6587 x\n"
      + "\u00a0\u00a0lead and trail \n\n\nend-of-line;final";

  static IngestOptions options(String... sets) {
    return IngestOptions.from(Settings.load(List.of(), List.of(sets)));
  }

  /** What the tasks of one plan read, in task order. */
  record Read(List<List<String>> examples, long lines, long tokens, Map<String, Long> dropped, Map<String, Long> changed) {}

  static Read read(List<ReadTask> tasks, IngestOptions o) {
    List<List<String>> ex = new ArrayList<>();
    List<FileReport> reports = new ArrayList<>();
    for (ReadTask t : tasks) {
      Block b = TextFileReader.read(t, o, false, CONF);
      reports.add(b.report);
      for (String[] e : b.tokens()) {
        ex.add(List.of(e));
      }
    }
    FileReport m = FileReport.merge(reports).get(0);
    Map<String, Long> d = new TreeMap<>();
    FileReport.addTo(d, m.dropped);
    Map<String, Long> c = new TreeMap<>();
    FileReport.addTo(c, m.changed);
    return new Read(ex, m.linesRead, m.tokens, d, c);
  }

  static List<ReadTask> cutAt(InputFile f, long... cuts) {
    List<ReadTask> tasks = new ArrayList<>();
    long start = 0;
    for (int i = 0; i <= cuts.length; i++) {
      long end = i < cuts.length ? cuts[i] : Long.MAX_VALUE;
      tasks.add(new ReadTask(ReadTask.Kind.READ, f, 0, 0, i, cuts.length + 1, start, end));
      start = end;
    }
    return tasks;
  }

  InputFile file(byte[] bytes) throws IOException {
    Path p = tmp.resolve("f.txt");
    Files.write(p, bytes);
    return new InputFile(p.toUri().toString(), bytes.length, 0);
  }

  /** Every single cut and every pair of cuts 3 bytes apart give the whole read's examples and counts. */
  static void assertEveryCutMatches(InputFile f, IngestOptions o, Read whole) {
    for (long cut = 1; cut < f.sizeBytes(); cut++) {
      assertEquals(whole, read(cutAt(f, cut), o), "cut at byte " + cut);
      if (cut + 3 < f.sizeBytes()) {
        assertEquals(whole, read(cutAt(f, cut, cut + 3), o), "cuts at bytes " + cut + ", " + (cut + 3));
      }
    }
  }

  @Test
  void linesFormat_everyCutPosition_givesTheWholeReadsLines_andTheWholeReadIsTheReference() throws IOException {
    IngestOptions o = options("data.lowercase=true", "data.splitPunctuation=true");
    InputFile f = file(TEXT.getBytes(StandardCharsets.UTF_8));
    Read whole = read(cutAt(f), o);
    Tokenizer t = o.newTokenizer();
    List<List<String>> reference = new ArrayList<>();
    String[] lines = TEXT.split("\n", -1);
    for (String l : lines) {
      List<String> tokens = t.tokenize(l.endsWith("\r") ? l.substring(0, l.length() - 1) : l);
      if (!tokens.isEmpty()) {
        reference.add(tokens);
      }
    }
    assertEquals(reference, whole.examples());
    assertEquals(lines.length, whole.lines());
    assertEquals(lines.length - reference.size(), whole.dropped().get("emptyLine"));
    assertEveryCutMatches(f, o, whole);
  }

  @Test
  void streamFormat_everyCutPosition_givesTheSameTokens_asTheTokenizerOverTheWholeText() throws IOException {
    IngestOptions o = options("ingest.format=stream", "ingest.streamExampleTokens=1000", "data.splitPunctuation=true");
    InputFile f = file(TEXT.getBytes(StandardCharsets.UTF_8));
    Read whole = read(cutAt(f), o);
    List<String> reference = o.newTokenizer().tokenize(TEXT);
    assertEquals(List.of(reference), whole.examples());
    assertEquals(TEXT.split("\n", -1).length, whole.lines());
    for (long cut = 1; cut < f.sizeBytes(); cut++) {
      for (long second : new long[] {cut + 1, cut + 4}) {
        Read split = read(second < f.sizeBytes() ? cutAt(f, cut, second) : cutAt(f, cut), o);
        assertEquals(reference, split.examples().stream().flatMap(List::stream).toList(), "cut at " + cut + ", " + second);
        assertEquals(whole.lines(), split.lines(), "lines with cut at " + cut);
        assertEquals(whole.tokens(), split.tokens());
      }
    }
  }

  @Test
  void streamFormat_examplesOfStreamExampleTokens_cutAlsoAtRangeEnds() throws IOException {
    IngestOptions o = options("ingest.format=stream", "ingest.streamExampleTokens=3");
    InputFile f = file("a b c d e f g h".getBytes(StandardCharsets.UTF_8));
    assertEquals(List.of(List.of("a", "b", "c"), List.of("d", "e", "f"), List.of("g", "h")), read(cutAt(f), o).examples());
    // Cut between "d" (byte 6) and the space after it: d belongs to the first range, which ends its example there.
    assertEquals(List.of(List.of("a", "b", "c"), List.of("d"), List.of("e", "f", "g"), List.of("h")),
        read(cutAt(f, 7), o).examples());
  }

  /** Bad UTF-8 drops one word (stream) or one line (lines), and an over-long word is truncated, at every cut. */
  @Test
  void policies_badBytesAndOverLongWords_countTheSameAtEveryCut() throws IOException {
    ByteArrayOutputStream b = new ByteArrayOutputStream();
    b.write("good words here\nbad ".getBytes(StandardCharsets.UTF_8));
    b.write(new byte[] {'x', (byte) 0xC3, (byte) 0x28, ' ', 'y', '\n'});
    b.write(("long " + "w".repeat(40) + "\u00e9 tail\n").getBytes(StandardCharsets.UTF_8));
    InputFile f = file(b.toByteArray());

    IngestOptions stream = options("ingest.format=stream", "ingest.maxLineBytes=20");
    Read whole = read(cutAt(f), stream);
    assertEquals(List.of(List.of("good", "words", "here", "bad", "y", "long", "w".repeat(20), "tail")), whole.examples());
    assertEquals(Map.of("malformedUtf8", 1L), whole.dropped());
    assertEquals(Map.of("lineTooLong", 1L), whole.changed());
    assertEquals(3, whole.lines());
    for (long cut = 1; cut < f.sizeBytes(); cut++) {
      Read split = read(cutAt(f, cut), stream);
      assertEquals(whole.examples().get(0), split.examples().stream().flatMap(List::stream).toList(), "cut at " + cut);
      assertEquals(whole.dropped(), split.dropped(), "cut at " + cut);
      assertEquals(whole.changed(), split.changed(), "cut at " + cut);
      assertEquals(whole.lines(), split.lines(), "cut at " + cut);
    }

    IngestOptions lines = options("ingest.maxLineBytes=30");
    Read wholeLines = read(cutAt(f), lines);
    assertEquals(Map.of("malformedUtf8", 1L), wholeLines.dropped());
    assertEquals(Map.of("lineTooLong", 1L), wholeLines.changed());
    assertEveryCutMatches(f, lines, wholeLines);
  }

  @Test
  void plan_splitsOnlyLargePlainFiles_andHashesThemInOneMoreTask() {
    InputFile big = new InputFile("file:/x/big.txt", 10_000, 0);
    InputFile gz = new InputFile("file:/x/big.txt.gz", 10_000, 0);
    InputFile small = new InputFile("file:/x/small.txt", 100, 0);
    List<ReadTask> tasks = ReadTask.plan(List.of(big, gz, small), 0, 0, CONF, 4096, true);
    assertEquals(List.of(0L, 3333L, 6666L, 0L, 0L, 0L), tasks.stream().map(ReadTask::start).toList());
    assertEquals(List.of(3333L, 6666L, Long.MAX_VALUE, Long.MAX_VALUE, Long.MAX_VALUE, Long.MAX_VALUE),
        tasks.stream().map(ReadTask::end).toList());
    assertEquals(ReadTask.Kind.HASH, tasks.get(5).kind());
    assertEquals(big, tasks.get(5).file());
    assertTrue(ReadTask.plan(List.of(big), 0, 0, CONF, 4096, false).get(0).whole(), "paragraphs are never split");
    assertEquals(1, ReadTask.plan(List.of(big), 0, 0, CONF, 4096, false).size());
  }

  @Test
  void utf8_agreesWithTheJdkStrictDecoder_onEveryTwoAndThreeByteSequence() {
    java.nio.charset.CharsetDecoder strict = StandardCharsets.UTF_8.newDecoder();
    byte[] probe = new byte[3];
    int[] interesting = {0x00, 0x41, 0x7F, 0x80, 0x8F, 0x90, 0x9F, 0xA0, 0xBF, 0xC0, 0xC1, 0xC2, 0xDF, 0xE0, 0xED,
        0xEF, 0xF0, 0xF4, 0xF5, 0xFF};
    for (int a : interesting) {
      for (int b : interesting) {
        for (int c : interesting) {
          probe[0] = (byte) a;
          probe[1] = (byte) b;
          probe[2] = (byte) c;
          for (int len = 1; len <= 3; len++) {
            boolean jdk;
            try {
              strict.reset().decode(java.nio.ByteBuffer.wrap(probe, 0, len));
              jdk = true;
            } catch (java.nio.charset.CharacterCodingException e) {
              jdk = false;
            }
            assertEquals(jdk, Utf8.isValid(probe, 0, len), Arrays.toString(Arrays.copyOf(probe, len)));
          }
        }
      }
    }
  }
}
