package io.seqspark.core.train;

/**
 * The local training loop (development, tests, one machine). In ten lines:
 * <pre>
 *   for epoch e from pos.epoch to epochs:
 *     lr = schedule(e); if starting the epoch: model.resetState()
 *     for batch k from pos.batch: result = step.run(train.batch(e, k), lr, ++stepCount)
 *       listener.onStep(...); every checkpointEverySteps: checkpoint
 *     valid = Evaluation.run(model, valid); listener.onEpoch(...); checkpoint (best if valid improved)
 * </pre>
 * Spark's parameter averaging runs the same {@link TrainStep} on each worker.
 */
public final class Trainer {

  /**
   * Loop settings. {@code maxSteps} 0 = no limit; {@code checkpointEverySteps} 0 = only at epoch ends;
   * {@code maxSeconds} 0 = no limit, else the epoch running when the wall-clock budget is spent ends there (it is
   * validated and checkpointed as a finished epoch) and training stops.
   */
  public record Options(int epochs, LearningRate learningRate, long maxSteps, long seed, long checkpointEverySteps,
                        double maxSeconds) {
    /** Without a time budget. */
    public Options(int epochs, LearningRate learningRate, long maxSteps, long seed, long checkpointEverySteps) {
      this(epochs, learningRate, maxSteps, seed, checkpointEverySteps, 0);
    }
  }

  /** Observes training; all methods are optional. */
  public interface Listener {
    default void onStep(int epoch, int batch, int batchesInEpoch, long step, double lr, TrainStep.Result result) {
    }

    default void onEpoch(int epoch, long step, double lr, StepStats train, StepStats valid) {
    }

    /** A checkpoint was written at {@code location} (a path or URI). */
    default void onCheckpoint(String location, Position pos) {
    }
  }

  private final TrainStep step;
  private final BatchSource train;
  private final BatchSource valid;
  private final Options options;
  private final Checkpoints checkpoints;
  private final Listener listener;

  public Trainer(TrainStep step, BatchSource train, BatchSource valid, Options options, Checkpoints checkpoints,
                 Listener listener) {
    this.step = step;
    this.train = train;
    this.valid = valid;
    this.options = options;
    this.checkpoints = checkpoints;
    this.listener = listener == null ? new Listener() { } : listener;
  }

  /** Trains from {@code pos} (use {@link Position#start()} for a new run) and returns where it stopped. */
  public Position run(Position pos) {
    Trainable model = step.model();
    int epoch = pos.epoch();
    int k = pos.batch();
    long count = pos.step();
    double best = pos.bestValidLoss();
    long deadline = options.maxSeconds() > 0 ? System.nanoTime() + (long) (options.maxSeconds() * 1e9) : Long.MAX_VALUE;
    boolean outOfTime = false;
    // a run resumed mid-epoch keeps the carried state its checkpoint restored
    model.setCarryState(train.carriesState());
    for (; epoch <= options.epochs(); epoch++, k = 0) {
      double lr = options.learningRate().at(epoch);
      if (k == 0) {
        model.setCarryState(train.carriesState());
        model.resetState();
      }
      StepStats epochStats = StepStats.ZERO;
      int n = train.numBatches(epoch);
      for (; k < n; k++) {
        if (options.maxSteps() > 0 && count >= options.maxSteps()) {
          return new Position(epoch, k, count, best);
        }
        if (System.nanoTime() >= deadline) {
          outOfTime = true;
          break;
        }
        TrainStep.Result r = step.run(train.batch(epoch, k), lr, ++count, options.seed());
        epochStats = epochStats.plus(r.stats());
        listener.onStep(epoch, k, n, count, lr, r);
        boolean due = options.checkpointEverySteps() > 0 && count % options.checkpointEverySteps() == 0 && k + 1 < n;
        if (due && checkpoints != null) {
          Position p = new Position(epoch, k + 1, count, best);
          listener.onCheckpoint(checkpoints.save(step, p, false), p);
        }
      }
      StepStats v = null;
      if (valid != null) {
        v = Evaluation.run(model, valid);
      }
      boolean improved = v != null && (Double.isNaN(best) || v.meanLoss() < best);
      if (improved) {
        best = v.meanLoss();
      }
      listener.onEpoch(epoch, count, lr, epochStats, v);
      if (checkpoints != null) {
        Position p = new Position(epoch + 1, 0, count, best);
        listener.onCheckpoint(checkpoints.save(step, p, improved), p);
      }
      if (outOfTime) {
        return new Position(epoch + 1, 0, count, best);
      }
    }
    return new Position(epoch, 0, count, best);
  }
}
