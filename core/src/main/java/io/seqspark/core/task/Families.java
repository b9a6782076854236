package io.seqspark.core.task;

import io.seqspark.core.io.ModelArchive;
import io.seqspark.core.train.Trainable;
import java.io.IOException;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The registry of model families, by name. The CLI, the Spark trainer (executors look the family up by the name the
 * driver ships) and archive loading all go through here; adding a family is one class, one line here, a preset and
 * its tests.
 */
public final class Families {
  private static final Map<String, Family<?, ?, ?>> BY_NAME = new LinkedHashMap<>();

  static {
    register(LanguageModelFamily.INSTANCE);
    register(ClassifierFamily.INSTANCE);
    register(TaggerFamily.INSTANCE);
    register(TranslateFamily.INSTANCE);
    register(ElmoFamily.INSTANCE);
  }

  private Families() {
  }

  private static void register(Family<?, ?, ?> f) {
    BY_NAME.put(f.name(), f);
  }

  /** The registered names, in registration order. */
  public static List<String> names() {
    return List.copyOf(BY_NAME.keySet());
  }

  /** The family called {@code name}; fails naming the known ones. */
  public static Family<?, ?, ?> get(String name) {
    Family<?, ?, ?> f = BY_NAME.get(name);
    if (f == null) {
      throw new IllegalArgumentException("no model family '" + name + "'; known: " + names());
    }
    return f;
  }

  /** Loads any family's {@code model.zip} (or a run directory holding one), checking that it is of {@code expected}. */
  public static <M extends Trainable<?>> Family.Loaded<M> load(Path archive, Family<?, ?, M> expected) throws IOException {
    Family.Loaded<?> l = load(archive);
    if (l.family() != expected) {
      throw new IllegalArgumentException(archive + " holds a '" + l.family().name() + "' model, not a '" + expected.name()
          + "' one: use seqspark " + l.family().name() + " with it, or point --model at a " + expected.name() + " run");
    }
    @SuppressWarnings("unchecked")
    Family.Loaded<M> typed = (Family.Loaded<M>) l;
    return typed;
  }

  /** Loads any family's {@code model.zip}: the family is the one the manifest names (older archives: inferred). */
  public static Family.Loaded<?> load(Path archive) throws IOException {
    ModelArchive.Contents c = ModelArchive.read(archive);
    Object name = c.manifest().get("family");
    Family<?, ?, ?> f = name instanceof String n ? get(n)
        : c.manifest().get("labels") instanceof List<?> ? ClassifierFamily.INSTANCE : LanguageModelFamily.INSTANCE;
    return rebuild(f, archive, c);
  }

  private static <M extends Trainable<?>> Family.Loaded<M> rebuild(Family<?, ?, M> f, Path archive,
                                                                  ModelArchive.Contents c) {
    Dims dims = Dims.fromMap(c.manifest().get("dims"));
    if (dims == null) {
      dims = f.legacyDims(c);
    }
    M m = f.model(c.settings(), dims);
    ModelArchive.checkLayout(archive, c.layout(), m.params());
    m.params().setParams(c.params());
    return new Family.Loaded<>(f, c.settings(), c.vocabulary(), dims, c.manifest(), c.files(), m);
  }
}
