package io.seqspark.core.w2v;

import io.seqspark.core.io.AtomicFiles;
import java.io.BufferedInputStream;
import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * The word2vec file formats, as gensim's {@code KeyedVectors.load_word2vec_format} reads them:
 * <ul>
 *   <li>text: a header line {@code "V D"}, then per word one line {@code word v1 ... vD}, single spaces, floats in
 *       the shortest decimal form that reads back to the same float32;</li>
 *   <li>binary: the same header line, then per word its UTF-8 bytes, one space, D little-endian float32 and a
 *       {@code '\n'}.</li>
 * </ul>
 * Words are written most frequent first. Writes are atomic (temp file + rename).
 */
public final class Word2VecFormat {

  private Word2VecFormat() {
  }

  public static void writeText(Path file, WordVectors wv) throws IOException {
    checkWords(wv);
    AtomicFiles.write(file, out -> {
      StringBuilder sb = new StringBuilder(wv.dim() * 12 + 32);
      out.write((wv.size() + " " + wv.dim() + "\n").getBytes(StandardCharsets.US_ASCII));
      Vectors v = wv.vectors();
      for (int i = 0; i < wv.size(); i++) {
        sb.setLength(0);
        sb.append(wv.words().get(i));
        float[] b = v.block(wv.firstRow() + i);
        int off = v.offset(wv.firstRow() + i);
        for (int d = 0; d < wv.dim(); d++) {
          sb.append(' ').append(b[off + d]);
        }
        sb.append('\n');
        out.write(sb.toString().getBytes(StandardCharsets.UTF_8));
      }
    });
  }

  public static void writeBinary(Path file, WordVectors wv) throws IOException {
    checkWords(wv);
    AtomicFiles.write(file, out -> {
      out.write((wv.size() + " " + wv.dim() + "\n").getBytes(StandardCharsets.US_ASCII));
      ByteBuffer buf = ByteBuffer.allocate(4 * wv.dim()).order(ByteOrder.LITTLE_ENDIAN);
      Vectors v = wv.vectors();
      for (int i = 0; i < wv.size(); i++) {
        out.write(wv.words().get(i).getBytes(StandardCharsets.UTF_8));
        out.write(' ');
        buf.clear();
        buf.asFloatBuffer().put(v.block(wv.firstRow() + i), v.offset(wv.firstRow() + i), wv.dim());
        out.write(buf.array());
        out.write('\n');
      }
    });
  }

  private static void checkWords(WordVectors wv) {
    for (String w : wv.words()) {
      if (w.isEmpty() || w.chars().anyMatch(c -> c == ' ' || c == '\n' || c == '\r' || c == '\t')) {
        throw new IllegalArgumentException("word '" + w + "' is empty or contains white space, which the word2vec"
            + " formats cannot store; tokenize on white space (data.tokenizer = word)");
      }
    }
  }

  /** Reads either format, telling them apart by the bytes after the first word (binary files hold raw floats). */
  public static WordVectors read(Path file) throws IOException {
    return isBinary(file) ? readBinary(file) : readText(file);
  }

  /** A file is binary if the first vector line is not valid "word float ..." text of D numbers. */
  static boolean isBinary(Path file) throws IOException {
    try (InputStream in = new BufferedInputStream(Files.newInputStream(file), 1 << 16)) {
      int[] header = header(in, file);
      byte[] probe = in.readNBytes(Math.min(64 + 16 * header[1], 1 << 20));
      int nl = -1;
      for (int i = 0; i < probe.length; i++) {
        if (probe[i] == '\n') {
          nl = i;
          break;
        }
      }
      if (nl < 0 && probe.length == 64 + 16 * header[1]) {
        return true;
      }
      String line = new String(probe, 0, nl < 0 ? probe.length : nl, StandardCharsets.UTF_8).strip();
      String[] parts = line.split(" ");
      if (parts.length != header[1] + 1) {
        return true;
      }
      try {
        for (int i = 1; i < parts.length; i++) {
          Float.parseFloat(parts[i]);
        }
      } catch (NumberFormatException e) {
        return true;
      }
      return false;
    }
  }

  private static int[] header(InputStream in, Path file) throws IOException {
    String line = readLine(in);
    if (line == null) {
      throw new IllegalArgumentException(file + ": empty file; expected a word2vec header line \"V D\"");
    }
    String[] p = line.strip().split("\\s+");
    try {
      if (p.length == 2) {
        int v = Integer.parseInt(p[0]);
        int d = Integer.parseInt(p[1]);
        if (v >= 0 && d >= 1) {
          return new int[] {v, d};
        }
      }
    } catch (NumberFormatException ignored) {
      // reported below
    }
    throw new IllegalArgumentException(file + ": line 1 '" + line + "' is not a word2vec header; expected"
        + " \"<word count> <dimension>\"");
  }

  private static String readLine(InputStream in) throws IOException {
    java.io.ByteArrayOutputStream b = new java.io.ByteArrayOutputStream();
    for (int c; (c = in.read()) >= 0; ) {
      if (c == '\n') {
        return b.toString(StandardCharsets.UTF_8);
      }
      b.write(c);
    }
    return b.size() == 0 ? null : b.toString(StandardCharsets.UTF_8);
  }

  public static WordVectors readText(Path file) throws IOException {
    try (InputStream in = new BufferedInputStream(Files.newInputStream(file), 1 << 16)) {
      int[] h = header(in, file);
      Vectors v = new Vectors(Vectors.Layout.of(h[0], h[1]));
      List<String> words = new ArrayList<>(h[0]);
      for (int i = 0; i < h[0]; i++) {
        String line = readLine(in);
        if (line == null) {
          throw new IllegalArgumentException(file + ": the header promises " + h[0] + " words, the file ends after "
              + i + "; the file is truncated");
        }
        String[] parts = line.strip().split(" ");
        if (parts.length != h[1] + 1) {
          throw new IllegalArgumentException(file + ": line " + (i + 2) + " has " + (parts.length - 1)
              + " numbers, the header says " + h[1] + "; expected \"word v1 ... v" + h[1] + "\"");
        }
        words.add(parts[0]);
        float[] b = v.block(i);
        int off = v.offset(i);
        for (int d = 0; d < h[1]; d++) {
          try {
            b[off + d] = Float.parseFloat(parts[d + 1]);
          } catch (NumberFormatException e) {
            throw new IllegalArgumentException(file + ": line " + (i + 2) + ": '" + parts[d + 1]
                + "' is not a number", e);
          }
        }
      }
      return new WordVectors(List.copyOf(words), v, 0);
    }
  }

  public static WordVectors readBinary(Path file) throws IOException {
    try (InputStream in = new BufferedInputStream(Files.newInputStream(file), 1 << 16)) {
      int[] h = header(in, file);
      Vectors v = new Vectors(Vectors.Layout.of(h[0], h[1]));
      List<String> words = new ArrayList<>(h[0]);
      byte[] raw = new byte[4 * h[1]];
      ByteBuffer buf = ByteBuffer.wrap(raw).order(ByteOrder.LITTLE_ENDIAN);
      java.io.ByteArrayOutputStream word = new java.io.ByteArrayOutputStream();
      for (int i = 0; i < h[0]; i++) {
        word.reset();
        for (int c; ; ) {
          c = in.read();
          if (c < 0) {
            throw new EOFException(file + ": the header promises " + h[0] + " words, the file ends in word " + (i + 1)
                + "; the file is truncated");
          }
          if (c == ' ') {
            break;
          }
          if (c != '\n' || word.size() > 0) {
            word.write(c);
          }
        }
        if (in.readNBytes(raw, 0, raw.length) != raw.length) {
          throw new EOFException(file + ": the vector of word " + (i + 1) + " is cut short; the file is truncated");
        }
        words.add(word.toString(StandardCharsets.UTF_8));
        buf.rewind();
        buf.asFloatBuffer().get(v.block(i), v.offset(i), h[1]);
      }
      return new WordVectors(List.copyOf(words), v, 0);
    }
  }
}
