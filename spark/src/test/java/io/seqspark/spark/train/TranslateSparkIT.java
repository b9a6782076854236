package io.seqspark.spark.train;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.seqspark.core.config.Settings;
import io.seqspark.core.io.RunRecorder;
import io.seqspark.core.task.TranslateFamily;
import io.seqspark.core.task.TranslateFamilyTest;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Translation on Spark through the family plug-in: one partition is the local trainer bit for bit. */
class TranslateSparkIT {
  @TempDir
  static Path dir;

  @BeforeAll
  static void data() throws IOException {
    TranslateFamilyTest.corpus(dir, 300);
  }

  static Settings settings(String... extra) {
    List<String> s = new ArrayList<>(List.of("data.train=" + dir.resolve("train"), "data.valid=" + dir.resolve("valid"),
        "translate.source=src", "translate.target=tgt", "translate.beam=2", "model.cell=gru",
        "model.embeddingSize=8", "model.hiddenSize=8", "model.layers=1", "model.dropout=0.1", "train.optimizer=adam",
        "train.learningRate=0.02", "train.epochs=2", "data.maxTokensPerBatch=120", "spark.averagingFrequency=2",
        "run.logEverySeconds=1e-9", "run.checkpointEverySteps=0", "seed=6"));
    s.addAll(List.of(extra));
    return Settings.load(List.of(), s);
  }

  static io.seqspark.core.io.RunRecorder.Result train(Path out, Settings s, String master) throws IOException {
    return SparkTrainingIT.trainFamily(io.seqspark.core.task.TranslateFamily.INSTANCE, out, s, master);
  }

  @Test
  void onePartition_isBitIdenticalToTheLocalTrainer() throws IOException {
    RunRecorder.Result local = train(dir.resolve("local"), settings(), null);
    RunRecorder.Result one = train(dir.resolve("one"), settings("spark.workers=1"), "local[2]");
    SparkTrainingIT.assertBitIdentical(ClassifierSparkIT.params(local.runDir()), ClassifierSparkIT.params(one.runDir()));
    assertEquals(local.results().get("valid_bleu_beam2"), one.results().get("valid_bleu_beam2"));
  }
}
