package io.seqspark.core.train;

/**
 * THE training loop, shared by the local trainer and the Spark trainer (which differ only in their {@link Rounds}):
 * <pre>
 *   for epoch e from pos.epoch to epochs:
 *     lr = schedule(e); rounds.startEpoch(e, fresh = starting at round 0)
 *     for round r from pos.batch while the epoch has rounds:
 *       stop if train.maxSteps optimizer steps have run (checkpointed, so --resume with a larger budget goes on
 *       exactly); end the epoch if train.maxSeconds is spent
 *       run the round at the rate of its first step (lr, warmed up over train.warmupSteps); count its optimizer
 *       steps; listener.onStep
 *       when the step count crosses a multiple of run.checkpointEverySteps (and the epoch goes on): checkpoint
 *       when it crosses a multiple of train.validateEverySteps (and the epoch goes on): valid loss; listener.onValidate
 *     valid loss; listener.onEpoch; checkpoint, as best when the valid loss improved
 * </pre>
 * {@code train.maxSteps}, {@code train.maxSeconds} and {@code run.checkpointEverySteps} count optimizer steps in both
 * trainers; on Spark a round is k steps, so a budget ends at the first round boundary that reaches it.
 */
public final class EpochLoop {

  private final TrainStep<?> step;
  private final Rounds rounds;
  private final java.util.function.Supplier<StepStats> validate;
  private final Trainer.Options options;
  private final Checkpoints checkpoints;
  private final Trainer.Listener listener;

  /**
   * @param step        the driver's model and optimizer (checkpointed; validated)
   * @param validate    the validation loss of the current model, or null without a validation split
   */
  public EpochLoop(TrainStep<?> step, Rounds rounds, java.util.function.Supplier<StepStats> validate, Trainer.Options options,
                   Checkpoints checkpoints, Trainer.Listener listener) {
    this.step = step;
    this.rounds = rounds;
    this.validate = validate;
    this.options = options;
    this.checkpoints = checkpoints;
    this.listener = listener == null ? new Trainer.Listener() { } : listener;
  }

  /**
   * Validates within an epoch without disturbing training: evaluation resets the model's carried state (the stream
   * regime's hidden state), so the training state is copied first and restored after.
   */
  private StepStats validateKeepingState(int epoch) {
    java.util.List<org.nd4j.linalg.api.ndarray.INDArray> carried = new java.util.ArrayList<>();
    for (org.nd4j.linalg.api.ndarray.INDArray a : step.model().state()) {
      carried.add(a == null ? null : a.dup());
    }
    StepStats v = validate.get();
    rounds.startEpoch(epoch, false);
    step.model().restoreState(carried);
    return v;
  }

  /** Trains from {@code pos} (use {@link Position#start()} for a new run) and returns where it stopped. */
  public Position run(Position pos) {
    int epoch = pos.epoch();
    int k = pos.batch();
    long count = pos.step();
    double best = pos.bestValidLoss();
    long deadline = options.maxSeconds() > 0 ? System.nanoTime() + (long) (options.maxSeconds() * 1e9) : Long.MAX_VALUE;
    boolean outOfTime = false;
    long every = options.checkpointEverySteps();
    for (; epoch <= options.epochs(); epoch++, k = 0) {
      double lr = options.learningRate().at(epoch);
      // a run resumed mid-epoch keeps the carried state its checkpoint restored
      rounds.startEpoch(epoch, k == 0);
      StepStats epochStats = StepStats.ZERO;
      int n = rounds.rounds(epoch);
      for (; n < 0 || k < n; k++) {
        if (options.maxSteps() > 0 && count >= options.maxSteps()) {
          Position p = new Position(epoch, k, count, best);
          if (checkpoints != null && k > 0) {
            listener.onCheckpoint(checkpoints.save(step, p, false, rounds.exportState()), p);
          }
          return p;
        }
        if (System.nanoTime() >= deadline) {
          outOfTime = true;
          break;
        }
        // the rate of the round's first optimizer step: the epoch's rate after train.warmupSteps have run
        double stepLr = options.learningRate().at(epoch, count + 1);
        Rounds.Round r = rounds.run(epoch, k, stepLr, count);
        if (r == null) {
          break;
        }
        long before = count;
        count += r.steps();
        epochStats = epochStats.plus(r.stats());
        listener.onStep(epoch, k, n, count, stepLr, new TrainStep.Result(r.stats(), r.gradNorm()));
        boolean due = every > 0 && count / every > before / every && (n < 0 || k + 1 < n);
        if (due && checkpoints != null) {
          Position p = new Position(epoch, k + 1, count, best);
          listener.onCheckpoint(checkpoints.save(step, p, false, rounds.exportState()), p);
        }
        long ve = options.validateEverySteps();
        if (validate != null && ve > 0 && count / ve > before / ve && (n < 0 || k + 1 < n)) {
          listener.onValidate(epoch, count, validateKeepingState(epoch));
        }
      }
      StepStats v = validate == null ? null : validate.get();
      boolean improved = v != null && (Double.isNaN(best) || v.meanLoss() < best);
      if (improved) {
        best = v.meanLoss();
      }
      listener.onEpoch(epoch, count, lr, epochStats, v);
      if (checkpoints != null) {
        Position p = new Position(epoch + 1, 0, count, best);
        listener.onCheckpoint(checkpoints.save(step, p, improved, rounds.exportState()), p);
      }
      if (outOfTime) {
        return new Position(epoch + 1, 0, count, best);
      }
    }
    return new Position(epoch, 0, count, best);
  }
}
