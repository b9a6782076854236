package io.seqspark.spark.train;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.seqspark.core.config.Settings;
import io.seqspark.core.io.RunDirectory;
import io.seqspark.core.io.RunRecorder;
import io.seqspark.core.task.ElmoFamily;
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
 * {@code elmo train} from ingested shards that the executors read themselves, in both regimes: one partition equals
 * the local trainer bit for bit (parameters and losses; both directions, the backward one over the partition's
 * reversed text); two partitions equal the driver reading the same pieces; {@code data.cache = stream} equals
 * {@code memory} (the stream regime's backward rows walking the partition's shards backwards; the sentences regime's
 * windows holding a partition).
 */
class ElmoExecutorShardsIT {
  @TempDir
  static Path dir;
  static Path shards;

  @BeforeAll
  static void ingest() throws IOException {
    SplittableRandom r = new SplittableRandom(3);
    String[] nouns = {"cat", "dog", "bird", "fish", "cow"};
    String[] verbs = {"sees", "likes", "eats", "finds", "hears"};
    // three files of different sizes: one shard each, so two partitions get different pieces
    for (int f = 0; f < 3; f++) {
      List<String> lines = new ArrayList<>();
      for (int i = 0; i < 20 + 15 * f; i++) {
        lines.add("the " + nouns[r.nextInt(5)] + " " + verbs[r.nextInt(5)] + (r.nextInt(2) == 0 ? " a " : " the ")
            + nouns[r.nextInt(5)]);
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
        "elmo.maxCharacters=8", "elmo.charEmbeddingSize=4", "elmo.filterWidths=\"1,2\"", "elmo.filters=\"4,4\"",
        "elmo.projectionSize=6", "elmo.cellSize=8", "elmo.layers=1", "elmo.dropout=0.1", "elmo.initScale=0.1",
        "train.optimizer=adam", "train.learningRate=0.03", "train.batchSize=3", "train.bptt=5", "train.epochs=1",
        "spark.averagingFrequency=4", "run.logEverySeconds=1e-9", "run.checkpointEverySteps=0", "eval.batchSize=2",
        "data.maxTokensPerBatch=40", "seed=4"));
    s.addAll(List.of(extra));
    return s;
  }

  /** Trains in a new run directory: locally (master null), or on Spark, the executors or (driverReads) the driver reading. */
  static RunRecorder.Result train(String name, String master, boolean driverReads, List<String> sets) {
    Path out = dir.resolve(name);
    try {
      Settings s = Settings.load(List.of(), sets);
      RunDirectory rd = RunDirectory.create(out, false);
      PrintStream quiet = new PrintStream(new ByteArrayOutputStream());
      RunRecorder.Result r = master == null ? TrainingRun.run(ElmoFamily.INSTANCE, s, rd, false, List.of("test"),
          quiet, TrainingRun.local())
          : SparkTrainingIT.withSpark(master, Map.of(), sc -> {
            try {
              return TrainingRun.run(ElmoFamily.INSTANCE, s, rd, false, List.of("test"), quiet,
                  new SparkTrainingLoop(sc, null, driverReads));
            } catch (IOException e) {
              throw new UncheckedIOException(e);
            }
          });
      if (master != null) {
        Object trainer = io.seqspark.core.io.Json.readMap(Files.readString(out.resolve("manifest.json"))).get("trainer");
        String who = driverReads ? "the driver reads 3 shard files" : "executors read 3 shard files";
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

  /** Same parameters and validation perplexity; two Spark runs (one log line per round) also the same train losses. */
  static void assertSameRun(RunRecorder.Result expected, RunRecorder.Result actual, boolean bothSpark)
      throws IOException {
    SparkTrainingIT.assertBitIdentical(params(expected), params(actual));
    Object ppl = expected.lastValid().get("valid_ppl");
    assertTrue(ppl instanceof Double p && Double.isFinite(p), "valid_ppl " + ppl);
    assertEquals(ppl, actual.lastValid().get("valid_ppl"));
    if (bothSpark) {
      Map<Long, Double> a = SparkTrainingIT.losses(expected.runDir());
      assertTrue(!a.isEmpty(), "train losses logged");
      assertEquals(a, SparkTrainingIT.losses(actual.runDir()));
    }
  }

  @Test
  void onePartitionReadingShardsOnAnExecutor_equalsTheLocalTrainer_bitForBit() throws IOException {
    for (String regime : new String[] {"sentences", "stream"}) {
      List<String> s = sets("data.regime=" + regime);
      RunRecorder.Result local = train("local-" + regime, null, false, s);
      List<String> one = new ArrayList<>(s);
      one.add("spark.workers=1");
      assertSameRun(local, train("one-" + regime, "local[2]", false, one), false);
    }
  }

  @Test
  void twoPartitions_executorRead_equalsDriverRead() throws IOException {
    for (String regime : new String[] {"sentences", "stream"}) {
      List<String> base = sets("data.regime=" + regime, "spark.workers=2");
      RunRecorder.Result driver = train("driver-" + regime, "local[2]", true, base);
      RunRecorder.Result memory = train("memory-" + regime, "local[2]", false, base);
      assertSameRun(driver, memory, true);
      List<String> stream = new ArrayList<>(base);
      stream.addAll(List.of("data.cache=stream", "data.streamWindow=100000"));
      assertSameRun(memory, train("cache-stream-" + regime, "local[2]", false, stream), true);
    }
  }
}
