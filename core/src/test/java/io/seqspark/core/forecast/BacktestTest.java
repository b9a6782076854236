package io.seqspark.core.forecast;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;

import io.seqspark.core.data.TimeSeries;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

class BacktestTest {
  private static int threads;

  @BeforeAll
  static void singleThreaded() {
    threads = Threads.set(1);
  }

  @AfterAll
  static void restoreThreads() {
    Threads.set(threads);
  }

  private static final double[] Y = {3, 5, 4, 6, 8, 7, 9, 11};

  @Test
  void persistence_repeatsTheLastObservedValue() {
    assertArrayEquals(new double[] {8, 8, 8}, Baselines.persistence(Y, 5, 3));
  }

  @Test
  void seasonalNaive_repeatsTheLastObservedSeason() {
    // season 2 from origin 5: y[3], y[4], then y[3] again (k=2 goes back two seasons)
    assertArrayEquals(new double[] {6, 8, 6}, Baselines.seasonalNaive(Y, 5, 3, 2));
    // season 3, horizon 4: y[2], y[3], y[4], y[2]
    assertArrayEquals(new double[] {4, 6, 8, 4}, Baselines.seasonalNaive(Y, 5, 4, 3));
  }

  @Test
  void metrics_matchHandComputedValues() {
    // persistence from origin 5 forecasts 8, 8, 8 for actuals 7, 9, 11: errors 1, -1, -3
    ForecastMetrics m = ForecastMetrics.of(new double[][] {{8, 8, 8}}, new double[][] {{7, 9, 11}}, Y, 5);
    assertEquals(Math.sqrt(11.0 / 3), m.rmse(), 1e-12);
    assertEquals(5.0 / 3, m.mae(), 1e-12);
    // MASE scale: mean |Δy| over the training part y[0..5): (2 + 1 + 2 + 2) / 4 = 1.75
    assertEquals((5.0 / 3) / 1.75, m.mase(), 1e-12);
    assertEquals(3, m.count());
  }

  @Test
  void walkForward_foldsTileTheFutureWithoutOverlap() {
    List<WalkForward.Fold> folds = new WalkForward(10, 4, 0, 3).folds(20);
    // last complete window starts at 20 - 3 = 17
    assertEquals(List.of(new WalkForward.Fold(0, 10, 14), new WalkForward.Fold(1, 14, 18)), folds);
    assertEquals(1, new WalkForward(10, 4, 1, 3).folds(20).size());
  }

  @Test
  void windows_beforeAnOrigin_haveEveryTargetBeforeIt() {
    TimeSeries s = series(30, 1);
    Windows w = new Windows(s, Scaler.fit(s, 20), 4, 3);
    int[] o = w.originsBefore(20);
    assertEquals(4, o[0]);
    assertEquals(17, o[o.length - 1]); // targets 17, 18, 19
  }

  private static TimeSeries series(int n, long seed) {
    SplittableRandom rng = new SplittableRandom(seed);
    double[] y = new double[n];
    double[] x = new double[n];
    List<String> dates = new ArrayList<>();
    for (int t = 0; t < n; t++) {
      y[t] = 50 + 30 * Math.sin(t / 5.0) + 10 * rng.nextDouble();
      x[t] = rng.nextDouble();
      dates.add("t" + t);
    }
    return new TimeSeries("random", dates, List.of("y", "x"), new double[][] {y, x});
  }

  /**
   * The leakage test: a fold trained with origin 60 must be bit-for-bit the same model and scaler whatever the
   * series holds from step 60 on (target and covariate), while changing a value before the origin (the positive
   * control) changes both.
   */
  @Test
  void fold_neverTrainsOrScalesOnDataAfterItsOrigin() {
    TimeSeries s = series(100, 3);
    TimeSeries future = s;
    for (int t = 60; t < 100; t++) {
      future = future.withValue(0, t, 1e4 + t).withValue(1, t, -7);
    }
    for (ForecasterSpec.Decoder dec : ForecasterSpec.Decoder.values()) {
      ForecastOptions o = new ForecastOptions(null, "t", "y", List.of("x"), null, false, false, 6, 3, 60, 10, 1, 12, "lstm", dec, 0.5,
          4, 1, 3, 0.1, 2, 8, 0.01, 5, 9);
      Backtest.Trained a = Backtest.train(s, o, 60, 1, null);
      Backtest.Trained b = Backtest.train(future, o, 60, 1, null);
      assertArrayEquals(a.model().params().params().toFloatVector(), b.model().params().params().toFloatVector());
      assertArrayEquals(a.scaler().mean(), b.scaler().mean());
      assertArrayEquals(a.scaler().std(), b.scaler().std());
      // the fold's first test window reads only history before its origin: same forecast
      assertArrayEquals(Backtest.forecast(a, s, o, new int[] {60})[0], Backtest.forecast(b, future, o, new int[] {60})[0]);
      Backtest.Trained c = Backtest.train(s.withValue(0, 59, 1e4), o, 60, 1, null);
      assertFalse(java.util.Arrays.equals(a.model().params().params().toFloatVector(),
          c.model().params().params().toFloatVector()), "a value before the origin is training data");
      assertFalse(java.util.Arrays.equals(a.scaler().mean(), c.scaler().mean()));
    }
  }
}
