package io.seqspark.core.nn;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;

import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

/** TcnBlock and TCN stacks: gradients, causality, the receptive field they report, and the carried stream state. */
class TcnBlockTest {
  private static final DataType D = DataType.DOUBLE;

  @ParameterizedTest(name = "in={0} out={1} dropout={2}")
  @CsvSource({"3, 4, 0.3", "4, 4, 0.0"})
  void gradientsMatchFiniteDifferences_withMaskDropoutAndResidual(int in, int out, double dropout) {
    ParamStore.Builder pb = ParamStore.builder();
    TcnBlock block = new TcnBlock(pb, "blk", in, out, 3, 2, true, dropout, 10, Init.uniform(0.6), D);
    ParamStore store = pb.build(D, 21);
    store.params().addi(0.05);
    assertEquals(in != out, block.residual() != null, "a 1×1 residual convolution exactly when widths differ");
    int[] lengths = {CausalConv1dTest.T, 5};
    Seq seq = new Seq(CausalConv1dTest.T, CausalConv1dTest.B, lengths, true, 77); // dropout masks fixed by the seed
    Nd4j.getRandom().setSeed(4);
    INDArray x = Nd4j.rand(D, (long) CausalConv1dTest.T * CausalConv1dTest.B, in).subi(0.3);
    INDArray r = CausalConv1dTest.maskedWeights(CausalConv1dTest.T, CausalConv1dTest.B, lengths, out, 5);
    CausalConv1dTest.checkGradients("tcn block " + in + "->" + out, block, store, x, seq, r, 2);
  }

  @Test
  void block_isCausal() {
    ParamStore.Builder pb = ParamStore.builder();
    TcnBlock block = new TcnBlock(pb, "blk", 3, 5, 3, 2, true, 0.0, 0, Init.uniform(0.6), D);
    pb.build(D, 3);
    CausalConv1dTest.assertCausal(block, 8, 2, 3);
  }

  /** The stack as one layer, for the causality and receptive-field checks. */
  private static SeqLayer chain(List<TcnBlock> blocks) {
    return new SeqLayer() {
      public int inputSize() {
        return blocks.get(0).inputSize();
      }

      public int outputSize() {
        return blocks.get(blocks.size() - 1).outputSize();
      }

      public INDArray forward(INDArray x, Seq seq) {
        INDArray h = x;
        for (TcnBlock b : blocks) {
          h = b.forward(h, seq);
        }
        return h;
      }

      public INDArray backward(INDArray dy, Seq seq) {
        throw new UnsupportedOperationException();
      }
    };
  }

  @Test
  void stack_isCausal_andHasTheDilations1_2_4() {
    ParamStore.Builder pb = ParamStore.builder();
    List<TcnBlock> blocks = TcnBlock.stack(pb, "tcn", 3, 4, 3, 2, true, 0.0, 0, Init.uniform(0.6), D);
    pb.build(D, 4);
    assertEquals(List.of(1, 2, 4), blocks.stream().map(b -> b.conv1().dilation()).toList());
    assertNotNull(blocks.get(0).residual());
    assertNull(blocks.get(1).residual());
    CausalConv1dTest.assertCausal(chain(blocks), 10, 2, 3);
  }

  /**
   * Perturb the input at each step u alone; the output at step t must move exactly when t − R + 1 ≤ u ≤ t, with R the
   * reported receptive field (3 levels, K = 3: R = 1 + 2·2·(1 + 2 + 4) = 29).
   */
  @Test
  void outputAtT_dependsOnExactlyTheReportedReceptiveField() {
    ParamStore.Builder pb = ParamStore.builder();
    List<TcnBlock> blocks = TcnBlock.stack(pb, "tcn", 3, 6, 3, 3, false, 0.0, 0, Init.uniform(0.8), D);
    ParamStore store = pb.build(D, 12);
    for (ParamRef p : store.refs()) {
      if (p.name().endsWith(".b")) {
        p.value().assign(5); // biases that keep every ReLU open: no path inside R is cut by a closed unit
      }
    }
    int R = TcnBlock.receptiveField(blocks);
    assertEquals(29, R);
    int steps = 40;
    SeqLayer net = chain(blocks);
    Seq seq = new Seq(steps, 1, null, false, 0);
    Nd4j.getRandom().setSeed(6);
    INDArray x = Nd4j.rand(D, steps, 3);
    INDArray y = net.forward(x, seq).dup();
    for (int u = 0; u < steps; u++) {
      INDArray xp = x.dup();
      xp.getRow(u).addi(0.5);
      INDArray yp = net.forward(xp, seq);
      for (int t = 0; t < steps; t++) {
        boolean moved = yp.getRow(t).sub(y.getRow(t)).amaxNumber().doubleValue() > 1e-12;
        boolean inField = u <= t && u >= t - R + 1;
        assertEquals(inField, moved, "input " + u + " -> output " + t);
      }
    }
  }

  @Test
  void stackWithCarriedState_equalsOnePassOverTheWholeStream() {
    ParamStore.Builder pb = ParamStore.builder();
    List<TcnBlock> blocks = TcnBlock.stack(pb, "tcn", 2, 3, 2, 2, true, 0.0, 0, Init.uniform(0.6), D);
    pb.build(D, 8);
    SeqLayer net = chain(blocks);
    StatefulLayer stateful = new StatefulLayer() {
      public void setCarryState(boolean carry) {
        blocks.forEach(b -> b.setCarryState(carry));
      }

      public void resetState() {
        blocks.forEach(TcnBlock::resetState);
      }

      public INDArray[] carriedState() {
        throw new UnsupportedOperationException();
      }

      public void restoreState(INDArray[] state) {
        throw new UnsupportedOperationException();
      }

      public int inputSize() {
        return net.inputSize();
      }

      public int outputSize() {
        return net.outputSize();
      }

      public INDArray forward(INDArray x, Seq seq) {
        return net.forward(x, seq);
      }

      public INDArray backward(INDArray dy, Seq seq) {
        return net.backward(dy, seq);
      }
    };
    CausalConv1dTest.assertStreamEquivalence(stateful, 2);
  }
}
