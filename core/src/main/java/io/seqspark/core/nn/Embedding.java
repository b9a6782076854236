package io.seqspark.core.nn;

import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

/**
 * Token ids → vectors: a row gather forward, a scatter-add of the rows' gradients backward (repeated ids add up).
 * A frozen embedding keeps its rows fixed (its gradient stays zero).
 */
public final class Embedding {
  private final ParamRef table;
  private final int dim;
  private final Scratch scratch;
  private boolean frozen;
  private int[] ids;

  public Embedding(ParamStore.Builder params, String name, int vocabSize, int dim, Init init, DataType dtype) {
    this.table = params.add(name + ".E", init, vocabSize, dim);
    this.dim = dim;
    this.scratch = new Scratch(dtype);
  }

  public int dim() {
    return dim;
  }

  public ParamRef table() {
    return table;
  }

  public void setFrozen(boolean frozen) {
    this.frozen = frozen;
  }

  public boolean frozen() {
    return frozen;
  }

  /**
   * Sets the row of every vocabulary entry that {@code vectors} knows (null = unknown) to that vector; other rows keep
   * their initialisation.
   *
   * @return how many entries other than the reserved tokens had no vector (the out-of-vocabulary count)
   * @throws IllegalArgumentException if a vector's length differs from this embedding's width
   */
  public int initialise(io.seqspark.core.data.Vocabulary vocab, java.util.function.Function<String, float[]> vectors) {
    int oov = 0;
    for (int id = 0; id < vocab.size(); id++) {
      float[] v = vectors.apply(vocab.token(id));
      if (v == null) {
        oov += id < io.seqspark.core.data.Vocabulary.SPECIALS.size() ? 0 : 1;
        continue;
      }
      if (v.length != dim) {
        throw new IllegalArgumentException("pretrained vectors have " + v.length + " dimensions but the embedding has "
            + dim + "; set model.embeddingSize = " + v.length + " or use vectors of width " + dim);
      }
      table.value().putRow(id, Nd4j.createFromArray(v).castTo(table.value().dataType()));
    }
    return oov;
  }

  /** Rows of the table for {@code tokenIds} (length n), as an [n, dim] buffer owned by this layer. */
  public INDArray forward(int[] tokenIds) {
    int n = tokenIds.length;
    long vocab = table.shape()[0];
    for (int k = 0; k < n; k++) {
      if (tokenIds[k] < 0 || tokenIds[k] >= vocab) {
        throw new IllegalArgumentException("token id " + tokenIds[k] + " at position " + k + " is outside the vocabulary [0, "
            + vocab + ")");
      }
    }
    INDArray out = scratch.get("X", n, dim);
    Nd4j.pullRows(table.value(), out, 1, tokenIds);
    ids = tokenIds;
    return out;
  }

  public void backward(INDArray dx) {
    if (!frozen) {
      Ops.scatterAddRows(table.grad(), ids, dx);
    }
  }
}
