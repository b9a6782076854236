package io.seqspark.core.data;

import java.io.BufferedInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CharsetDecoder;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.zip.GZIPInputStream;

/**
 * Local text corpora: one example per line, UTF-8, plain or {@code .gz}. Lines are decoded one at a time with a
 * strict decoder so a bad byte is reported at its exact line (a buffered reader would report where its read-ahead
 * buffer happened to be), instead of being silently replaced by U+FFFD and becoming a vocabulary entry.
 */
public final class TextCorpus {

  private TextCorpus() {
  }

  /**
   * Reads and tokenizes every non-blank line of {@code file} (blank = no tokens). Line ends may be LF or CRLF; a
   * leading byte-order mark is ignored.
   *
   * @throws IllegalArgumentException for malformed UTF-8, naming the file and line
   */
  public static List<List<String>> readLines(Path file, Tokenizer tokenizer) throws IOException {
    CharsetDecoder decoder = StandardCharsets.UTF_8.newDecoder()
        .onMalformedInput(CodingErrorAction.REPORT)
        .onUnmappableCharacter(CodingErrorAction.REPORT);
    List<List<String>> out = new ArrayList<>();
    try (InputStream in = open(file)) {
      ByteArrayOutputStream line = new ByteArrayOutputStream(256);
      int lineNo = 0;
      byte[] buf = new byte[1 << 16];
      for (int n; (n = in.read(buf)) > 0; ) {
        int start = 0;
        for (int i = 0; i < n; i++) {
          if (buf[i] == '\n') {
            line.write(buf, start, i - start);
            addLine(out, line, ++lineNo, decoder, tokenizer, file);
            start = i + 1;
          }
        }
        line.write(buf, start, n - start);
      }
      if (line.size() > 0) {
        addLine(out, line, ++lineNo, decoder, tokenizer, file);
      }
    }
    return out;
  }

  private static InputStream open(Path file) throws IOException {
    InputStream raw = Files.newInputStream(file);
    return file.getFileName().toString().endsWith(".gz")
        ? new GZIPInputStream(raw, 1 << 16) : new BufferedInputStream(raw, 1 << 16);
  }

  private static void addLine(List<List<String>> out, ByteArrayOutputStream line, int lineNo, CharsetDecoder decoder,
      Tokenizer tokenizer, Path file) {
    byte[] bytes = line.toByteArray();
    line.reset();
    int from = lineNo == 1 && bytes.length >= 3 && (bytes[0] & 0xff) == 0xEF && (bytes[1] & 0xff) == 0xBB
        && (bytes[2] & 0xff) == 0xBF ? 3 : 0;
    int to = bytes.length > from && bytes[bytes.length - 1] == '\r' ? bytes.length - 1 : bytes.length;
    String text;
    try {
      text = decoder.reset().decode(ByteBuffer.wrap(bytes, from, to - from)).toString();
    } catch (CharacterCodingException e) {
      throw new IllegalArgumentException(file + ": line " + lineNo + " is not valid UTF-8 (" + e + "); "
          + "re-encode the file as UTF-8", e);
    }
    List<String> tokens = tokenizer.tokenize(text);
    if (!tokens.isEmpty()) {
      out.add(tokens);
    }
  }

  /**
   * Concatenates the lines' ids into one stream for {@link TokenStreamBatcher}.
   *
   * @param eosPerLine append {@code </s>} after every line (the PTB convention, where it marks sentence ends)
   */
  public static int[] toStream(List<List<String>> lines, Vocabulary vocabulary, boolean eosPerLine) {
    long total = 0;
    for (List<String> l : lines) {
      total += l.size() + (eosPerLine ? 1 : 0);
    }
    if (total > Integer.MAX_VALUE - 8) {
      throw new IllegalArgumentException("corpus of " + total + " tokens is too large for one int[] stream");
    }
    int[] out = new int[(int) total];
    int p = 0;
    for (List<String> l : lines) {
      for (String token : l) {
        out[p++] = vocabulary.id(token);
      }
      if (eosPerLine) {
        out[p++] = Vocabulary.EOS_ID;
      }
    }
    return out;
  }

  /** One id array per line, without {@code <s>}/{@code </s>}, for {@link SentenceBatcher}. */
  public static List<int[]> toSentences(List<List<String>> lines, Vocabulary vocabulary) {
    List<int[]> out = new ArrayList<>(lines.size());
    for (List<String> l : lines) {
      out.add(vocabulary.encode(l));
    }
    return out;
  }

  /** Counts every token of {@code lines}; see {@link Vocabulary.Builder#build(int, int)}. */
  public static Vocabulary buildVocabulary(List<List<String>> lines, int minCount, int maxSize) {
    return buildVocabulary(lines, minCount, maxSize, false);
  }

  /**
   * Counts every token of {@code lines}, plus one {@code </s>} per line when {@code eosPerLine}, so the counts
   * match the stream {@link #toStream} builds.
   */
  public static Vocabulary buildVocabulary(List<List<String>> lines, int minCount, int maxSize, boolean eosPerLine) {
    Vocabulary.Builder builder = Vocabulary.builder();
    for (List<String> l : lines) {
      for (String token : l) {
        builder.add(token);
      }
    }
    if (eosPerLine) {
      builder.add(Vocabulary.EOS, lines.size());
    }
    return builder.build(minCount, maxSize);
  }
}
