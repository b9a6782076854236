package io.seqspark.core.decode;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.seqspark.core.data.Batch;
import io.seqspark.core.data.Vocabulary;
import io.seqspark.core.model.LanguageModel;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

class LanguageModelDecoderTest {
  private static final int BOS = Vocabulary.BOS_ID;
  private static final int V = 16;

  /** Every id. */
  private static final int[] ALL = java.util.stream.IntStream.range(0, V).toArray();

  private static double[] fullForward(LanguageModel m, int[] prefix) {
    return fullForward(m, prefix, ALL);
  }

  /**
   * log p(v | prefix) for the ids {@code ids} (NaN for the others) from the model's whole-sequence forward ({@link LanguageModel#evaluate}: one batch
   * over the prefix, the loss read at its last position only), with no state carried in.
   */
  private static double[] fullForward(LanguageModel m, int[] prefix, int[] ids) {
    double[] out = new double[V];
    Arrays.fill(out, Double.NaN);
    int n = prefix.length;
    for (int v : ids) {
      int[] targets = new int[n];
      float[] mask = new float[n];
      targets[n - 1] = v;
      mask[n - 1] = 1;
      m.setCarryState(false);
      m.resetState();
      out[v] = -m.evaluate(new Batch(n, 1, prefix, targets, mask, new int[] {n}, new long[] {0})).lossSum();
    }
    return out;
  }

  private static double[] row(double[] lp, int r) {
    return Arrays.copyOfRange(lp, r * V, (r + 1) * V);
  }

  private static void assertClose(double[] expected, double[] actual, double tol, String what) {
    assertEquals(expected.length, actual.length, what);
    double sum = 0;
    for (int j = 0; j < expected.length; j++) {
      if (!Double.isNaN(expected[j])) {
        assertEquals(expected[j], actual[j], tol, what + ", id " + j);
      }
      sum += Math.exp(actual[j]);
    }
    assertEquals(1, sum, 1e-6, what + ": the probabilities sum to 1");
  }

  @ParameterizedTest(name = "{0}")
  @ValueSource(strings = {"lstm", "gru", "rnn", "tcn"})
  void stepLogProbabilities_equalTheFullForwardsLogSoftmax_onTheSamePrefix(String cell) {
    LanguageModel m = Fixtures.model(cell, DataType.DOUBLE);
    // the TCN's receptive field is 1 + 2·2·(2^2 − 1) = 13: the 9-token prefix stays inside it, the history matters
    int[] sentence = {BOS, 5, 9, 9, 4, 13, 7, 8, 15};
    LanguageModelDecoder d = LanguageModelDecoder.fromStart(m, BOS, 2);
    for (int t = 0; t < sentence.length; t++) {
      double[] lp = d.step(new int[] {sentence[t], sentence[t]});
      // every id at the end, a few on the way (each id costs one whole forward)
      double[] expected = fullForward(m, Arrays.copyOf(sentence, t + 1),
          t == sentence.length - 1 ? ALL : new int[] {Vocabulary.EOS_ID, 4 + t, 15 - t});
      assertClose(expected, row(lp, 0), 1e-10, cell + " after " + (t + 1) + " tokens");
      assertClose(expected, row(lp, 1), 1e-10, cell + " after " + (t + 1) + " tokens, second row");
      assertTrue(m.state().isEmpty(), "the model carries nothing between steps");
    }
  }

  @ParameterizedTest(name = "{0}")
  @ValueSource(strings = {"lstm", "tcn"})
  void prefixesOfDifferentLengths_continueAsTheirFullForward(String cell) {
    LanguageModel m = Fixtures.model(cell, DataType.DOUBLE);
    List<int[]> prefixes = List.of(new int[] {BOS, 5, 9, 9, 4}, new int[] {BOS}, new int[] {BOS, 12, 6},
        new int[] {BOS, 7});
    LanguageModelDecoder d = LanguageModelDecoder.fromPrefixes(m, prefixes);
    assertEquals(4, d.rows());
    int[] start = d.startTokens();
    assertEquals(List.of(4, BOS, 6, 7), Arrays.stream(start).boxed().toList());
    double[] lp = d.step(start);
    for (int r = 0; r < prefixes.size(); r++) {
      assertClose(fullForward(m, prefixes.get(r)), row(lp, r), 1e-10, cell + " prefix " + r);
    }
  }

  @ParameterizedTest(name = "{0}")
  @ValueSource(strings = {"lstm", "gru", "tcn"})
  void select_reordersCopiesAndDropsRowsExactly(String cell) {
    LanguageModel m = Fixtures.model(cell, DataType.DOUBLE);
    List<int[]> prefixes = List.of(new int[] {BOS, 5, 9}, new int[] {BOS, 12}, new int[] {BOS, 7, 7, 4});
    int[] keep = {2, 0, 0, 1};
    int[] next = {10, 11, 6, 6};
    LanguageModelDecoder d = LanguageModelDecoder.fromPrefixes(m, prefixes);
    d.step(d.startTokens());
    d.select(keep);
    assertEquals(4, d.rows());
    double[] lp = d.step(next);
    for (int i = 0; i < keep.length; i++) {
      int[] p = prefixes.get(keep[i]);
      int[] whole = Arrays.copyOf(p, p.length + 1);
      whole[p.length] = next[i];
      assertClose(fullForward(m, whole), row(lp, i), 1e-10, cell + " new row " + i + " = old row " + keep[i]);
    }
    d.select(new int[0]);
    assertEquals(0, d.rows());
    assertEquals(0, d.step(new int[0]).length);
  }

  @Test
  void stateRows_gatherIsARowCopy_andAnUnsplittableStateNamesTheCell() {
    // two state tensors as a recurrent layer (1 step) and a convolution history (3 steps) carry them, B = 2
    INDArray h = Nd4j.createFromArray(new double[][] {{1, 2}, {3, 4}});
    INDArray hist = Nd4j.createFromArray(new double[][] {{10}, {11}, {20}, {21}, {30}, {31}});
    List<INDArray> got = StateRows.gather(List.of(h, hist), 2, new int[] {1, 1, 0}, "lstm");
    assertEquals(Nd4j.createFromArray(new double[][] {{3, 4}, {3, 4}, {1, 2}}), got.get(0));
    assertEquals(Nd4j.createFromArray(new double[][] {{11}, {11}, {10}, {21}, {21}, {20}, {31}, {31}, {30}}), got.get(1));
    IllegalStateException e = assertThrows(IllegalStateException.class,
        () -> StateRows.gather(List.of(Nd4j.zeros(DataType.DOUBLE, 5, 2)), 2, new int[] {0}, "mystery"));
    assertTrue(e.getMessage().contains("model.cell = mystery") && e.getMessage().contains("[5, 2]"), e.getMessage());
  }

  @Test
  void badTokens_nameTheValueAndTheRange() {
    LanguageModel m = Fixtures.model("gru", DataType.FLOAT);
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
        () -> LanguageModelDecoder.fromPrefixes(m, List.of(new int[] {BOS, 99})));
    assertTrue(e.getMessage().contains("99") && e.getMessage().contains("[0, 16)"), e.getMessage());
    e = assertThrows(IllegalArgumentException.class, () -> LanguageModelDecoder.fromPrefixes(m, List.of(new int[0])));
    assertTrue(e.getMessage().contains("prefix 0 is empty"), e.getMessage());
    LanguageModelDecoder d = LanguageModelDecoder.fromStart(m, BOS, 2);
    e = assertThrows(IllegalArgumentException.class, () -> d.step(new int[] {BOS}));
    assertTrue(e.getMessage().contains("2 rows, got 1"), e.getMessage());
    e = assertThrows(IllegalArgumentException.class, () -> d.select(new int[] {2}));
    assertTrue(e.getMessage().contains("row 2 is outside [0, 2)"), e.getMessage());
  }

  @Test
  void twoDecoders_overOneModel_doNotDisturbEachOther() {
    LanguageModel m = Fixtures.model("lstm", DataType.DOUBLE);
    LanguageModelDecoder a = LanguageModelDecoder.fromStart(m, BOS, 1);
    LanguageModelDecoder b = LanguageModelDecoder.fromStart(m, BOS, 1);
    List<double[]> interleaved = new ArrayList<>();
    int[] tokens = {BOS, 5, 6, 7};
    for (int t : tokens) {
      interleaved.add(a.step(new int[] {t}));
      b.step(new int[] {Vocabulary.EOS_ID});
    }
    LanguageModelDecoder alone = LanguageModelDecoder.fromStart(m, BOS, 1);
    for (int k = 0; k < tokens.length; k++) {
      assertClose(alone.step(new int[] {tokens[k]}), interleaved.get(k), 0, "step " + k);
    }
  }
}
