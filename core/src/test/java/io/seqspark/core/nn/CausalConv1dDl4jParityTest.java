package io.seqspark.core.nn;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import org.deeplearning4j.nn.conf.ConvolutionMode;
import org.deeplearning4j.nn.conf.MultiLayerConfiguration;
import org.deeplearning4j.nn.conf.NeuralNetConfiguration;
import org.deeplearning4j.nn.conf.inputs.InputType;
import org.deeplearning4j.nn.conf.layers.Convolution1DLayer;
import org.deeplearning4j.nn.gradient.Gradient;
import org.deeplearning4j.nn.multilayer.MultiLayerNetwork;
import org.deeplearning4j.nn.workspace.LayerWorkspaceMgr;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.nd4j.common.primitives.Pair;
import org.nd4j.linalg.activations.Activation;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

/**
 * Same weights → same outputs and gradients as DL4J's {@code Convolution1DLayer} with {@code ConvolutionMode.Causal}
 * and dilation. DL4J keeps sequences as [B, C, T], ours as time-major [T·B, C] (x_dl4j[b, c, t] = x_ours[t·B + b, c]);
 * our kernel is W[K·in, out] (tap j = rows j·in …, j = 0 the oldest input), which is exactly the buffer order DL4J
 * uses (see below). Both in double; 1e-10 allows for the different summation orders (values of order 1).
 */
class CausalConv1dDl4jParityTest {
  private static final DataType D = DataType.DOUBLE;
  private static final double TOL = 1e-10;

  @ParameterizedTest(name = "K={0} d={1}")
  @CsvSource({"3, 2", "2, 4", "4, 1"})
  void causalConv_matchesDl4jConvolution1DLayer_outputsAndGradients(int kernel, int dilation) {
    int in = 3, out = 4, T = 9, B = 2;
    ParamStore.Builder pb = ParamStore.builder();
    CausalConv1d ours = new CausalConv1d(pb, "c", in, out, kernel, dilation, false, Init.uniform(0.7), D);
    ParamStore store = pb.build(D, 13);
    ours.biasParam().value().assign(Nd4j.rand(D, 1, out));

    MultiLayerConfiguration conf = new NeuralNetConfiguration.Builder().dataType(D).list()
        .layer(new Convolution1DLayer.Builder().kernelSize(kernel).dilation(dilation)
            .convolutionMode(ConvolutionMode.Causal).nIn(in).nOut(out).activation(Activation.IDENTITY).build())
        .setInputType(InputType.recurrent(in))
        .build();
    MultiLayerNetwork net = new MultiLayerNetwork(conf);
    net.init();
    net.initGradientsView(); // backpropGradient writes into the network's gradient views
    // DL4J reports W as [nOut, nIn, K, 1], but its conv1d reads the buffer as [K, nIn, nOut] (found by this test:
    // an element-wise copy by the reported shape gives wrong outputs even for K = 1; a raw copy of our [K·in, out]
    // buffer gives DL4J's outputs and gradients). So the flat parameter vector is b then our W, as is.
    INDArray w = ours.kernelParam().value();
    net.setParams(Nd4j.concat(1, ours.biasParam().value().reshape(1, out), w.reshape('c', 1, w.length())));
    assertArrayEquals(new long[] {out, in, kernel, 1}, net.getLayer(0).getParam("W").shape());

    Nd4j.getRandom().setSeed(5);
    INDArray x = Nd4j.rand(D, (long) T * B, in).subi(0.5);
    INDArray dy = Nd4j.rand(D, (long) T * B, out).subi(0.5);
    Seq seq = new Seq(T, B, null, true, 0);
    INDArray y = ours.forward(x, seq).dup();
    store.zeroGrads();
    INDArray dx = ours.backward(dy, seq).dup();

    LayerWorkspaceMgr mgr = LayerWorkspaceMgr.noWorkspaces();
    org.deeplearning4j.nn.api.Layer layer = net.getLayer(0);
    layer.setInput(toNcw(x, T, B), mgr);
    INDArray yd = layer.activate(true, mgr);
    Pair<Gradient, INDArray> back = layer.backpropGradient(toNcw(dy, T, B), mgr);
    assertArrayEquals(new long[] {B, out, T}, yd.shape());
    assertClose("output", toNcw(y, T, B), yd);
    assertClose("input gradient", toNcw(dx, T, B), back.getSecond());
    INDArray dwd = back.getFirst().getGradientFor("W");
    INDArray dw = ours.kernelParam().grad();
    assertClose("kernel gradient (raw buffer order, see above)", dw.reshape('c', 1, dw.length()),
        dwd.dup('c').reshape('c', 1, dwd.length()));
    assertClose("bias gradient", ours.biasParam().grad().reshape(out), back.getFirst().getGradientFor("b").reshape(out));
  }

  /** Time-major [T·B, C] → DL4J's [B, C, T]. */
  private static INDArray toNcw(INDArray m, int steps, int rows) {
    return m.reshape(steps, rows, m.size(1)).permute(1, 2, 0).dup('c');
  }

  private static void assertClose(String what, INDArray expected, INDArray actual) {
    assertArrayEquals(expected.shape(), actual.shape(), what + " shape");
    double diff = expected.sub(actual).amaxNumber().doubleValue();
    assertEquals(0.0, diff, TOL, what + ": largest difference " + diff);
  }
}
