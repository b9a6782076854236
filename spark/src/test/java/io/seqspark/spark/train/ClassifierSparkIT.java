package io.seqspark.spark.train;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.seqspark.core.config.Settings;
import io.seqspark.core.io.ModelArchive;
import io.seqspark.core.task.ClassifierFamily;
import io.seqspark.core.task.ClassifierFamily;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** classify train on Spark local[2]: one partition is the local trainer bit for bit; two partitions learn the task. */
class ClassifierSparkIT {
  @TempDir
  static Path dir;
  static Path data;

  /** 200 "label TAB text" lines; label "pos" iff the word "good" occurs (35 %), so the majority class scores 0.65. */
  @BeforeAll
  static void corpus() throws IOException {
    SplittableRandom r = new SplittableRandom(4);
    String[] filler = {"the", "film", "was", "a", "plot", "and", "cast", "very", "it", "so"};
    List<String> lines = new ArrayList<>();
    for (int i = 0; i < 200; i++) {
      boolean pos = i % 20 < 7;
      List<String> w = new ArrayList<>();
      int n = 2 + r.nextInt(7);
      for (int k = 0; k < n; k++) {
        w.add(filler[r.nextInt(filler.length)]);
      }
      if (pos) {
        w.set(r.nextInt(n), "good");
      }
      lines.add((pos ? "pos" : "neg") + "\t" + String.join(" ", w));
    }
    data = Files.write(dir.resolve("reviews.tsv"), lines);
  }

  static Settings settings(String... extra) {
    List<String> s = new ArrayList<>(List.of("data.train=" + data, "classify.testFraction=0.2", "classify.validFraction=0.1",
        "classify.bidirectional=true", "classify.pooling=max", "model.cell=gru", "model.embeddingSize=6",
        "model.hiddenSize=6", "model.layers=1", "model.dropout=0.1", "train.optimizer=adam", "train.learningRate=0.03",
        "train.epochs=3", "data.maxTokensPerBatch=60", "spark.averagingFrequency=2", "run.logEverySeconds=1e-9",
        "run.checkpointEverySteps=0", "seed=8"));
    s.addAll(List.of(extra));
    return Settings.load(List.of(), s);
  }

  static io.seqspark.core.io.RunRecorder.Result train(Path out, Settings s, String master) throws IOException {
    return SparkTrainingIT.trainFamily(io.seqspark.core.task.ClassifierFamily.INSTANCE, out, s, master);
  }

  static double[] params(Path run) throws IOException {
    return ModelArchive.read(run.resolve("model.zip")).params().data().asDouble();
  }

  @Test
  void onePartition_isBitIdenticalToTheLocalTrainer_andTwoPartitionsLearnTheTask() throws IOException {
    io.seqspark.core.io.RunRecorder.Result local = train(dir.resolve("local"), settings(), null);
    io.seqspark.core.io.RunRecorder.Result one = train(dir.resolve("one"), settings("spark.workers=1"), "local[2]");
    double[] expected = params(local.runDir());
    double[] actual = params(one.runDir());
    assertEquals(expected.length, actual.length);
    for (int i = 0; i < expected.length; i++) {
      assertEquals(expected[i], actual[i], 0.0, "parameter " + i);
    }
    assertEquals(local.results().get("test_accuracy"), one.results().get("test_accuracy"));

    io.seqspark.core.io.RunRecorder.Result two = train(dir.resolve("two"), settings("spark.workers=2", "train.epochs=6"), "local[2]");
    double acc = (Double) two.results().get("test_accuracy");
    assertTrue(acc > 0.85, "2 partitions: test accuracy " + acc + " (majority class 0.65)");
    assertTrue(Files.isRegularFile(two.runDir().resolve("report.html")));
    assertEquals(2, ClassifierFamily.load(two.runDir().resolve("model.zip")).dims().labels("labels").size());
  }
}
