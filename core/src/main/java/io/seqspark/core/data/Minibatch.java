package io.seqspark.core.data;

/**
 * What the training step and the loss bookkeeping need of any family's batch: its rows, its real (unmasked)
 * positions and its padded positions. Each family has its own batch type ({@link Batch} for token sequences, a
 * window batch for forecasting, ...); {@code Trainable<B>}, {@code TrainStep<B>} and {@code BatchSource<B>} are
 * generic in it.
 */
public interface Minibatch {
  /** Examples (sequences, windows) in the batch: the denominator of per-sequence losses. */
  int rows();

  /** Real (unmasked) positions: the denominator of per-token losses. */
  long tokens();

  /** Positions computed, padding included (steps × rows for a padded batch); equals {@link #tokens()} without padding. */
  long positions();
}
