package io.seqspark.core.nn;

import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * Extra per-token features a {@link TokenEncoder} concatenates to its word embedding before the recurrent stack (e.g.
 * ELMo's mixed biLM layers). Computed from the same time-major token ids; its trainable parameters, if any, live in the
 * model's buffer like every other layer's.
 */
public interface InputFeatures {
  /** Width of the features per position. */
  int outputSize();

  /** Features [T*B, outputSize] of time-major token ids (length T*B); zero at padded positions. */
  INDArray forward(int[] ids, Seq seq);

  /**
   * The ids the word embedding reads for {@code ids}: the same by default; features that give ids past the embedding
   * (words it has no row for, spelled for the features) map them back to a row.
   */
  default int[] embeddingIds(int[] ids) {
    return ids;
  }

  /** Adds the gradients of the feature's own parameters for ∂L/∂features {@code d} of the last forward. */
  void backward(INDArray d);

  /**
   * Width of the features these also give the encoder's OUTPUT side (concatenated to the recurrent stack's output,
   * e.g. ELMo at the output of the task RNN): 0 (none) by default.
   */
  default int atOutputSize() {
    return 0;
  }

  /** The output-side features [T*B, atOutputSize] of the last {@link #forward}; zero at padded positions. */
  default INDArray atOutput() {
    throw new UnsupportedOperationException("these features give nothing at the output side");
  }

  /** Adds the gradients of the output side's own parameters for ∂L/∂(output-side features) {@code d}. */
  default void backwardAtOutput(INDArray d) {
    throw new UnsupportedOperationException("these features give nothing at the output side");
  }

  /** Whether these features keep what they compute of the batches they see (a frozen model's output; see keep). */
  default boolean keeps() {
    return false;
  }

  /**
   * Computes and keeps, as {@link #forward} would for this batch, what these features keep of it (no trainable
   * parameter is read): the training loops call it for every batch of the first epoch, in order, before the first
   * step of a run, fresh or resumed (see {@link io.seqspark.core.train.Trainable#prepare}).
   */
  default void keep(int[] ids, Seq seq) {
  }

  /** What {@link #keep} has kept, in one line for the run's log ("" when nothing is kept). */
  default String kept() {
    return "";
  }
}
