package io.seqspark.core.forecast;

import io.seqspark.core.data.Minibatch;
import java.io.Serializable;

/**
 * The forecaster's batch: B windows of T steps of F real-valued inputs, each with K target values (the horizon).
 * Windows have no padding: every step of every row is real.
 *
 * @param steps      T, history steps per window
 * @param rows       B, windows
 * @param features   F, values per step (the target, then covariates)
 * @param inputs     T*B*F values, time-major: feature f of step t of row r is at {@code (t * rows + r) * F + f}
 * @param outputs    K, target values per window
 * @param targets    B*K values, row-major: target k of row r is at {@code r * K + k}
 * @param exampleIds B window origins (the series step each window forecasts from)
 */
public record SeriesBatch(int steps, int rows, int features, float[] inputs, int outputs, float[] targets,
                          long[] exampleIds) implements Minibatch, Serializable {

  public SeriesBatch {
    if (steps < 1 || rows < 1 || features < 1 || outputs < 1) {
      throw new IllegalArgumentException("SeriesBatch needs steps, rows, features and outputs >= 1, got steps=" + steps
          + " rows=" + rows + " features=" + features + " outputs=" + outputs);
    }
    if (inputs.length != (long) steps * rows * features || targets.length != (long) rows * outputs
        || exampleIds.length != rows) {
      throw new IllegalArgumentException("SeriesBatch must hold steps*rows*features=" + (long) steps * rows * features
          + " inputs, rows*outputs=" + (long) rows * outputs + " targets and one id per row, got " + inputs.length
          + ", " + targets.length + " and " + exampleIds.length);
    }
  }

  /** The values the loss is counted over: B·K targets (so the mean loss is the MSE). */
  @Override
  public long tokens() {
    return (long) rows * outputs;
  }

  /** No padding: as many positions as target values. */
  @Override
  public long positions() {
    return tokens();
  }
}
