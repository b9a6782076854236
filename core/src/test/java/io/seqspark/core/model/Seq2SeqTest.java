package io.seqspark.core.model;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.seqspark.core.data.Batch;
import io.seqspark.core.data.PairBatch;
import io.seqspark.core.data.Vocabulary;
import io.seqspark.core.nn.Attention;
import io.seqspark.core.nn.GradientCheck;
import io.seqspark.core.train.StepStats;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * The whole encoder–decoder: gradients through every layer for each score, cell and decoder schedule on batches
 * padded on both sides; padding invariance; dropout and label smoothing reaching the training loss only.
 */
class Seq2SeqTest {
  static final int SRC_V = 12;
  static final int TGT_V = 11;

  /** A pair batch: sources as given (each ending with </s>), targets laid out for teacher forcing. */
  static PairBatch pairs(int[][] sources, int[][] targets) {
    int rows = sources.length;
    int[][] zeros = new int[rows][];
    int[][] tin = new int[rows][];
    int[][] tout = new int[rows][];
    long[] ids = new long[rows];
    for (int r = 0; r < rows; r++) {
      zeros[r] = new int[sources[r].length];
      int n = targets[r].length;
      tin[r] = new int[n + 1];
      tout[r] = new int[n + 1];
      tin[r][0] = Vocabulary.BOS_ID;
      for (int t = 0; t < n; t++) {
        tin[r][t + 1] = targets[r][t];
        tout[r][t] = targets[r][t];
      }
      tout[r][n] = Vocabulary.EOS_ID;
      ids[r] = r;
    }
    return new PairBatch(Batch.padded(sources, zeros, ids), Batch.padded(tin, tout, ids));
  }

  /** Three pairs, padded on both sides: source lengths 4, 2, 3 and target lengths 3, 5, 1. */
  static PairBatch batch() {
    return pairs(new int[][] {{5, 6, 7, 3}, {8, 3}, {9, 10, 3}}, new int[][] {{4, 5}, {6, 7, 8, 9}, {}});
  }

  /** The batch with junk ids at every padded position on both sides: they must not matter. */
  static PairBatch junkPadding(PairBatch p) {
    return new PairBatch(junk(p.source(), 11), junk(p.target(), 10));
  }

  private static Batch junk(Batch b, int id) {
    int[] in = b.inputs().clone();
    int[] tg = b.targets().clone();
    for (int i = 0; i < in.length; i++) {
      if (b.mask()[i] == 0) {
        in[i] = id;
        tg[i] = 5;
      }
    }
    return new Batch(b.steps(), b.rows(), in, tg, b.mask(), b.lengths(), b.exampleIds());
  }

  static Seq2Seq model(String cell, Attention.Score score, boolean feed, int layers, double dropout, double smoothing,
                       DataType dtype) {
    return new Seq2Seq(new Seq2SeqSpec(SRC_V, TGT_V, 3, 4, layers, layers, cell, score != Attention.Score.DOT, score,
        3, feed, dropout, smoothing, 0.5), dtype, 5);
  }

  static Stream<Arguments> configurations() {
    List<Arguments> out = new ArrayList<>();
    for (String cell : List.of("lstm", "gru")) {
      for (Attention.Score score : Attention.Score.values()) {
        for (boolean feed : new boolean[] {false, true}) {
          out.add(Arguments.of(cell, score, feed));
        }
      }
    }
    return out.stream();
  }

  @ParameterizedTest(name = "{0} {1} inputFeeding={2}")
  @MethodSource("configurations")
  void gradientsMatchFiniteDifferences_twoLayersEachSide_paddedOnBothSides(String cell, Attention.Score score,
                                                                          boolean feed) {
    Seq2Seq m = model(cell, score, feed, 2, 0.0, 0.0, DataType.DOUBLE);
    PairBatch b = junkPadding(batch());
    m.params().zeroGrads();
    double scale = 0.25;
    StepStats stats = m.forwardBackward(b, scale, 1);
    assertEquals(3 + 5 + 1, stats.tokens(), "tokens are real target positions");
    assertEquals(15, stats.positions());
    assertEquals(stats.lossSum(), m.evaluate(b).lossSum(), 1e-12, "dropout 0: training and evaluation agree");
    m.params().grads().divi(scale);
    checkEveryBlock(m, cell + " " + score + " feed=" + feed, () -> m.evaluate(b).lossSum(), 6);
  }

  /**
   * Finite differences of {@code loss} against the gradients now in {@code m.params().grads()}, at about
   * {@code perBlock} evenly spread entries of EVERY parameter block (a plain stride could skip a small bias).
   */
  static void checkEveryBlock(Seq2Seq m, String what, java.util.function.DoubleSupplier loss, int perBlock) {
    INDArray grads = m.params().grads().dup();
    for (io.seqspark.core.nn.ParamRef r : m.params().refs()) {
      INDArray value = m.params().params().get(org.nd4j.linalg.indexing.NDArrayIndex.point(0),
          org.nd4j.linalg.indexing.NDArrayIndex.interval(r.offset(), r.offset() + r.length()));
      INDArray grad = grads.get(org.nd4j.linalg.indexing.NDArrayIndex.point(0),
          org.nd4j.linalg.indexing.NDArrayIndex.interval(r.offset(), r.offset() + r.length()));
      int stride = (int) Math.max(1, r.length() / perBlock);
      GradientCheck.check(what + " " + r.name(), value, grad, loss, stride);
    }
  }

  @ParameterizedTest(name = "{0} {1} inputFeeding={2}")
  @MethodSource("configurations")
  void aPaddedBatchGivesEachPairTheLossAndGradientsItGetsAlone(String cell, Attention.Score score, boolean feed) {
    Seq2Seq m = model(cell, score, feed, 2, 0.0, 0.0, DataType.DOUBLE);
    PairBatch b = junkPadding(batch());
    m.params().zeroGrads();
    double together = m.forwardBackward(b, 1.0, 1).lossSum();
    INDArray gradTogether = m.params().grads().dup();
    int[][] src = {{5, 6, 7, 3}, {8, 3}, {9, 10, 3}};
    int[][] tgt = {{4, 5}, {6, 7, 8, 9}, {}};
    double sum = 0;
    INDArray gradSum = gradTogether.like();
    for (int r = 0; r < 3; r++) {
      m.params().zeroGrads();
      sum += m.forwardBackward(pairs(new int[][] {src[r]}, new int[][] {tgt[r]}), 1.0, 1).lossSum();
      gradSum.addi(m.params().grads());
    }
    assertEquals(sum, together, 1e-12);
    double norm = gradSum.norm2Number().doubleValue();
    assertTrue(norm > 0);
    assertEquals(0, gradTogether.sub(gradSum).norm2Number().doubleValue(), 1e-12 * norm);
  }

  @Test
  void dropoutAndLabelSmoothingChangeTheTrainingLossButNotEvaluation() {
    PairBatch b = batch();
    Seq2Seq plain = model("gru", Attention.Score.GENERAL, true, 2, 0.0, 0.0, DataType.DOUBLE);
    double eval = plain.evaluate(b).lossSum();
    for (Seq2Seq m : List.of(model("gru", Attention.Score.GENERAL, true, 2, 0.3, 0.0, DataType.DOUBLE),
        model("gru", Attention.Score.GENERAL, true, 2, 0.0, 0.1, DataType.DOUBLE))) {
      assertEquals(eval, m.evaluate(b).lossSum(), 1e-12, "same parameters, no dropout, plain NLL");
      m.params().zeroGrads();
      double train = m.forwardBackward(b, 1.0, 1).lossSum();
      assertNotEquals(eval, train, 1e-6);
      m.params().zeroGrads();
      assertEquals(train, m.forwardBackward(b, 1.0, 1).lossSum(), 0, "the same step seed draws the same masks");
    }
  }

  @ParameterizedTest(name = "inputFeeding={0}")
  @org.junit.jupiter.params.provider.ValueSource(booleans = {false, true})
  void labelSmoothing_gradientsMatchFiniteDifferencesOfTheSmoothedLoss(boolean feed) {
    Seq2Seq m = model("lstm", Attention.Score.ADDITIVE, feed, 1, 0.0, 0.2, DataType.DOUBLE);
    PairBatch b = batch();
    m.params().zeroGrads();
    m.forwardBackward(b, 1.0, 1);
    // the smoothed loss is what forwardBackward returns; with dropout 0 it is a deterministic function of θ
    checkEveryBlock(m, "smoothed", () -> {
      INDArray keep = m.params().grads().dup();
      double l = m.forwardBackward(b, 1.0, 1).lossSum();
      m.params().grads().assign(keep);
      return l;
    }, 4);
  }

  @Test
  void spec_rejectsBadValuesNamingTheKey() {
    IllegalArgumentException ex = assertThrows(IllegalArgumentException.class, () -> new Seq2SeqSpec(12, 11, 3, 4, 1,
        1, "gru", true, Attention.Score.DOT, 0, false, 0, 0, 0.1));
    assertTrue(ex.getMessage().startsWith("model.attention = dot"), ex.getMessage());
    ex = assertThrows(IllegalArgumentException.class, () -> new Seq2SeqSpec(12, 11, 3, 4, 1, 0, "gru", true,
        Attention.Score.GENERAL, 0, false, 0, 0, 0.1));
    assertTrue(ex.getMessage().startsWith("model.decoderLayers = 0"), ex.getMessage());
    ex = assertThrows(IllegalArgumentException.class, () -> new Seq2SeqSpec(12, 11, 3, 4, 1, 1, "tcn", true,
        Attention.Score.GENERAL, 0, false, 0, 0, 0.1));
    assertTrue(ex.getMessage().startsWith("model.cell = tcn"), ex.getMessage());
    ex = assertThrows(IllegalArgumentException.class, () -> new Seq2SeqSpec(12, 11, 3, 4, 1, 1, "gru", true,
        Attention.Score.GENERAL, 0, false, 0, 1.0, 0.1));
    assertTrue(ex.getMessage().startsWith("model.labelSmoothing = 1.0"), ex.getMessage());
    assertEquals(8, new Seq2SeqSpec(12, 11, 3, 4, 1, 1, "gru", true, Attention.Score.GENERAL, 0, false, 0, 0, 0.1)
        .memorySize());
  }
}
