package io.seqspark.core.forecast;

import java.util.ArrayList;
import java.util.List;

/**
 * Walk-forward (rolling-origin, expanding-window) validation. Fold k has origin O_k = initialTrain + k·step: its
 * model and scaler see only steps [0, O_k); it is then tested on every window whose origin lies in
 * [O_k, O_k + step) (each forecasting {@code horizon} steps from the true history before that origin), so the test
 * ranges of consecutive folds tile the future without overlap and no fold trains on what it is tested on.
 *
 * @param initialTrain steps before the first origin
 * @param step         steps between origins (and test origins per fold)
 * @param folds        most folds; 0 = as many as the series holds
 * @param horizon      forecast steps per window
 */
public record WalkForward(int initialTrain, int step, int folds, int horizon) {

  /** One fold: trained on [0, origin), tested on windows with origins in [origin, testEnd). */
  public record Fold(int index, int origin, int testEnd) {
    public int[] testOrigins() {
      int[] out = new int[testEnd - origin];
      for (int i = 0; i < out.length; i++) {
        out[i] = origin + i;
      }
      return out;
    }
  }

  public WalkForward {
    if (initialTrain < 1 || step < 1 || folds < 0 || horizon < 1) {
      throw new IllegalArgumentException("walk-forward needs initialTrain >= 1, step >= 1, folds >= 0, horizon >= 1;"
          + " got " + initialTrain + ", " + step + ", " + folds + ", " + horizon);
    }
  }

  /** The folds of a series of {@code length} steps; fails if not even one fits. */
  public List<Fold> folds(int length) {
    List<Fold> out = new ArrayList<>();
    int lastOrigin = length - horizon; // a complete test window
    for (int k = 0; folds == 0 || k < folds; k++) {
      int origin = initialTrain + k * step;
      if (origin > lastOrigin) {
        break;
      }
      out.add(new Fold(k, origin, Math.min(origin + step, lastOrigin + 1)));
    }
    if (out.isEmpty()) {
      throw new IllegalArgumentException("forecast.initialTrain = " + initialTrain + " leaves no complete test window"
          + " of forecast.horizon = " + horizon + " in a series of " + length + " steps; set forecast.initialTrain to"
          + " at most " + lastOrigin);
    }
    return out;
  }
}
