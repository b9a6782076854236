package io.seqspark.core.train;

import java.util.Locale;

/**
 * What the epoch loop does with each epoch's validation: which parameters it keeps as the best
 * ({@code train.selectBy}), when it lowers the learning rate ({@code train.plateauDecay}, {@code plateauPatience})
 * and when it stops ({@code train.earlyStopPatience}). The rule is fixed for a run; the {@link State} travels in
 * every checkpoint's {@link Position}, so a resumed run decays and stops at the same epochs as an uninterrupted one.
 *
 * <p>Direction: a metric whose name ends in {@code _loss} or {@code _ppl} is minimised, every other metric
 * ({@code valid_bleu}, {@code valid_accuracy}, {@code valid_f1}, ...) maximised. An epoch improves when its value is
 * strictly better than the best so far (the first validated epoch always does).
 */
public final class Selection {
  private Selection() {
  }

  /**
   * The run's rule.
   *
   * @param metric            train.selectBy: the validation metric that picks the best parameters, e.g. valid_loss
   * @param plateauDecay      train.plateauDecay: factor on the learning rate after plateauPatience epochs without
   *                          improvement, in [0, 1); 0 = off
   * @param plateauPatience   train.plateauPatience: epochs without improvement before each decay (counted afresh
   *                          after each decay and each improvement)
   * @param earlyStopPatience train.earlyStopPatience: stop after this many epochs in a row without improvement; 0 = off
   */
  public record Rule(String metric, double plateauDecay, int plateauPatience, int earlyStopPatience)
      implements java.io.Serializable {
    /** Keep the lowest validation loss; never decay or stop on a plateau (the loop's behaviour before these keys). */
    public static final Rule DEFAULT = new Rule("valid_loss", 0, 1, 0);

    public Rule {
      if (metric == null || !metric.matches("valid_[A-Za-z0-9_]+")) {
        throw new IllegalArgumentException("train.selectBy = " + metric + ": must name a validation metric, valid_"
            + "<name> as metrics.jsonl spells it (valid_loss, valid_bleu, valid_accuracy, ...); set e.g. "
            + "train.selectBy = valid_loss");
      }
      if (!(plateauDecay >= 0 && plateauDecay < 1)) {
        throw new IllegalArgumentException("train.plateauDecay = " + plateauDecay + ": must be in [0, 1) (the factor"
            + " on the learning rate at a plateau; 0 = off); e.g. 0.5 halves it");
      }
      if (plateauPatience < 1) {
        throw new IllegalArgumentException("train.plateauPatience = " + plateauPatience + ": must be int >= 1 (epochs"
            + " without improvement before the learning rate is lowered)");
      }
      if (earlyStopPatience < 0) {
        throw new IllegalArgumentException("train.earlyStopPatience = " + earlyStopPatience + ": must be int >= 0"
            + " (epochs without improvement before training stops; 0 = never)");
      }
    }

    /** Whether larger values are better: every metric except those ending in _loss or _ppl. */
    public boolean maximised() {
      String m = metric.toLowerCase(Locale.ROOT);
      return !(m.endsWith("_loss") || m.endsWith("_ppl"));
    }

    /** Whether this rule does anything beyond keeping the lowest validation loss. */
    public boolean isDefault() {
      return equals(DEFAULT);
    }

    /** Whether {@code value} improves on {@code best} (a NaN best: nothing validated yet, so yes; a NaN value: no). */
    public boolean improves(double value, double best) {
      if (Double.isNaN(best)) {
        return true; // as the loop always did, even for a NaN first value
      }
      return !Double.isNaN(value) && (maximised() ? value > best : value < best);
    }
  }

  /**
   * Where selection stands.
   *
   * @param metric        the rule's metric the state was kept for (null before the first epoch of a run)
   * @param best          the best value so far (NaN if none)
   * @param badEpochs     validated epochs in a row without improvement (early stopping counts these)
   * @param plateauEpochs epochs without improvement since the last improvement or decay (the plateau counts these)
   * @param lrFactor      the product of the decays so far: the factor on the schedule's learning rate (1 = none)
   */
  public record State(String metric, double best, int badEpochs, int plateauEpochs, double lrFactor) {
    /** Before any validation. */
    public static State initial() {
      return new State(null, Double.NaN, 0, 0, 1.0);
    }
  }

  /**
   * One epoch's verdict.
   *
   * @param next     the state after the epoch
   * @param improved the epoch's parameters are the new best
   * @param decayed  the learning rate was just lowered (next.lrFactor() is the new factor)
   * @param stop     early stopping: training ends after this epoch
   */
  public record Outcome(State next, boolean improved, boolean decayed, boolean stop) {
  }

  /** The verdict of {@code rule} on an epoch whose metric is {@code value}, from {@code state}. */
  public static Outcome observe(Rule rule, State state, double value) {
    if (rule.improves(value, state.best())) {
      return new Outcome(new State(rule.metric(), value, 0, 0, state.lrFactor()), true, false, false);
    }
    int bad = state.badEpochs() + 1;
    int plateau = state.plateauEpochs() + 1;
    double factor = state.lrFactor();
    boolean decayed = false;
    if (rule.plateauDecay() > 0 && plateau >= rule.plateauPatience()) {
      factor *= rule.plateauDecay();
      plateau = 0;
      decayed = true;
    }
    boolean stop = rule.earlyStopPatience() > 0 && bad >= rule.earlyStopPatience();
    return new Outcome(new State(rule.metric(), state.best(), bad, plateau, factor), false, decayed, stop);
  }

  /** {@code lr} times {@code factor}; exactly {@code lr} (same bits) while no decay has happened. */
  public static double scale(double lr, double factor) {
    return factor == 1.0 ? lr : lr * factor;
  }
}
