package io.seqspark.spark.train;

import io.seqspark.core.config.Settings;
import io.seqspark.core.data.SentenceBatcher;
import io.seqspark.core.task.ClassificationTask;
import io.seqspark.core.train.BatchSource;
import io.seqspark.core.train.TrainStep;
import java.util.Arrays;

/**
 * The sequence classifier on Spark: a shard holds {@link io.seqspark.core.data.Labelled} examples (tokens + class
 * id), length-bucketed on the executor exactly as the local trainer buckets the whole split.
 */
public final class ClassifierWorkload extends ConfiguredWorkload {
  private final int vocabSize;
  private final int classes;

  public ClassifierWorkload(Settings settings, int vocabSize, int classes) {
    super(settings);
    this.vocabSize = vocabSize;
    this.classes = classes;
  }

  @Override
  public String id() {
    return id("classify", vocabSize, classes);
  }

  @Override
  public TrainStep newStep() {
    return ClassificationTask.step(settings(), ClassificationTask.model(settings(), vocabSize, classes));
  }

  @Override
  public BatchSource source(Shard shard) {
    Settings s = settings();
    return ClassificationTask.trainSource(s, Arrays.asList(shard.sentences()),
        ParameterAveraging.partitionSeed(s.getLong("seed"), shard.partition()));
  }
}
