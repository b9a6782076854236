package io.seqspark.spark.train;

import java.io.Serializable;
import java.util.HashMap;
import java.util.Map;

/**
 * What one averaging round sends to the driver: parameters and optimizer state (as {@link WeightedValues}, each
 * partition's float32 values weighted by its tokens), loss sums and counts, each partition's carried recurrent state
 * and step count, which optimizer state it kept (spark.optimizerState = local), and where its time went.
 */
public final class RoundResult implements Serializable {
  WeightedValues params;
  WeightedValues optimizer;
  double lossSum;
  long tokens;
  long sequences;
  long positions;
  int steps;
  /** The most steps one partition ran this round (combined by max). */
  int maxSteps;
  /** The longest time one partition spent in its TrainSteps this round (seconds); combined by max, not sum. */
  double maxComputeSeconds;
  /** The longest time one partition spent reading the round's broadcast (fetch and deserialise). */
  double maxReadSeconds;
  /** The longest time one partition spent from task start to its first step (broadcast read, loading values). */
  double maxSetupSeconds;
  double maxPackSeconds;
  /** Wall clock (ms since the epoch; the same clock on one host) of the earliest task start and latest task end. */
  long firstStartMillis = Long.MAX_VALUE;
  long lastEndMillis = Long.MIN_VALUE;
  /** Driver-side only: when the job was submitted and its aggregate came back, and the broadcast's cost. */
  transient long submitMillis;
  transient long collectedMillis;
  transient double driverBroadcastSeconds;
  final Map<Integer, double[][]> states = new HashMap<>();
  final Map<Integer, Long> stepCounts = new HashMap<>();
  /** spark.optimizerState = local: partition → {round key, attempt} of the optimizer state it kept on its executor. */
  final Map<Integer, long[]> optimizerTags = new HashMap<>();

  static RoundResult zero() {
    return new RoundResult();
  }

  /** Folds the parameters and optimizer state one level up the fixed tree ({@link WeightedValues#foldLevel}). */
  void foldLevel(int fanOut) {
    if (params != null) {
      params.foldLevel(fanOut);
    }
    if (optimizer != null) {
      optimizer.foldLevel(fanOut);
    }
  }

  /** Adds {@code o} into this result and returns it. */
  RoundResult plus(RoundResult o) {
    params = params == null ? o.params : params.plus(o.params);
    optimizer = optimizer == null ? o.optimizer : optimizer.plus(o.optimizer);
    lossSum += o.lossSum;
    tokens += o.tokens;
    sequences += o.sequences;
    positions += o.positions;
    steps += o.steps;
    maxSteps = Math.max(maxSteps, o.maxSteps);
    maxComputeSeconds = Math.max(maxComputeSeconds, o.maxComputeSeconds);
    maxReadSeconds = Math.max(maxReadSeconds, o.maxReadSeconds);
    maxSetupSeconds = Math.max(maxSetupSeconds, o.maxSetupSeconds);
    maxPackSeconds = Math.max(maxPackSeconds, o.maxPackSeconds);
    firstStartMillis = Math.min(firstStartMillis, o.firstStartMillis);
    lastEndMillis = Math.max(lastEndMillis, o.lastEndMillis);
    states.putAll(o.states);
    stepCounts.putAll(o.stepCounts);
    optimizerTags.putAll(o.optimizerTags);
    return this;
  }
}
