package io.seqspark.spark.train;

import io.seqspark.core.config.Settings;
import io.seqspark.core.task.ClassificationTask;
import java.util.List;
import org.apache.spark.api.java.JavaSparkContext;

/** {@code classify train} on Spark: labelled examples dealt to partitions by tokens, averaged by examples. */
public final class SparkClassifierLoop extends SparkTrainingLoop<ClassificationTask.Data> {

  public SparkClassifierLoop(JavaSparkContext sc) {
    super(sc);
  }

  @Override
  protected List<Shard> shards(ClassificationTask.Data data, int partitions) {
    return Shard.ofSentences(data.trainExamples(), partitions);
  }

  @Override
  protected Workload workload(ClassificationTask.Data data, Settings s) {
    return new ClassifierWorkload(s, data.vocabulary().size(), data.labels().size());
  }
}
