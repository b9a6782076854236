package io.seqspark.core.nn;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.function.DoubleSupplier;
import java.util.stream.Stream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

/** What every {@link Recurrent} cell must satisfy, run for each cell: gradients with h0 ≠ 0 and carried state. */
class RecurrentCellsTest {
  private static final DataType D = DataType.DOUBLE;

  interface Factory {
    Recurrent make(ParamStore.Builder pb, String name, int in, int hidden, Init init, DataType dtype);
  }

  static Stream<Arguments> cells() {
    return Stream.of(
        Arguments.of("lstm", (Factory) Lstm::new),
        Arguments.of("gru", (Factory) Gru::new),
        Arguments.of("rnn", (Factory) ElmanRnn::new));
  }

  private static double dot(INDArray out, INDArray r) {
    return out.mul(r).sumNumber().doubleValue();
  }

  /**
   * loss = Σ out ⊙ R over the SECOND batch of a carried stream, so the initial state is the first batch's final
   * state (h0 ≠ 0, and c0 ≠ 0 for the LSTM). Each evaluation restores that state first, because a forward with
   * carrying on replaces it. The gradient is truncated at the batch boundary (no ∂L/∂h0), as in training.
   */
  @ParameterizedTest(name = "{0}")
  @MethodSource("cells")
  void gradientsMatchFiniteDifferences_forParametersAndInputs_fromACarriedState(String cell, Factory f) {
    int in = 3, hidden = 4, T = 5, B = 2;
    ParamStore.Builder pb = ParamStore.builder();
    Recurrent layer = f.make(pb, "l", in, hidden, Init.uniform(0.5), D);
    ParamStore store = pb.build(D, 7);
    store.params().addi(0.05); // biases off zero too
    Nd4j.getRandom().setSeed(1);
    INDArray x1 = Nd4j.rand(D, (long) T * B, in).subi(0.5).muli(2);
    INDArray x2 = Nd4j.rand(D, (long) T * B, in).subi(0.5).muli(2);
    INDArray r = Nd4j.rand(D, (long) T * B, hidden).subi(0.5);
    Seq seq = new Seq(T, B, null, true, 0);
    layer.setCarryState(true);
    layer.forward(x1, seq);
    INDArray[] start = layer.carriedState();
    assertTrue(start[0].norm2Number().doubleValue() > 0.1, "h0 must be non-trivial");
    store.zeroGrads();
    layer.restoreState(start);
    double base = dot(layer.forward(x2, seq), r);
    INDArray dx = layer.backward(r, seq).dup();
    INDArray grads = store.grads().dup();
    DoubleSupplier loss = () -> {
      layer.restoreState(start);
      return dot(layer.forward(x2, seq), r);
    };
    assertEquals(base, loss.getAsDouble(), 1e-12, "forward must be repeatable");
    GradientCheck.check(cell + " params", store.params(), grads, loss, 1);
    GradientCheck.check(cell + " input", x2, dx, loss, 1);
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("cells")
  void carriedState_twoHalvesEqualOnePassOverTheWholeSequence(String cell, Factory f) {
    int in = 2, hidden = 3, T = 4, B = 2;
    ParamStore.Builder pb = ParamStore.builder();
    Recurrent layer = f.make(pb, "l", in, hidden, Init.uniform(0.5), D);
    pb.build(D, 3);
    Nd4j.getRandom().setSeed(2);
    INDArray x = Nd4j.rand(D, 2L * T * B, in);
    Seq whole = new Seq(2 * T, B, null, false, 0);
    INDArray full = layer.forward(x, whole).dup();
    layer.setCarryState(true);
    Seq half = new Seq(T, B, null, false, 0);
    INDArray first = layer.forward(Views.rows(x, 0, (long) T * B), half).dup();
    INDArray second = layer.forward(Views.rows(x, (long) T * B, 2L * T * B), half).dup();
    assertEquals(0, Views.rows(full, 0, (long) T * B).sub(first).norm2Number().doubleValue(), 1e-12);
    assertEquals(0, Views.rows(full, (long) T * B, 2L * T * B).sub(second).norm2Number().doubleValue(), 1e-12,
        cell + ": two halves with carried state must equal one pass over the whole sequence");
    assertEquals(0, Views.rows(full, (2L * T - 1) * B, 2L * T * B).sub(layer.carriedState()[0]).norm2Number()
        .doubleValue(), 1e-12, "the carried h is the last step's output");
  }
}
