package io.seqspark.core.data;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.zip.GZIPOutputStream;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class TextCorpusTest {

  @TempDir
  Path dir;

  @Test
  void readLines_plainAndGzip_skipBlankLinesAndHandleCrlf() throws Exception {
    String text = "\uFEFFa b\r\n\n   \nc  d e\nf";
    Path plain = dir.resolve("t.txt");
    Files.writeString(plain, text);
    Path gz = dir.resolve("t.txt.gz");
    try (OutputStream out = new GZIPOutputStream(Files.newOutputStream(gz))) {
      out.write(text.getBytes(StandardCharsets.UTF_8));
    }
    List<List<String>> expected = List.of(List.of("a", "b"), List.of("c", "d", "e"), List.of("f"));
    assertEquals(expected, TextCorpus.readLines(plain, new WordTokenizer()));
    assertEquals(expected, TextCorpus.readLines(gz, new WordTokenizer()));
  }

  @Test
  void readLines_malformedUtf8_namesFileAndLine() throws Exception {
    Path file = dir.resolve("bad.txt");
    byte[] good = "ok line\nsecond\n".getBytes(StandardCharsets.UTF_8);
    byte[] bytes = new byte[good.length + 4];
    System.arraycopy(good, 0, bytes, 0, good.length);
    bytes[good.length] = 'x';
    bytes[good.length + 1] = (byte) 0xC3; // lead byte of a 2-byte sequence, then an ASCII byte: malformed
    bytes[good.length + 2] = 'y';
    bytes[good.length + 3] = '\n';
    Files.write(file, bytes);
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
        () -> TextCorpus.readLines(file, new WordTokenizer()));
    assertTrue(e.getMessage().contains(file.toString()) && e.getMessage().contains("line 3"), e.getMessage());
  }

  @Test
  void toStreamAndSentences_encodeWithEosPerLine() {
    List<List<String>> lines = List.of(List.of("a", "b"), List.of("b", "zz"));
    Vocabulary v = Vocabulary.builder().add("a").add("b").build(1, 0);
    int a = v.id("a");
    int b = v.id("b");
    assertArrayEquals(new int[] {a, b, Vocabulary.EOS_ID, b, Vocabulary.UNK_ID, Vocabulary.EOS_ID},
        TextCorpus.toStream(lines, v, true));
    assertArrayEquals(new int[] {a, b, b, Vocabulary.UNK_ID}, TextCorpus.toStream(lines, v, false));
    List<int[]> sentences = TextCorpus.toSentences(lines, v);
    assertArrayEquals(new int[] {b, Vocabulary.UNK_ID}, sentences.get(1));
    Vocabulary withEos = TextCorpus.buildVocabulary(lines, 1, 0, true);
    assertEquals(lines.size(), withEos.count(Vocabulary.EOS_ID));
  }

  private static Path sharedDir() {
    String prop = System.getProperty("seqspark.shared");
    if (prop != null) {
      return Paths.get(prop);
    }
    // Tests run in the module directory (core/); the project root is its parent.
    Path root = Paths.get(System.getProperty("seqspark.root", "..")).toAbsolutePath();
    return root.resolve("../shared").normalize();
  }

  @Test
  void ptbTrain_vocabularyAndTokenCountsMatchThePublishedFigures() throws Exception {
    Path file = sharedDir().resolve("data/ptb/ptb.train.txt");
    Assumptions.assumeTrue(Files.isRegularFile(file), "PTB not found at " + file);

    // Independent count: plain String.split over the raw lines.
    List<String> raw = Files.readAllLines(file, StandardCharsets.UTF_8);
    long words = 0;
    long nonBlankLines = 0;
    Set<String> types = new HashSet<>();
    for (String line : raw) {
      String trimmed = line.trim();
      if (!trimmed.isEmpty()) {
        nonBlankLines++;
        for (String w : trimmed.split(" +")) {
          words++;
          types.add(w);
        }
      }
    }
    assertEquals(887_521, words, "PTB train words (README)");
    assertEquals(42_068, nonBlankLines, "PTB train sentences, one </s> each");

    List<List<String>> lines = TextCorpus.readLines(file, new WordTokenizer());
    Vocabulary v = TextCorpus.buildVocabulary(lines, 1, 0, true);
    // PTB's 10,000-type vocabulary = 9,999 types in the text (PTB's own <unk> among them) + <eos>.
    // Ours maps PTB's <unk> onto our <unk> and <eos> onto our </s>, and adds <pad> and <s>:
    // 9,999 - 1 (<unk>) ordinary words + 4 specials = 10,002 = 10,000 + 2.
    assertTrue(types.contains(Vocabulary.UNK) && types.size() == 9_999, "types in text: " + types.size());
    assertEquals(types.size() - 1 + Vocabulary.SPECIALS.size(), v.size());
    assertEquals(10_000 + 2, v.size());
    assertEquals(words + nonBlankLines, v.totalCount());
    assertEquals(nonBlankLines, v.count(Vocabulary.EOS_ID));
    assertEquals(0, v.count(Vocabulary.PAD_ID));
    assertEquals(0, v.count(Vocabulary.BOS_ID));

    int[] stream = TextCorpus.toStream(lines, v, true);
    assertEquals(887_521 + 42_068, stream.length);
    long unkInStream = java.util.Arrays.stream(stream).filter(id -> id == Vocabulary.UNK_ID).count();
    assertEquals(v.count(Vocabulary.UNK_ID), unkInStream, "every <unk> id comes from PTB's literal <unk>");
  }
}
