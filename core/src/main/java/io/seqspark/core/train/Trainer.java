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
   * validated and checkpointed as a finished epoch) and training stops; {@code selection}: which validated epoch is
   * the best, plateau decay and early stopping ({@link Selection}); {@code validateEverySteps} 0 = validate at epoch
   * ends only, else also every this many steps within an epoch (metrics only).
   */
  public record Options(int epochs, LearningRate learningRate, long maxSteps, long seed, long checkpointEverySteps,
                        double maxSeconds, Selection.Rule selection, long validateEverySteps) {
    /** Without a time budget. */
    public Options(int epochs, LearningRate learningRate, long maxSteps, long seed, long checkpointEverySteps) {
      this(epochs, learningRate, maxSteps, seed, checkpointEverySteps, 0);
    }

    /** Selecting by the validation loss, with no plateau decay or early stopping. */
    public Options(int epochs, LearningRate learningRate, long maxSteps, long seed, long checkpointEverySteps,
                   double maxSeconds) {
      this(epochs, learningRate, maxSteps, seed, checkpointEverySteps, maxSeconds, Selection.Rule.DEFAULT);
    }

    /** Without validation within epochs. */
    public Options(int epochs, LearningRate learningRate, long maxSteps, long seed, long checkpointEverySteps,
                   double maxSeconds, Selection.Rule selection) {
      this(epochs, learningRate, maxSteps, seed, checkpointEverySteps, maxSeconds, selection, 0);
    }

    public Options {
      if (selection == null) {
        throw new IllegalArgumentException("loop options need a selection rule; use Selection.Rule.DEFAULT");
      }
    }
  }

  /** Observes training; all methods are optional. */
  public interface Listener {
    default void onStep(int epoch, int batch, int batchesInEpoch, long step, double lr, TrainStep.Result result) {
    }

    default void onEpoch(int epoch, long step, double lr, StepStats train, StepStats valid) {
    }

    /**
     * An epoch ended; {@code valid} holds the validation loss and metrics (null without a validation split). By
     * default passes the loss on to {@link #onEpoch(int, long, double, StepStats, StepStats)}.
     */
    default void onEpoch(int epoch, long step, double lr, StepStats train, EpochLoop.Validation valid) {
      onEpoch(epoch, step, lr, train, valid == null ? null : valid.stats());
    }

    /** After {@code epoch}'s onEpoch: the selection rule lowered the learning rate or stops training. */
    default void onSelection(int epoch, long step, Selection.Rule rule, Selection.Outcome outcome) {
    }

    /** A validation within an epoch ({@code train.validateEverySteps}); it does not choose the kept parameters. */
    default void onValidate(int epoch, long step, EpochLoop.Validation valid) {
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
