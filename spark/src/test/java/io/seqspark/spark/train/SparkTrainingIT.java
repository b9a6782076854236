package io.seqspark.spark.train;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.seqspark.core.config.Settings;
import io.seqspark.core.io.MetricsLog;
import io.seqspark.core.io.ModelArchive;
import io.seqspark.core.io.RunDirectory;
import io.seqspark.core.task.LanguageModelFamily;
import io.seqspark.core.task.LanguageModelFamily;
import io.seqspark.core.train.Checkpoints;
import io.seqspark.core.train.TrainStep;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.TreeMap;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Function;
import org.apache.spark.SparkConf;
import org.apache.spark.api.java.JavaSparkContext;
import org.apache.spark.scheduler.SparkListener;
import org.apache.spark.scheduler.SparkListenerTaskEnd;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** lm train on Spark end to end: exact resume, task retry, divergence detection. */
class SparkTrainingIT {
  @TempDir
  static Path dir;
  static Path train;

  @BeforeAll
  static void corpus() throws IOException {
    corpusIn(dir);
  }

  /** Writes the training corpus into {@code directory} and points the tests' settings at it. */
  static void corpusIn(Path directory) throws IOException {
    dir = directory;
    SplittableRandom r = new SplittableRandom(3);
    String[] words = {"red", "green", "blue", "cat", "dog", "runs", "sleeps", "the", "a", "big"};
    List<String> lines = new ArrayList<>();
    for (int i = 0; i < 240; i++) {
      lines.add(words[7 + r.nextInt(2)] + " " + words[r.nextInt(3)] + " " + words[3 + r.nextInt(2)] + " " + words[5 + r.nextInt(2)]);
    }
    train = Files.write(dir.resolve("train.txt"), lines);
  }

  static <T> T withSpark(String master, Map<String, String> extra, Function<JavaSparkContext, T> body) {
    SparkConf conf = new SparkConf().setMaster(master).setAppName("SparkTrainingIT").set("spark.ui.enabled", "false")
        .set("spark.driver.host", "127.0.0.1");
    extra.forEach(conf::set);
    try (JavaSparkContext sc = new JavaSparkContext(conf)) {
      return body.apply(sc);
    }
  }

  static List<String> sets(String... extra) {
    List<String> s = new ArrayList<>(List.of("data.train=" + train, "data.valid=" + train, "model.embeddingSize=6",
        "model.hiddenSize=8", "model.layers=1", "train.bptt=4", "train.batchSize=3", "train.epochs=2",
        "train.optimizer=adam", "train.learningRate=0.02", "model.dropout=0.1", "spark.workers=2",
        "spark.averagingFrequency=2", "run.logEverySeconds=1e-9", "run.checkpointEverySteps=3", "eval.generate=0", "seed=9"));
    s.addAll(List.of(extra));
    return s;
  }

  /** Trains any family in a new run directory: locally ({@code master} null) or on Spark {@code master}. */
  static io.seqspark.core.io.RunRecorder.Result trainFamily(io.seqspark.core.task.Family<?, ?, ?> family, Path out,
      Settings s, String master) throws IOException {
    io.seqspark.core.io.RunDirectory rd = io.seqspark.core.io.RunDirectory.create(out, false);
    PrintStream quiet = new PrintStream(new ByteArrayOutputStream());
    if (master == null) {
      return run(family, s, rd, quiet, io.seqspark.core.task.TrainingRun.local());
    }
    return withSpark(master, Map.of(), sc -> {
      try {
        return run(family, s, rd, quiet, new SparkTrainingLoop(sc));
      } catch (IOException e) {
        throw new java.io.UncheckedIOException(e);
      }
    });
  }

  @SuppressWarnings({"unchecked", "rawtypes"})
  private static io.seqspark.core.io.RunRecorder.Result run(io.seqspark.core.task.Family family, Settings s,
      io.seqspark.core.io.RunDirectory rd, PrintStream log, io.seqspark.core.task.TrainingRun.Loop loop)
      throws IOException {
    return io.seqspark.core.task.TrainingRun.run(family, s, rd, false, List.of("test"), log, loop);
  }

  static LanguageModelFamily.Summary train(JavaSparkContext sc, Path out, boolean resume, List<String> sets) {
    try {
      Settings s = resume ? Settings.load(List.of(out.resolve("config.conf")), sets) : Settings.load(List.of(), sets);
      RunDirectory rd = resume ? RunDirectory.resume(out) : RunDirectory.create(out, false);
      return LanguageModelFamily.run(s, rd, resume, List.of("test"), new PrintStream(new ByteArrayOutputStream()),
          new SparkTrainingLoop(sc));
    } catch (IOException e) {
      throw new java.io.UncheckedIOException(e);
    }
  }

  static Map<Long, Double> losses(Path run) throws IOException {
    Map<Long, Double> m = new TreeMap<>();
    for (Map<String, Object> rec : MetricsLog.read(run.resolve("metrics.jsonl"))) {
      if (rec.get("train_loss") instanceof Number l) {
        m.put(((Number) rec.get("step")).longValue(), l.doubleValue());
      }
    }
    return m;
  }

  static double[] params(Path run) throws IOException {
    return ModelArchive.read(run.resolve("model.zip")).params().castTo(org.nd4j.linalg.api.buffer.DataType.DOUBLE).data().asDouble();
  }

  static void assertBitIdentical(double[] a, double[] b) {
    assertEquals(a.length, b.length);
    for (int i = 0; i < a.length; i++) {
      assertEquals(a[i], b[i], 0.0, "parameter " + i);
    }
  }

  @Test
  void resumedSparkRun_reproducesTheUninterruptedRun() throws IOException {
    String hadoopCheckpoints = dir.resolve("hadoop-ckpt").toUri().toString();
    withSpark("local[2]", Map.of(), sc -> {
      train(sc, dir.resolve("whole"), false, sets());
      // stop after 5 rounds (a checkpoint was written at round 3 with the partitions' carried state), then resume;
      // this run keeps its checkpoints outside the run directory, through Hadoop's FileSystem API (file:// URI)
      train(sc, dir.resolve("split"), false, sets("train.maxSteps=5", "run.checkpointDir=" + hadoopCheckpoints));
      train(sc, dir.resolve("split"), true, List.of("train.maxSteps=0"));
      return null;
    });
    assertTrue(Files.isDirectory(dir.resolve("hadoop-ckpt").resolve("best")), "checkpoints under " + hadoopCheckpoints);
    try (var entries = Files.list(dir.resolve("split").resolve("checkpoints"))) {
      assertEquals(0, entries.count(), "nothing written to the run directory's checkpoints/");
    }
    Map<Long, Double> whole = losses(dir.resolve("whole"));
    assertTrue(whole.size() > 10, "rounds logged: " + whole.size());
    Map<Long, Double> split = losses(dir.resolve("split"));
    assertEquals(whole.keySet(), split.keySet());
    whole.forEach((round, loss) -> assertEquals(loss, split.get(round), 0.0, "loss of round " + round));
    assertBitIdentical(params(dir.resolve("whole")), params(dir.resolve("split")));
  }

  @Test
  void injectedTaskFailure_isRetriedBySpark_andChangesNothing() throws IOException {
    withSpark("local[2]", Map.of(), sc -> train(sc, dir.resolve("clean"), false, sets()));
    AtomicInteger failed = new AtomicInteger();
    // local[2,3]: 2 threads, up to 3 attempts per task; partition 1's first attempt in epoch 1, round 2 throws
    withSpark("local[2,3]", Map.of(FaultInjection.FAIL_ONCE, "1:1:2"), sc -> {
      sc.sc().addSparkListener(new SparkListener() {
        @Override
        public void onTaskEnd(SparkListenerTaskEnd end) {
          if (!end.taskInfo().successful()) {
            failed.incrementAndGet();
          }
        }
      });
      return train(sc, dir.resolve("retried"), false, sets());
    });
    assertEquals(1, failed.get(), "exactly one task attempt failed");
    assertBitIdentical(params(dir.resolve("clean")), params(dir.resolve("retried")));
  }

  @Test
  void nonFiniteAveragedParameters_stopTheRunNamingTheRound_andKeepTheLastGoodCheckpoint() throws IOException {
    Path out = dir.resolve("diverged");
    IllegalStateException e = assertThrows(IllegalStateException.class,
        () -> withSpark("local[2]", Map.of(FaultInjection.POISON, "0:2:1"), sc -> train(sc, out, false, sets())));
    assertTrue(e.getMessage().contains("epoch 2 round 1"), e.getMessage());
    Checkpoints checkpoints = new Checkpoints(out.resolve("checkpoints"), 2);
    String last = checkpoints.latest().orElseThrow();
    Settings s = Settings.load(List.of(out.resolve("config.conf")), List.of());
    int vocab = io.seqspark.core.data.Vocabulary.load(out.resolve("vocab.tsv")).size();
    TrainStep step = io.seqspark.core.train.TrainSetup.step(s, LanguageModelFamily.model(s, vocab));
    checkpoints.restore(last, step);
    double sum = step.model().params().params().sumNumber().doubleValue();
    assertTrue(Double.isFinite(sum), "the last checkpoint (" + last + ") holds finite parameters");
  }

  @Test
  void stepBudgetsAndCheckpoints_countOptimizerSteps_asTheLocalTrainerDoes() throws IOException {
    // averaging every 2 steps: a round advances 2 optimizer steps, so the step count goes 2, 4, 6; a checkpoint every
    // 4 steps falls at step 4, and train.maxSteps = 6 stops after the third round (not after 6 rounds = 12 steps)
    Path out = dir.resolve("budgets");
    LanguageModelFamily.Summary sum = withSpark("local[2]", Map.of(), sc -> train(sc, out, false,
        sets("run.checkpointEverySteps=4", "train.maxSteps=6")));
    assertEquals(6, sum.steps());
    assertEquals(java.util.Set.of(2L, 4L, 6L), losses(out).keySet(), "one log line per round, at its step count");
    assertTrue(Files.isDirectory(out.resolve("checkpoints/step-000000004")), "checkpoint when the count reaches 4");
    assertTrue(!Files.exists(out.resolve("checkpoints/step-000000003")), "no checkpoint at round 3");
    // train.maxSeconds works on Spark too: a spent budget ends the first epoch before its first round
    Path timed = dir.resolve("timed");
    LanguageModelFamily.Summary t = withSpark("local[2]", Map.of(), sc -> train(sc, timed, false,
        sets("train.maxSeconds=1e-9")));
    assertEquals(0, t.steps());
    assertTrue(Files.isDirectory(timed.resolve("checkpoints/step-000000000")), "the cut epoch is checkpointed");
  }
}
