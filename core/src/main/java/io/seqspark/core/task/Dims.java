package io.seqspark.core.task;

import java.io.Serializable;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * What a family's model needs to know of its data besides the configuration: sizes (vocabulary, classes) and label
 * names (class labels, tags). It travels to Spark executors, which build the model from the config and these, and is
 * stored in every archive's manifest (key {@code dims}), from which {@code eval} and {@code predict} rebuild the model.
 *
 * @param sizes  named sizes, e.g. vocabulary = 10000
 * @param labels named label lists, e.g. labels = [ham, spam]
 */
public record Dims(Map<String, Integer> sizes, Map<String, List<String>> labels) implements Serializable {

  public Dims {
    sizes = new LinkedHashMap<>(sizes);
    labels = new LinkedHashMap<>(labels);
  }

  /** Only a vocabulary size. */
  public static Dims ofVocabulary(int vocabulary) {
    return new Dims(Map.of("vocabulary", vocabulary), Map.of());
  }

  /** The same with one more size. */
  public Dims with(String name, int size) {
    Map<String, Integer> s = new LinkedHashMap<>(sizes);
    s.put(name, size);
    return new Dims(s, labels);
  }

  /** The same with one more label list. */
  public Dims with(String name, List<String> values) {
    Map<String, List<String>> l = new LinkedHashMap<>(labels);
    l.put(name, List.copyOf(values));
    return new Dims(sizes, l);
  }

  /** A size that must be present. */
  public int size(String name) {
    Integer v = sizes.get(name);
    if (v == null) {
      throw new IllegalArgumentException("model dimensions have no size '" + name + "' (have " + sizes.keySet() + ")");
    }
    return v;
  }

  /** A label list that must be present. */
  public List<String> labels(String name) {
    List<String> v = labels.get(name);
    if (v == null) {
      throw new IllegalArgumentException("model dimensions have no labels '" + name + "' (have " + labels.keySet() + ")");
    }
    return v;
  }

  /** As JSON-ready maps for a manifest. */
  public Map<String, Object> toMap() {
    Map<String, Object> m = new LinkedHashMap<>();
    m.put("sizes", sizes);
    m.put("labels", labels);
    return m;
  }

  /** Reads what {@link #toMap()} wrote; null if {@code o} is not such a map. */
  @SuppressWarnings("unchecked")
  public static Dims fromMap(Object o) {
    if (!(o instanceof Map<?, ?> m) || !(m.get("sizes") instanceof Map<?, ?> s)) {
      return null;
    }
    Map<String, Integer> sizes = new LinkedHashMap<>();
    s.forEach((k, v) -> sizes.put((String) k, ((Number) v).intValue()));
    Map<String, List<String>> labels = new LinkedHashMap<>();
    if (m.get("labels") instanceof Map<?, ?> l) {
      l.forEach((k, v) -> labels.put((String) k, new ArrayList<>((List<String>) v)));
    }
    return new Dims(sizes, labels);
  }
}
