package io.seqspark.spark.train;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.seqspark.core.config.ConfigException;
import io.seqspark.core.config.Settings;
import io.seqspark.core.io.RunDirectory;
import io.seqspark.core.io.RunRecorder;
import io.seqspark.core.task.TrainingRun;
import io.seqspark.core.task.TranslateFamily;
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
 * {@code translate train} from a parallel ingest that the executors read themselves (source and target shards side
 * by side): one partition equals the local trainer on the same ingest bit for bit; N partitions equal the driver
 * reading the same pieces and broadcasting them; {@code data.cache = stream} and {@code disk} equal {@code memory}
 * when a window holds a partition. The validation split stays on the driver.
 */
class TranslateShardsIT {
  @TempDir
  static Path dir;
  static Path shards;

  /** Three parallel file pairs of different sizes (ingest writes one shard per file), and a validation prefix. */
  @BeforeAll
  static void ingest() throws IOException {
    SplittableRandom r = new SplittableRandom(8);
    for (int f = 0; f <= 3; f++) {
      List<String> src = new ArrayList<>();
      List<String> tgt = new ArrayList<>();
      for (int i = 0; i < (f == 3 ? 30 : 50 + 40 * f); i++) {
        int len = 2 + r.nextInt(5);
        List<String> s = new ArrayList<>();
        List<String> t = new ArrayList<>();
        for (int k = 0; k < len; k++) {
          int w = r.nextInt(9);
          s.add("w" + w);
          t.add("T" + w);
        }
        src.add(String.join(" ", s));
        tgt.add(String.join(" ", t));
      }
      String name = f == 3 ? "valid" : "train" + f;
      Files.write(dir.resolve(name + ".src"), src);
      Files.write(dir.resolve(name + ".tgt"), tgt);
    }
    shards = dir.resolve("ingested");
    SparkTrainingIT.withSpark("local[2]", Map.of(), sc -> {
      try {
        Ingest.run(sc, Settings.load(List.of(), List.of()), dir.resolve("train*.src").toString(),
            dir.resolve("train*.tgt").toString(), shards.toString(), false, List.of("test"));
      } catch (IOException e) {
        throw new UncheckedIOException(e);
      }
      return null;
    });
  }

  static List<String> sets(String... extra) {
    List<String> s = new ArrayList<>(List.of("data.train=" + shards, "data.valid=" + dir.resolve("valid"),
        "translate.source=src", "translate.target=tgt", "translate.beam=1", "model.cell=gru",
        "model.embeddingSize=6", "model.hiddenSize=8", "model.layers=1", "model.dropout=0.1", "train.optimizer=adam",
        "train.learningRate=0.02", "train.epochs=2", "data.maxTokensPerBatch=60", "spark.averagingFrequency=2",
        "run.logEverySeconds=1e-9", "run.checkpointEverySteps=0", "seed=6"));
    s.addAll(List.of(extra));
    return s;
  }

  /** Trains in a new run directory: locally (master null), or on Spark, executors or (driverReads) the driver reading. */
  static RunRecorder.Result train(String name, String master, boolean driverReads, List<String> sets) {
    Path out = dir.resolve(name);
    try {
      Settings s = Settings.load(List.of(), sets);
      RunDirectory rd = RunDirectory.create(out, false);
      PrintStream quiet = new PrintStream(new ByteArrayOutputStream());
      RunRecorder.Result r = master == null
          ? TranslateFamily.run(s, rd, false, List.of("test"), quiet, TrainingRun.local())
          : SparkTrainingIT.withSpark(master, Map.of(), sc -> {
            try {
              return TranslateFamily.run(s, rd, false, List.of("test"), quiet,
                  new SparkTrainingLoop(sc, null, driverReads));
            } catch (IOException e) {
              throw new UncheckedIOException(e);
            }
          });
      if (master != null) {
        Object trainer = io.seqspark.core.io.Json.readMap(Files.readString(out.resolve("manifest.json"))).get("trainer");
        String who = (driverReads ? "the driver reads" : "executors read") + " 3 pairs of shard files";
        assertTrue(trainer.toString().contains(who), "manifest trainer: " + trainer);
      }
      return r;
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  static double[] params(RunRecorder.Result r) {
    try {
      return SparkTrainingIT.params(r.runDir());
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  @Test
  void onePartitionReadingShardsOnAnExecutor_equalsTheLocalTrainer_bitForBit() {
    List<String> s = sets("train.epochs=1", "spark.averagingFrequency=1000");
    RunRecorder.Result local = train("local", null, false, s);
    List<String> one = new ArrayList<>(s);
    one.add("spark.workers=1");
    RunRecorder.Result spark = train("one", "local[2]", false, one);
    SparkTrainingIT.assertBitIdentical(params(local), params(spark));
    assertEquals(local.results().get("valid_bleu_greedy"), spark.results().get("valid_bleu_greedy"));
    List<String> stream = new ArrayList<>(one);
    stream.addAll(List.of("data.cache=stream", "data.streamWindow=100000"));
    SparkTrainingIT.assertBitIdentical(params(local), params(train("one-stream", "local[2]", false, stream)));
  }

  @Test
  void twoPartitions_executorRead_equalsDriverRead_andStreamAndDiskEqualMemory() {
    List<String> base = sets("spark.workers=2");
    double[] driver = params(train("driver", "local[2]", true, base));
    double[] memory = params(train("memory", "local[2]", false, base));
    SparkTrainingIT.assertBitIdentical(driver, memory);
    List<String> stream = new ArrayList<>(base);
    stream.addAll(List.of("data.cache=stream", "data.streamWindow=100000"));
    SparkTrainingIT.assertBitIdentical(memory, params(train("stream", "local[2]", false, stream)));
    List<String> disk = new ArrayList<>(base);
    disk.addAll(List.of("data.cache=disk", "data.streamWindow=100000"));
    SparkTrainingIT.assertBitIdentical(memory, params(train("disk", "local[2]", false, disk)));
    List<String> small = new ArrayList<>(base);
    small.addAll(List.of("data.cache=stream", "data.streamWindow=16"));
    double[] windowed = params(train("small-windows", "local[2]", false, small));
    boolean differs = false;
    for (int i = 0; i < memory.length; i++) {
      assertTrue(Double.isFinite(windowed[i]));
      differs |= memory[i] != windowed[i];
    }
    assertTrue(differs, "16-pair windows bucket differently from whole partitions");
  }

  @Test
  void parallelTextLargerThanDriverMaxMB_failsWithTheIngestCommand_andATextIngestIsRefused() throws IOException {
    Path prefix = dir.resolve("train2");
    ConfigException e = assertThrows(ConfigException.class, () -> train("too-big", "local[2]", false,
        sets("data.train=" + prefix, "data.driverMaxMB=0", "data.valid=")));
    String msg = e.getMessage();
    assertTrue(msg.contains("data.driverMaxMB = 0") && msg.contains("bin/seqspark ingest --input " + prefix + ".src"
        + " --target " + prefix + ".tgt --out " + prefix + ".shards"), msg);
    // the validation prefix's two files count too; its fix is a smaller file
    ConfigException valid = assertThrows(ConfigException.class, () -> train("valid-too-big", "local[2]", false,
        sets("data.driverMaxMB=0")));
    assertTrue(valid.getMessage().contains("data.valid = " + dir.resolve("valid") + " is") && valid.getMessage()
        .contains("use a smaller data.valid"), valid.getMessage());
    Path oneSide = shards.resolve("source");
    Files.copy(shards.resolve("manifest.json"), oneSide.resolve("manifest.json"));
    ConfigException text = assertThrows(ConfigException.class, () -> train("text-ingest", "local[2]", false,
        sets("data.train=" + oneSide)));
    assertTrue(text.getMessage().contains("an ingest of one text"), text.getMessage());
    Files.delete(oneSide.resolve("manifest.json"));
  }
}
