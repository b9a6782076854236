package io.seqspark.core.w2v;

import io.seqspark.core.config.Settings;
import io.seqspark.core.data.Vocabulary;
import io.seqspark.core.io.Json;
import io.seqspark.core.io.ModelArchive;
import java.io.BufferedInputStream;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.zip.ZipEntry;
import java.util.zip.ZipInputStream;
import java.util.zip.ZipOutputStream;

/**
 * A Word2Vec model as a seqspark model archive ({@link ModelArchive}'s common entries) with the input and output
 * vectors as {@code in.f32} and {@code out.f32}: rows in id order, big-endian float32, streamed row by row so a
 * model beyond one Java array is written and read without ever holding it in one.
 */
public final class Word2VecArchive {

  private Word2VecArchive() {
  }

  /** What {@link #read} returns. */
  public record Contents(Settings settings, Word2VecModel model, Map<String, Object> manifest) {
  }

  public static void write(Path zip, Settings settings, Word2VecModel m, Map<String, Object> manifest) throws IOException {
    Map<String, Object> layout = new LinkedHashMap<>();
    layout.put("in", List.of(m.in().rows(), m.dim()));
    layout.put("out", List.of(m.out().rows(), m.dim()));
    ModelArchive.write(zip, settings, m.vocabulary(), layout, manifest, z -> {
      for (String name : new String[] {"in", "out"}) {
        Vectors v = name.equals("in") ? m.in() : m.out();
        z.putNextEntry(new ZipEntry(name + ".f32"));
        DataOutputStream d = new DataOutputStream(new java.io.BufferedOutputStream(z, 1 << 16));
        for (int r = 0; r < v.rows(); r++) {
          float[] b = v.block(r);
          int off = v.offset(r);
          for (int i = 0; i < v.dim(); i++) {
            d.writeFloat(b[off + i]);
          }
        }
        d.flush();
        z.closeEntry();
      }
    });
  }

  public static Contents read(Path zip) throws IOException {
    if (!Files.isRegularFile(zip)) {
      throw new IllegalArgumentException("model archive " + zip + " does not exist; pass the model.zip of a w2v train run");
    }
    Settings settings = null;
    Vocabulary vocab = null;
    Map<String, Object> manifest = Map.of();
    Vectors in = null;
    Vectors out = null;
    try (InputStream raw = new BufferedInputStream(Files.newInputStream(zip), 1 << 16); ZipInputStream z = new ZipInputStream(raw)) {
      for (ZipEntry e = z.getNextEntry(); e != null; e = z.getNextEntry()) {
        switch (e.getName()) {
          case "config.conf" -> settings = Settings.parse(new String(z.readAllBytes(), StandardCharsets.UTF_8), zip + "!config.conf");
          case "vocab.tsv" -> vocab = ModelArchive.vocabulary(z.readAllBytes());
          case "manifest.json" -> manifest = Json.readMap(new String(z.readAllBytes(), StandardCharsets.UTF_8));
          case "in.f32", "out.f32" -> {
            if (vocab == null || settings == null) {
              throw new IllegalArgumentException("model archive " + zip + ": vectors come before config.conf/vocab.tsv;"
                  + " it was not written by seqspark w2v");
            }
            Vectors v = new Vectors(Vectors.Layout.of(vocab.size(), settings.getInt("w2v.dim")));
            DataInputStream d = new DataInputStream(new BufferedInputStream(z, 1 << 16));
            for (int r = 0; r < v.rows(); r++) {
              float[] b = v.block(r);
              int off = v.offset(r);
              for (int i = 0; i < v.dim(); i++) {
                b[off + i] = d.readFloat();
              }
            }
            if (e.getName().equals("in.f32")) {
              in = v;
            } else {
              out = v;
            }
          }
          default -> {
            // layout.json: the shapes follow from vocab.tsv and w2v.dim
          }
        }
      }
    } catch (java.io.EOFException e) {
      throw new IllegalArgumentException("model archive " + zip + " is truncated: " + e.getMessage(), e);
    }
    if (in == null || out == null) {
      throw new IllegalArgumentException("model archive " + zip + " has no in.f32/out.f32; it is not a seqspark w2v model");
    }
    return new Contents(settings, new Word2VecModel(vocab, in, out), manifest);
  }

  /**
   * Vectors from any of: a w2v model archive, a w2v run directory (its model.zip), or a word2vec text/binary file.
   */
  public static WordVectors load(Path p) throws IOException {
    Path zip = Files.isDirectory(p) ? p.resolve("model.zip") : p;
    if (!Files.exists(zip)) {
      throw new IllegalArgumentException(p + ": no such file; pass a w2v run directory, its model.zip, or a word2vec"
          + " text/binary vectors file");
    }
    if (isZip(zip)) {
      return WordVectors.of(read(zip).model());
    }
    return Word2VecFormat.read(zip);
  }

  private static boolean isZip(Path p) throws IOException {
    try (InputStream in = Files.newInputStream(p)) {
      byte[] m = in.readNBytes(4);
      return m.length == 4 && m[0] == 'P' && m[1] == 'K' && m[2] == 3 && m[3] == 4;
    }
  }
}
