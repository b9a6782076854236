package io.seqspark.core.nn;

import static org.junit.jupiter.api.Assertions.assertEquals;

import org.deeplearning4j.nn.conf.MultiLayerConfiguration;
import org.deeplearning4j.nn.conf.NeuralNetConfiguration;
import org.deeplearning4j.nn.conf.layers.recurrent.SimpleRnn;
import org.deeplearning4j.nn.multilayer.MultiLayerNetwork;
import org.junit.jupiter.api.Test;
import org.nd4j.linalg.activations.Activation;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

/**
 * Same weights → same outputs as DL4J's stock {@code SimpleRnn} layer (h_t = tanh(x_t·W + h_{t-1}·RW + b), with
 * W [nIn, nOut], RW [nOut, nOut] and b [1, nOut]: the same layout as ours, so weights copy over unchanged). Both run
 * in double precision; the tolerance 1e-10 allows for the different summation order and tanh implementations of the
 * two (a few ulps of values of order 1, growing mildly over the steps).
 */
class ElmanRnnDl4jParityTest {

  @Test
  void elmanRnn_matchesDl4jSimpleRnn_onTheSameWeights() {
    int in = 3, hidden = 4, T = 7, B = 2;
    ParamStore.Builder pb = ParamStore.builder();
    ElmanRnn ours = new ElmanRnn(pb, "r", in, hidden, Init.uniform(0.8), DataType.DOUBLE);
    pb.build(DataType.DOUBLE, 11);

    MultiLayerConfiguration conf = new NeuralNetConfiguration.Builder().dataType(DataType.DOUBLE).list()
        .layer(new SimpleRnn.Builder().nIn(in).nOut(hidden).activation(Activation.TANH).build())
        .build();
    MultiLayerNetwork net = new MultiLayerNetwork(conf);
    net.init();
    net.getLayer(0).setParam("W", ours.wx.value().dup());
    net.getLayer(0).setParam("RW", ours.wh.value().dup());
    net.getLayer(0).setParam("b", ours.b.value().dup());

    Nd4j.getRandom().setSeed(3);
    INDArray x = Nd4j.rand(DataType.DOUBLE, (long) T * B, in).subi(0.5).muli(2);
    INDArray y = ours.forward(x, new Seq(T, B, null, false, 0));
    // DL4J wants [B, nIn, T]
    INDArray xd = x.reshape(T, B, in).permute(1, 2, 0).dup('c');
    INDArray yd = net.output(xd);
    double largest = 0;
    for (int t = 0; t < T; t++) {
      for (int b = 0; b < B; b++) {
        for (int j = 0; j < hidden; j++) {
          double d = yd.getDouble(b, j, t);
          assertEquals(d, y.getDouble((long) t * B + b, j), 1e-10, "t=" + t + " b=" + b + " j=" + j);
          largest = Math.max(largest, Math.abs(d));
        }
      }
    }
    // guard against a vacuous pass (e.g. all outputs ~0)
    org.junit.jupiter.api.Assertions.assertTrue(largest > 0.1, "outputs too small to compare: " + largest);
  }
}
