package io.seqspark.core.task;

import io.seqspark.core.config.Settings;
import io.seqspark.core.data.Vocabulary;
import io.seqspark.core.io.Manifest;
import io.seqspark.core.model.BiLm;
import io.seqspark.core.model.ContextualWords;
import io.seqspark.core.model.ElmoFeatures;
import io.seqspark.core.model.SentenceFeatureCache;
import io.seqspark.core.nn.InputFeatures;
import io.seqspark.core.nn.ParamStore;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Function;
import org.nd4j.linalg.api.buffer.DataType;

/**
 * {@code model.contextual}: the tagger's and the classifier's ELMo input (Peters et al. 2018, features at the input of
 * the task RNN). The downstream model REFERENCES the biLM: its {@link Dims} carry the archive's absolute path and
 * SHA-256 (labels {@code contextual}) and its vocabulary's words (labels {@code words}, to spell token ids for the
 * biLM), so the driver, the Spark executors and {@code eval}/{@code predict} all rebuild the same model from the
 * resolved config and the dims. A biLM archive that moved or changed fails with both paths/hashes and the fix
 * (docs/DECISIONS.md says why a reference and not a copy).
 */
public final class ContextualLm {
  /** Dims labels: [absolute path of the biLM's model.zip, its SHA-256]. */
  public static final String DIMS_KEY = "contextual";
  /** Dims labels: the downstream vocabulary's tokens by id, then the spellings of ids past it (tagger). */
  public static final String WORDS_KEY = "words";
  /** Dims labels: for each spelling past the vocabulary, the id of the embedding row it reads (decimal). */
  public static final String FALLBACKS_KEY = "wordFallbacks";

  /**
   * Words a task vocabulary lacks, each given an id past it so the biLM reads its spelling (the embedding reads
   * {@code fallbacks[i]}, the id it would have had: {@code <unk>} or its shape class). Built from the splits known at
   * training time and frozen in the dims.
   *
   * @param ids       key (the word as looked up) → id (vocabulary size + index)
   * @param spellings the keys in id order
   * @param fallbacks the embedding rows, in id order
   */
  public record Spellings(Map<String, Integer> ids, List<String> spellings, int[] fallbacks) {
    /** None. */
    public static final Spellings NONE = new Spellings(Map.of(), List.of(), new int[0]);

    /** The spellings a model of {@code dims} (vocabulary size {@code rows}) was trained with. */
    public static Spellings of(Dims dims, int rows) {
      if (!dims.labels().containsKey(FALLBACKS_KEY)) {
        return NONE;
      }
      List<String> words = dims.labels(WORDS_KEY);
      List<String> fb = dims.labels(FALLBACKS_KEY);
      Map<String, Integer> ids = new HashMap<>();
      int[] fallbacks = new int[fb.size()];
      for (int i = 0; i < fallbacks.length; i++) {
        ids.put(words.get(rows + i), rows + i);
        fallbacks[i] = Integer.parseInt(fb.get(i));
      }
      return new Spellings(ids, List.copyOf(words.subList(rows, words.size())), fallbacks);
    }

    /**
     * Gives each of the first {@code keys.size()} ids whose key has a spelling its spelling id (in place): the words a
     * vocabulary lacks keep their characters for the biLM.
     */
    public void respell(int[] ids, List<String> keys) {
      if (fallbacks.length == 0) {
        return;
      }
      for (int j = 0; j < keys.size(); j++) {
        Integer id = this.ids.get(keys.get(j));
        if (id != null) {
          ids[j] = id;
        }
      }
    }

    /** Collects: {@link #add} every (key, fallback id) whose id is not the word's own; then {@link #build}. */
    public static final class Builder {
      private final int rows;
      private final Map<String, Integer> ids = new java.util.LinkedHashMap<>();
      private final List<Integer> fallbacks = new ArrayList<>();

      public Builder(int rows) {
        this.rows = rows;
      }

      public Builder add(String key, int fallback) {
        if (!ids.containsKey(key)) {
          ids.put(key, rows + fallbacks.size());
          fallbacks.add(fallback);
        }
        return this;
      }

      public Spellings build() {
        return new Spellings(Map.copyOf(ids), List.copyOf(ids.keySet()),
            fallbacks.stream().mapToInt(Integer::intValue).toArray());
      }
    }
  }
  /** The mix's name in the downstream parameter buffer ({@code elmo.w}, {@code elmo.gamma}). */
  public static final String MIX_NAME = "elmo";

  private record Stamp(Path file, long size, long modified) {
  }

  private static final Map<Stamp, String> HASHES = new ConcurrentHashMap<>();
  // one biLM per thread: its layers keep per-call scratch, and Spark local[n] runs n tasks in one JVM
  private static final ThreadLocal<Map<String, Family.Loaded<BiLm>>> LOADED = ThreadLocal.withInitial(HashMap::new);

  private ContextualLm() {
  }

  /** The archive a model.contextual value names: an elmo train run directory's model.zip, or the file itself. */
  public static Path archive(String value) {
    Path p = Path.of(value);
    Path zip = Files.isDirectory(p) ? p.resolve("model.zip") : p;
    if (!Files.isRegularFile(zip)) {
      throw new IllegalArgumentException("model.contextual = " + value + ": " + (Files.isDirectory(p)
          ? "the directory has no model.zip (is the elmo run finished?)" : "no such file") + "; it must name an"
          + " elmo train run directory or its model.zip. Fix: point model.contextual at a finished elmo run, or set it"
          + " to \"\" for word embeddings only");
    }
    return zip.toAbsolutePath().normalize();
  }

  /** Fails (key, value, fix) when model.contextual names no elmo archive; nothing when it is "". */
  public static void check(io.seqspark.core.config.Settings s) {
    String value = s.getString("model.contextual");
    if (!value.isEmpty()) {
      archive(value);
    }
  }

  /** SHA-256 of {@code zip}, computed once per (path, size, modification time). */
  static String sha256(Path zip) throws IOException {
    Stamp st = new Stamp(zip, Files.size(zip), Files.getLastModifiedTime(zip).toMillis());
    String h = HASHES.get(st);
    if (h == null) {
      h = Manifest.sha256(zip);
      HASHES.put(st, h);
    }
    return h;
  }

  /** {@code dims} plus what model.contextual {@code value} needs (nothing when ""): the biLM reference and the words. */
  public static Dims withContextual(String value, Dims dims, Vocabulary vocabulary) {
    return withContextual(value, dims, vocabulary, Spellings.NONE);
  }

  /** As above, with the spellings of words past the vocabulary (the tagger's). */
  public static Dims withContextual(String value, Dims dims, Vocabulary vocabulary, Spellings spellings) {
    if (value.isEmpty()) {
      return dims;
    }
    Path zip = archive(value);
    try {
      String hash = sha256(zip);
      load(zip, hash); // fails now, before any training, if it is not an elmo model
      List<String> words = new ArrayList<>(ElmoFamily.words(vocabulary));
      words.addAll(spellings.spellings());
      Dims d = dims.with(DIMS_KEY, List.of(zip.toString(), hash)).with(WORDS_KEY, words);
      if (spellings.fallbacks().length > 0) {
        List<String> fb = new ArrayList<>();
        for (int f : spellings.fallbacks()) {
          fb.add(Integer.toString(f));
        }
        d = d.with(FALLBACKS_KEY, fb);
      }
      return d;
    } catch (IOException e) {
      throw new UncheckedIOException("model.contextual = " + value + ": cannot read " + zip, e);
    }
  }

  /** Whether a model of {@code dims} reads ELMo features. */
  public static boolean present(Dims dims) {
    return dims.labels().containsKey(DIMS_KEY);
  }

  /**
   * The extra input of a downstream model of {@code dims} (null without model.contextual): the referenced biLM,
   * checked against the SHA-256 it had when the model was trained, and a fresh mix (model.contextualLayerNorm) with
   * its dropout (model.contextualDropout), initial scale (model.contextualScale) and, with
   * model.contextualCacheMb, a cache of the biLM's layers per sentence of its own; with model.contextualOutput, a
   * second mix for the output side of the model's recurrent stack.
   */
  public static Function<ParamStore.Builder, InputFeatures> features(Settings s, Dims dims, DataType dtype) {
    if (!present(dims)) {
      return null;
    }
    List<String> ref = dims.labels(DIMS_KEY);
    Family.Loaded<BiLm> lm = load(Path.of(ref.get(0)), ref.get(1));
    List<String> words = dims.labels(WORDS_KEY);
    int[] fallbacks = Spellings.of(dims, dims.size("vocabulary")).fallbacks();
    int[] starts = ElmoFamily.starts(lm.settings());
    boolean layerNorm = s.getBoolean("model.contextualLayerNorm");
    double dropout = s.getDouble("model.contextualDropout");
    double scale = s.getDouble("model.contextualScale");
    long cacheMb = s.getLong("model.contextualCacheMb");
    boolean atOutput = s.getBoolean("model.contextualOutput");

    return pb -> new ContextualWords(new ElmoFeatures(lm.model(), lm.vocabulary(), starts, pb, MIX_NAME, layerNorm,
        dropout, scale,
        cacheMb == 0 ? null : new SentenceFeatureCache(cacheMb << 20), atOutput, dtype), words, fallbacks);
  }

  /** The biLM at {@code zip}, which must still hash to {@code sha256}. */
  static Family.Loaded<BiLm> load(Path zip, String sha256) {
    if (!Files.isRegularFile(zip)) {
      throw new IllegalStateException("this model reads ELMo features from the biLM " + zip + " (model.contextual),"
          + " which is missing. Fix: put that elmo model.zip (SHA-256 " + sha256 + ") back at that path");
    }
    try {
      String now = sha256(zip);
      if (!now.equals(sha256)) {
        throw new IllegalStateException("this model reads ELMo features from the biLM " + zip + " (model.contextual),"
            + " which changed since the model was trained: SHA-256 " + now + ", trained with " + sha256 + ". Its"
            + " features would not be the ones the model learned from. Fix: restore that archive, or retrain the model");
      }
      Map<String, Family.Loaded<BiLm>> cache = LOADED.get();
      Family.Loaded<BiLm> lm = cache.get(sha256);
      if (lm == null) {
        lm = ElmoFamily.load(zip);
        cache.put(sha256, lm);
      }
      return lm;
    } catch (IOException e) {
      throw new UncheckedIOException("model.contextual: cannot read the biLM " + zip, e);
    }
  }
}
