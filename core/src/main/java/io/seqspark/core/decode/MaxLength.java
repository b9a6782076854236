package io.seqspark.core.decode;

/**
 * How many tokens before {@code </s>} a beam search may emit for each input: one absolute limit, or one per input
 * (for translation, a ratio of the source length, as {@link #ratio}).
 */
@FunctionalInterface
public interface MaxLength {

  /** The limit for input {@code input} (its index in the decoder's first batch), &gt;= 0. */
  int forInput(int input);

  /** The same limit for every input. */
  static MaxLength of(int tokens) {
    Sampler.require(tokens >= 0, "maxLength", tokens, ">= 0");
    return input -> tokens;
  }

  /**
   * {@code min(cap, floor(a · sourceLengths[input] + b))} per input, never below 0: fairseq's max_len_a / max_len_b
   * with an absolute cap.
   */
  static MaxLength ratio(double a, int b, int[] sourceLengths, int cap) {
    Sampler.require(a >= 0 && Double.isFinite(a), "maxLength ratio", a, ">= 0 and finite");
    Sampler.require(cap >= 0, "maxLength cap", cap, ">= 0");
    int[] lengths = sourceLengths.clone();
    return input -> (int) Math.max(0, Math.min(cap, Math.floor(a * lengths[input] + b)));
  }
}
