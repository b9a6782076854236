package io.seqspark.spark.train;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;

import io.seqspark.core.io.Json;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** elmo.warmStart through the Spark training loop: one partition trains exactly as the local warm-started run. */
class ElmoWarmStartSparkIT {
  @TempDir
  Path dir;

  @Test
  void onePartition_warmStarted_isBitIdenticalToTheLocalWarmStartedRun() throws IOException {
    ElmoSparkIT.dir = dir; // its corpus and settings, written here
    ElmoSparkIT.data();
    Path previous = ElmoSparkIT.train(dir.resolve("ws-previous"), ElmoSparkIT.settings("train.epochs=1"), null).runDir();
    String warm = "elmo.warmStart=" + previous;
    Path local = ElmoSparkIT.train(dir.resolve("ws-local"), ElmoSparkIT.settings(warm, "train.epochs=1"), null).runDir();
    Path spark = ElmoSparkIT.train(dir.resolve("ws-spark"), ElmoSparkIT.settings(warm, "train.epochs=1",
        "spark.workers=1"), "local[2]").runDir();
    Path cold = ElmoSparkIT.train(dir.resolve("ws-cold"), ElmoSparkIT.settings("train.epochs=1", "seed=5"), null)
        .runDir();
    SparkTrainingIT.assertBitIdentical(ClassifierSparkIT.params(local), ClassifierSparkIT.params(spark));
    assertNotEquals(Arrays.toString(ClassifierSparkIT.params(cold)), Arrays.toString(ClassifierSparkIT.params(spark)));
    Map<String, Object> m = Json.readMap(Files.readString(spark.resolve("manifest.json")));
    assertEquals(previous.resolve("model.zip").toString(), m.get("warmStart"));
    assertEquals(0, ((Number) m.get("warmStartWordsNew")).intValue());
  }
}
