package io.seqspark.spark.train;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.seqspark.core.config.Settings;
import io.seqspark.core.io.RunRecorder;
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
 * The tagger on Spark through the same family plug-in and averaging as every family: one partition is the local
 * trainer bit for bit; two partitions learn the context-dependent tag.
 */
class TaggerSparkIT {
  @TempDir
  static Path dir;
  static Path train;
  static Path dev;

  @BeforeAll
  static void data() throws IOException {
    train = dir.resolve("train.tsv");
    dev = dir.resolve("dev.tsv");
    TaggerFamilyTest.corpus(train, dev, 300);
  }

  static Settings settings(String... extra) {
    List<String> s = new ArrayList<>(List.of("data.train=" + train, "data.valid=" + dev, "data.test=" + dev,
        "model.embeddingSize=8", "model.hiddenSize=8", "model.layers=1", "model.dropout=0.1", "train.optimizer=adam",
        "train.learningRate=0.05", "train.epochs=3", "data.maxTokensPerBatch=80", "spark.averagingFrequency=2",
        "run.logEverySeconds=1e-9", "run.checkpointEverySteps=0", "seed=2"));
    s.addAll(List.of(extra));
    return Settings.load(List.of(), s);
  }

  static io.seqspark.core.io.RunRecorder.Result train(Path out, Settings s, String master) throws IOException {
    return SparkTrainingIT.trainFamily(io.seqspark.core.task.TaggerFamily.INSTANCE, out, s, master);
  }

  @Test
  void onePartition_isBitIdenticalToTheLocalTrainer_andTwoPartitionsLearn() throws IOException {
    RunRecorder.Result local = train(dir.resolve("local"), settings(), null);
    RunRecorder.Result one = train(dir.resolve("one"), settings("spark.workers=1"), "local[2]");
    SparkTrainingIT.assertBitIdentical(ClassifierSparkIT.params(local.runDir()), ClassifierSparkIT.params(one.runDir()));
    assertEquals(local.results().get("test_accuracy"), one.results().get("test_accuracy"));
    RunRecorder.Result two = train(dir.resolve("two"), settings("spark.workers=2", "train.epochs=6"), "local[2]");
    double acc = (Double) two.results().get("test_accuracy");
    assertTrue(acc > 0.97, "2 partitions: test accuracy " + acc + " (context-blind tagging: ~0.88)");
  }
}
