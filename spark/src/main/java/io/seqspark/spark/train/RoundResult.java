package io.seqspark.spark.train;

import java.io.Serializable;
import java.util.HashMap;
import java.util.Map;

/**
 * What one averaging round sends to the driver: parameters and optimizer state, loss sums and counts, and each
 * partition's carried recurrent state and step count. A partition sends its float32 values as they are ({@link
 * #params}, {@link #optimizer}; weight = its tokens), half the bytes of double sums (measured: ~600 ms of fixed cost
 * per round was mostly this traffic and the broadcast). Where two results meet ({@link #plus}, in treeAggregate) they
 * become token-weighted SUMS in double ({@link #weightedParams}); a result that met no other keeps the raw floats, so
 * one partition's parameters reach the driver bit-exactly.
 */
public final class RoundResult implements Serializable {
  /** One partition's values (null once combined, or when no partition contributed). */
  float[] params;
  float[] optimizer;
  /** Token-weighted sums of several partitions' values (null while a single partition's floats are held). */
  double[] weightedParams;
  double[] weightedOptimizer;
  double lossSum;
  long tokens;
  long sequences;
  long positions;
  int steps;
  /** The longest time one partition spent in its TrainSteps this round (seconds); combined by max, not sum. */
  double maxComputeSeconds;
  /** The longest time one partition spent from task start (broadcast read) to its first step, and after its last. */
  double maxSetupSeconds;
  double maxPackSeconds;
  final Map<Integer, double[][]> states = new HashMap<>();
  final Map<Integer, Long> stepCounts = new HashMap<>();

  static RoundResult zero() {
    return new RoundResult();
  }

  private boolean empty() {
    return params == null && weightedParams == null;
  }

  /** Adds {@code o} into this result and returns it. */
  RoundResult plus(RoundResult o) {
    if (empty()) {
      params = o.params;
      optimizer = o.optimizer;
      weightedParams = o.weightedParams;
      weightedOptimizer = o.weightedOptimizer;
    } else if (!o.empty()) {
      // two contributions meet: switch to token-weighted double sums (weights are the tokens before adding)
      weightedParams = addWeighted(weighted(weightedParams, params, tokens), o.weightedParams, o.params, o.tokens);
      weightedOptimizer = addWeighted(weighted(weightedOptimizer, optimizer, tokens), o.weightedOptimizer, o.optimizer,
          o.tokens);
      params = null;
      optimizer = null;
    }
    lossSum += o.lossSum;
    tokens += o.tokens;
    sequences += o.sequences;
    positions += o.positions;
    steps += o.steps;
    maxComputeSeconds = Math.max(maxComputeSeconds, o.maxComputeSeconds);
    maxSetupSeconds = Math.max(maxSetupSeconds, o.maxSetupSeconds);
    maxPackSeconds = Math.max(maxPackSeconds, o.maxPackSeconds);
    states.putAll(o.states);
    stepCounts.putAll(o.stepCounts);
    return this;
  }

  /** The weighted double form of a result: its sums, or its floats times its tokens. */
  private static double[] weighted(double[] sums, float[] values, long tokens) {
    if (sums != null) {
      return sums;
    }
    double[] out = new double[values.length];
    for (int i = 0; i < out.length; i++) {
      out[i] = (double) values[i] * tokens;
    }
    return out;
  }

  private static double[] addWeighted(double[] into, double[] sums, float[] values, long tokens) {
    if (sums != null) {
      for (int i = 0; i < into.length; i++) {
        into[i] += sums[i];
      }
    } else {
      for (int i = 0; i < into.length; i++) {
        into[i] += (double) values[i] * tokens;
      }
    }
    return into;
  }
}
