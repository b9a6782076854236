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
}
