package io.seqspark.spark.train;

import java.io.Serializable;
import java.util.HashMap;
import java.util.Map;

/**
 * What one averaging round sends to the driver: token-weighted SUMS of parameters and optimizer state (in double,
 * so that a single partition's values divide back bit-exactly), loss sums and counts, and each partition's carried
 * recurrent state and step count. Results combine by addition ({@link #plus}) in Spark's treeAggregate.
 */
public final class RoundResult implements Serializable {
  double[] weightedParams;
  double[] weightedOptimizer;
  double lossSum;
  long tokens;
  long sequences;
  long positions;
  int steps;
  /** The longest time one partition spent in its TrainSteps this round (seconds); combined by max, not sum. */
  double maxComputeSeconds;
  final Map<Integer, double[][]> states = new HashMap<>();
  final Map<Integer, Long> stepCounts = new HashMap<>();

  static RoundResult zero() {
    return new RoundResult();
  }

  /** Adds {@code o} into this result and returns it. */
  RoundResult plus(RoundResult o) {
    weightedParams = add(weightedParams, o.weightedParams);
    weightedOptimizer = add(weightedOptimizer, o.weightedOptimizer);
    lossSum += o.lossSum;
    tokens += o.tokens;
    sequences += o.sequences;
    positions += o.positions;
    steps += o.steps;
    maxComputeSeconds = Math.max(maxComputeSeconds, o.maxComputeSeconds);
    states.putAll(o.states);
    stepCounts.putAll(o.stepCounts);
    return this;
  }

  private static double[] add(double[] a, double[] b) {
    if (a == null) {
      return b;
    }
    if (b == null) {
      return a;
    }
    for (int i = 0; i < a.length; i++) {
      a[i] += b[i];
    }
    return a;
  }
}
