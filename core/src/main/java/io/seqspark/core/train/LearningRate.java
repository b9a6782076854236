package io.seqspark.core.train;

/**
 * Step decay by epoch (Zaremba et al.), after an optional linear warm-up over the first optimizer steps:
 * {@code lr(e, s) = base · decay^max(0, e − after) · min(1, s / warmupSteps)} for 1-based epoch e and 1-based
 * optimizer step s. With {@code warmupSteps = 0} it is {@code lr(e)} exactly, whatever the step. The local trainer and
 * every Spark partition read the same schedule, so both take the same learning rate at the same optimizer step.
 *
 * @param base        train.learningRate
 * @param decay       train.lrDecay
 * @param after       train.lrDecayAfterEpoch
 * @param warmupSteps train.warmupSteps (0 = no warm-up)
 */
public record LearningRate(double base, double decay, int after, long warmupSteps) implements java.io.Serializable {

  /** Without a warm-up. */
  public LearningRate(double base, double decay, int after) {
    this(base, decay, after, 0);
  }

  public LearningRate {
    if (warmupSteps < 0) {
      throw new IllegalArgumentException("train.warmupSteps = " + warmupSteps + ": must be int >= 0; set 0 for no warm-up");
    }
  }

  /** The epoch's rate, before any warm-up. */
  public double at(int epoch) {
    return base * Math.pow(decay, Math.max(0, epoch - after));
  }

  /** The rate of optimizer step {@code step} (1-based, counted over the whole run) in {@code epoch}. */
  public double at(int epoch, long step) {
    double lr = at(epoch);
    return warmupSteps > 0 && step < warmupSteps ? lr * ((double) Math.max(step, 1) / warmupSteps) : lr;
  }
}
