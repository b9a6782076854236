package io.seqspark.core.model;

import io.seqspark.core.data.Batch;
import io.seqspark.core.data.SentenceBatcher;
import io.seqspark.core.nn.Dropout;
import io.seqspark.core.nn.Embedding;
import io.seqspark.core.nn.Init;
import io.seqspark.core.nn.ParamStore;
import io.seqspark.core.nn.TokenEncoder;
import io.seqspark.core.nn.Seq;
import io.seqspark.core.nn.SoftmaxOutput;
import io.seqspark.core.train.StepStats;
import java.util.Arrays;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

/**
 * Many-to-many tagging of token sequences: embedding → dropout → stacked recurrent layers (bidirectional by default,
 * the backward direction starting at each row's own last real word; dropout between) → dropout → softmax over the
 * tags at every position. Batches are {@link SentenceBatcher.Layout#TAGGING}: inputs are word ids, targets the tag ids
 * at the same positions. The loss is summed over real positions only (padding costs no softmax work and gets no
 * gradient), and {@link StepStats#tokens()} counts those positions, so the shared per-token mean is the mean per
 * tagged word (train with {@code train.lossScale = tokens}).
 */
public final class SequenceTagger implements EncoderModel {
  private final SequenceTaggerSpec spec;
  private final ParamStore params;
  private final TokenEncoder encoder;
  private final Dropout dropoutOut;
  private final SoftmaxOutput output;

  /**
   * @param dtype parameter and activation type (FLOAT to train, DOUBLE for gradient checks)
   * @param seed  drives the parameter initialisation
   */
  public SequenceTagger(SequenceTaggerSpec spec, DataType dtype, long seed) {
    this(spec, dtype, seed, null);
  }

  /**
   * @param extra null, or features concatenated to the word embedding ({@code model.contextual}: {@link
   *              ContextualWords}), declared in this model's buffer right after the embedding
   */
  public SequenceTagger(SequenceTaggerSpec spec, DataType dtype, long seed,
      java.util.function.Function<ParamStore.Builder, io.seqspark.core.nn.InputFeatures> extra) {
    this.spec = spec;
    Init init = Init.uniform(spec.initScale());
    ParamStore.Builder pb = ParamStore.builder();
    encoder = new TokenEncoder(pb, spec.vocabSize(), spec.embeddingSize(), spec.cell(), spec.hiddenSize(),
        spec.layers(), spec.bidirectional(), spec.merge(), spec.dropout(), init, dtype, extra);
    dropoutOut = new Dropout(spec.dropout(), spec.layers(), dtype);
    output = new SoftmaxOutput(pb, "output", encoder.outputSize(), spec.tags(), init);
    params = pb.build(dtype, seed);
  }

  /** The architecture this model was built from. */
  public SequenceTaggerSpec spec() {
    return spec;
  }

  /** The word embedding (for pretrained initialisation and freezing). */
  public Embedding embedding() {
    return encoder.embedding();
  }

  @Override
  public ParamStore params() {
    return params;
  }

  /** Per-position features [T*B, F] (time-major; in training, dropped out). */
  private INDArray features(Batch batch, Seq seq) {
    return dropoutOut.forward(encoder.forward(batch.inputs(), seq), seq);
  }

  @Override
  public StepStats forwardBackward(Batch batch, double gradScale, long stepSeed) {
    Seq seq = new Seq(batch.steps(), batch.rows(), batch.lengths(), true, stepSeed);
    double loss = output.lossSum(features(batch, seq), batch.targets(), batch.mask(), gradScale);
    // padded positions get a zero gradient from the loss; the layers then keep them out of every real position
    encoder.backward(dropoutOut.backward(output.inputGradient()), seq);
    return StepStats.of(loss, batch);
  }

  @Override
  public TokenEncoder encoder() {
    return encoder;
  }

  @Override
  public StepStats evaluate(Batch batch) {
    Seq seq = new Seq(batch.steps(), batch.rows(), batch.lengths(), false, 0);
    return StepStats.of(output.lossSum(features(batch, seq), batch.targets(), batch.mask(), 0), batch);
  }

  /**
   * The most probable tag at every position (no dropout), time-major like the batch: position (t, r) is index
   * {@code t * rows + r}; padded positions hold -1 (no tag).
   */
  public int[] predict(Batch batch) {
    Seq seq = new Seq(batch.steps(), batch.rows(), batch.lengths(), false, 0);
    INDArray h = features(batch, seq);
    int n = batch.steps() * batch.rows();
    int[] real = new int[n];
    int m = 0;
    for (int k = 0; k < n; k++) {
      if (batch.mask()[k] != 0f) {
        real[m++] = k;
      }
    }
    int[] out = new int[n];
    Arrays.fill(out, -1);
    if (m == 0) {
      return out;
    }
    real = Arrays.copyOf(real, m);
    INDArray hr = Nd4j.create(h.dataType(), m, h.size(1));
    Nd4j.pullRows(h, hr, 1, real);
    // softmax is monotone, so the arg-max of the probabilities is the arg-max of the logits
    long[] best = output.probabilities(hr).argMax(1).toLongVector();
    for (int k = 0; k < m; k++) {
      out[real[k]] = (int) best[k];
    }
    return out;
  }
}
