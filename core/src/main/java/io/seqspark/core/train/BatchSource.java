package io.seqspark.core.train;

import io.seqspark.core.data.Batch;
import io.seqspark.core.data.Minibatch;
import io.seqspark.core.data.SentenceBatcher;
import io.seqspark.core.data.TokenStreamBatcher;

/**
 * Batches of one epoch with random access, so a resumed run can start at batch k of epoch e. Generic in the family's
 * batch type; the two language-model regimes are the two token factories.
 *
 * @param <B> the batch type
 */
public interface BatchSource<B extends Minibatch> {
  int numBatches(int epoch);

  B batch(int epoch, int k);

  /** True when consecutive batches continue the same streams (truncated BPTT): state is carried across them. */
  boolean carriesState();

  /** The same batches, with {@link #carriesState()} = {@code carry} (e.g. false: every batch from zero state). */
  default BatchSource<B> carrying(boolean carry) {
    return of(this::numBatches, this::batch, carry);
  }

  /** Batch k of an epoch. */
  interface BatchAt<B> {
    B batch(int epoch, int k);
  }

  /** A source from its parts: batches per epoch, batch k of an epoch, and whether state is carried across them. */
  static <B extends Minibatch> BatchSource<B> of(java.util.function.IntUnaryOperator numBatches, BatchAt<B> batch,
                                                boolean carriesState) {
    return new BatchSource<>() {
      @Override
      public int numBatches(int epoch) {
        return numBatches.applyAsInt(epoch);
      }

      @Override
      public B batch(int epoch, int k) {
        return batch.batch(epoch, k);
      }

      @Override
      public boolean carriesState() {
        return carriesState;
      }
    };
  }

  /** Real tokens in the epoch. */
  default long tokens(int epoch) {
    long s = 0;
    for (int k = 0; k < numBatches(epoch); k++) {
      s += batch(epoch, k).tokens();
    }
    return s;
  }

  static BatchSource<Batch> stream(TokenStreamBatcher b) {
    return new BatchSource<>() {
      @Override
      public int numBatches(int epoch) {
        return b.numBatches();
      }

      @Override
      public Batch batch(int epoch, int k) {
        return b.batch(k);
      }

      @Override
      public boolean carriesState() {
        return true;
      }

      @Override
      public long tokens(int epoch) {
        return b.tokensPerEpoch();
      }
    };
  }

  static BatchSource<Batch> sentences(SentenceBatcher b) {
    return of(b::numBatches, b::batch, false);
  }

  /** Length-bucketed batches of {@code examples} (a whole split or one partition's shard), shuffled from {@code seed}. */
  static BatchSource<Batch> sentences(io.seqspark.core.config.Settings s, java.util.List<int[]> examples, long seed,
                                      SentenceBatcher.Layout layout) {
    return sentences(io.seqspark.core.data.DataInputs.sentenceBatcher(s, examples, seed, layout));
  }

  /** Truncated-BPTT batches of {@code rows} streams over {@code stream} (train.bptt steps each). */
  static BatchSource<Batch> stream(io.seqspark.core.config.Settings s, int[] stream, int rows) {
    return stream(new TokenStreamBatcher(stream, rows, s.getInt("train.bptt")));
  }
}
