package io.seqspark.core.nn;

import static org.junit.jupiter.api.Assertions.assertEquals;

import org.deeplearning4j.nn.conf.MultiLayerConfiguration;
import org.deeplearning4j.nn.conf.NeuralNetConfiguration;
import org.deeplearning4j.nn.conf.layers.LSTM;
import org.deeplearning4j.nn.multilayer.MultiLayerNetwork;
import org.junit.jupiter.api.Test;
import org.nd4j.linalg.activations.Activation;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.indexing.NDArrayIndex;

/**
 * Same weights → same outputs as DL4J's stock {@code LSTM} layer. DL4J orders its gate blocks
 * [block input (tanh) | forget | output | input gate]; ours is [input gate | forget | output | block input], so the
 * test permutes column blocks when copying weights. Both run in double precision; the tolerance 1e-10 allows
 * for the different summation order of the two implementations (a few ulps of values of order 1).
 */
class LstmDl4jParityTest {

  @Test
  void lstm_matchesDl4jLstm_onTheSameWeights() {
    int in = 3, hidden = 4, T = 6, B = 2;
    ParamStore.Builder pb = ParamStore.builder();
    Lstm ours = new Lstm(pb, "l", in, hidden, Init.uniform(0.8), DataType.DOUBLE);
    pb.build(DataType.DOUBLE, 11);

    MultiLayerConfiguration conf = new NeuralNetConfiguration.Builder().dataType(DataType.DOUBLE).list()
        .layer(new LSTM.Builder().nIn(in).nOut(hidden).activation(Activation.TANH).gateActivationFunction(Activation.SIGMOID).build())
        .build();
    MultiLayerNetwork net = new MultiLayerNetwork(conf);
    net.init();
    net.getLayer(0).setParam("W", toDl4j(ours.wx.value(), hidden));
    net.getLayer(0).setParam("RW", toDl4j(ours.wh.value(), hidden));
    net.getLayer(0).setParam("b", toDl4j(ours.b.value(), hidden));

    Nd4j.getRandom().setSeed(3);
    INDArray x = Nd4j.rand(DataType.DOUBLE, (long) T * B, in).subi(0.5).muli(2);
    INDArray y = ours.forward(x, new Seq(T, B, null, false, 0));
    // DL4J wants [B, nIn, T]
    INDArray xd = x.reshape(T, B, in).permute(1, 2, 0).dup('c');
    INDArray yd = net.output(xd);
    for (int t = 0; t < T; t++) {
      for (int b = 0; b < B; b++) {
        for (int j = 0; j < hidden; j++) {
          assertEquals(yd.getDouble(b, j, t), y.getDouble((long) t * B + b, j), 1e-10, "t=" + t + " b=" + b + " j=" + j);
        }
      }
    }
  }

  /** Our [i | f | o | g] column blocks → DL4J's [g | f | o | i]; swapping two blocks, it is its own inverse. */
  static INDArray toDl4j(INDArray ours, int h) {
    INDArray out = ours.dup();
    out.get(NDArrayIndex.all(), NDArrayIndex.interval(0, h)).assign(ours.get(NDArrayIndex.all(), NDArrayIndex.interval(3 * h, 4 * h)));
    out.get(NDArrayIndex.all(), NDArrayIndex.interval(3 * h, 4 * h)).assign(ours.get(NDArrayIndex.all(), NDArrayIndex.interval(0, h)));
    return out;
  }
}
