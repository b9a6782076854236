package io.seqspark.core.nn;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.function.DoubleSupplier;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

/** CausalConv1d: gradients by finite differences, causality, and the carried history of the stream regime. */
class CausalConv1dTest {
  private static final DataType D = DataType.DOUBLE;
  static final int T = 7;
  static final int B = 2;

  /** A loss Σ y ⊙ R over real positions only: rows of padded steps (row 1 is 5 steps long) get weight 0. */
  static INDArray maskedWeights(int steps, int rows, int[] lengths, int cols, long seed) {
    Nd4j.getRandom().setSeed(seed);
    INDArray r = Nd4j.rand(D, (long) steps * rows, cols).subi(0.5);
    for (int t = 0; t < steps; t++) {
      for (int b = 0; b < rows; b++) {
        if (t >= lengths[b]) {
          r.getRow((long) t * rows + b).assign(0);
        }
      }
    }
    return r;
  }

  static double dot(INDArray y, INDArray r) {
    return y.mul(r).sumNumber().doubleValue();
  }

  /** Checks parameter and input gradients of {@code layer} for the loss Σ layer(x) ⊙ R. */
  static void checkGradients(String what, SeqLayer layer, ParamStore store, INDArray x, Seq seq, INDArray r, int stride) {
    store.zeroGrads();
    layer.forward(x, seq);
    INDArray dx = layer.backward(r, seq).dup();
    INDArray grads = store.grads().dup();
    DoubleSupplier loss = () -> dot(layer.forward(x, seq), r);
    GradientCheck.check(what + " params", store.params(), grads, loss, stride);
    GradientCheck.check(what + " input", x, dx, loss, stride);
  }

  @ParameterizedTest(name = "weightNorm={0}")
  @ValueSource(booleans = {false, true})
  void gradientsMatchFiniteDifferences_withDilationAndMask(boolean weightNorm) {
    ParamStore.Builder pb = ParamStore.builder();
    CausalConv1d conv = new CausalConv1d(pb, "c", 3, 4, 3, 2, weightNorm, Init.uniform(0.6), D);
    ParamStore store = pb.build(D, 5);
    store.params().addi(0.05); // non-zero bias and gains off 1
    int[] lengths = {T, 5};
    Seq seq = new Seq(T, B, lengths, false, 0);
    Nd4j.getRandom().setSeed(8);
    INDArray x = Nd4j.rand(D, (long) T * B, 3).subi(0.5);
    checkGradients("conv wn=" + weightNorm, conv, store, x, seq, maskedWeights(T, B, lengths, 4, 9), 1);
  }

  @Test
  void gradientsMatchFiniteDifferences_withACarriedHistory() {
    ParamStore.Builder pb = ParamStore.builder();
    CausalConv1d conv = new CausalConv1d(pb, "c", 2, 3, 2, 3, true, Init.uniform(0.6), D);
    ParamStore store = pb.build(D, 6);
    conv.setCarryState(true);
    Seq seq = new Seq(4, B, null, false, 0);
    Nd4j.getRandom().setSeed(1);
    conv.forward(Nd4j.rand(D, 4L * B, 2), seq); // fills the history with 3 steps of non-zero inputs
    INDArray[] history = conv.carriedState();
    INDArray x = Nd4j.rand(D, 4L * B, 2).subi(0.5);
    INDArray r = Nd4j.rand(D, 4L * B, 3).subi(0.5);
    store.zeroGrads();
    conv.forward(x, seq);
    INDArray dx = conv.backward(r, seq).dup();
    INDArray grads = store.grads().dup();
    DoubleSupplier loss = () -> {
      conv.restoreState(history); // every evaluation starts from the same history
      return dot(conv.forward(x, seq), r);
    };
    conv.restoreState(history);
    GradientCheck.check("conv with history params", store.params(), grads, loss, 1);
    GradientCheck.check("conv with history input", x, dx, loss, 1);
  }

  @Test
  void changingInputsAfterStepT_changesNoOutputAtOrBeforeT() {
    ParamStore.Builder pb = ParamStore.builder();
    CausalConv1d conv = new CausalConv1d(pb, "c", 3, 4, 3, 2, true, Init.uniform(0.6), D);
    pb.build(D, 5);
    assertCausal(conv, T, B, 3);
  }

  /**
   * For every t: perturbing all inputs after step t leaves outputs at steps ≤ t bit-identical, and (so the test has
   * teeth) the output at step t+1 does change.
   */
  static void assertCausal(SeqLayer layer, int steps, int rows, int in) {
    Seq seq = new Seq(steps, rows, null, false, 0);
    Nd4j.getRandom().setSeed(2);
    INDArray x = Nd4j.rand(D, (long) steps * rows, in).subi(0.3);
    INDArray y = layer.forward(x, seq).dup();
    for (int t = 0; t < steps - 1; t++) {
      INDArray xp = x.dup();
      Views.rows(xp, (long) (t + 1) * rows, (long) steps * rows).addi(Nd4j.rand(D, (long) (steps - t - 1) * rows, in));
      INDArray yp = layer.forward(xp, seq).dup();
      assertEquals(0.0, Views.rows(yp, 0, (long) (t + 1) * rows).sub(Views.rows(y, 0, (long) (t + 1) * rows))
          .amaxNumber().doubleValue(), 0.0, "outputs up to step " + t + " moved");
      double next = Views.rows(yp, (long) (t + 1) * rows, (long) (t + 2) * rows)
          .sub(Views.rows(y, (long) (t + 1) * rows, (long) (t + 2) * rows)).amaxNumber().doubleValue();
      org.junit.jupiter.api.Assertions.assertTrue(next > 0, "output at step " + (t + 1) + " should see its own input");
    }
  }

  @Test
  void twoBatchesWithCarriedHistory_equalOnePassOverTheWholeStream() {
    ParamStore.Builder pb = ParamStore.builder();
    CausalConv1d conv = new CausalConv1d(pb, "c", 2, 3, 3, 2, false, Init.uniform(0.6), D);
    pb.build(D, 7);
    assertStreamEquivalence(conv, 2);
  }

  /**
   * A stream of 9 steps cut into batches of 3, 1 (shorter than the history: generation) and 5 steps, with state
   * carried, gives the outputs of one 9-step pass.
   */
  static void assertStreamEquivalence(StatefulLayer layer, int in) {
    int steps = 9;
    Nd4j.getRandom().setSeed(3);
    INDArray x = Nd4j.rand(D, (long) steps * B, in).subi(0.5);
    layer.setCarryState(false);
    INDArray whole = layer.forward(x, new Seq(steps, B, null, false, 0)).dup();
    layer.setCarryState(true);
    layer.resetState();
    int t0 = 0;
    for (int len : new int[] {3, 1, 5}) {
      INDArray part = layer.forward(Views.rows(x, (long) t0 * B, (long) (t0 + len) * B).dup(), new Seq(len, B, null, false, 0));
      INDArray expected = Views.rows(whole, (long) t0 * B, (long) (t0 + len) * B);
      assertEquals(0.0, part.sub(expected).amaxNumber().doubleValue(), 1e-12, "batch starting at step " + t0);
      t0 += len;
    }
    layer.setCarryState(false);
    layer.resetState();
  }
}
