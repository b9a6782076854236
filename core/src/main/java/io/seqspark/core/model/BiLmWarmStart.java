package io.seqspark.core.model;

import io.seqspark.core.config.Settings;
import io.seqspark.core.data.Vocabulary;
import io.seqspark.core.io.ModelArchive;
import io.seqspark.core.nn.ParamRef;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.zip.ZipEntry;
import java.util.zip.ZipFile;

/**
 * {@code elmo.warmStart}: a fresh {@link BiLm} takes its parameters from a previous {@code elmo train} model. Every
 * block whose shape does not depend on the word vocabulary (the character encoder, both LSTMP stacks) is copied as
 * it is; the softmax, whose columns ({@code softmax.W}, {@code softmax.b}) are indexed by word, is mapped by word, a
 * word the previous model lacks keeping the fresh model's seed-drawn column. The architecture keys that shape the
 * copied blocks must match, else one error names the key and both values. Optimizer state is not carried: training
 * starts a new schedule (train.learningRate, warm-up, decay) as configured.
 */
public final class BiLmWarmStart {

  /** The elmo.* keys that decide the shapes of the copied blocks. */
  static final List<String> SHAPE_KEYS = List.of("elmo.charEmbeddingSize", "elmo.filterWidths", "elmo.filters",
      "elmo.highways", "elmo.projectionSize", "elmo.cellSize", "elmo.layers", "elmo.residual");

  /** The softmax blocks, whose last dimension is the vocabulary. */
  static final List<String> WORD_BLOCKS = List.of("softmax.W", "softmax.b");

  /**
   * What a warm start carries.
   *
   * @param carried words (reserved tokens excluded) found in the previous model's vocabulary
   * @param fresh   words started as a fresh model starts them
   */
  public record Summary(Path from, int carried, int fresh) {}

  private BiLmWarmStart() {}

  /**
   * Checks a warm start before any training, from the previous archive's config and vocabulary only: it is an elmo
   * model and the shape keys match. Returns what it will carry into {@code vocab}.
   */
  public static Summary check(String value, Vocabulary vocab, Settings now) throws IOException {
    Path zip = archive(value);
    Settings before;
    Vocabulary old;
    String family;
    try (ZipFile z = new ZipFile(zip.toFile())) {
      before = Settings.parse(text(z, zip, value, "config.conf"), zip + "!config.conf");
      old = ModelArchive.vocabulary(text(z, zip, value, "vocab.tsv").getBytes(StandardCharsets.UTF_8));
      family = String.valueOf(io.seqspark.core.io.Json.readMap(text(z, zip, value, "manifest.json")).get("family"));
    } catch (java.util.zip.ZipException e) {
      throw notElmo(value, zip, "not a zip archive");
    }
    if (!"elmo".equals(family)) {
      throw notElmo(value, zip, "its manifest names family " + family);
    }
    checkShapeKeys(value, before, now);
    int carried = 0;
    for (int id = Vocabulary.SPECIALS.size(); id < vocab.size(); id++) {
      if (old.contains(vocab.token(id))) {
        carried++;
      }
    }
    return new Summary(zip, carried, vocab.size() - Vocabulary.SPECIALS.size() - carried);
  }

  /** Copies the previous model's parameters into the fresh {@code model} of {@code vocab}, as the class says. */
  public static Summary apply(String value, BiLm model, Vocabulary vocab, Settings now) throws IOException {
    Summary summary = check(value, vocab, now);
    ModelArchive.Contents c = ModelArchive.read(summary.from());
    Vocabulary old = c.vocabulary();
    float[] from = c.params().toFloatVector();
    float[] into = model.params().params().toFloatVector();
    Map<String, long[]> offsets = new LinkedHashMap<>(); // name -> {offset, shape...}
    long at = 0;
    for (Map.Entry<String, Object> e : c.layout().entrySet()) {
      List<?> dims = (List<?>) e.getValue();
      long[] entry = new long[dims.size() + 1];
      entry[0] = at;
      long len = 1;
      for (int i = 0; i < dims.size(); i++) {
        entry[i + 1] = ((Number) dims.get(i)).longValue();
        len *= entry[i + 1];
      }
      offsets.put(e.getKey(), entry);
      at += len;
    }
    int[] oldId = new int[vocab.size()];
    for (int id = 0; id < vocab.size(); id++) {
      oldId[id] = old.contains(vocab.token(id)) ? old.id(vocab.token(id)) : -1;
    }
    for (ParamRef r : model.params().refs()) {
      long[] prev = offsets.get(r.name());
      long[] shape = r.shape();
      if (prev == null || prev.length - 1 != shape.length) {
        throw new IllegalArgumentException("elmo.warmStart = " + value + ": the previous model has no parameter block "
            + r.name() + java.util.Arrays.toString(shape) + " (it has " + offsets.keySet() + "); it was built by"
            + " another version of the biLM. Fix: set elmo.warmStart = \"\" for a cold start");
      }
      int off = (int) r.offset();
      int prevOff = (int) prev[0];
      if (WORD_BLOCKS.contains(r.name())) {
        // c-order [rows, vocabulary]: column v of row p is at p * V + v
        int rows = (int) shape[0];
        int v = (int) shape[1];
        int oldV = (int) prev[2];
        if (prev[1] != rows) {
          throw shapeMismatch(value, r.name(), java.util.Arrays.copyOfRange(prev, 1, prev.length), shape);
        }
        for (int id = 0; id < v; id++) {
          if (oldId[id] >= 0) {
            for (int p = 0; p < rows; p++) {
              into[off + p * v + id] = from[prevOff + p * oldV + oldId[id]];
            }
          }
        }
      } else {
        if (!java.util.Arrays.equals(shape, java.util.Arrays.copyOfRange(prev, 1, prev.length))) {
          throw shapeMismatch(value, r.name(), java.util.Arrays.copyOfRange(prev, 1, prev.length), shape);
        }
        System.arraycopy(from, prevOff, into, off, (int) r.length());
      }
    }
    model.params().setParams(into);
    return summary;
  }

  /** The archive an elmo.warmStart value names: a run directory's model.zip, or the file itself. */
  static Path archive(String value) {
    Path p = Path.of(value);
    Path zip = Files.isDirectory(p) ? p.resolve("model.zip") : p;
    if (!Files.isRegularFile(zip)) {
      throw new IllegalArgumentException("elmo.warmStart = " + value + ": " + (Files.isDirectory(p)
          ? "the directory has no model.zip" : "no such file") + "; it must name an elmo train run directory or its"
          + " model.zip. Fix: point elmo.warmStart at a finished elmo run, or set it to \"\" for a cold start");
    }
    return zip;
  }

  private static void checkShapeKeys(String value, Settings before, Settings now) {
    Map<String, Object> b = before.flatten();
    Map<String, Object> n = now.flatten();
    for (String k : SHAPE_KEYS) {
      String was = String.valueOf(b.get(k));
      String is = String.valueOf(n.get(k));
      if (!was.equals(is)) {
        throw new IllegalArgumentException("elmo.warmStart = " + value + ": the previous model has " + k + " = " + was
            + ", this run " + k + " = " + is + "; a warm start copies every block but the softmax's word columns, so"
            + " the architecture must match. Fix: --set " + k + "=" + was + ", or set elmo.warmStart = \"\" for a"
            + " cold start");
      }
    }
  }

  private static IllegalArgumentException shapeMismatch(String value, String block, long[] was, long[] is) {
    return new IllegalArgumentException("elmo.warmStart = " + value + ": parameter block " + block + " is "
        + java.util.Arrays.toString(was) + " in the previous model and " + java.util.Arrays.toString(is) + " here;"
        + " the architecture (elmo.* keys) must match. Fix: use the previous run's elmo.* settings, or set"
        + " elmo.warmStart = \"\" for a cold start");
  }

  private static String text(ZipFile z, Path zip, String value, String name) throws IOException {
    ZipEntry e = z.getEntry(name);
    if (e == null) {
      throw notElmo(value, zip, "it has no " + name);
    }
    try (InputStream in = z.getInputStream(e)) {
      return new String(in.readAllBytes(), StandardCharsets.UTF_8);
    }
  }

  private static IllegalArgumentException notElmo(String value, Path zip, String why) {
    return new IllegalArgumentException("elmo.warmStart = " + value + ": " + zip + " is not an elmo model archive ("
        + why + "). Fix: point elmo.warmStart at an elmo train run directory or its model.zip, or set it to \"\"");
  }
}
