package io.seqspark.core.train;

import io.seqspark.core.config.Settings;
import io.seqspark.core.data.Minibatch;
import java.util.Locale;

/** Family-neutral training setup from the shared {@code train.*} keys: the optimizer, the step, the loop's options. */
public final class TrainSetup {
  private TrainSetup() {
  }

  /** The optimizer (train.optimizer, train.adam*) and training step (train.clipNorm, clipMode, lossScale) of a model. */
  public static <B extends Minibatch> TrainStep<B> step(Settings s, Trainable<B> m) {
    Optimizer opt = Optimizer.create(s.getString("train.optimizer"), m.params().size(), m.params().dtype(),
        s.getDouble("train.adamBeta1"), s.getDouble("train.adamBeta2"), s.getDouble("train.adamEpsilon"));
    TrainStep.LossScale scale = TrainStep.LossScale.valueOf(s.getString("train.lossScale").toUpperCase(Locale.ROOT));
    TrainStep.ClipMode clip = TrainStep.ClipMode.valueOf(s.getString("train.clipMode").toUpperCase(Locale.ROOT));
    return new TrainStep<>(m, opt, s.getDouble("train.clipNorm"), clip, scale);
  }

  /**
   * The loop's options: train.epochs, the LR schedule (learningRate, lrDecay, lrDecayAfterEpoch, warmupSteps),
   * train.maxSteps, seed, run.checkpointEverySteps, train.maxSeconds, the selection rule ({@link #selection}) and
   * train.validateEverySteps.
   */
  public static Trainer.Options loopOptions(Settings s) {
    return new Trainer.Options(s.getInt("train.epochs"), new LearningRate(s.getDouble("train.learningRate"),
        s.getDouble("train.lrDecay"), s.getInt("train.lrDecayAfterEpoch"), s.getLong("train.warmupSteps")),
        s.getLong("train.maxSteps"), s.getLong("seed"),
        s.getLong("run.checkpointEverySteps"), s.getDouble("train.maxSeconds"), selection(s),
        s.getLong("train.validateEverySteps"));
  }

  /** The selection rule: train.selectBy, plateauDecay, plateauPatience, earlyStopPatience. */
  public static Selection.Rule selection(Settings s) {
    return new Selection.Rule(s.getString("train.selectBy"), s.getDouble("train.plateauDecay"),
        s.getInt("train.plateauPatience"), s.getInt("train.earlyStopPatience"));
  }

  /** The seed of partition p's random streams: the run seed itself for partition 0, so one partition = local. */
  public static long partitionSeed(long seed, int partition) {
    return partition == 0 ? seed : TrainStep.stepSeed(seed, -1L - partition);
  }
}
