package io.seqspark.core.io;

import io.seqspark.core.config.Settings;
import io.seqspark.core.data.Vocabulary;
import io.seqspark.core.nn.ParamStore;
import java.io.ByteArrayInputStream;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.zip.ZipEntry;
import java.util.zip.ZipInputStream;
import java.util.zip.ZipOutputStream;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

/**
 * A trained model as one zip: {@code config.conf} (resolved; defines the architecture), {@code params.bin} (the
 * flat parameter vector), {@code layout.json} (block names and shapes, checked on load), {@code vocab.tsv} and
 * {@code manifest.json}. Written atomically.
 */
public final class ModelArchive {

  /** What {@link #read} returns. */
  public record Contents(Settings settings, Vocabulary vocabulary, INDArray params, Map<String, Object> layout,
                         Map<String, Object> manifest, Map<String, byte[]> files) {
  }

  /** The entries every archive has; any other entry is a family's own file ({@link Contents#files()}). */
  private static final java.util.Set<String> STANDARD = java.util.Set.of("config.conf", "layout.json", "vocab.tsv",
      "manifest.json", "params.bin");

  private ModelArchive() {
  }

  public static void write(Path zip, Settings settings, Vocabulary vocab, ParamStore params, Map<String, Object> manifest)
      throws IOException {
    write(zip, settings, vocab, params, manifest, Map.of());
  }

  /** As above, plus a family's own files (e.g. a translation model's source vocabulary), stored by name. */
  public static void write(Path zip, Settings settings, Vocabulary vocab, ParamStore params, Map<String, Object> manifest,
                           Map<String, byte[]> files) throws IOException {
    Map<String, Object> layout = new LinkedHashMap<>();
    params.layout().forEach((k, v) -> layout.put(k, v));
    write(zip, settings, vocab, layout, manifest, z -> {
      z.putNextEntry(new ZipEntry("params.bin"));
      Nd4j.write(params.params(), new DataOutputStream(z));
      z.closeEntry();
      for (Map.Entry<String, byte[]> f : files.entrySet()) {
        if (STANDARD.contains(f.getKey())) {
          throw new IllegalArgumentException("an archive's own file may not be called " + f.getKey());
        }
        put(z, f.getKey(), f.getValue());
      }
    });
  }

  /**
   * Writes an archive with the entries every seqspark model has ({@code config.conf}, {@code layout.json},
   * {@code vocab.tsv}, {@code manifest.json}) and lets {@code body} add the model's own entries (streamed, so they
   * may exceed one Java array); atomically.
   */
  public static void write(Path zip, Settings settings, Vocabulary vocab, Map<String, Object> layout,
                           Map<String, Object> manifest, AtomicFiles.IOConsumer<ZipOutputStream> body) throws IOException {
    Path vocabTmp = Files.createTempFile("vocab", ".tsv");
    try {
      vocab.save(vocabTmp);
      byte[] vocabBytes = Files.readAllBytes(vocabTmp);
      AtomicFiles.write(zip, os -> {
        ZipOutputStream z = new ZipOutputStream(os);
        put(z, "config.conf", settings.render().getBytes(StandardCharsets.UTF_8));
        put(z, "layout.json", Json.writePretty(layout).getBytes(StandardCharsets.UTF_8));
        put(z, "vocab.tsv", vocabBytes);
        put(z, "manifest.json", Json.writePretty(manifest).getBytes(StandardCharsets.UTF_8));
        body.accept(z);
        z.finish();
      });
    } finally {
      Files.deleteIfExists(vocabTmp);
    }
  }

  private static void put(ZipOutputStream z, String name, byte[] bytes) throws IOException {
    z.putNextEntry(new ZipEntry(name));
    z.write(bytes);
    z.closeEntry();
  }

  /** A vocabulary from the bytes of an archive's {@code vocab.tsv}. */
  public static Vocabulary vocabulary(byte[] tsv) throws IOException {
    Path vocabTmp = Files.createTempFile("vocab", ".tsv");
    try {
      Files.write(vocabTmp, tsv);
      return Vocabulary.load(vocabTmp);
    } finally {
      Files.deleteIfExists(vocabTmp);
    }
  }

  public static Contents read(Path zip) throws IOException {
    if (!Files.isRegularFile(zip)) {
      throw new IllegalArgumentException("model archive " + zip + " does not exist; pass the model.zip of a finished run");
    }
    Map<String, byte[]> entries = new HashMap<>();
    try (InputStream in = Files.newInputStream(zip); ZipInputStream z = new ZipInputStream(in)) {
      for (ZipEntry e = z.getNextEntry(); e != null; e = z.getNextEntry()) {
        entries.put(e.getName(), z.readAllBytes());
      }
    }
    for (String required : new String[] {"config.conf", "params.bin", "vocab.tsv", "layout.json"}) {
      if (!entries.containsKey(required)) {
        throw new IllegalArgumentException("model archive " + zip + " has no " + required + "; it is not a seqspark model");
      }
    }
    Settings settings = Settings.parse(new String(entries.get("config.conf"), StandardCharsets.UTF_8), zip + "!config.conf");
    Vocabulary vocab = vocabulary(entries.get("vocab.tsv"));
    INDArray params = Nd4j.read(new DataInputStream(new ByteArrayInputStream(entries.get("params.bin"))));
    Map<String, Object> layout = Json.readMap(new String(entries.get("layout.json"), StandardCharsets.UTF_8));
    Map<String, Object> manifest = entries.containsKey("manifest.json")
        ? Json.readMap(new String(entries.get("manifest.json"), StandardCharsets.UTF_8)) : Map.of();
    Map<String, byte[]> files = new java.util.TreeMap<>(entries);
    files.keySet().removeAll(STANDARD);
    return new Contents(settings, vocab, params, layout, manifest, files);
  }

  /** Fails unless {@code params}' layout equals the archive's (same blocks, same shapes, same order). */
  public static void checkLayout(Path zip, Map<String, Object> archived, ParamStore params) {
    Map<String, Object> expected = new LinkedHashMap<>();
    params.layout().forEach((k, v) -> {
      java.util.List<Object> shape = new java.util.ArrayList<>();
      for (long s : v) {
        shape.add((int) s);
      }
      expected.put(k, shape);
    });
    if (!Json.write(expected).equals(Json.write(archived))) {
      throw new IllegalArgumentException("model archive " + zip + " holds parameters " + archived
          + " but its config builds " + expected + "; the archive is corrupt or from an incompatible version");
    }
  }

}
