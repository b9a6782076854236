package io.seqspark.core.nn;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Map;
import org.deeplearning4j.nn.conf.MultiLayerConfiguration;
import org.deeplearning4j.nn.conf.NeuralNetConfiguration;
import org.deeplearning4j.nn.conf.inputs.InputType;
import org.deeplearning4j.nn.conf.layers.recurrent.SimpleRnn;
import org.deeplearning4j.nn.gradient.Gradient;
import org.deeplearning4j.nn.multilayer.MultiLayerNetwork;
import org.deeplearning4j.nn.workspace.LayerWorkspaceMgr;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;
import org.nd4j.common.primitives.Pair;
import org.nd4j.linalg.activations.Activation;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

/**
 * Same weights → same outputs, parameter gradients and input gradients as DL4J's stock {@code Bidirectional} wrapper
 * over {@code SimpleRnn}, in CONCAT and ADD (our SUM) modes. DL4J reverses the whole padded length, so the batch here
 * is unpadded (all rows T long): there the two definitions coincide (with padding they differ by design; our rows are
 * reversed within their own lengths, proved by SequenceLayersTest). Double precision; 1e-10 allows for the summation
 * order of two implementations over 6 steps, as in ElmanRnnDl4jParityTest.
 */
class BidirectionalDl4jParityTest {

  @ParameterizedTest
  @EnumSource(Bidirectional.Merge.class)
  void bidirectionalElman_matchesDl4jBidirectionalSimpleRnn(Bidirectional.Merge merge) {
    int in = 3, hidden = 4, T = 6, B = 2;
    ParamStore.Builder pb = ParamStore.builder();
    ElmanRnn fwd = new ElmanRnn(pb, "f", in, hidden, Init.uniform(0.8), DataType.DOUBLE);
    ElmanRnn bwd = new ElmanRnn(pb, "b", in, hidden, Init.uniform(0.8), DataType.DOUBLE);
    Bidirectional ours = new Bidirectional(fwd, bwd, merge, DataType.DOUBLE);
    ParamStore store = pb.build(DataType.DOUBLE, 21);

    org.deeplearning4j.nn.conf.layers.recurrent.Bidirectional.Mode mode = merge == Bidirectional.Merge.CONCAT
        ? org.deeplearning4j.nn.conf.layers.recurrent.Bidirectional.Mode.CONCAT
        : org.deeplearning4j.nn.conf.layers.recurrent.Bidirectional.Mode.ADD;
    MultiLayerConfiguration conf = new NeuralNetConfiguration.Builder().dataType(DataType.DOUBLE).list()
        .layer(new org.deeplearning4j.nn.conf.layers.recurrent.Bidirectional(mode,
            new SimpleRnn.Builder().nIn(in).nOut(hidden).activation(Activation.TANH).build()))
        .setInputType(InputType.recurrent(in))
        .build();
    MultiLayerNetwork net = new MultiLayerNetwork(conf);
    net.init();
    net.initGradientsView(); // allocates the layer's gradient views, which backpropGradient writes into
    org.deeplearning4j.nn.api.Layer layer = net.getLayer(0);
    Map<String, ElmanRnn> byPrefix = Map.of("f", fwd, "b", bwd);
    byPrefix.forEach((p, l) -> {
      layer.setParam(p + "W", l.wx.value().dup());
      layer.setParam(p + "RW", l.wh.value().dup());
      layer.setParam(p + "b", l.b.value().dup());
    });

    Nd4j.getRandom().setSeed(3);
    INDArray x = Nd4j.rand(DataType.DOUBLE, (long) T * B, in).subi(0.5).muli(2);
    Seq seq = new Seq(T, B, null, false, 0);
    INDArray y = ours.forward(x, seq).dup();
    int out = ours.outputSize();
    INDArray r = Nd4j.rand(DataType.DOUBLE, (long) T * B, out).subi(0.5);
    store.zeroGrads();
    INDArray dx = ours.backward(r, seq).dup();

    LayerWorkspaceMgr mgr = LayerWorkspaceMgr.noWorkspaces();
    INDArray yd = layer.activate(toDl4j(x, T, B), true, mgr);
    Pair<Gradient, INDArray> g = layer.backpropGradient(toDl4j(r, T, B), mgr);

    assertClose("output", toDl4j(y, T, B), yd);
    assertClose("input gradient", toDl4j(dx, T, B), g.getSecond());
    byPrefix.forEach((p, l) -> {
      assertClose(p + "W", l.wx.grad(), g.getFirst().getGradientFor(p + "W"));
      assertClose(p + "RW", l.wh.grad(), g.getFirst().getGradientFor(p + "RW"));
      assertClose(p + "b", l.b.grad(), g.getFirst().getGradientFor(p + "b").reshape(l.b.grad().shape()));
    });
  }

  /** Time-major [T*B, F] → DL4J's [B, F, T]. */
  private static INDArray toDl4j(INDArray m, int T, int B) {
    return m.reshape(T, B, m.size(1)).permute(1, 2, 0).dup('c');
  }

  private static void assertClose(String what, INDArray expected, INDArray actual) {
    assertEquals(expected.length(), actual.length(), what + " size");
    double largest = expected.amaxNumber().doubleValue();
    assertTrue(largest > 1e-3, what + " too small to compare: " + largest);
    double diff = expected.sub(actual.reshape(expected.shape())).amaxNumber().doubleValue();
    assertEquals(0, diff, 1e-10, what + " differs by " + diff);
  }
}
