package io.seqspark.core.train;

import java.util.Map;
import java.util.function.Supplier;

/**
 * THE training loop, shared by the local trainer and the Spark trainer (which differ only in their {@link Rounds}):
 * <pre>
 *   for epoch e from pos.epoch to epochs:
 *     lr = schedule(e) · plateau factor; rounds.startEpoch(e, fresh = starting at round 0)
 *     for round r from pos.batch while the epoch has rounds:
 *       stop if train.maxSteps optimizer steps have run (checkpointed, so --resume with a larger budget goes on
 *       exactly); end the epoch if train.maxSeconds is spent
 *       run the round at the rate of its first step (lr, warmed up over train.warmupSteps); count its optimizer
 *       steps; listener.onStep
 *       when the step count crosses a multiple of run.checkpointEverySteps (and the epoch goes on): checkpoint
 *       when it crosses a multiple of train.validateEverySteps (and the epoch goes on): valid loss; listener.onValidate
 *     validate; the selection rule (train.selectBy) judges the epoch: best? lower the rate (plateau)? stop (early)?
 *     listener.onEpoch; checkpoint, as best when the epoch improved; stop if early stopping says so
 * </pre>
 * {@code train.maxSteps}, {@code train.maxSeconds} and {@code run.checkpointEverySteps} count optimizer steps in both
 * trainers; on Spark a round is k steps, so a budget ends at the first round boundary that reaches it. The selection
 * state (best value, epochs without improvement, learning-rate factor) is part of every checkpoint's
 * {@link Position}, so a resumed run decays and stops where the uninterrupted one does.
 */
public final class EpochLoop {

  /**
   * One validation pass: the loss sums and the family's metrics by name (valid_loss, valid_bleu, ...), from which
   * the selection rule reads its metric.
   */
  public record Validation(StepStats stats, Map<String, Object> metrics) {
    /** The value of {@code metric}: valid_loss is always the mean loss of {@link #stats()}. */
    public double metric(String metric) {
      if (metric.equals("valid_loss")) {
        return stats.meanLoss();
      }
      Object v = metrics.get(metric);
      if (!(v instanceof Number n)) {
        throw new IllegalArgumentException("train.selectBy = " + metric + ": the validation reports no such metric;"
            + " it reports " + String.join(", ", metrics.keySet()) + ". Set train.selectBy to one of them (lower is"
            + " better for names ending in _loss or _ppl, higher for the others)");
      }
      return n.doubleValue();
    }
  }

  private final TrainStep<?> step;
  private final Rounds rounds;
  private final Supplier<Validation> validate;
  private final Trainer.Options options;
  private final Checkpoints checkpoints;
  private final Trainer.Listener listener;

  /**
   * A loop that selects by the validation loss alone (train.selectBy = valid_loss).
   *
   * @param step        the driver's model and optimizer (checkpointed; validated)
   * @param validate    the validation loss of the current model, or null without a validation split
   */
  public EpochLoop(TrainStep<?> step, Rounds rounds, Supplier<StepStats> validate, Trainer.Options options,
                   Checkpoints checkpoints, Trainer.Listener listener) {
    this(step, rounds, validate == null ? null : () -> new Validation(validate.get(), Map.of()), options,
        checkpoints, listener, true);
  }

  /**
   * A loop whose validation also reports the family's metrics, any of which train.selectBy may name.
   *
   * @param step        the driver's model and optimizer (checkpointed; validated)
   * @param validate    the validation loss and metrics of the current model, or null without a validation split
   */
  public static EpochLoop withMetrics(TrainStep<?> step, Rounds rounds, Supplier<Validation> validate,
                                      Trainer.Options options, Checkpoints checkpoints, Trainer.Listener listener) {
    return new EpochLoop(step, rounds, validate, options, checkpoints, listener, true);
  }

  private EpochLoop(TrainStep<?> step, Rounds rounds, Supplier<Validation> validate, Trainer.Options options,
                    Checkpoints checkpoints, Trainer.Listener listener, boolean unused) {
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
  private Validation validateKeepingState(int epoch) {
    java.util.List<org.nd4j.linalg.api.ndarray.INDArray> carried = new java.util.ArrayList<>();
    for (org.nd4j.linalg.api.ndarray.INDArray a : step.model().state()) {
      carried.add(a == null ? null : a.dup());
    }
    Validation v = validate.get();
    rounds.startEpoch(epoch, false);
    step.model().restoreState(carried);
    return v;
  }

  /** Trains from {@code pos} (use {@link Position#start()} for a new run) and returns where it stopped. */
  public Position run(Position pos) {
    Selection.Rule rule = options.selection();
    Selection.State sel = pos.selection();
    if (sel.metric() != null && !sel.metric().equals(rule.metric())) {
      throw new IllegalArgumentException("train.selectBy = " + rule.metric() + ", but the checkpoint this run resumes"
          + " from selected by " + sel.metric() + ": its best value is not comparable. Resume with the run's own"
          + " config.conf, or start a new run");
    }
    int epoch = pos.epoch();
    int k = pos.batch();
    long count = pos.step();
    long deadline = options.maxSeconds() > 0 ? System.nanoTime() + (long) (options.maxSeconds() * 1e9) : Long.MAX_VALUE;
    boolean outOfTime = false;
    long every = options.checkpointEverySteps();
    for (; epoch <= options.epochs(); epoch++, k = 0) {
      double factor = sel.lrFactor();
      double lr = Selection.scale(options.learningRate().at(epoch), factor);
      rounds.learningRateFactor(factor);
      // a run resumed mid-epoch keeps the carried state its checkpoint restored
      rounds.startEpoch(epoch, k == 0);
      StepStats epochStats = StepStats.ZERO;
      int n = rounds.rounds(epoch);
      for (; n < 0 || k < n; k++) {
        if (options.maxSteps() > 0 && count >= options.maxSteps()) {
          Position p = new Position(epoch, k, count, sel);
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
        double stepLr = Selection.scale(options.learningRate().at(epoch, count + 1), factor);
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
          Position p = new Position(epoch, k + 1, count, sel);
          listener.onCheckpoint(checkpoints.save(step, p, false, rounds.exportState()), p);
        }
        long ve = options.validateEverySteps();
        if (validate != null && ve > 0 && count / ve > before / ve && (n < 0 || k + 1 < n)) {
          listener.onValidate(epoch, count, validateKeepingState(epoch));
        }
      }
      Validation v = validate == null ? null : validate.get();
      Selection.Outcome verdict = null;
      if (v != null) {
        verdict = Selection.observe(rule, sel, v.metric(rule.metric()));
        sel = verdict.next();
      }
      listener.onEpoch(epoch, count, lr, epochStats, v);
      if (verdict != null && (verdict.decayed() || verdict.stop())) {
        listener.onSelection(epoch, count, rule, verdict);
      }
      if (checkpoints != null) {
        Position p = new Position(epoch + 1, 0, count, sel);
        listener.onCheckpoint(checkpoints.save(step, p, verdict != null && verdict.improved(), rounds.exportState()),
            p);
      }
      if (outOfTime || (verdict != null && verdict.stop())) {
        return new Position(epoch + 1, 0, count, sel);
      }
    }
    return new Position(epoch, 0, count, sel);
  }
}
