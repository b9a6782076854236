package io.seqspark.core.forecast;

import io.seqspark.core.data.TimeSeries;
import io.seqspark.core.train.BatchSource;
import java.util.Arrays;
import java.util.SplittableRandom;

/**
 * Sliding windows over a series. A window is named by its <b>origin</b> o, the first step it forecasts: it reads
 * the history steps [o − history, o) (target and covariates, scaled) and predicts the target at [o, o + horizon).
 *
 * @param series  the raw series
 * @param scaler  the fold's scaler
 * @param history T, input steps per window
 * @param horizon K, forecast steps per window
 * @param relative whether the target's inputs and outputs are taken relative to the window's last observed target
 *                 (scaled units): the model then forecasts changes from the last value, so a trend that leaves the
 *                 training range keeps the model's inputs in range
 */
public record Windows(TimeSeries series, Scaler scaler, int history, int horizon, boolean relative) {

  /** Windows of absolute (scaled) values. */
  public Windows(TimeSeries series, Scaler scaler, int history, int horizon) {
    this(series, scaler, history, horizon, false);
  }

  /** What is subtracted from the target in the window at {@code origin}: its last observed scaled value, or 0. */
  public double offset(int origin) {
    return relative ? scaler.scale(0, series.value(0, origin - 1)) : 0;
  }

  /** The origins of every complete window whose targets all lie before {@code end} (exclusive). */
  public int[] originsBefore(int end) {
    int first = history;
    int last = end - horizon; // inclusive: targets o..o+K-1 < end
    if (last < first) {
      return new int[0];
    }
    int[] out = new int[last - first + 1];
    for (int i = 0; i < out.length; i++) {
      out[i] = first + i;
    }
    return out;
  }

  /**
   * One batch of windows. Targets past the end of the series (a forecast of the unknown future) are 0 and must not
   * be read.
   */
  public SeriesBatch batch(int[] origins) {
    int rows = origins.length;
    int f = series.width();
    float[] x = new float[history * rows * f];
    float[] y = new float[rows * horizon];
    long[] ids = new long[rows];
    for (int r = 0; r < rows; r++) {
      int o = origins[r];
      if (o < history || o > series.length()) {
        throw new IllegalArgumentException("window origin " + o + " needs " + history + " steps of history within a"
            + " series of " + series.length() + " steps");
      }
      ids[r] = o;
      double off = offset(o);
      for (int t = 0; t < history; t++) {
        for (int c = 0; c < f; c++) {
          x[(t * rows + r) * f + c] = (float) (scaler.scale(c, series.value(c, o - history + t)) - (c == 0 ? off : 0));
        }
      }
      for (int k = 0; k < horizon && o + k < series.length(); k++) {
        y[r * horizon + k] = (float) (scaler.scale(0, series.value(0, o + k)) - off);
      }
    }
    return new SeriesBatch(history, rows, f, x, horizon, y, ids);
  }

  /** Shuffled mini-batches of the given windows, a fresh permutation per epoch drawn from (seed, epoch). */
  public BatchSource<SeriesBatch> shuffled(int[] origins, int batchSize, long seed) {
    int batches = (origins.length + batchSize - 1) / batchSize;
    return new BatchSource<>() {
      private int permutedFor = -1;
      private int[] permuted;

      @Override
      public int numBatches(int epoch) {
        return batches;
      }

      @Override
      public SeriesBatch batch(int epoch, int k) {
        if (permutedFor != epoch) {
          permuted = origins.clone();
          SplittableRandom rng = new SplittableRandom(seed * 31 + epoch);
          io.seqspark.core.math.Shuffle.inPlace(permuted, rng);
          permutedFor = epoch;
        }
        int from = k * batchSize;
        return Windows.this.batch(Arrays.copyOfRange(permuted, from, Math.min(permuted.length, from + batchSize)));
      }

      @Override
      public boolean carriesState() {
        return false;
      }
    };
  }

  /** The target's true values at [o, o + horizon) for each origin, in original units: [windows][K]. */
  public double[][] actuals(int[] origins) {
    double[][] out = new double[origins.length][horizon];
    for (int i = 0; i < origins.length; i++) {
      for (int k = 0; k < horizon; k++) {
        out[i][k] = series.value(0, origins[i] + k);
      }
    }
    return out;
  }
}
