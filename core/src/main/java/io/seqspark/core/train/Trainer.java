package io.seqspark.core.train;

/**
 * The local trainer (development, tests, one machine): the shared {@link EpochLoop} over {@link Rounds#local} rounds,
 * one batch and one {@link TrainStep} each. Spark's trainer runs the same loop over averaging rounds, and the same
 * TrainStep on each worker. Its {@link Options} and {@link Listener} are the loop's.
 */
public final class Trainer {

  /**
   * Loop settings. {@code maxSteps} 0 = no limit; {@code checkpointEverySteps} 0 = only at epoch ends;
   * {@code maxSeconds} 0 = no limit, else the epoch running when the wall-clock budget is spent ends there (it is
   * validated and checkpointed as a finished epoch) and training stops.
   */
  public record Options(int epochs, LearningRate learningRate, long maxSteps, long seed, long checkpointEverySteps,
                        double maxSeconds, long validateEverySteps) {
    /** Without a time budget. */
    public Options(int epochs, LearningRate learningRate, long maxSteps, long seed, long checkpointEverySteps) {
      this(epochs, learningRate, maxSteps, seed, checkpointEverySteps, 0, 0);
    }
  }

  /** Observes training; all methods are optional. */
  public interface Listener {
    default void onStep(int epoch, int batch, int batchesInEpoch, long step, double lr, TrainStep.Result result) {
    }

    default void onEpoch(int epoch, long step, double lr, StepStats train, StepStats valid) {
    }

    /** A validation within an epoch ({@code train.validateEverySteps}); it does not choose the kept parameters. */
    default void onValidate(int epoch, long step, StepStats valid) {
    }

    /** A checkpoint was written at {@code location} (a path or URI). */
    default void onCheckpoint(String location, Position pos) {
    }
  }

  private final EpochLoop loop;

  public <B extends io.seqspark.core.data.Minibatch> Trainer(TrainStep<B> step, BatchSource<B> train,
      BatchSource<B> valid, Options options, Checkpoints checkpoints, Listener listener) {
    this.loop = new EpochLoop(step, Rounds.local(step, train, options.seed()),
        valid == null ? null : () -> Evaluation.run(step.model(), valid), options, checkpoints, listener);
  }

  /** Trains from {@code pos} (use {@link Position#start()} for a new run) and returns where it stopped. */
  public Position run(Position pos) {
    return loop.run(pos);
  }
}
