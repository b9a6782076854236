package io.seqspark.spark.train;

import io.seqspark.core.config.Settings;
import io.seqspark.core.model.LanguageModel;
import io.seqspark.core.task.LanguageModelTask;
import io.seqspark.core.train.BatchSource;
import io.seqspark.core.train.TrainStep;
import java.util.Arrays;
import java.util.List;

/** The language model on Spark: built on each executor from the resolved config text and the vocabulary size. */
public final class LanguageModelWorkload extends ConfiguredWorkload {
  private final int vocabSize;

  public LanguageModelWorkload(Settings settings, int vocabSize) {
    super(settings);
    this.vocabSize = vocabSize;
  }

  @Override
  public String id() {
    return id("lm", vocabSize);
  }

  @Override
  public TrainStep newStep() {
    LanguageModel m = LanguageModelTask.model(settings(), vocabSize);
    return LanguageModelTask.step(settings(), m);
  }

  @Override
  public BatchSource source(Shard shard) {
    Settings s = settings();
    if (shard.stream() != null) {
      return LanguageModelTask.streamSource(s, shard.stream(), s.getInt("train.batchSize"));
    }
    List<int[]> sentences = Arrays.asList(shard.sentences());
    return LanguageModelTask.sentenceSource(s, sentences, ParameterAveraging.partitionSeed(s.getLong("seed"), shard.partition()));
  }
}
