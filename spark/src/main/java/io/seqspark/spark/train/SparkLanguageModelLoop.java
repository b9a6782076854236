package io.seqspark.spark.train;

import io.seqspark.core.config.Settings;
import io.seqspark.core.task.LanguageModelTask;
import io.seqspark.core.task.LanguageModelTraining;
import java.util.List;
import org.apache.spark.api.java.JavaSparkContext;

/** {@code lm train} on Spark: the stream regime cuts the token stream, the sentences regime deals sentences by tokens. */
public final class SparkLanguageModelLoop extends SparkTrainingLoop<LanguageModelTask.Data>
    implements LanguageModelTraining.Loop {

  public SparkLanguageModelLoop(JavaSparkContext sc) {
    super(sc);
  }

  @Override
  protected List<Shard> shards(LanguageModelTask.Data data, int partitions) {
    return data.trainStream() != null ? Shard.ofStream(data.trainStream(), partitions)
        : Shard.ofSentences(data.trainSentences(), partitions);
  }

  @Override
  protected Workload workload(LanguageModelTask.Data data, Settings s) {
    return new LanguageModelWorkload(s, data.vocabulary().size());
  }
}
