package io.seqspark.core.nn;

import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * A sequence layer that can carry what it needs from one batch into the next (stream regime, truncated BPTT):
 * a recurrent layer carries its last state, a causal convolution the last inputs its kernel still reaches.
 */
public interface StatefulLayer extends SeqLayer {
  /**
   * Carry state from each batch into the next instead of starting from zeros. Does not clear a state already
   * carried or restored; {@link #resetState()} does.
   */
  void setCarryState(boolean carry);

  /** Forget the carried state: the next batch starts from zeros. */
  void resetState();

  /** The carried state, for checkpoints (empty when none). */
  INDArray[] carriedState();

  /** Restores what {@link #carriedState()} returned. */
  void restoreState(INDArray[] state);
}
