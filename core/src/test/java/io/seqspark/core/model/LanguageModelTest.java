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
  @ValueSource(strings = {"lstm", "gru", "rnn"})
  void wholeLoss_gradientMatchesFiniteDifferences_withMaskAndDropout(String cell) {
    LanguageModel m = model(cell, 0.3);
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
    GradientCheck.check("language model (" + cell + ")", m.params().params(), grads, loss, 3);
  }

  @ParameterizedTest(name = "{0}")
  @ValueSource(strings = {"lstm", "gru", "rnn"})
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
    IllegalArgumentException e = org.junit.jupiter.api.Assertions.assertThrows(IllegalArgumentException.class,
        () -> new LanguageModelSpec(V, 3, 4, 2, "tcn", 0.0, 0.1));
    assertEquals("model.cell = tcn: must be one of lstm, gru, rnn", e.getMessage());
  }

  @Test
  void untrainedModel_hasPerplexityNearTheVocabularySize() {
    // with weights near zero every next-token distribution is close to uniform: perplexity ≈ V
    LanguageModel m = new LanguageModel(new LanguageModelSpec(V, 3, 4, 1, "lstm", 0.0, 1e-4), DataType.DOUBLE, 1);
    StepStats s = m.evaluate(padded());
    assertEquals(V, s.perplexity(), 0.01);
  }
}
