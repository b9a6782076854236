package io.seqspark.core.data;

/**
 * A batch of aligned sentence pairs for sequence-to-sequence models: row r of {@code source} and row r of
 * {@code target} are one pair. The source batch holds the source token ids (ending with {@code </s>}; its targets are
 * unused zeros); the target batch is laid out for teacher forcing as a language model's: inputs {@code <s> y1 .. yn},
 * targets {@code y1 .. yn </s>}, both right-padded and masked. The loss is counted over the target's real positions.
 *
 * @param source the source side, padded to its longest row
 * @param target the target side, padded to its longest row
 */
public record PairBatch(Batch source, Batch target) implements Minibatch, java.io.Serializable {

  public PairBatch {
    if (source.rows() != target.rows()) {
      throw new IllegalArgumentException("a pair batch needs as many source rows as target rows, got " + source.rows()
          + " and " + target.rows());
    }
  }

  @Override
  public int rows() {
    return target.rows();
  }

  /** Real target positions: the denominator of the per-token loss. */
  @Override
  public long tokens() {
    return target.tokens();
  }

  /** Target positions computed, padding included. */
  @Override
  public long positions() {
    return target.positions();
  }
}
