package io.seqspark.core.task;

import io.seqspark.core.data.Minibatch;
import io.seqspark.core.data.Vocabulary;
import io.seqspark.core.train.BatchSource;

/**
 * What every family's loaded data offers the training driver: the vocabulary and the batches of each split.
 *
 * @param <B> the family's batch type
 */
public interface TrainingData<B extends Minibatch> {
  Vocabulary vocabulary();

  BatchSource<B> train();

  /** Null when not configured. */
  BatchSource<B> valid();

  /** Null when not configured. */
  BatchSource<B> test();
}
