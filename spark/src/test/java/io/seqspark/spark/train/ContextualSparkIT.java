package io.seqspark.spark.train;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;

import io.seqspark.core.config.Settings;
import io.seqspark.core.io.RunRecorder;
import io.seqspark.core.model.SequenceTagger;
import io.seqspark.core.nn.ParamRef;
import io.seqspark.core.task.ContextualInputTest;
import io.seqspark.core.task.Family;
import io.seqspark.core.task.TaggerFamily;
import io.seqspark.core.task.TaggerFamilyTest;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code model.contextual} on Spark: the executors rebuild the ELMo input from the dims the driver ships (the biLM's
 * path and hash, the words), one partition is the local trainer bit for bit, and with two the averaged buffer moves
 * the mix (the biLM is in no buffer).
 */
class ContextualSparkIT {
  @TempDir
  static Path dir;
  static Path train;
  static Path dev;
  static Path biLm;

  @BeforeAll
  static void data() throws IOException {
    train = dir.resolve("train.tsv");
    dev = dir.resolve("dev.tsv");
    TaggerFamilyTest.corpus(train, dev, 80);
    biLm = ContextualInputTest.trainBiLm(dir, train);
  }

  private static Settings settings(String... extra) {
    List<String> s = new ArrayList<>(List.of("data.train=" + train, "data.valid=" + dev, "data.test=" + dev,
        "model.embeddingSize=6", "model.hiddenSize=6", "model.layers=1", "model.dropout=0.1", "train.optimizer=adam",
        "train.learningRate=0.05", "train.epochs=1", "data.maxTokensPerBatch=80", "spark.averagingFrequency=2",
        "run.logEverySeconds=1e-9", "run.checkpointEverySteps=0", "seed=2", "model.contextual=" + biLm));
    s.addAll(List.of(extra));
    return Settings.load(List.of(), s);
  }

  private static double[] mix(Path run) throws IOException {
    Family.Loaded<SequenceTagger> m = TaggerFamily.load(run.resolve("model.zip"));
    List<Double> out = new ArrayList<>();
    for (ParamRef r : m.model().params().refs()) {
      if (r.name().startsWith("elmo.")) {
        for (double v : r.value().dup().data().asDouble()) {
          out.add(v);
        }
      }
    }
    return out.stream().mapToDouble(Double::doubleValue).toArray();
  }

  @Test
  void onePartition_isTheLocalTrainer_andTwoPartitionsAverageTheMix() throws IOException {
    RunRecorder.Result local = SparkTrainingIT.trainFamily(TaggerFamily.INSTANCE, dir.resolve("local"), settings(),
        null);
    RunRecorder.Result one = SparkTrainingIT.trainFamily(TaggerFamily.INSTANCE, dir.resolve("one"),
        settings("spark.workers=1"), "local[2]");
    SparkTrainingIT.assertBitIdentical(ClassifierSparkIT.params(local.runDir()), ClassifierSparkIT.params(one.runDir()));
    RunRecorder.Result two = SparkTrainingIT.trainFamily(TaggerFamily.INSTANCE, dir.resolve("two"),
        settings("spark.workers=2"), "local[2]");
    double[] w = mix(two.runDir());
    assertEquals(4, w.length, "L + 1 = 3 weights and γ");
    assertNotEquals(0.0, w[0] - w[1], "the mix's weights moved from their uniform start");
    assertEquals(two.results().get("test_accuracy"), TaggerFamily.INSTANCE.evaluate(TaggerFamily.load(
        two.runDir().resolve("model.zip")), dev).get("accuracy"), "the archive evaluates as the run");
  }

  @Test
  void withTheFeatureCache_onePartitionIsTheLocalTrainer() throws IOException {
    // the worker model keeps its own cache across rounds on the executor; cached layers are each sentence's alone,
    // so the partition's steps are the local trainer's
    String cache = "model.contextualCacheMb=8";
    RunRecorder.Result local = SparkTrainingIT.trainFamily(TaggerFamily.INSTANCE, dir.resolve("cache-local"),
        settings(cache, "train.epochs=2"), null);
    RunRecorder.Result one = SparkTrainingIT.trainFamily(TaggerFamily.INSTANCE, dir.resolve("cache-one"),
        settings(cache, "train.epochs=2", "spark.workers=1"), "local[2]");
    SparkTrainingIT.assertBitIdentical(ClassifierSparkIT.params(local.runDir()), ClassifierSparkIT.params(one.runDir()));
  }
}
