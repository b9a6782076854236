package io.seqspark.core.model;

import java.io.BufferedInputStream;
import java.io.BufferedOutputStream;
import java.io.Closeable;
import java.io.DataInputStream;
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
 * The binary file {@code seqspark elmo embed} writes (docs/FORMATS.md, "ELMo embeddings"): for each sentence its
 * tokens and, per token, the L + 1 layer representations of the biLM. All numbers little-endian (numpy {@code <i4},
 * {@code <f4}):
 * <pre>
 *   header:   8 bytes "SSELMO01", int32 layers (L + 1), int32 dim (2 x projection)
 *   sentence: int32 n (tokens, 0 allowed), n x (int32 byte length, UTF-8 bytes of the token),
 *             float32 [layers][n][dim] (layer-major)
 *   ...       sentences until the end of the file
 * </pre>
 * {@link #read(Path)} reads a whole file; {@link Reader} streams sentences; {@link Writer} writes them.
 */
public final class ElmoEmbeddings {
  /** The first 8 bytes of every file. */
  public static final String MAGIC = "SSELMO01";

  private ElmoEmbeddings() {
  }

  /**
   * One sentence's tokens and their representations.
   *
   * @param tokens the sentence's tokens
   * @param layers [layer][token][dim]
   */
  public record Sentence(List<String> tokens, float[][][] layers) {
  }

  /** Every sentence of {@code file}. */
  public static List<Sentence> read(Path file) throws IOException {
    List<Sentence> out = new ArrayList<>();
    try (Reader r = new Reader(Files.newInputStream(file), file.toString())) {
      for (Sentence s = r.next(); s != null; s = r.next()) {
        out.add(s);
      }
    }
    return out;
  }

  /** Streams sentences from a file. */
  public static final class Reader implements Closeable {
    private final DataInputStream in;
    private final String name;
    private final int layers;
    private final int dim;

    /** Reads the header of {@code in}; {@code name} names it in errors. */
    public Reader(InputStream in, String name) throws IOException {
      this.in = new DataInputStream(new BufferedInputStream(in));
      this.name = name;
      byte[] magic = new byte[8];
      try {
        this.in.readFully(magic);
      } catch (EOFException e) {
        throw new IOException(name + " is not an ELMo embeddings file: shorter than its 8-byte header", e);
      }
      if (!MAGIC.equals(new String(magic, StandardCharsets.US_ASCII))) {
        throw new IOException(name + " is not an ELMo embeddings file (it does not start with " + MAGIC + ")");
      }
      this.layers = readInt();
      this.dim = readInt();
      if (layers < 1 || dim < 1) {
        throw new IOException(name + ": bad header, " + layers + " layers of width " + dim);
      }
    }

    /** L + 1. */
    public int layers() {
      return layers;
    }

    /** Width of every representation. */
    public int dim() {
      return dim;
    }

    private int readInt() throws IOException {
      return Integer.reverseBytes(in.readInt());
    }

    /** The next sentence, or null at the end of the file. */
    public Sentence next() throws IOException {
      int n;
      try {
        n = readInt();
      } catch (EOFException end) {
        return null;
      }
      if (n < 0) {
        throw new IOException(name + ": negative token count " + n);
      }
      try {
        List<String> tokens = new ArrayList<>(n);
        for (int i = 0; i < n; i++) {
          byte[] b = new byte[readInt()];
          in.readFully(b);
          tokens.add(new String(b, StandardCharsets.UTF_8));
        }
        byte[] raw = new byte[layers * n * dim * 4];
        in.readFully(raw);
        ByteBuffer buf = ByteBuffer.wrap(raw).order(ByteOrder.LITTLE_ENDIAN);
        float[][][] v = new float[layers][n][dim];
        for (int l = 0; l < layers; l++) {
          for (int i = 0; i < n; i++) {
            for (int k = 0; k < dim; k++) {
              v[l][i][k] = buf.getFloat();
            }
          }
        }
        return new Sentence(tokens, v);
      } catch (EOFException e) {
        throw new IOException(name + " is truncated inside a sentence", e);
      }
    }

    @Override
    public void close() throws IOException {
      in.close();
    }
  }

  /** Writes sentences after the header. */
  public static final class Writer implements Closeable {
    private final OutputStream out;
    private final int layers;
    private final int dim;

    /** Writes the header: {@code layers} = L + 1 representations of width {@code dim} per token. */
    public Writer(OutputStream out, int layers, int dim) throws IOException {
      this.out = new BufferedOutputStream(out);
      this.layers = layers;
      this.dim = dim;
      this.out.write(MAGIC.getBytes(StandardCharsets.US_ASCII));
      writeInt(layers);
      writeInt(dim);
    }

    private void writeInt(int v) throws IOException {
      out.write(ByteBuffer.allocate(4).order(ByteOrder.LITTLE_ENDIAN).putInt(v).array());
    }

    /** One sentence: {@code layers} is [L + 1][tokens][dim]. */
    public void write(List<String> tokens, float[][][] v) throws IOException {
      int n = tokens.size();
      if (v.length != layers || (n > 0 && (v[0].length != n || v[0][0].length != dim))) {
        throw new IllegalArgumentException("a sentence of " + n + " tokens needs [" + layers + "][" + n + "][" + dim
            + "] values");
      }
      writeInt(n);
      for (String t : tokens) {
        byte[] b = t.getBytes(StandardCharsets.UTF_8);
        writeInt(b.length);
        out.write(b);
      }
      ByteBuffer buf = ByteBuffer.allocate(layers * n * dim * 4).order(ByteOrder.LITTLE_ENDIAN);
      for (float[][] layer : v) {
        for (float[] row : layer) {
          for (float f : row) {
            buf.putFloat(f);
          }
        }
      }
      out.write(buf.array());
    }

    @Override
    public void close() throws IOException {
      out.close();
    }
  }
}
