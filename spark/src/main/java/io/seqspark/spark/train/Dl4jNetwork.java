package io.seqspark.spark.train;

import io.seqspark.core.data.Batch;
import io.seqspark.core.nn.ParamStore;
import io.seqspark.core.train.StepStats;
import io.seqspark.core.train.Trainable;
import org.deeplearning4j.nn.multilayer.MultiLayerNetwork;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

/**
 * A DL4J {@link MultiLayerNetwork} language model as a {@link Trainable}, so DL4J users can train their nets with
 * seqspark's TrainStep, optimizers, checkpoints and parameter averaging. The network must read token ids as
 * [B, 1, T] (e.g. an {@code EmbeddingSequenceLayer}) and end in an {@code RnnOutputLayer} with softmax + MCXENT over
 * the vocabulary. DL4J's backprop writes ∂(loss sum)/∂θ into its flat gradient view (its own updater divides by the
 * minibatch size later) and its score is the loss sum divided by the number of sequences, so the loss sum is
 * score·B and the gradient is scaled by gradScale. DL4J overwrites that view rather than adding to it, which is
 * equivalent under TrainStep (it zeroes gradients first). Dl4jNetworkTest checks that our SGD steps equal DL4J's own
 * fit() to 1e-10 in double precision.
 * Recurrent state is not carried between batches: use the sentences regime.
 */
public final class Dl4jNetwork implements Trainable<io.seqspark.core.data.Batch> {
  private final MultiLayerNetwork net;
  private final int vocabSize;
  private final ParamStore params;

  public Dl4jNetwork(MultiLayerNetwork net, int vocabSize) {
    if (net.params() == null) {
      net.init();
    }
    this.net = net;
    this.vocabSize = vocabSize;
    if (net.getGradientsViewArray() == null) {
      net.initGradientsView(); // DL4J allocates its flat gradient view lazily
    }
    this.params = ParamStore.wrap("dl4j", net.params(), net.getGradientsViewArray());
  }

  public MultiLayerNetwork network() {
    return net;
  }

  @Override
  public ParamStore params() {
    return params;
  }

  /** Our time-major batch as DL4J's NCW arrays: ids [B,1,T], one-hot labels [B,V,T], masks [B,T]. */
  private void load(Batch b) {
    int rows = b.rows();
    int steps = b.steps();
    DataType dt = net.params().dataType();
    INDArray features = Nd4j.zeros(dt, rows, 1, steps);
    INDArray labels = Nd4j.zeros(dt, rows, vocabSize, steps);
    INDArray mask = Nd4j.zeros(dt, rows, steps);
    for (int t = 0; t < steps; t++) {
      for (int r = 0; r < rows; r++) {
        int i = t * rows + r;
        features.putScalar(new long[] {r, 0, t}, b.inputs()[i]);
        if (b.mask()[i] != 0) {
          labels.putScalar(new long[] {r, b.targets()[i], t}, 1.0);
          mask.putScalar(r, t, 1.0);
        }
      }
    }
    net.setInput(features);
    net.setLabels(labels);
    net.setLayerMaskArrays(mask, mask);
  }

  @Override
  public StepStats forwardBackward(Batch batch, double gradScale, long stepSeed) {
    load(batch);
    net.computeGradientAndScore();
    double lossSum = net.score() * batch.rows();
    params.grads().muli(gradScale); // DL4J backprop gives ∂(loss sum); its updater divides by the minibatch later
    net.clearLayerMaskArrays();
    return StepStats.of(lossSum, batch);
  }

  @Override
  public StepStats evaluate(Batch batch) {
    load(batch);
    net.computeGradientAndScore();
    double lossSum = net.score() * batch.rows();
    net.clearLayerMaskArrays();
    return StepStats.of(lossSum, batch);
  }
}
