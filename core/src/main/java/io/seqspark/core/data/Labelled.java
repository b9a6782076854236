package io.seqspark.core.data;

import java.util.Arrays;

/**
 * A labelled example as ONE int array: its token ids followed by its class id. Classification data travels in this
 * form through batching and Spark shards (which hold plain int arrays), so labels need no parallel structure.
 */
public final class Labelled {
  private Labelled() {
  }

  public static int[] encode(int[] tokens, int label) {
    int[] out = Arrays.copyOf(tokens, tokens.length + 1);
    out[tokens.length] = label;
    return out;
  }

  /** Tokens of an encoded example. */
  public static int length(int[] example) {
    return example.length - 1;
  }

  public static int label(int[] example) {
    return example[example.length - 1];
  }

  public static int[] tokens(int[] example) {
    return Arrays.copyOf(example, example.length - 1);
  }

  /** The class id of each row of a {@link SentenceBatcher.Layout#CLASSIFICATION} batch: the target at its last real step. */
  public static int[] labels(Batch batch) {
    int[] out = new int[batch.rows()];
    for (int r = 0; r < out.length; r++) {
      out[r] = batch.targets()[(batch.lengths()[r] - 1) * batch.rows() + r];
    }
    return out;
  }
}
