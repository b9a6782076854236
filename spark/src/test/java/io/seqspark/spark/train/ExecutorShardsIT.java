package io.seqspark.spark.train;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.seqspark.core.config.ConfigException;
import io.seqspark.core.config.Settings;
import io.seqspark.core.io.RunDirectory;
import io.seqspark.core.task.LanguageModelFamily;
import io.seqspark.core.task.TrainingRun;
import io.seqspark.spark.ingest.Ingest;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code lm train} from ingested shards that the executors read themselves: one partition equals the local trainer
 * bit for bit; N partitions equal the driver reading the same pieces and broadcasting them; {@code data.cache =
 * stream} and {@code disk} equal {@code memory} when a window holds a partition.
 */
class ExecutorShardsIT {
  @TempDir
  static Path dir;
  static Path shards;

  @BeforeAll
  static void ingest() throws IOException {
    SplittableRandom r = new SplittableRandom(5);
    String[] words = {"red", "green", "blue", "cat", "dog", "runs", "sleeps", "the", "a", "big", "old", "fox"};
    // three input files of different sizes: ingest writes one shard per file, so plans have pieces to balance
    for (int f = 0; f < 3; f++) {
      List<String> lines = new ArrayList<>();
      for (int i = 0; i < 60 + 50 * f; i++) {
        StringBuilder sb = new StringBuilder();
        for (int k = 0, n = 2 + r.nextInt(7); k < n; k++) {
          sb.append(k == 0 ? "" : " ").append(words[r.nextInt(words.length)]);
        }
        lines.add(sb.toString());
      }
      Files.write(dir.resolve("part" + f + ".txt"), lines);
    }
    shards = dir.resolve("ingested");
    SparkTrainingIT.withSpark("local[2]", Map.of(), sc -> {
      try {
        Ingest.run(sc, Settings.load(List.of(), List.of()), dir.resolve("part*.txt").toString(), shards.toString(),
            false, List.of("test"));
      } catch (IOException e) {
        throw new UncheckedIOException(e);
      }
      return null;
    });
  }

  static List<String> sets(String... extra) {
    List<String> s = new ArrayList<>(List.of("data.train=" + shards, "data.valid=" + shards,
        "model.embeddingSize=6", "model.hiddenSize=8", "model.layers=1", "train.bptt=4", "train.batchSize=3",
        "train.epochs=2", "train.optimizer=adam", "train.learningRate=0.02", "model.dropout=0.1",
        "spark.averagingFrequency=2", "run.logEverySeconds=1e-9", "run.checkpointEverySteps=0", "eval.generate=0",
        "data.maxTokensPerBatch=40", "seed=9"));
    s.addAll(List.of(extra));
    return s;
  }

  /** Trains in a new run directory: locally (master null), or on Spark, executors or (driverReads) the driver reading. */
  static double[] train(String name, String master, boolean driverReads, List<String> sets) {
    Path out = dir.resolve(name);
    try {
      Settings s = Settings.load(List.of(), sets);
      RunDirectory rd = RunDirectory.create(out, false);
      PrintStream quiet = new PrintStream(new ByteArrayOutputStream());
      if (master == null) {
        LanguageModelFamily.run(s, rd, false, List.of("test"), quiet, TrainingRun.local());
        return SparkTrainingIT.params(out);
      } else {
        SparkTrainingIT.withSpark(master, Map.of(), sc -> {
          try {
            return LanguageModelFamily.run(s, rd, false, List.of("test"), quiet,
                new SparkTrainingLoop(sc, null, driverReads));
          } catch (IOException e) {
            throw new UncheckedIOException(e);
          }
        });
      }
      if (master != null) {
        Object trainer = io.seqspark.core.io.Json.readMap(Files.readString(out.resolve("manifest.json"))).get("trainer");
        String who = driverReads ? "the driver reads 3 shard files" : "executors read 3 shard files";
        assertTrue(trainer.toString().contains(who), "manifest trainer: " + trainer);
      }
      return SparkTrainingIT.params(out);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /** Trains on {@code sc} (executors reading) in a new run directory {@code out}. */
  static LanguageModelFamily.Summary trainIn(org.apache.spark.api.java.JavaSparkContext sc, Path out,
                                             List<String> sets) {
    try {
      return LanguageModelFamily.run(Settings.load(List.of(), sets), RunDirectory.create(out, false), false,
          List.of("test"), new PrintStream(new ByteArrayOutputStream()), new SparkTrainingLoop(sc));
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  @Test
  void onePartitionReadingShardsOnAnExecutor_equalsTheLocalTrainer_bitForBit() {
    for (String regime : new String[] {"stream", "sentences"}) {
      // one epoch, 16 steps per round: few rounds, so the test stays short
      List<String> s = sets("data.regime=" + regime, "train.epochs=1", "spark.averagingFrequency=16");
      double[] local = train("local-" + regime, null, false, s);
      List<String> one = new ArrayList<>(s);
      one.add("spark.workers=1");
      double[] spark = train("one-" + regime, "local[2]", false, one);
      SparkTrainingIT.assertBitIdentical(local, spark);
    }
  }

  @Test
  void twoPartitions_executorRead_equalsDriverRead_andStreamAndDiskEqualMemory() {
    for (String regime : new String[] {"stream", "sentences"}) {
      List<String> base = sets("data.regime=" + regime, "spark.workers=2");
      double[] driver = train("driver-" + regime, "local[2]", true, base);
      double[] memory = train("memory-" + regime, "local[2]", false, base);
      SparkTrainingIT.assertBitIdentical(driver, memory);
      List<String> stream = new ArrayList<>(base);
      stream.addAll(List.of("data.cache=stream", "data.streamWindow=100000"));
      SparkTrainingIT.assertBitIdentical(memory, train("stream-" + regime, "local[2]", false, stream));
      List<String> disk = new ArrayList<>(base);
      disk.addAll(List.of("data.cache=disk", "data.streamWindow=100000"));
      SparkTrainingIT.assertBitIdentical(memory, train("disk-" + regime, "local[2]", false, disk));
    }
  }

  @Test
  void smallStreamWindows_stillTrain_butBatchDifferently() {
    List<String> base = sets("data.regime=sentences", "spark.workers=2");
    double[] memory = train("w-memory", "local[2]", false, base);
    List<String> small = new ArrayList<>(base);
    small.addAll(List.of("data.cache=stream", "data.streamWindow=16"));
    double[] windowed = train("w-small", "local[2]", false, small);
    assertEquals(memory.length, windowed.length);
    boolean differs = false;
    for (int i = 0; i < memory.length; i++) {
      assertTrue(Double.isFinite(windowed[i]));
      differs |= memory[i] != windowed[i];
    }
    assertTrue(differs, "16-example windows bucket differently from whole partitions");
  }

  @Test
  void textLargerThanDriverMaxMB_failsWithTheIngestCommand() throws IOException {
    Path text = dir.resolve("part2.txt");
    ConfigException e = assertThrows(ConfigException.class, () -> train("too-big", "local[2]", false,
        List.of("data.train=" + text, "data.driverMaxMB=0", "data.lowercase=true")));
    String msg = e.getMessage();
    assertTrue(msg.contains("data.driverMaxMB = 0") && msg.contains("bin/seqspark ingest --input " + text)
        && msg.contains("--set data.lowercase=true") && msg.contains("--set data.train=" + text + ".shards"), msg);
    assertNotEquals(0, Files.size(text));
  }
}
