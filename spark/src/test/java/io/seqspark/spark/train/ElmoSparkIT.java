package io.seqspark.spark.train;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.seqspark.core.config.Settings;
import io.seqspark.core.io.RunRecorder;
import io.seqspark.core.task.ElmoFamily;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The ELMo biLM on Spark through the same family plug-in and averaging as every family: one partition is the local
 * trainer bit for bit (both directions' carried state included); two partitions train to a finite, learned
 * perplexity.
 */
class ElmoSparkIT {
  @TempDir
  static Path dir;
  static Path train;
  static Path valid;

  @BeforeAll
  static void data() throws IOException {
    SplittableRandom r = new SplittableRandom(7);
    String[] nouns = {"cat", "dog", "bird", "fish", "cow"};
    String[] verbs = {"sees", "likes", "eats", "finds", "hears"};
    List<String> lines = new ArrayList<>();
    for (int i = 0; i < 120; i++) {
      lines.add("the " + nouns[r.nextInt(5)] + " " + verbs[r.nextInt(5)] + " a " + nouns[r.nextInt(5)]);
    }
    train = Files.write(dir.resolve("train.txt"), lines.subList(0, 100));
    valid = Files.write(dir.resolve("valid.txt"), lines.subList(100, 120));
  }

  static Settings settings(String... extra) {
    List<String> s = new ArrayList<>(List.of("data.train=" + train, "data.valid=" + valid, "data.test=" + valid,
        "elmo.maxCharacters=10", "elmo.charEmbeddingSize=4", "elmo.filterWidths=\"1,2,3\"", "elmo.filters=\"4,4,4\"",
        "elmo.projectionSize=8", "elmo.cellSize=12", "elmo.layers=2", "elmo.dropout=0.1", "elmo.initScale=0.1",
        "train.optimizer=adam", "train.learningRate=0.03", "train.batchSize=4", "train.bptt=6", "train.epochs=2",
        "spark.averagingFrequency=2", "run.logEverySeconds=1e-9", "run.checkpointEverySteps=0", "eval.batchSize=2",
        "seed=2"));
    s.addAll(List.of(extra));
    return Settings.load(List.of(), s);
  }

  static RunRecorder.Result train(Path out, Settings s, String master) throws IOException {
    return SparkTrainingIT.trainFamily(ElmoFamily.INSTANCE, out, s, master);
  }

  @Test
  void onePartition_isBitIdenticalToTheLocalTrainer_andTwoPartitionsLearn() throws IOException {
    RunRecorder.Result local = train(dir.resolve("local"), settings(), null);
    RunRecorder.Result one = train(dir.resolve("one"), settings("spark.workers=1"), "local[2]");
    SparkTrainingIT.assertBitIdentical(ClassifierSparkIT.params(local.runDir()), ClassifierSparkIT.params(one.runDir()));
    assertEquals(local.results().get("testPerplexityForward"), one.results().get("testPerplexityForward"));
    assertEquals(local.results().get("testPerplexityBackward"), one.results().get("testPerplexityBackward"));
    RunRecorder.Result two = train(dir.resolve("two"), settings("spark.workers=2", "train.epochs=4"), "local[2]");
    double fwd = (Double) two.results().get("testPerplexityForward");
    double bwd = (Double) two.results().get("testPerplexityBackward");
    // unigram frequencies alone give 10.6 (17 tokens); the grammar's floor is √5 ≈ 2.2
    assertTrue(fwd < 8 && bwd < 8, "2 partitions: forward " + fwd + ", backward " + bwd);
  }
}
