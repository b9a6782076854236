package io.seqspark.core.nn;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;
import java.util.function.DoubleSupplier;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.EnumSource;
import org.junit.jupiter.params.provider.MethodSource;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

/**
 * Bidirectional, pooling, highway, attention and char-CNN: finite-difference gradients in double with padded rows,
 * and mask invariance (a padded batch, with junk in its padding, gives each sequence what it gets alone).
 */
class SequenceLayersTest {
  private static final DataType D = DataType.DOUBLE;
  /** Three rows of lengths 5, 3 and 1 in a T = 5 batch: full, middle and shortest possible. */
  private static final int T = 5;
  private static final int[] LENGTHS = {5, 3, 1};
  private static final int B = LENGTHS.length;

  static Stream<Arguments> cellsAndMerges() {
    List<Arguments> out = new ArrayList<>();
    for (Arguments c : RecurrentCellsTest.cells().toList()) {
      for (Bidirectional.Merge m : Bidirectional.Merge.values()) {
        out.add(Arguments.of(c.get()[0], c.get()[1], m));
      }
    }
    return out.stream();
  }

  /** 1 at real positions (t &lt; len_b), 0 at padding, broadcast over {@code cols}. */
  private static INDArray mask(int cols) {
    INDArray m = Nd4j.zeros(D, (long) T * B, cols);
    for (int b = 0; b < B; b++) {
      for (int t = 0; t < LENGTHS[b]; t++) {
        m.getRow((long) t * B + b).assign(1);
      }
    }
    return m;
  }

  private static double dot(INDArray out, INDArray r) {
    return out.mul(r).sumNumber().doubleValue();
  }

  /** Rows of sequence b alone: [len_b, F] from the time-major batch. */
  private static INDArray rowOf(INDArray batch, int b, int len, int rows) {
    INDArray out = Nd4j.create(D, len, batch.size(1));
    for (int t = 0; t < len; t++) {
      out.getRow(t).assign(batch.getRow((long) t * rows + b));
    }
    return out;
  }

  private static Bidirectional bidirectional(RecurrentCellsTest.Factory f, ParamStore.Builder pb, int in, int hidden,
                                             Bidirectional.Merge merge) {
    return new Bidirectional(f.make(pb, "fwd", in, hidden, Init.uniform(0.5), D), f.make(pb, "bwd", in, hidden,
        Init.uniform(0.5), D), merge, D);
  }

  @ParameterizedTest(name = "{0} {2}")
  @MethodSource("cellsAndMerges")
  void bidirectional_gradientsMatchFiniteDifferences_withPaddedRows(String cell, RecurrentCellsTest.Factory f,
                                                                   Bidirectional.Merge merge) {
    int in = 3, hidden = 2;
    ParamStore.Builder pb = ParamStore.builder();
    Bidirectional layer = bidirectional(f, pb, in, hidden, merge);
    ParamStore store = pb.build(D, 13);
    store.params().addi(0.05);
    Nd4j.getRandom().setSeed(5);
    INDArray x = Nd4j.rand(D, (long) T * B, in).subi(0.5).muli(2);
    // the consumer masks padded outputs, as the loss and pooling do
    INDArray r = Nd4j.rand(D, (long) T * B, layer.outputSize()).subi(0.5).muli(mask(layer.outputSize()));
    Seq seq = new Seq(T, B, LENGTHS, true, 0);
    store.zeroGrads();
    layer.forward(x, seq);
    INDArray dx = layer.backward(r, seq).dup();
    INDArray grads = store.grads().dup();
    DoubleSupplier loss = () -> dot(layer.forward(x, seq), r);
    GradientCheck.check(cell + " " + merge + " params", store.params(), grads, loss, 1);
    GradientCheck.check(cell + " " + merge + " input", x, dx, loss, 1);
  }

  @ParameterizedTest(name = "{0} {2}")
  @MethodSource("cellsAndMerges")
  void bidirectional_paddedBatchGivesEachSequenceItsOwnOutputs(String cell, RecurrentCellsTest.Factory f,
                                                               Bidirectional.Merge merge) {
    int in = 2, hidden = 3;
    ParamStore.Builder pb = ParamStore.builder();
    Bidirectional layer = bidirectional(f, pb, in, hidden, merge);
    pb.build(D, 17);
    Nd4j.getRandom().setSeed(6);
    INDArray x = Nd4j.rand(D, (long) T * B, in);
    INDArray junk = mask(in).rsub(1).muli(Nd4j.rand(D, (long) T * B, in).muli(50)); // large values at padding only
    INDArray batch = layer.forward(x.add(junk), new Seq(T, B, LENGTHS, false, 0)).dup();
    for (int b = 0; b < B; b++) {
      int len = LENGTHS[b];
      INDArray alone = layer.forward(rowOf(x, b, len, B), new Seq(len, 1, null, false, 0));
      double diff = rowOf(batch, b, len, B).sub(alone).norm2Number().doubleValue();
      assertEquals(0, diff, 1e-12, cell + " " + merge + " row " + b + " differs from the sequence alone");
    }
  }

  @Test
  void bidirectional_backwardHalfAtStepZeroHasReadTheWholeRow() {
    // the backward direction's output at t = 0 is its LAST step: changing the row's last real input must change it
    ParamStore.Builder pb = ParamStore.builder();
    Bidirectional layer = new Bidirectional(new ElmanRnn(pb, "f", 1, 1, Init.uniform(0.9), D),
        new ElmanRnn(pb, "b", 1, 1, Init.uniform(0.9), D), Bidirectional.Merge.CONCAT, D);
    pb.build(D, 1);
    INDArray x = Nd4j.create(D, (long) T * B, 1).assign(0.3);
    Seq seq = new Seq(T, B, LENGTHS, false, 0);
    double before = layer.forward(x, seq).getDouble(1, 1); // t = 0, row 1 (length 3), backward half
    x.putScalar(2L * B + 1, 0, -0.9); // row 1's last real step
    assertTrue(Math.abs(layer.forward(x, seq).getDouble(1, 1) - before) > 1e-6);
  }

  @ParameterizedTest
  @EnumSource(Pooling.Mode.class)
  void pooling_gradientMatchesFiniteDifferences_andIgnoresPadding(Pooling.Mode mode) {
    int feat = 4;
    Pooling pool = new Pooling(mode, D);
    Nd4j.getRandom().setSeed(7);
    INDArray x = Nd4j.rand(D, (long) T * B, feat).subi(0.5);
    INDArray r = Nd4j.rand(D, B, feat).subi(0.5);
    Seq seq = new Seq(T, B, LENGTHS, false, 0);
    pool.forward(x, seq);
    INDArray dx = pool.backward(r, seq).dup();
    GradientCheck.check("pooling " + mode, x, dx, () -> dot(pool.forward(x, seq), r), 1);
    assertEquals(0, dx.mul(mask(feat).rsub(1)).norm2Number().doubleValue(), 0.0, "no gradient reaches padding");
    INDArray batch = pool.forward(x.add(mask(feat).rsub(1).muli(100)), seq).dup();
    for (int b = 0; b < B; b++) {
      INDArray alone = pool.forward(rowOf(x, b, LENGTHS[b], B), new Seq(LENGTHS[b], 1, null, false, 0));
      assertEquals(0, batch.getRow(b).sub(alone.getRow(0)).norm2Number().doubleValue(), 1e-12, mode + " row " + b);
    }
  }

  @Test
  void highway_gradientsMatchFiniteDifferences() {
    ParamStore.Builder pb = ParamStore.builder();
    Highway hw = new Highway(pb, "hw", 4, -1.0, Init.uniform(0.7), D);
    ParamStore store = pb.build(D, 19);
    Nd4j.getRandom().setSeed(8);
    INDArray x = Nd4j.rand(D, 6, 4).subi(0.5).muli(2);
    INDArray r = Nd4j.rand(D, 6, 4).subi(0.5);
    Seq seq = new Seq(3, 2, null, false, 0);
    store.zeroGrads();
    hw.forward(x, seq);
    INDArray dx = hw.backward(r, seq).dup();
    INDArray grads = store.grads().dup();
    DoubleSupplier loss = () -> dot(hw.forward(x, seq), r);
    GradientCheck.check("highway params", store.params(), grads, loss, 1);
    GradientCheck.check("highway input", x, dx, loss, 1);
  }

  @ParameterizedTest
  @EnumSource(Attention.Score.class)
  void attention_gradientsMatchFiniteDifferences_maskedOverSourcePositions(Attention.Score score) {
    int h = 3, tq = 2;
    ParamStore.Builder pb = ParamStore.builder();
    Attention att = new Attention(pb, "att", score, h, h, 4, Init.uniform(0.8), D);
    ParamStore store = score == Attention.Score.DOT ? null : pb.build(D, 23);
    Nd4j.getRandom().setSeed(9);
    INDArray q = Nd4j.rand(D, (long) tq * B, h).subi(0.5).muli(2);
    INDArray k = Nd4j.rand(D, (long) T * B, h).subi(0.5).muli(2);
    INDArray v = Nd4j.rand(D, (long) T * B, 2).subi(0.5).muli(2);
    INDArray r = Nd4j.rand(D, (long) tq * B, 2).subi(0.5);
    if (store != null) {
      store.zeroGrads();
    }
    att.forward(q, k, v, B, LENGTHS);
    att.backward(r);
    INDArray dq = att.queryGradient().dup();
    INDArray dk = att.keyGradient().dup();
    INDArray dv = att.valueGradient().dup();
    DoubleSupplier loss = () -> dot(att.forward(q, k, v, B, LENGTHS), r);
    if (store != null) {
      INDArray grads = store.grads().dup();
      GradientCheck.check(score + " params", store.params(), grads, loss, 1);
    }
    GradientCheck.check(score + " queries", q, dq, loss, 1);
    GradientCheck.check(score + " keys", k, dk, loss, 1);
    GradientCheck.check(score + " values", v, dv, loss, 1);
    assertEquals(0, dk.mul(mask(h).rsub(1)).norm2Number().doubleValue(), 0.0, "padded keys get no gradient");
  }

  @ParameterizedTest
  @EnumSource(Attention.Score.class)
  void attention_paddedSourceGivesEachRowItsOwnContext(Attention.Score score) {
    int h = 3;
    ParamStore.Builder pb = ParamStore.builder();
    Attention att = new Attention(pb, "att", score, h, h, 4, Init.uniform(0.8), D);
    if (score != Attention.Score.DOT) {
      pb.build(D, 29);
    }
    Nd4j.getRandom().setSeed(10);
    INDArray q = Nd4j.rand(D, B, h);
    INDArray k = Nd4j.rand(D, (long) T * B, h);
    INDArray junk = mask(h).rsub(1).muli(Nd4j.rand(D, (long) T * B, h).muli(100));
    INDArray batch = att.forward(q, k.add(junk), k.add(junk), B, LENGTHS).dup();
    INDArray w = att.weights();
    for (int b = 0; b < B; b++) {
      for (int t = LENGTHS[b]; t < T; t++) {
        assertEquals(0.0, w.getDouble(b, t), 0.0, "weight on a padded source step");
      }
      INDArray kb = rowOf(k, b, LENGTHS[b], B);
      INDArray alone = att.forward(q.getRow(b).reshape(1, h).dup(), kb, kb, 1, null);
      assertEquals(0, batch.getRow(b).sub(alone.getRow(0)).norm2Number().doubleValue(), 1e-12, score + " row " + b);
    }
  }

  @Test
  void charCnn_gradientsMatchFiniteDifferences_andPaddingCharsAreIgnored() {
    int maxChars = 5;
    int[] lengths = {5, 2, 1};
    int[] chars = {1, 2, 3, 4, 5, 2, 6, 0, 0, 0, 3, 0, 0, 0, 0};
    ParamStore.Builder pb = ParamStore.builder();
    CharCnn cnn = new CharCnn(pb, "cnn", 7, 3, new int[] {1, 2, 3}, new int[] {2, 3, 2}, Init.uniform(0.7), D);
    ParamStore store = pb.build(D, 31);
    store.params().addi(0.02);
    Nd4j.getRandom().setSeed(11);
    INDArray r = Nd4j.rand(D, 3, cnn.outputSize()).subi(0.5);
    store.zeroGrads();
    INDArray y = cnn.forward(chars, 3, maxChars, lengths).dup();
    cnn.backward(r);
    INDArray grads = store.grads().dup();
    GradientCheck.check("char-CNN params", store.params(), grads,
        () -> dot(cnn.forward(chars, 3, maxChars, lengths), r), 1);
    assertEquals(0, cnn.table().grad().getRow(0).norm2Number().doubleValue(), 0.0, "the padding char is never read");
    int[] junk = chars.clone();
    junk[7] = 6;
    junk[14] = 5;
    assertEquals(0, cnn.forward(junk, 3, maxChars, lengths).sub(y).norm2Number().doubleValue(), 0.0);
    INDArray alone = cnn.forward(new int[] {2, 6}, 1, 2, new int[] {2});
    assertEquals(0, alone.getRow(0).sub(y.getRow(1)).norm2Number().doubleValue(), 1e-12, "word 2 alone");
  }
}
