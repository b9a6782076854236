package io.seqspark.spark.train;

import static org.junit.jupiter.api.Assertions.assertTrue;

import io.seqspark.core.config.Settings;
import io.seqspark.core.w2v.SkipGramOptions;
import io.seqspark.core.w2v.Word2VecModel;
import io.seqspark.core.w2v.Word2VecTraining;
import io.seqspark.spark.w2v.DistributedWord2Vec;
import io.seqspark.spark.w2v.ShardCorpus;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.apache.spark.api.java.JavaSparkContext;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Executors in separate JVMs ({@code local-cluster}) reading their shards: translation pairs give the parameters the
 * driver gives reading the same pieces (local[2]); Word2Vec partitions give the vectors local[2] executors give (which
 * {@code Word2VecShardsIT} shows equal to the driver reading them).
 */
class TranslateAndW2vShardsClusterIT {
  @TempDir
  static Path dir;

  private static Word2VecModel w2v(JavaSparkContext sc, Path shards) {
    try {
      Settings s = Settings.load(List.of(Word2VecTraining.DEFAULTS), List.of("data.train=" + shards,
          "data.minCount=2", "seed=5"));
      SkipGramOptions o = new SkipGramOptions(8, 3, 3, 1e-2, 0.05, 1e-4, 2, 1, 5, false);
      return DistributedWord2Vec.train(sc, ShardCorpus.open(sc, s, 2), new DistributedWord2Vec.Options(o, 2, 3, 0),
          null).model();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  @Test
  void executorJvmsReadingPairsAndWords_giveTheParametersOfLocalReading() throws IOException {
    TranslateShardsIT.dir = Files.createDirectories(dir.resolve("translate"));
    TranslateShardsIT.ingest();
    ExecutorShardsIT.dir = Files.createDirectories(dir.resolve("text"));
    ExecutorShardsIT.ingest();
    Path text = ExecutorShardsIT.shards;
    List<String> sets = TranslateShardsIT.sets("spark.workers=2", "train.epochs=1");
    double[] driver = TranslateShardsIT.params(TranslateShardsIT.train("driver", "local[2]", true, sets));
    Word2VecModel local = SparkTrainingIT.withSpark("local[2]", Map.of(), sc -> w2v(sc, text));

    Map<String, String> conf = LocalCluster.conf(dir);
    Word2VecModel[] cluster = new Word2VecModel[1];
    io.seqspark.core.io.RunRecorder.Result executors = SparkTrainingIT.withSpark("local-cluster[2,1,1024]", conf,
        sc -> {
          ExecutorShardsClusterIT.waitForExecutors(sc, 2);
          cluster[0] = w2v(sc, text);
          try {
            return io.seqspark.core.task.TranslateFamily.run(Settings.load(List.of(), sets),
                io.seqspark.core.io.RunDirectory.create(TranslateShardsIT.dir.resolve("cluster"), false), false,
                List.of("test"), new java.io.PrintStream(new java.io.ByteArrayOutputStream()),
                new SparkTrainingLoop(sc));
          } catch (IOException e) {
            throw new UncheckedIOException(e);
          }
        });
    SparkTrainingIT.assertBitIdentical(driver, TranslateShardsIT.params(executors));
    assertTrue(local.in().sameValues(cluster[0].in()), "w2v input vectors differ");
    assertTrue(local.out().sameValues(cluster[0].out()), "w2v output vectors differ");
  }
}
