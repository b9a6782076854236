package io.seqspark.core.model;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.seqspark.core.data.Batch;
import io.seqspark.core.data.Labelled;
import io.seqspark.core.nn.Bidirectional;
import io.seqspark.core.nn.GradientCheck;
import io.seqspark.core.nn.Pooling;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.api.Test;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;

/** The whole classifier: gradients through every layer with padded rows, and padding invariance of its predictions. */
class SequenceClassifierTest {
  /** Rows of lengths 4, 2 and 1, labels 2, 0, 1: the label sits in targets at each row's last real step. */
  private static Batch batch() {
    int[][] in = {{5, 6, 7, 8}, {9, 5}, {7}};
    int[] labels = {2, 0, 1};
    int[][] tg = new int[3][];
    for (int r = 0; r < 3; r++) {
      tg[r] = new int[in[r].length];
      tg[r][in[r].length - 1] = labels[r];
    }
    return Batch.padded(in, tg, new long[] {0, 1, 2});
  }

  private static SequenceClassifier model(String cell, boolean bi, Pooling.Mode pooling, int layers) {
    return new SequenceClassifier(new SequenceClassifierSpec(10, 3, 3, 2, layers, cell, bi, Bidirectional.Merge.CONCAT,
        pooling, 0.0, 0.5), DataType.DOUBLE, 5);
  }

  @ParameterizedTest(name = "{0} bidirectional={1} {2}")
  @CsvSource({"gru, true, MAX, 2", "lstm, false, LAST, 1", "rnn, true, MEAN, 1"})
  void gradientsMatchFiniteDifferences_withPaddedRows(String cell, boolean bi, Pooling.Mode pooling, int layers) {
    // the layers are checked entry by entry in SequenceLayersTest; here every 3rd entry proves how they are wired
    SequenceClassifier m = model(cell, bi, pooling, layers);
    Batch b = batch();
    assertArrayEquals(new int[] {2, 0, 1}, Labelled.labels(b));
    m.params().zeroGrads();
    double scale = 0.25;
    double loss = m.forwardBackward(b, scale, 1).lossSum();
    INDArray grads = m.params().grads().div(scale);
    assertEquals(loss, m.evaluate(b).lossSum(), 1e-12, "dropout 0: training and evaluation forward agree");
    GradientCheck.check(cell + " classifier", m.params().params(), grads, () -> m.evaluate(b).lossSum(), 3);
  }

  @Test
  void eachRowOfAPaddedBatchGetsTheProbabilitiesItGetsAlone() {
    SequenceClassifier m = model("gru", true, Pooling.Mode.MAX, 1);
    Batch b = batch();
    // junk ids at the padded positions must not matter
    int[] inputs = b.inputs().clone();
    for (int k = 0; k < inputs.length; k++) {
      if (b.mask()[k] == 0) {
        inputs[k] = 9;
      }
    }
    Batch junk = new Batch(b.steps(), b.rows(), inputs, b.targets(), b.mask(), b.lengths(), b.exampleIds());
    INDArray together = m.probabilities(junk).dup();
    for (int r = 0; r < b.rows(); r++) {
      int[] row = b.rowInputs(r);
      int[] tg = new int[row.length];
      Batch alone = Batch.padded(new int[][] {row}, new int[][] {tg}, new long[] {r});
      assertEquals(0, m.probabilities(alone).getRow(0).sub(together.getRow(r)).norm2Number().doubleValue(), 1e-12,
          "row " + r);
    }
    assertEquals(b.rows(), m.evaluate(b).tokens(), "the loss unit is the example");
  }

  @Test
  void lastPoolingWithABidirectionalStack_isRejectedNamingTheKey() {
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> model("gru", true, Pooling.Mode.LAST, 1));
    assertTrue(e.getMessage().contains("classify.pooling"), e.getMessage());
  }
}
