package io.seqspark.core.data;

import java.util.Collection;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeSet;

/**
 * The tag vocabulary of a sequence tagger: id 0 is {@link #UNKNOWN} (a tag the training data never showed, e.g. a rare
 * compound tag that only occurs in a dev file), then the distinct tags in sorted order, so the same tags always get
 * the same ids whatever order they were seen in. The model can never predict {@code <unk>} correctly (it is never a
 * training target), so an evaluation token with an unknown gold tag simply counts as an error. Frozen once built.
 */
public final class TagSet {
  /** The tag of id 0: any tag not in the set. */
  public static final String UNKNOWN = "<unk>";
  public static final int UNKNOWN_ID = 0;

  private final List<String> tags;
  private final Map<String, Integer> ids;

  private TagSet(List<String> tags) {
    this.tags = List.copyOf(tags);
    this.ids = new HashMap<>(tags.size() * 2);
    for (int i = 0; i < tags.size(); i++) {
      ids.put(tags.get(i), i);
    }
  }

  /**
   * The set of {@code tags} (repeats allowed, order ignored) plus {@link #UNKNOWN} at id 0.
   *
   * @throws IllegalArgumentException for an empty or blank tag, a tag with white space, or a tag spelled {@code <unk>}
   */
  public static TagSet of(Collection<String> tags) {
    TreeSet<String> sorted = new TreeSet<>();
    for (String t : tags) {
      check(t);
      sorted.add(t);
    }
    if (sorted.isEmpty()) {
      throw new IllegalArgumentException("a tag set needs at least one tag; the training data has none");
    }
    List<String> all = new java.util.ArrayList<>(sorted.size() + 1);
    all.add(UNKNOWN);
    all.addAll(sorted);
    return new TagSet(all);
  }

  /**
   * Restores a tag set from {@link #tags()} as saved with a model: {@code <unk>} first, then strictly ascending tags.
   */
  public static TagSet ofSaved(List<String> tags) {
    if (tags.isEmpty() || !tags.get(0).equals(UNKNOWN)) {
      throw new IllegalArgumentException("a saved tag set must start with " + UNKNOWN + ", got " + tags);
    }
    for (int i = 1; i < tags.size(); i++) {
      check(tags.get(i));
      if (i > 1 && tags.get(i - 1).compareTo(tags.get(i)) >= 0) {
        throw new IllegalArgumentException("a saved tag set must list its tags in ascending order without repeats; '"
            + tags.get(i - 1) + "' comes before '" + tags.get(i) + "'");
      }
    }
    return new TagSet(tags);
  }

  static void check(String tag) {
    if (tag == null || tag.isEmpty()) {
      throw new IllegalArgumentException("a tag must be non-empty, got " + (tag == null ? "null" : "''"));
    }
    if (tag.codePoints().anyMatch(Tokenizer::isSpace)) {
      throw new IllegalArgumentException("tag '" + tag + "' contains white space; a tag is one token");
    }
    if (tag.equals(UNKNOWN)) {
      throw new IllegalArgumentException("tag '" + UNKNOWN + "' is reserved for tags missing from the training data");
    }
  }

  /** Number of ids, {@code <unk>} included: the width of a tagger's output layer. */
  public int size() {
    return tags.size();
  }

  /** The id of {@code tag}, or {@link #UNKNOWN_ID} if the set does not contain it. */
  public int id(String tag) {
    Integer id = ids.get(tag);
    return id == null ? UNKNOWN_ID : id;
  }

  /** Whether {@code tag} has an id of its own (is not mapped to {@code <unk>}). */
  public boolean contains(String tag) {
    return ids.containsKey(tag);
  }

  /** The tag of {@code id}. */
  public String tag(int id) {
    if (id < 0 || id >= tags.size()) {
      throw new IllegalArgumentException("tag id " + id + " is outside the tag set (size " + tags.size() + ")");
    }
    return tags.get(id);
  }

  /** All tags, index = id ({@code <unk>} first): what a model archive stores. */
  public List<String> tags() {
    return tags;
  }

  @Override
  public String toString() {
    return "TagSet[size=" + tags.size() + "]";
  }
}
