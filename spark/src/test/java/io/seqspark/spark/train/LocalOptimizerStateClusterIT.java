package io.seqspark.spark.train;

import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * spark.optimizerState = local on two real executor JVMs (local-cluster[2,1,1024]): each partition's Adam state stays
 * in its executor between rounds, a checkpoint collects it from there, and a run stopped and resumed on the cluster
 * ends with exactly the parameters of an uninterrupted local[2] run.
 */
class LocalOptimizerStateClusterIT {
  @TempDir
  static Path dir;

  @Test
  void stoppedAndResumedOnTwoExecutorJvms_equalsTheUninterruptedLocalModeRun() throws IOException {
    SparkTrainingIT.corpusIn(dir);
    List<String> sets = SparkTrainingIT.sets("spark.optimizerState=local");
    SparkTrainingIT.withSpark("local[2]", Map.of(), sc -> SparkTrainingIT.train(sc, dir.resolve("local"), false, sets));
    SparkTrainingIT.withSpark("local-cluster[2,1,1024]", LocalCluster.conf(dir), sc -> {
      List<String> first = new ArrayList<>(sets);
      first.add("train.maxSteps=5");
      SparkTrainingIT.train(sc, dir.resolve("split"), false, first);
      return SparkTrainingIT.train(sc, dir.resolve("split"), true, List.of("train.maxSteps=0"));
    });
    BlockMomentumIT.assertSameBits(SparkTrainingIT.params(dir.resolve("local")),
        SparkTrainingIT.params(dir.resolve("split")), "resumed on the cluster");
  }
}
