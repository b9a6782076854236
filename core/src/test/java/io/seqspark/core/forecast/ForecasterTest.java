package io.seqspark.core.forecast;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.seqspark.core.data.TimeSeries;
import io.seqspark.core.nn.GradientCheck;
import java.util.List;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;

class ForecasterTest {
  private static int threads;

  @org.junit.jupiter.api.BeforeAll
  static void singleThreaded() {
    threads = Threads.set(1);
  }

  @org.junit.jupiter.api.AfterAll
  static void restoreThreads() {
    Threads.set(threads);
  }

  /** A random value batch: T=4 steps, B=3 rows, F=2 features, K=3 targets. */
  private static SeriesBatch randomBatch(int features, int horizon) {
    int steps = 4;
    int rows = 3;
    SplittableRandom rng = new SplittableRandom(11);
    float[] x = new float[steps * rows * features];
    float[] y = new float[rows * horizon];
    for (int i = 0; i < x.length; i++) {
      x[i] = (float) (rng.nextDouble() * 2 - 1);
    }
    for (int i = 0; i < y.length; i++) {
      y[i] = (float) (rng.nextDouble() * 2 - 1);
    }
    return new SeriesBatch(steps, rows, features, x, horizon, y, new long[rows]);
  }

  /**
   * forwardBackward runs an autoregressive decoder's recorded unrolled steps, trainingLoss its inference steps: both
   * give the same loss, and finite differences of the second check the first's gradient.
   */
  private static void gradientCheck(ForecasterSpec spec) {
    Forecaster m = new Forecaster(spec, DataType.DOUBLE, 3);
    SeriesBatch b = randomBatch(spec.features(), spec.horizon());
    long seed = 77;
    m.params().zeroGrads();
    double loss = m.forwardBackward(b, 1.0, seed).lossSum();
    INDArray analytic = m.params().grads().dup();
    assertEquals(loss, m.trainingLoss(b, seed), 1e-12, "forward-only loss equals the training loss");
    GradientCheck.check(spec.encoder() + " " + spec.decoder(), m.params().params(), analytic,
        () -> m.trainingLoss(b, seed), 1);
  }

  @Test
  void directForecaster_lossGradientMatchesFiniteDifferences() {
    gradientCheck(new ForecasterSpec(2, 3, "lstm", 4, 2, ForecasterSpec.Decoder.DIRECT, 0, 0.5));
  }

  @Test
  void tcnEncoder_lossGradientMatchesFiniteDifferences_withBothDecoders() {
    // 2 blocks, kernel 2: receptive field 1 + 2·1·3 = 7 covers the 4 history steps
    assertEquals(2, ForecasterSpec.tcnLevels(4, 2));
    assertEquals(5, ForecasterSpec.tcnLevels(120, 3)); // 1 + 4·31 = 125 ≥ 120; 4 levels give 61
    gradientCheck(new ForecasterSpec(2, 3, "tcn", 3, 2, ForecasterSpec.Decoder.DIRECT, 0, 0.5, 2));
    gradientCheck(new ForecasterSpec(2, 3, "tcn", 3, 2, ForecasterSpec.Decoder.AUTOREGRESSIVE, 0.5, 0.5, 2));
  }

  /**
   * The flat-buffer layout an archive records: the direct forecaster's is what it always was; the autoregressive
   * decoder is the recurrent factory's Elman cell over [u_k, c] (1 + D inputs, D units) plus the read-out v, v0.
   */
  @Test
  void parameterLayout_directAsBefore_autoregressiveDecoderIsTheFactoryElmanCell() {
    String encoder = "gru0.Wx[2, 12], gru0.Wh[4, 8], gru0.b[1, 12], gru0.Ws[4, 4], gru1.Wx[4, 12], gru1.Wh[4, 8], "
        + "gru1.b[1, 12], gru1.Ws[4, 4], ";
    assertEquals(encoder + "head.W[4, 3], head.b[1, 3]", new Forecaster(new ForecasterSpec(2, 3, "gru", 4, 2,
        ForecasterSpec.Decoder.DIRECT, 0, 0.5), DataType.DOUBLE, 1).params().describe());
    assertEquals(encoder + "decoder.Wx[5, 4], decoder.Wh[4, 4], decoder.b[1, 4], decoder.v[4, 1], decoder.v0[1, 1]",
        new Forecaster(new ForecasterSpec(2, 3, "gru", 4, 2, ForecasterSpec.Decoder.AUTOREGRESSIVE, 0.5, 0.5),
            DataType.DOUBLE, 1).params().describe());
  }

  @Test
  void autoregressiveForecaster_gradientFlowsThroughFedBackPredictions() {
    // teacher forcing 0.5: some steps read the truth, others the model's own prediction (in the graph)
    gradientCheck(new ForecasterSpec(2, 3, "gru", 4, 1, ForecasterSpec.Decoder.AUTOREGRESSIVE, 0.5, 0.5));
    gradientCheck(new ForecasterSpec(2, 4, "lstm", 3, 1, ForecasterSpec.Decoder.AUTOREGRESSIVE, 0.0, 0.5));
  }

  @Test
  void autoregressiveDecoding_feedsBackExactlyItsPreviousPrediction() {
    ForecasterSpec spec = new ForecasterSpec(2, 4, "gru", 5, 1, ForecasterSpec.Decoder.AUTOREGRESSIVE, 1.0, 0.5);
    Forecaster m = new Forecaster(spec, DataType.DOUBLE, 5);
    SeriesBatch b = randomBatch(2, 4);
    double[][] p = m.predict(b);
    double[][] u = m.lastDecoderInputs();
    for (int r = 0; r < b.rows(); r++) {
      // step 0 reads the last observed (scaled) target: feature 0 of the last history step
      assertEquals(b.inputs()[((b.steps() - 1) * b.rows() + r) * 2], u[r][0], 0.0);
      for (int k = 1; k < 4; k++) {
        assertEquals(p[r][k - 1], u[r][k], 0.0, "row " + r + " step " + k + " reads prediction " + (k - 1));
      }
    }
    // the fed-back value is what drives the next step: forcing the decoder (teacher forcing 1) with its own
    // predictions (rounded to float) reproduces them, forcing it with the true targets does not
    float[] own = new float[p.length * 4];
    for (int r = 0; r < p.length; r++) {
      for (int k = 0; k < 4; k++) {
        own[r * 4 + k] = (float) p[r][k];
      }
    }
    SeriesBatch forcedOwn = new SeriesBatch(b.steps(), b.rows(), 2, b.inputs(), 4, own, b.exampleIds());
    m.forwardBackward(forcedOwn, 0, 1);
    double[][] uOwn = m.lastDecoderInputs();
    m.forwardBackward(b, 0, 1);
    double[][] uTrue = m.lastDecoderInputs();
    for (int r = 0; r < p.length; r++) {
      for (int k = 1; k < 4; k++) {
        assertEquals(p[r][k - 1], uOwn[r][k], 1e-6);
        assertEquals(b.targets()[r * 4 + k - 1], uTrue[r][k], 0.0, "teacher forcing feeds the truth");
      }
    }
    assertNotEquals(m.trainingLoss(b, 1), m.trainingLoss(forcedOwn, 1));
  }

  /**
   * The seeds' sinusoid task: sin(2πt/20), 5 past values → 5 next. Persistence repeats y_o−1, whose MSE at lead k is
   * E[(sin(θ + kω) − sin θ)²] = 1 − cos(kω) with ω = 2π/20, i.e. 0.049, 0.191, 0.412, 0.691, 1.000: mean 0.469.
   * A noiseless sinusoid is an exact linear recurrence of its last two values, so a model must do far better;
   * we require test MSE below 0.01 (about 2 % of persistence's 0.469), after training on 300 steps.
   */
  @Test
  void sinusoid_fivePastToFiveNext_reachesSmallMse() {
    int n = 400;
    double[] v = new double[n];
    List<String> dates = new java.util.ArrayList<>();
    for (int t = 0; t < n; t++) {
      v[t] = Math.sin(2 * Math.PI * t / 20);
      dates.add(Integer.toString(t));
    }
    TimeSeries s = new TimeSeries("sin", dates, List.of("y"), new double[][] {v});
    for (ForecasterSpec.Decoder dec : ForecasterSpec.Decoder.values()) {
      ForecastOptions o = new ForecastOptions(null, "t", "y", List.of(), null, false, false, 5, 5, 300, 100, 1, 20, "gru", dec, 0.5,
          16, 1, 3, 0.1, 30, 16, 0.01, 5, 42);
      Backtest.Result r = Backtest.run(s, o, null);
      double rmse = r.meanRmse();
      double persistence = r.meanPersistenceRmse();
      assertEquals(0.469, persistence * persistence, 0.02, "persistence MSE as derived");
      assertTrue(rmse * rmse < 0.01, dec + ": test MSE " + rmse * rmse + " should be < 0.01");
    }
  }
}
