package io.seqspark.core.decode;

/**
 * A model seen one output token at a time, over a batch of hypotheses (rows). A decoder is created already bound to
 * its context — a language model's prefixes, a translation model's encoded sources — with one row per input; after
 * that it only ever sees the token each row emitted last. {@link Sampler} and {@link BeamSearch} run on this
 * interface and know nothing of the model behind it.
 *
 * <p>Protocol: the first {@link #step} feeds {@link #startTokens()}; each later one feeds the token every row chose.
 * Between steps, {@link #select} keeps, drops, reorders or copies rows (a beam search keeps the parents of its best
 * candidates). A decoder holds its rows' state; it is not thread-safe.
 */
public interface IncrementalDecoder {

  /** Output classes: the width of each row of {@link #step}. */
  int vocabSize();

  /** Hypotheses now held: the number of inputs until the first {@link #select}. */
  int rows();

  /**
   * The token each input's first {@link #step} feeds, one per input: {@code <s>}, or the last token of a prefix
   * (the rest of it is already in the state). A fresh array on every call.
   */
  int[] startTokens();

  /**
   * Feeds one token per row and advances every row's state by it.
   *
   * @param lastTokens {@link #rows()} ids, the token each row emitted last
   * @return log-probabilities of the next token, row-major {@code [rows, vocabSize]} (row r at {@code r * vocabSize});
   *     {@code -Infinity} where a probability is 0. The caller owns the array.
   */
  double[] step(int[] lastTokens);

  /**
   * Keeps the hypotheses {@code rows} names, in that order: row i of the new state is old row {@code rows[i]}. Rows
   * may repeat (a hypothesis with two continuations) or be left out (a finished one); an empty array drops them all.
   */
  void select(int[] rows);

  /**
   * Row {@code row}'s attention weights over its input at the last {@link #step} (the weights the distribution that
   * step returned for the row was computed with), or null when the model has no attention (the default). After a
   * {@link #select}, for the row it now is.
   */
  default double[] attention(int row) {
    return null;
  }
}
