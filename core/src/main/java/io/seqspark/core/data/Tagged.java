package io.seqspark.core.data;

import java.util.Arrays;

/**
 * A tagged sentence as ONE int array: its n word ids followed by its n tag ids ({@code w1..wn t1..tn}). Tagging data
 * travels in this form through batching and Spark shards (which hold plain int arrays), like {@link Labelled}
 * classification examples, so tags need no parallel structure.
 */
public final class Tagged {
  private Tagged() {
  }

  /** Joins words and their tags; both must have the same length, at least 1. */
  public static int[] encode(int[] words, int[] tags) {
    if (words.length != tags.length || words.length == 0) {
      throw new IllegalArgumentException("a tagged sentence needs one tag per word and at least one word, got "
          + words.length + " words and " + tags.length + " tags");
    }
    int[] out = Arrays.copyOf(words, 2 * words.length);
    System.arraycopy(tags, 0, out, words.length, tags.length);
    return out;
  }

  /** Words (= tags) of an encoded sentence. */
  public static int length(int[] example) {
    if (example.length % 2 != 0) {
      throw new IllegalArgumentException("a tagged example holds words then tags, so its length must be even, got "
          + example.length + " (was it encoded by Tagged.encode?)");
    }
    return example.length / 2;
  }

  /** The word ids of an encoded sentence. */
  public static int[] words(int[] example) {
    return Arrays.copyOf(example, length(example));
  }

  /** The tag ids of an encoded sentence, one per word. */
  public static int[] tags(int[] example) {
    return Arrays.copyOfRange(example, length(example), example.length);
  }
}
