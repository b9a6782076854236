package io.seqspark.core.nn;

import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * Token ids → embedding → dropout (salt 0) → {@link RecurrentStack}: the encoder the classifier and the tagger share.
 * Its parameters come first in a model's buffer: {@code embedding}, then the stack's layers. A model adds its own
 * read-out (pooling, per-token softmax) and the dropout after the stack (salt {@code layers}).
 */
public final class TokenEncoder {
  private final Embedding embedding;
  private final Dropout dropoutIn;
  private final RecurrentStack stack;

  public TokenEncoder(ParamStore.Builder pb, int vocabSize, int embeddingSize, String cell, int hidden, int layers,
                      boolean bidirectional, Bidirectional.Merge merge, double dropout, Init init, DataType dtype) {
    embedding = new Embedding(pb, "embedding", vocabSize, embeddingSize, init, dtype);
    dropoutIn = new Dropout(dropout, 0, dtype);
    stack = new RecurrentStack(pb, cell, embeddingSize, hidden, layers, bidirectional, merge, dropout, init, dtype);
  }

  /** The token embedding (for pretrained initialisation and freezing). */
  public Embedding embedding() {
    return embedding;
  }

  /** Width of the features per position. */
  public int outputSize() {
    return stack.outputSize();
  }

  /** Features [T*B, outputSize] of time-major token ids (length T*B). */
  public INDArray forward(int[] ids, Seq seq) {
    long t = Phases.start();
    INDArray x = dropoutIn.forward(embedding.forward(ids), seq);
    Phases.stop("embedding.forward", t);
    return stack.forward(x, seq);
  }

  /** Back from the gradient of the features into the stack and the embedding. */
  public void backward(INDArray dFeatures, Seq seq) {
    INDArray d = dropoutIn.backward(stack.backward(dFeatures, seq));
    long t = Phases.start();
    embedding.backward(d);
    Phases.stop("embedding.backward", t);
  }
}
