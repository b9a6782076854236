package io.seqspark.core.w2v;

import io.seqspark.core.data.Vocabulary;

/**
 * Trained (or training) skip-gram vectors: the vocabulary, the input vectors (the word vectors everyone uses) and
 * the output vectors (needed to continue training). Row i is vocabulary id i; rows of the reserved ids stay zero.
 */
public record Word2VecModel(Vocabulary vocabulary, Vectors in, Vectors out) {

  /**
   * word2vec's initialisation: input rows uniform in [-0.5, 0.5) / dim, output rows zero. Each row draws from its
   * own stream (seed, row), so the values do not depend on the block layout or on threads.
   */
  public static Word2VecModel initialise(Vocabulary vocab, int dim, long seed, int blockRows) {
    Vectors.Layout layout = blockRows > 0 ? new Vectors.Layout(vocab.size(), dim, blockRows)
        : Vectors.Layout.of(vocab.size(), dim);
    Vectors in = new Vectors(layout);
    for (int r = Corpus.FIRST_WORD; r < vocab.size(); r++) {
      long state = SkipGram.mix(seed ^ 0x5DEECE66DL) + 0x9E3779B97F4A7C15L * r;
      float[] b = in.block(r);
      int off = in.offset(r);
      for (int d = 0; d < dim; d++) {
        state += 0x9E3779B97F4A7C15L;
        double u = (SkipGram.mix(state) >>> 11) * 0x1.0p-53;
        b[off + d] = (float) ((u - 0.5) / dim);
      }
    }
    return new Word2VecModel(vocab, in, new Vectors(layout));
  }

  public int dim() {
    return in.dim();
  }

  /** The input vector of {@code word}, or null if it is not a trained word. */
  public float[] vector(String word) {
    if (!vocabulary.contains(word)) {
      return null;
    }
    int id = vocabulary.id(word);
    return id < Corpus.FIRST_WORD ? null : in.row(id);
  }
}
