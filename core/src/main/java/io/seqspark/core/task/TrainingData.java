package io.seqspark.core.task;

import io.seqspark.core.data.Vocabulary;
import io.seqspark.core.train.BatchSource;

/** What every family's loaded data offers the training driver: the vocabulary and the batches of each split. */
public interface TrainingData {
  Vocabulary vocabulary();

  BatchSource train();

  /** Null when not configured. */
  BatchSource valid();

  /** Null when not configured. */
  BatchSource test();
}
