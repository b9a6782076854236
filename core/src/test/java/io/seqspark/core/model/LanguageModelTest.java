package io.seqspark.core.model;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.seqspark.core.data.Batch;
import io.seqspark.core.nn.GradientCheck;
import io.seqspark.core.train.StepStats;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;

class LanguageModelTest {
  private static final int V = 11;

  private static LanguageModel model(String cell, double dropout) {
    return new LanguageModel(new LanguageModelSpec(V, 3, 4, 2, cell, dropout, 0.5), DataType.DOUBLE, 42);
  }

  /** Three sentences of lengths 5, 2 and 4: a padded batch with masks. */
  private static Batch padded() {
    int[][] in = {{2, 5, 6, 7, 8}, {2, 9}, {2, 4, 10, 5}};
    int[][] tg = {{5, 6, 7, 8, 3}, {9, 3}, {4, 10, 5, 3}};
    return Batch.padded(in, tg, new long[] {0, 1, 2});
  }

  private static Batch row(Batch b, int r) {
    int[] in = b.rowInputs(r);
    int[] tg = new int[in.length];
    for (int t = 0; t < in.length; t++) {
      tg[t] = b.targets()[t * b.rows() + r];
    }
    return Batch.padded(new int[][] {in}, new int[][] {tg}, new long[] {r});
  }

  @ParameterizedTest(name = "{0}")
  @ValueSource(strings = {"lstm", "gru", "rnn", "tcn"})
  void wholeLoss_gradientMatchesFiniteDifferences_withMaskAndDropout(String cell) {
    LanguageModel m = model(cell, 0.3);
    if (cell.equals("tcn")) {
      // biases start at 0: where dropout and dead ReLUs zero every input of a convolution its pre-activation is
      // exactly 0, the ReLU's kink, and a central difference there reads 1/2 of a one-sided slope
      m.params().params().addi(0.01);
    }
    Batch b = padded();
    long seed = 99;
    m.params().zeroGrads();
    m.forwardBackward(b, 1.0, seed);
    INDArray grads = m.params().grads().dup();
    // dropout masks depend only on (seed, layer), so the loss is a deterministic function of the parameters
    java.util.function.DoubleSupplier loss = () -> {
      m.params().zeroGrads();
      return m.forwardBackward(b, 1.0, seed).lossSum();
    };
    // the TCN has ~2x the parameters of the small recurrent models: every 7th keeps the test's time in line
    GradientCheck.check("language model (" + cell + ")", m.params().params(), grads, loss, cell.equals("tcn") ? 7 : 3);
  }

  @ParameterizedTest(name = "{0}")
  @ValueSource(strings = {"lstm", "gru", "rnn", "tcn"})
  void paddedBatch_givesEachSequenceItsLossAndGradientAlone(String cell) {
    LanguageModel m = model(cell, 0.0);
    Batch b = padded();
    m.params().zeroGrads();
    StepStats together = m.forwardBackward(b, 1.0, 0);
    INDArray gTogether = m.params().grads().dup();
    double sum = 0;
    INDArray gSum = gTogether.mul(0);
    for (int r = 0; r < b.rows(); r++) {
      m.params().zeroGrads();
      StepStats alone = m.forwardBackward(row(b, r), 1.0, 0);
      sum += alone.lossSum();
      gSum.addi(m.params().grads());
      assertEquals(b.lengths()[r], alone.tokens());
    }
    assertEquals(sum, together.lossSum(), 1e-10, "loss of the padded batch = sum of the sequences' losses alone");
    assertEquals(0, gTogether.sub(gSum).norm2Number().doubleValue(), 1e-10, "gradients add up the same way");
    assertEquals(11, together.tokens(), "5 + 2 + 4 real tokens");
    assertEquals(4.0 / 11, together.paddingRatio(), 1e-12, "15 positions (5 steps x 3 rows) for 11 real tokens");
  }

  @Test
  void evaluate_equalsTheLossOfForwardBackward_withoutDropout() {
    LanguageModel m = model("lstm", 0.0);
    Batch b = padded();
    double train = m.forwardBackward(b, 1.0, 5).lossSum();
    double eval = m.evaluate(b).lossSum();
    assertEquals(train, eval, 1e-12);
    assertTrue(eval > 0);
  }

  @Test
  void cell_choosesTheLayerAndNamesItsParameters_andAnUnknownCellIsRejected() {
    assertTrue(model("gru", 0.0).params().layout().containsKey("gru1.Ws"));
    assertTrue(model("rnn", 0.0).params().layout().containsKey("rnn0.Wh"));
    assertTrue(model("lstm", 0.0).params().layout().containsKey("lstm0.Wh"), "LSTM names are unchanged (checkpoints)");
    assertTrue(model("tcn", 0.0).params().layout().containsKey("tcn1.conv2.V"));
    assertTrue(model("tcn", 0.0).params().layout().containsKey("tcn0.down.W"), "embedding 3 -> 4 channels: 1x1 residual");
    IllegalArgumentException e = org.junit.jupiter.api.Assertions.assertThrows(IllegalArgumentException.class,
        () -> new LanguageModelSpec(V, 3, 4, 2, "transformer", 0.0, 0.1));
    assertEquals("model.cell = transformer: must be one of lstm, gru, rnn, tcn", e.getMessage());
    e = org.junit.jupiter.api.Assertions.assertThrows(IllegalArgumentException.class,
        () -> new LanguageModelSpec(V, 3, 4, 2, "tcn", 0.0, 0.1, 1, "weight"));
    assertEquals("model.tcnKernel = 1: must be in [2, 16]", e.getMessage());
  }

  @Test
  void tcn_reportsItsReceptiveField_andRecurrentCellsReportNone() {
    // R = 1 + 2·(K−1)·(2^levels − 1): 4 levels, K = 3 → 1 + 4·15 = 61 (the throughput benchmark's TCN)
    LanguageModel tcn = new LanguageModel(new LanguageModelSpec(V, 3, 4, 4, "tcn", 0.0, 0.1, 3, "none"), DataType.DOUBLE, 1);
    assertEquals(61, tcn.receptiveField().getAsInt());
    assertTrue(model("gru", 0.0).receptiveField().isEmpty());
  }

  @Test
  void ptbCharPreset_isValid_andBuildsTheTcnItDocuments() {
    io.seqspark.core.config.Settings s = io.seqspark.core.config.Settings.load(
        java.util.List.of(java.nio.file.Path.of("lm-ptb-char")), java.util.List.of());
    LanguageModelSpec spec = io.seqspark.core.task.LanguageModelFamily.spec(s, 53);
    assertEquals("tcn", spec.cell());
    assertEquals(900.0, s.getDouble("train.maxSeconds"), "the CPU budget BENCHMARKS.md states");
    assertEquals(61, new LanguageModel(spec, DataType.FLOAT, 1).receptiveField().getAsInt());
  }

  @Test
  void tcnInStreamRegime_carriesContextAcrossBatches_likeOnePass() {
    // the same 8-token streams as one batch, or as batches of 3 and 5 steps with state carried: same loss
    LanguageModel m = model("tcn", 0.0);
    int[][] in = {{2, 5, 6, 7, 8, 4, 9, 10}, {7, 9, 4, 4, 5, 6, 2, 8}};
    int[][] tg = {{5, 6, 7, 8, 4, 9, 10, 3}, {9, 4, 4, 5, 6, 2, 8, 3}};
    double whole = m.evaluate(Batch.padded(in, tg, new long[] {0, 1})).lossSum();
    m.setCarryState(true);
    m.resetState();
    double parts = 0;
    for (int[] cut : new int[][] {{0, 3}, {3, 8}}) {
      int[][] pi = {java.util.Arrays.copyOfRange(in[0], cut[0], cut[1]), java.util.Arrays.copyOfRange(in[1], cut[0], cut[1])};
      int[][] pt = {java.util.Arrays.copyOfRange(tg[0], cut[0], cut[1]), java.util.Arrays.copyOfRange(tg[1], cut[0], cut[1])};
      parts += m.evaluate(Batch.padded(pi, pt, new long[] {0, 1})).lossSum();
    }
    assertEquals(whole, parts, 1e-10);
    assertEquals(4, m.state().size(), "two convolution histories per level");
  }

  @Test
  void untrainedModel_hasPerplexityNearTheVocabularySize() {
    // with weights near zero every next-token distribution is close to uniform: perplexity ≈ V
    LanguageModel m = new LanguageModel(new LanguageModelSpec(V, 3, 4, 1, "lstm", 0.0, 1e-4), DataType.DOUBLE, 1);
    StepStats s = m.evaluate(padded());
    assertEquals(V, s.perplexity(), 0.01);
  }
}
