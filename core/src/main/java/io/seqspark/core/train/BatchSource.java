package io.seqspark.core.train;

import io.seqspark.core.data.Batch;
import io.seqspark.core.data.SentenceBatcher;
import io.seqspark.core.data.TokenStreamBatcher;

/**
 * Batches of one epoch with random access, so a resumed run can start at batch k of epoch e. The two language
 * model regimes are the two factories.
 */
public interface BatchSource {
  int numBatches(int epoch);

  Batch batch(int epoch, int k);

  /** True when consecutive batches continue the same streams (truncated BPTT): state is carried across them. */
  boolean carriesState();

  /** The same batches, with {@link #carriesState()} = {@code carry} (e.g. false: every batch from zero state). */
  default BatchSource carrying(boolean carry) {
    BatchSource self = this;
    return new BatchSource() {
      @Override
      public int numBatches(int epoch) {
        return self.numBatches(epoch);
      }

      @Override
      public Batch batch(int epoch, int k) {
        return self.batch(epoch, k);
      }

      @Override
      public boolean carriesState() {
        return carry;
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

  static BatchSource stream(TokenStreamBatcher b) {
    return new BatchSource() {
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

  static BatchSource sentences(SentenceBatcher b) {
    return new BatchSource() {
      @Override
      public int numBatches(int epoch) {
        return b.numBatches(epoch);
      }

      @Override
      public Batch batch(int epoch, int k) {
        return b.batch(epoch, k);
      }

      @Override
      public boolean carriesState() {
        return false;
      }
    };
  }
}
