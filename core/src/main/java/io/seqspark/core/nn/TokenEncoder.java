package io.seqspark.core.nn;

import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * Token ids → embedding (optionally concatenated with {@link InputFeatures} such as ELMo's) → dropout (salt 0) →
 * {@link RecurrentStack}: the encoder the classifier and the tagger share. Its parameters come first in a model's
 * buffer: {@code embedding}, the extra features' own (if any), then the stack's layers. Extra features may also give
 * the output side features of their own ({@link InputFeatures#atOutputSize}), concatenated after the stack's output.
 * A model adds its own read-out (pooling, per-token softmax) and the dropout after the encoder (salt {@code layers}).
 */
public final class TokenEncoder {
  private final Embedding embedding;
  private final Dropout dropoutIn;
  private final RecurrentStack stack;
  private final InputFeatures extra;

  public TokenEncoder(ParamStore.Builder pb, int vocabSize, int embeddingSize, String cell, int hidden, int layers,
                      boolean bidirectional, Bidirectional.Merge merge, double dropout, Init init, DataType dtype) {
    this(pb, vocabSize, embeddingSize, cell, hidden, layers, bidirectional, merge, dropout, init, dtype, null);
  }

  /**
   * @param extra null, or declares (in {@code pb}, between the embedding and the stack) features concatenated to the
   *              embedding: the stack then reads embeddingSize + their width, and the input dropout covers both
   */
  public TokenEncoder(ParamStore.Builder pb, int vocabSize, int embeddingSize, String cell, int hidden, int layers,
                      boolean bidirectional, Bidirectional.Merge merge, double dropout, Init init, DataType dtype,
                      java.util.function.Function<ParamStore.Builder, InputFeatures> extra) {
    embedding = new Embedding(pb, "embedding", vocabSize, embeddingSize, init, dtype);
    this.extra = extra == null ? null : extra.apply(pb);
    dropoutIn = new Dropout(dropout, 0, dtype);
    int width = embeddingSize + (this.extra == null ? 0 : this.extra.outputSize());
    stack = new RecurrentStack(pb, cell, width, hidden, layers, bidirectional, merge, dropout, init, dtype);
  }

  /** The token embedding (for pretrained initialisation and freezing). */
  public Embedding embedding() {
    return embedding;
  }

  /** Width of the features per position: the stack's output, then the extra features' output side (if any). */
  public int outputSize() {
    return stack.outputSize() + atOutputSize();
  }

  private int atOutputSize() {
    return extra == null ? 0 : extra.atOutputSize();
  }

  /** Whether its extra features keep what they compute of a batch ({@link InputFeatures#keeps}). */
  public boolean keeps() {
    return extra != null && extra.keeps();
  }

  /** {@link InputFeatures#keep} of the extra features, if any. */
  public void keep(int[] ids, Seq seq) {
    if (extra != null) {
      extra.keep(ids, seq);
    }
  }

  /** {@link InputFeatures#kept} of the extra features, if any ("" otherwise). */
  public String kept() {
    return extra == null ? "" : extra.kept();
  }

  /** Features [T*B, outputSize] of time-major token ids (length T*B). */
  public INDArray forward(int[] ids, Seq seq) {
    long t = Phases.start();
    INDArray e = embedding.forward(extra == null ? ids : extra.embeddingIds(ids));
    if (extra != null) {
      e = org.nd4j.linalg.factory.Nd4j.hstack(e, extra.forward(ids, seq));
    }
    INDArray x = dropoutIn.forward(e, seq);
    Phases.stop("embedding.forward", t);
    INDArray h = stack.forward(x, seq);
    return atOutputSize() == 0 ? h : org.nd4j.linalg.factory.Nd4j.hstack(h, extra.atOutput());
  }

  /** Back from the gradient of the features into the stack and the embedding. */
  public void backward(INDArray dFeatures, Seq seq) {
    INDArray dStack = dFeatures;
    if (atOutputSize() > 0) {
      long width = stack.outputSize();
      extra.backwardAtOutput(columns(dFeatures, width, dFeatures.size(1)));
      dStack = columns(dFeatures, 0, width);
    }
    INDArray d = dropoutIn.backward(stack.backward(dStack, seq));
    long t = Phases.start();
    if (extra != null) {
      long width = embedding.dim();
      extra.backward(columns(d, width, d.size(1)));
      d = columns(d, 0, width);
    }
    embedding.backward(d);
    Phases.stop("embedding.backward", t);
  }

  /** Columns [from, to) of {@code a}, as a new array. */
  private static INDArray columns(INDArray a, long from, long to) {
    return a.get(org.nd4j.linalg.indexing.NDArrayIndex.all(), org.nd4j.linalg.indexing.NDArrayIndex.interval(from, to))
        .dup();
  }
}
