package io.seqspark.core.model;

import io.seqspark.core.data.Batch;
import io.seqspark.core.data.Labelled;
import io.seqspark.core.nn.Dropout;
import io.seqspark.core.nn.Embedding;
import io.seqspark.core.nn.Init;
import io.seqspark.core.nn.ParamStore;
import io.seqspark.core.nn.TokenEncoder;
import io.seqspark.core.nn.Pooling;
import io.seqspark.core.nn.Seq;
import io.seqspark.core.nn.SoftmaxOutput;
import io.seqspark.core.train.StepStats;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * Many-to-one classification of token sequences: embedding → dropout → stacked recurrent layers (optionally
 * bidirectional; dropout between) → masked pooling over each row's real steps (or its last real step) → dropout →
 * softmax over the classes. Labels travel in the {@link Batch}: row r's class id is its target at its last real step
 * ({@link Labelled#labels}). The loss unit is the EXAMPLE: {@link StepStats#tokens()} counts rows, so the per-token
 * mean of the shared machinery is the per-example mean here (train with {@code train.lossScale = sequences}).
 */
public final class SequenceClassifier implements EncoderModel {
  private final SequenceClassifierSpec spec;
  private final ParamStore params;

  /** The token embedding (initialised from word vectors by {@code model.embedding.pretrained}). */
  public Embedding embedding() {
    return encoder.embedding();
  }
  private final TokenEncoder encoder;
  private final Dropout dropoutOut;
  private final Pooling pooling;
  private final SoftmaxOutput output;

  public SequenceClassifier(SequenceClassifierSpec spec, DataType dtype, long seed) {
    this(spec, dtype, seed, null);
  }

  /**
   * @param extra null, or features concatenated to the word embedding ({@code model.contextual}: {@link
   *              ContextualWords}), declared in this model's buffer right after the embedding
   */
  public SequenceClassifier(SequenceClassifierSpec spec, DataType dtype, long seed,
      java.util.function.Function<ParamStore.Builder, io.seqspark.core.nn.InputFeatures> extra) {
    this.spec = spec;
    Init init = Init.uniform(spec.initScale());
    ParamStore.Builder pb = ParamStore.builder();
    encoder = new TokenEncoder(pb, spec.vocabSize(), spec.embeddingSize(), spec.cell(), spec.hiddenSize(),
        spec.layers(), spec.bidirectional(), spec.merge(), spec.dropout(), init, dtype, extra);
    dropoutOut = new Dropout(spec.dropout(), spec.layers(), dtype);
    pooling = new Pooling(spec.pooling(), dtype);
    output = new SoftmaxOutput(pb, "output", encoder.outputSize(), spec.classes(), init);
    params = pb.build(dtype, seed);
  }

  public SequenceClassifierSpec spec() {
    return spec;
  }

  @Override
  public ParamStore params() {
    return params;
  }

  /** Pooled (and, in training, dropped-out) features [B, F]. */
  private INDArray features(Batch batch, Seq seq) {
    INDArray h = encoder.forward(batch.inputs(), seq);
    return dropoutOut.forward(pooling.forward(h, seq), seq);
  }

  private static StepStats stats(double loss, Batch batch) {
    return new StepStats(loss, batch.rows(), batch.rows(), batch.rows());
  }

  @Override
  public StepStats forwardBackward(Batch batch, double gradScale, long stepSeed) {
    Seq seq = new Seq(batch.steps(), batch.rows(), batch.lengths(), true, stepSeed);
    double loss = output.lossSum(features(batch, seq), Labelled.labels(batch), null, gradScale);
    INDArray d = pooling.backward(dropoutOut.backward(output.inputGradient()), seq);
    encoder.backward(d, seq);
    return stats(loss, batch);
  }

  @Override
  public TokenEncoder encoder() {
    return encoder;
  }

  @Override
  public StepStats evaluate(Batch batch) {
    Seq seq = new Seq(batch.steps(), batch.rows(), batch.lengths(), false, 0);
    return stats(output.lossSum(features(batch, seq), Labelled.labels(batch), null, 0), batch);
  }

  /** Class probabilities [B, classes] per row (no dropout; a buffer owned by the model). */
  public INDArray probabilities(Batch batch) {
    Seq seq = new Seq(batch.steps(), batch.rows(), batch.lengths(), false, 0);
    return output.probabilities(features(batch, seq));
  }

  /** The most probable class of each row. */
  public int[] predict(Batch batch) {
    INDArray p = probabilities(batch);
    int[] out = new int[batch.rows()];
    for (int r = 0; r < out.length; r++) {
      int best = 0;
      for (int c = 1; c < spec.classes(); c++) {
        if (p.getDouble(r, c) > p.getDouble(r, best)) {
          best = c;
        }
      }
      out[r] = best;
    }
    return out;
  }
}
