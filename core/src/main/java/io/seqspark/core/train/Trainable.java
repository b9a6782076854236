package io.seqspark.core.train;

import io.seqspark.core.data.Minibatch;
import io.seqspark.core.nn.ParamStore;
import java.util.List;
import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * A model family as the training step sees it. Every family (language model, classifier, seq2seq, ...) implements
 * this once, and the same {@link TrainStep} then trains it locally and on every Spark worker.
 *
 * @param <B> the family's batch type
 */
public interface Trainable<B extends Minibatch> {

  /** The flat parameters and gradients. */
  ParamStore params();

  /**
   * Forward and backward on one batch: ADDS {@code gradScale · ∂(loss sum)/∂θ} into {@code params().grads()}.
   *
   * @param stepSeed seed of this step's random streams (dropout)
   */
  StepStats forwardBackward(B batch, double gradScale, long stepSeed);

  /** Forward only (no dropout, no gradients). */
  StepStats evaluate(B batch);

  /** Whether recurrent state is carried from one batch to the next (truncated BPTT over a stream); keeps current state. */
  default void setCarryState(boolean carry) {
  }

  /** Forget carried state. */
  default void resetState() {
  }

  /** Carried state for a checkpoint (empty if none). */
  default List<INDArray> state() {
    return List.of();
  }

  /** Restores what {@link #state()} returned. */
  default void restoreState(List<INDArray> state) {
  }

  /** Whether the model keeps something of the batches it trains on (frozen features), so the loops {@link #prepare}. */
  default boolean keepsBatches() {
    return false;
  }

  /** Computes and keeps what the model keeps of a training batch; reads and changes no trainable parameter. */
  default void keep(B batch) {
  }

  /** What {@link #keep} has kept so far, in one line for the run's log ("" when nothing is kept). */
  default String kept() {
    return "";
  }

  /**
   * Before the first step of a run, fresh or resumed (the local rounds and every Spark worker): {@link #keep} each
   * batch of epoch 1 of {@code source}, in order. What is kept is then the same wherever the run starts, so a resumed
   * run repeats the uninterrupted one; and epoch 1's batches see exactly what they would have computed themselves.
   */
  static <B extends io.seqspark.core.data.Minibatch> void prepare(Trainable<B> model, BatchSource<B> source) {
    if (!model.keepsBatches()) {
      return;
    }
    for (int k = 0; k < source.numBatches(1); k++) {
      model.keep(source.batch(1, k));
    }
  }
}
