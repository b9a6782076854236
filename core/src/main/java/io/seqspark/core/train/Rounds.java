package io.seqspark.core.train;

import java.util.Map;

/**
 * How one round of training advances the model, for the shared {@link EpochLoop}: locally a round is one batch and
 * one optimizer step ({@link #local}); on Spark it is one parameter-averaging round in which every partition runs k
 * optimizer steps on its own batches (spark module). The loop owns epochs, budgets, validation, best model and
 * checkpoints; a {@code Rounds} owns only how a round is run and the state it carries between rounds.
 */
public interface Rounds {

  /**
   * One round's outcome.
   *
   * @param stats    loss sums of the round (all partitions together)
   * @param gradNorm mean gradient norm before clipping (NaN when not known, e.g. on Spark)
   * @param steps    optimizer steps the round advanced (1 locally; the most any partition ran on Spark)
   */
  record Round(StepStats stats, double gradNorm, int steps) {
  }

  /**
   * What comes before the first round of a run, fresh or resumed: the local rounds {@link Trainable#prepare} the model
   * on epoch 1's batches (Spark workers do it on the executors when they are built). Idempotent; the first
   * {@link #startEpoch} calls it if nobody did, so a caller may call it first to time it apart from the training.
   */
  default void prepare() {
  }

  /** Called before the first round run in {@code epoch}; {@code fresh}: the epoch starts at its first round. */
  void startEpoch(int epoch, boolean fresh);

  /**
   * Runs round {@code round} of {@code epoch} at learning rate {@code lr}; {@code stepsBefore} optimizer steps have run.
   * Returns null when the epoch has no such round (it is complete).
   */
  Round run(int epoch, int round, double lr, long stepsBefore);

  /**
   * The plateau factor on the schedule's learning rate from now on (1 until train.plateauDecay first lowers it). The
   * local rounds take their rate from {@link #run}'s {@code lr}, which already carries it; rounds whose workers read
   * the schedule themselves (Spark) must apply it.
   */
  default void learningRateFactor(double factor) {
  }

  /** Rounds in {@code epoch}, or -1 when only running them tells (Spark: partitions batch on the executors). */
  int rounds(int epoch);

  /** State beyond the driver's model and optimizer that a checkpoint must hold to resume exactly (Spark partitions). */
  default Map<String, double[]> exportState() {
    return Map.of();
  }

  /** Restores what {@link #exportState()} returned. */
  default void importState(Map<String, double[]> state) {
  }

  /** Releases what the rounds hold (sockets, cached data). */
  default void close() {
  }

  /** The local trainer's rounds: round k of an epoch is batch k of {@code train}, one {@link TrainStep}. */
  static <B extends io.seqspark.core.data.Minibatch> Rounds local(TrainStep<B> step, BatchSource<B> train, long seed) {
    return new Rounds() {
      private boolean prepared;

      @Override
      public void prepare() {
        if (!prepared) {
          prepared = true;
          Trainable.prepare(step.model(), train);
        }
      }

      @Override
      public void startEpoch(int epoch, boolean fresh) {
        prepare();
        step.model().setCarryState(train.carriesState());
        if (fresh) {
          step.model().resetState();
        }
      }

      @Override
      public Round run(int epoch, int round, double lr, long stepsBefore) {
        if (round >= train.numBatches(epoch)) {
          return null;
        }
        TrainStep.Result r = step.run(train.batch(epoch, round), lr, stepsBefore + 1, seed);
        return new Round(r.stats(), r.gradNorm(), 1);
      }

      @Override
      public int rounds(int epoch) {
        return train.numBatches(epoch);
      }
    };
  }
}
