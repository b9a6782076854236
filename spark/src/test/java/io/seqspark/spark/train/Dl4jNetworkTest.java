package io.seqspark.spark.train;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.seqspark.core.data.Batch;
import io.seqspark.core.train.Optimizer;
import io.seqspark.core.train.TrainStep;
import org.deeplearning4j.nn.conf.MultiLayerConfiguration;
import org.deeplearning4j.nn.conf.NeuralNetConfiguration;
import org.deeplearning4j.nn.conf.RNNFormat;
import org.deeplearning4j.nn.conf.inputs.InputType;
import org.deeplearning4j.nn.conf.layers.EmbeddingSequenceLayer;
import org.deeplearning4j.nn.conf.layers.LSTM;
import org.deeplearning4j.nn.conf.layers.RnnOutputLayer;
import org.deeplearning4j.nn.multilayer.MultiLayerNetwork;
import org.junit.jupiter.api.Test;
import org.nd4j.linalg.activations.Activation;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.dataset.DataSet;
import org.nd4j.linalg.learning.config.Sgd;
import org.nd4j.linalg.lossfunctions.LossFunctions;

/** A DL4J network trained by our TrainStep takes exactly the steps DL4J's own fit() takes with plain SGD. */
class Dl4jNetworkTest {
  static final int V = 9;

  static MultiLayerNetwork net() {
    MultiLayerConfiguration conf = new NeuralNetConfiguration.Builder().seed(3).dataType(DataType.DOUBLE).updater(new Sgd(0.3))
        .list()
        .layer(new EmbeddingSequenceLayer.Builder().nIn(V).nOut(4).outputDataFormat(RNNFormat.NCW).build())
        .layer(new LSTM.Builder().nIn(4).nOut(5).activation(Activation.TANH).build())
        .layer(new RnnOutputLayer.Builder(LossFunctions.LossFunction.MCXENT).nIn(5).nOut(V).activation(Activation.SOFTMAX).build())
        .setInputType(InputType.recurrent(1)).overrideNinUponBuild(false).build();
    MultiLayerNetwork n = new MultiLayerNetwork(conf);
    n.init();
    return n;
  }

  static Batch batch(int k) {
    int[][] in = {{2, 5, 6, 7 - k % 2}, {2, 8}, {2, 4, 5}};
    int[][] tg = {{5, 6, 7 - k % 2, 3}, {8, 3}, {4, 5, 3}};
    return Batch.padded(in, tg, new long[] {0, 1, 2});
  }

  @Test
  void ourTrainStepOnADl4jNetwork_equalsDl4jsOwnSgdFit_withMasks() {
    MultiLayerNetwork ours = net();
    MultiLayerNetwork theirs = ours.clone();
    Dl4jNetwork model = new Dl4jNetwork(ours, V);
    INDArray start = ours.params().dup();
    // DL4J's SGD step is θ − lr·∂score/∂θ with score = loss sum / sequences: our SEQUENCES loss scale, no clipping
    TrainStep step = new TrainStep(model, Optimizer.create("sgd", model.params().size(), DataType.DOUBLE, 0, 0, 0), 0,
        TrainStep.LossScale.SEQUENCES);
    for (int k = 0; k < 4; k++) {
      step.run(batch(k), 0.3, k + 1, 1);
      Dl4jNetwork view = new Dl4jNetwork(theirs, V);
      view.evaluate(batch(k)); // builds the same arrays; DL4J then fits on them
      DataSet ds = new DataSet(theirs.getInput(), theirs.getLabels(), maskOf(batch(k)), maskOf(batch(k)));
      theirs.fit(ds);
    }
    double diff = ours.params().sub(theirs.params()).norm2Number().doubleValue();
    double moved = ours.params().sub(start).norm2Number().doubleValue();
    assertTrue(moved > 1e-3, "training moved the parameters: " + moved);
    assertEquals(0, diff, 1e-10, "double precision: only summation order may differ");
  }

  static INDArray maskOf(Batch b) {
    INDArray m = org.nd4j.linalg.factory.Nd4j.zeros(DataType.DOUBLE, b.rows(), b.steps());
    for (int t = 0; t < b.steps(); t++) {
      for (int r = 0; r < b.rows(); r++) {
        m.putScalar(r, t, b.mask()[t * b.rows() + r]);
      }
    }
    return m;
  }
}
