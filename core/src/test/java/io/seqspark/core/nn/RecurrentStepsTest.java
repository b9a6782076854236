package io.seqspark.core.nn;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.seqspark.core.forecast.Threads;
import java.util.ArrayList;
import java.util.List;
import java.util.function.DoubleSupplier;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

/**
 * A {@link Recurrent} layer started from a given state, unrolled one step at a time and stepped for inference, for
 * every cell (LSTM, GRU, Elman), in double: finite-difference gradients for the parameters, the inputs and the
 * initial state; the unrolled pass against the whole-sequence pass; reordering state rows as beam search does.
 */
class RecurrentStepsTest {
  private static final DataType D = DataType.DOUBLE;
  /** Three rows of lengths 5, 3 and 1 in a T = 5 batch. */
  private static final int T = 5;
  private static final int[] LENGTHS = {5, 3, 1};
  private static final int B = LENGTHS.length;
  private static int threads;

  /** Tiny ops: OpenMP threads only add synchronisation, which on a loaded machine costs several times the math. */
  @BeforeAll
  static void singleThreaded() {
    threads = Threads.set(1);
  }

  @AfterAll
  static void restoreThreads() {
    Threads.set(threads);
  }

  private static double dot(INDArray out, INDArray r) {
    return out.mul(r).sumNumber().doubleValue();
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

  private static INDArray uniform(long rows, long cols) {
    return Nd4j.rand(D, rows, cols).subi(0.5).muli(2);
  }

  /** A random initial state, values in (-0.8, 0.8): h0 (and c0) far from zero. */
  private static List<INDArray> randomState(Recurrent layer, int rows) {
    List<INDArray> s = new ArrayList<>();
    for (int i = 0; i < layer.stateSize(); i++) {
      s.add(uniform(rows, layer.outputSize()).muli(0.8));
    }
    return s;
  }

  private static double maxDiff(INDArray a, INDArray b) {
    return a.sub(b).amaxNumber().doubleValue();
  }

  private static Recurrent layer(RecurrentCellsTest.Factory f, ParamStore.Builder pb, int in, int hidden) {
    return f.make(pb, "l", in, hidden, Init.uniform(0.5), D);
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("io.seqspark.core.nn.RecurrentCellsTest#cells")
  void givenInitialState_gradientsMatchFiniteDifferences_forParametersInputsAndState_withPaddedRows(
      String cell, RecurrentCellsTest.Factory f) {
    int in = 3, hidden = 4;
    ParamStore.Builder pb = ParamStore.builder();
    Recurrent layer = layer(f, pb, in, hidden);
    ParamStore store = pb.build(D, 7);
    store.params().addi(0.05);
    Nd4j.getRandom().setSeed(1);
    INDArray x = uniform((long) T * B, in);
    INDArray r = uniform((long) T * B, hidden).muli(0.5).muli(mask(hidden)); // the consumer masks padding
    List<INDArray> s0 = randomState(layer, B);
    Seq seq = new Seq(T, B, LENGTHS, true, 0);
    store.zeroGrads();
    layer.forward(x, seq, RecurrentState.of(s0));
    INDArray dx = layer.backward(r, seq).dup();
    INDArray grads = store.grads().dup();
    INDArray[] ds = layer.initialStateGradient();
    assertEquals(layer.stateSize(), ds.length);
    DoubleSupplier loss = () -> dot(layer.forward(x, seq, RecurrentState.of(s0)), r);
    GradientCheck.check(cell + " params", store.params(), grads, loss, 1);
    GradientCheck.check(cell + " input", x, dx, loss, 1);
    for (int i = 0; i < ds.length; i++) {
      GradientCheck.check(cell + " initial state " + i, s0.get(i), ds[i], loss, 1);
    }
    assertEquals(0, dx.mul(mask(in).rsub(1)).amaxNumber().doubleValue(), 0.0, "no gradient reaches padded inputs");
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("io.seqspark.core.nn.RecurrentCellsTest#cells")
  void givenInitialState_paddedBatchGivesEachRowWhatItGetsAloneFromItsOwnStateRow(String cell,
                                                                                 RecurrentCellsTest.Factory f) {
    int in = 2, hidden = 3;
    ParamStore.Builder pb = ParamStore.builder();
    Recurrent layer = layer(f, pb, in, hidden);
    pb.build(D, 17);
    Nd4j.getRandom().setSeed(2);
    INDArray x = uniform((long) T * B, in);
    INDArray junk = mask(in).rsub(1).muli(Nd4j.rand(D, (long) T * B, in).muli(50));
    RecurrentState s0 = RecurrentState.of(randomState(layer, B));
    INDArray batch = layer.forward(x.add(junk), new Seq(T, B, LENGTHS, false, 0), s0).dup();
    for (int b = 0; b < B; b++) {
      int len = LENGTHS[b];
      INDArray xb = Nd4j.create(D, len, in);
      for (int t = 0; t < len; t++) {
        xb.getRow(t).assign(x.getRow((long) t * B + b));
      }
      INDArray alone = layer.forward(xb, new Seq(len, 1, null, false, 0), s0.select(new int[] {b}));
      for (int t = 0; t < len; t++) {
        assertEquals(0, maxDiff(batch.getRow((long) t * B + b), alone.getRow(t)), 1e-12, cell + " row " + b);
      }
    }
  }

  /** No state given = today's path; a zero state or the carried state given explicitly reproduces it exactly. */
  @ParameterizedTest(name = "{0}")
  @MethodSource("io.seqspark.core.nn.RecurrentCellsTest#cells")
  void explicitZeroOrCarriedState_equalsTheImplicitOne_bitForBit(String cell, RecurrentCellsTest.Factory f) {
    int in = 3, hidden = 4, steps = 4, rows = 2;
    ParamStore.Builder pb = ParamStore.builder();
    Recurrent layer = layer(f, pb, in, hidden);
    ParamStore store = pb.build(D, 5);
    Nd4j.getRandom().setSeed(3);
    INDArray x = uniform((long) steps * rows, in);
    INDArray r = uniform((long) steps * rows, hidden);
    Seq seq = new Seq(steps, rows, null, true, 0);
    store.zeroGrads();
    INDArray implicit = layer.forward(x, seq).dup();
    INDArray dxImplicit = layer.backward(r, seq).dup();
    INDArray gImplicit = store.grads().dup();
    assertThrows(IllegalStateException.class, layer::initialStateGradient, "no state given, no state gradient");
    store.zeroGrads();
    INDArray explicit = layer.forward(x, seq, layer.zeroState(rows)).dup();
    INDArray dxExplicit = layer.backward(r, seq).dup();
    assertEquals(0, maxDiff(implicit, explicit), 0.0);
    assertEquals(0, maxDiff(dxImplicit, dxExplicit), 0.0);
    assertEquals(0, maxDiff(gImplicit, store.grads()), 0.0);
    // carried: the second half of a stream equals the same half started from the first half's final state
    layer.setCarryState(true);
    layer.forward(x, seq);
    RecurrentState carried = layer.state();
    assertEquals(0, maxDiff(layer.carriedState()[0], carried.h()), 0.0);
    INDArray second = layer.forward(x, seq).dup();
    layer.setCarryState(false);
    assertEquals(0, maxDiff(second, layer.forward(x, seq, carried)), 0.0);
  }

  /**
   * The unrolled pass (maxSteps larger than the steps taken) equals the whole-sequence pass from the same state:
   * outputs, ∂x per step, parameter gradients, ∂(initial state), the final state; and inference steps give the
   * same outputs.
   */
  @ParameterizedTest(name = "{0}")
  @MethodSource("io.seqspark.core.nn.RecurrentCellsTest#cells")
  void unrolledSteps_equalTheWholeSequencePass(String cell, RecurrentCellsTest.Factory f) {
    int in = 3, hidden = 4, steps = 4, rows = 3;
    ParamStore.Builder pb = ParamStore.builder();
    Recurrent layer = layer(f, pb, in, hidden);
    ParamStore store = pb.build(D, 9);
    store.params().addi(0.05);
    Nd4j.getRandom().setSeed(4);
    INDArray x = uniform((long) steps * rows, in);
    INDArray r = uniform((long) steps * rows, hidden);
    RecurrentState s0 = RecurrentState.of(randomState(layer, rows));
    Seq seq = new Seq(steps, rows, null, true, 0);
    store.zeroGrads();
    INDArray y = layer.forward(x, seq, s0).dup();
    INDArray dx = layer.backward(r, seq).dup();
    INDArray grads = store.grads().dup();
    INDArray[] ds = layer.initialStateGradient();
    RecurrentState last = layer.state();

    store.zeroGrads();
    layer.beginSteps(s0, steps + 2);
    for (int t = 0; t < steps; t++) {
      INDArray ht = layer.step(Views.rows(x, (long) t * rows, (long) (t + 1) * rows));
      assertEquals(0, maxDiff(ht, Views.rows(y, (long) t * rows, (long) (t + 1) * rows)), 1e-12, cell + " h_" + t);
    }
    for (int i = 0; i < last.size(); i++) {
      assertEquals(0, maxDiff(layer.state().tensor(i), last.tensor(i)), 1e-12, cell + " final state " + i);
    }
    for (int t = steps - 1; t >= 0; t--) {
      INDArray dxt = layer.stepBackward(Views.rows(r, (long) t * rows, (long) (t + 1) * rows));
      assertEquals(0, maxDiff(dxt, Views.rows(dx, (long) t * rows, (long) (t + 1) * rows)), 1e-12, cell + " dx_" + t);
    }
    assertEquals(0, maxDiff(store.grads(), grads), 1e-12, cell + " parameter gradients");
    INDArray[] dsSteps = layer.initialStateGradient();
    for (int i = 0; i < ds.length; i++) {
      assertEquals(0, maxDiff(dsSteps[i], ds[i]), 1e-12, cell + " initial state gradient " + i);
    }
    assertThrows(IllegalStateException.class, () -> layer.stepBackward(Views.rows(r, 0, rows)),
        "a pass is back-propagated once");

    RecurrentState s = s0;
    for (int t = 0; t < steps; t++) {
      s = layer.inferStep(Views.rows(x, (long) t * rows, (long) (t + 1) * rows), s);
      assertEquals(0, maxDiff(s.h(), Views.rows(y, (long) t * rows, (long) (t + 1) * rows)), 1e-12,
          cell + " inference h_" + t);
    }
    for (int i = 0; i < last.size(); i++) {
      assertEquals(0, maxDiff(s.tensor(i), last.tensor(i)), 1e-12, cell + " inference final state " + i);
    }
  }

  /**
   * A decoder loop: x_0 = e_0, x_t = e_t + h_{t-1}·P (the previous output fed back), loss = Σ_t h_t ⊙ R_t. The
   * backward of step t gets ∂L/∂h_t = R_t + ∂L/∂x_{t+1}·Pᵀ, so it checks the step-wise backward, ∂x per step and
   * ∂(initial state) against finite differences.
   */
  @ParameterizedTest(name = "{0}")
  @MethodSource("io.seqspark.core.nn.RecurrentCellsTest#cells")
  void unrolledSteps_withFedBackOutputs_gradientsMatchFiniteDifferences(String cell, RecurrentCellsTest.Factory f) {
    int in = 3, hidden = 4, steps = 4, rows = 2;
    ParamStore.Builder pb = ParamStore.builder();
    Recurrent layer = layer(f, pb, in, hidden);
    ParamStore store = pb.build(D, 11);
    store.params().addi(0.05);
    Nd4j.getRandom().setSeed(5);
    INDArray e = uniform((long) steps * rows, in);
    INDArray p = uniform(hidden, in);
    INDArray r = uniform((long) steps * rows, hidden);
    List<INDArray> s0 = randomState(layer, rows);
    DoubleSupplier loss = () -> {
      layer.beginSteps(RecurrentState.of(s0), steps);
      double sum = 0;
      INDArray prev = null;
      for (int t = 0; t < steps; t++) {
        INDArray xt = Views.rows(e, (long) t * rows, (long) (t + 1) * rows).dup();
        if (prev != null) {
          xt.addi(prev.mmul(p));
        }
        prev = layer.step(xt);
        sum += dot(prev, Views.rows(r, (long) t * rows, (long) (t + 1) * rows));
      }
      return sum;
    };
    store.zeroGrads();
    loss.getAsDouble();
    INDArray de = Nd4j.create(D, (long) steps * rows, in);
    INDArray dxNext = null;
    for (int t = steps - 1; t >= 0; t--) {
      INDArray dh = Views.rows(r, (long) t * rows, (long) (t + 1) * rows).dup();
      if (dxNext != null) {
        dh.addi(dxNext.mmul(p.transpose()));
      }
      dxNext = layer.stepBackward(dh).dup();
      Views.rows(de, (long) t * rows, (long) (t + 1) * rows).assign(dxNext);
    }
    INDArray grads = store.grads().dup();
    INDArray[] ds = layer.initialStateGradient();
    // every 2nd parameter (each block is at least 2 wide, so every block is reached) keeps the test's time in line
    GradientCheck.check(cell + " params", store.params(), grads, loss, 2);
    GradientCheck.check(cell + " external inputs", e, de, loss, 1);
    for (int i = 0; i < ds.length; i++) {
      GradientCheck.check(cell + " initial state " + i, s0.get(i), ds[i], loss, 1);
    }
  }

  /** Beam search keeps some hypotheses twice and drops others: each selected row steps exactly as its source. */
  @ParameterizedTest(name = "{0}")
  @MethodSource("io.seqspark.core.nn.RecurrentCellsTest#cells")
  void selectedStateRows_stepExactlyAsTheirSources(String cell, RecurrentCellsTest.Factory f) {
    int in = 2, hidden = 3, rows = 3;
    ParamStore.Builder pb = ParamStore.builder();
    Recurrent layer = layer(f, pb, in, hidden);
    pb.build(D, 13);
    Nd4j.getRandom().setSeed(6);
    RecurrentState s = layer.inferStep(uniform(rows, in), RecurrentState.of(randomState(layer, rows)));
    INDArray x = uniform(rows, in);
    RecurrentState next = layer.inferStep(x, s);
    int[] sel = {2, 0, 0};
    RecurrentState picked = s.select(sel);
    assertEquals(3, picked.rows());
    INDArray xSel = Nd4j.create(D, sel.length, in);
    for (int i = 0; i < sel.length; i++) {
      xSel.getRow(i).assign(x.getRow(sel[i]));
      for (int k = 0; k < s.size(); k++) {
        assertEquals(0, maxDiff(picked.tensor(k).getRow(i), s.tensor(k).getRow(sel[i])), 0.0, "select copies rows");
      }
    }
    RecurrentState nextSel = layer.inferStep(xSel, picked);
    for (int i = 0; i < sel.length; i++) {
      for (int k = 0; k < s.size(); k++) {
        assertEquals(0, maxDiff(nextSel.tensor(k).getRow(i), next.tensor(k).getRow(sel[i])), 1e-12,
            cell + " hypothesis " + i + " (row " + sel[i] + ") tensor " + k);
      }
    }
    INDArray before = s.h();
    layer.inferStep(x, s);
    assertEquals(0, maxDiff(before, s.h()), 0.0, "stepping from a state leaves it as it was");
    RecurrentState one = s.select(new int[] {1});
    assertEquals(0, maxDiff(layer.inferStep(x.getRow(1).reshape(1, in), one).h(), next.h().getRow(1).reshape(1,
        hidden)), 1e-12, "a single hypothesis");
    assertThrows(IllegalArgumentException.class, () -> s.select(new int[] {rows}));
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("io.seqspark.core.nn.RecurrentCellsTest#cells")
  void misuse_failsWithTheLayerNameAndTheRule(String cell, RecurrentCellsTest.Factory f) {
    ParamStore.Builder pb = ParamStore.builder();
    Recurrent layer = layer(f, pb, 2, 3);
    pb.build(D, 1);
    INDArray x = Nd4j.zeros(D, 2, 2);
    IllegalStateException noPass = assertThrows(IllegalStateException.class, () -> layer.step(x));
    assertTrue(noPass.getMessage().contains("layer l") && noPass.getMessage().contains("beginSteps"));
    List<INDArray> wrong = new ArrayList<>();
    for (int i = 0; i < 3 - layer.stateSize(); i++) { // LSTM: 1 tensor instead of 2; the others: 2 instead of 1
      wrong.add(Nd4j.zeros(D, 2, 3));
    }
    IllegalArgumentException badState = assertThrows(IllegalArgumentException.class,
        () -> layer.beginSteps(RecurrentState.of(wrong), 3));
    assertTrue(badState.getMessage().contains(layer.stateSize() + " tensor(s)"), badState.getMessage());
    layer.beginSteps(layer.zeroState(2), 1);
    assertThrows(IllegalArgumentException.class, () -> layer.step(Nd4j.zeros(D, 2, 5)), "input width");
    layer.step(x);
    assertThrows(IllegalStateException.class, () -> layer.step(x), "only maxSteps steps");
    assertThrows(IllegalStateException.class, () -> layer.backward(Nd4j.zeros(D, 2, 3), new Seq(1, 2, null, true, 0)),
        "an unrolled pass is not back-propagated as a sequence");
  }
}
