package io.seqspark.spark.w2v;

import io.seqspark.core.config.Settings;
import io.seqspark.core.w2v.Corpus;
import io.seqspark.core.w2v.SkipGramOptions;
import io.seqspark.core.w2v.Word2VecTrainer;
import io.seqspark.core.w2v.Word2VecTraining;
import org.apache.spark.api.java.JavaSparkContext;

/**
 * {@code w2v train --master ...}: {@link DistributedWord2Vec} with w2v.partitions, w2v.roundsPerEpoch and
 * spark.transport / spark.transportPort.
 */
public final class SparkWord2VecEngine implements Word2VecTraining.Engine {
  private final JavaSparkContext sc;

  public SparkWord2VecEngine(JavaSparkContext sc) {
    this.sc = sc;
  }

  /** w2v.partitions, or Spark's default parallelism when it is 0. */
  public int partitions(Settings s) {
    int p = s.getInt("w2v.partitions");
    return p == 0 ? sc.defaultParallelism() : p;
  }

  @Override
  public Word2VecTrainer.Result train(Corpus corpus, SkipGramOptions o, Settings s, Word2VecTraining.Listener listener) {
    return DistributedWord2Vec.train(sc, corpus, DistributedWord2Vec.Options.of(s, o, partitions(s)),
        (epoch, round, words, total, lr, loss, sec) -> listener.onProgress(epoch + 1, words, total, lr, loss, sec));
  }

  @Override
  public String name() {
    return "spark " + sc.master() + " (" + sc.defaultParallelism() + " default parallelism)";
  }
}
