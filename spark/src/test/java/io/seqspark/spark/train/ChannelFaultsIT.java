package io.seqspark.spark.train;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;
import org.apache.spark.scheduler.SparkListener;
import org.apache.spark.scheduler.SparkListenerExecutorRemoved;
import org.apache.spark.scheduler.SparkListenerTaskEnd;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Faults on the way through the parameter channel, on real Spark: a task that stalls in the middle of its PUT is cut
 * off by the driver's timeout and retried; an executor JVM killed in the middle of a round (local-cluster) has its
 * task retried on another; both runs end with exactly the parameters of an undisturbed run.
 */
class ChannelFaultsIT {
  @TempDir
  static Path dir;

  @BeforeAll
  static void corpus() throws IOException {
    SparkTrainingIT.corpusIn(dir);
  }

  /** Listens for failed task attempts (their error text) and removed executors. */
  private static final class Faults extends SparkListener {
    final List<String> failures = Collections.synchronizedList(new ArrayList<>());
    final AtomicInteger executorsRemoved = new AtomicInteger();

    @Override
    public void onTaskEnd(SparkListenerTaskEnd end) {
      if (!end.taskInfo().successful()) {
        failures.add(String.valueOf(end.reason()));
      }
    }

    @Override
    public void onExecutorRemoved(SparkListenerExecutorRemoved removed) {
      executorsRemoved.incrementAndGet();
    }
  }

  @Test
  void putStalledMidway_isCutOffByTheTimeout_andTheRetriedRunEqualsAnUndisturbedOne() throws IOException {
    List<String> sets = SparkTrainingIT.sets("spark.channelTimeoutSeconds=2");
    SparkTrainingIT.withSpark("local[2]", Map.of(), sc -> SparkTrainingIT.train(sc, dir.resolve("clean"), false, sets));
    Faults faults = new Faults();
    // partition 1's first attempt in epoch 1, round 2 sends its PUT header, then nothing for 2 + 3 s
    SparkTrainingIT.withSpark("local[2,3]", Map.of(FaultInjection.STALL_PUT, "1:1:2"), sc -> {
      sc.sc().addSparkListener(faults);
      return SparkTrainingIT.train(sc, dir.resolve("stalled"), false, sets);
    });
    assertEquals(1, faults.failures.size(), "exactly one task attempt failed: " + faults.failures);
    String why = faults.failures.get(0);
    assertTrue(why.contains("cannot PUT round") && why.contains("closed the connection")
        && why.contains("spark.channelTimeoutSeconds = 2"), why);
    SparkTrainingIT.assertBitIdentical(SparkTrainingIT.params(dir.resolve("clean")),
        SparkTrainingIT.params(dir.resolve("stalled")));
  }

  @Test
  void executorJvmKilledMidRound_isRetriedBySpark_andTheRunEqualsAnUndisturbedOne() throws IOException {
    List<String> sets = SparkTrainingIT.sets("train.epochs=1", "spark.channelTimeoutSeconds=30");
    SparkTrainingIT.withSpark("local[2]", Map.of(), sc -> SparkTrainingIT.train(sc, dir.resolve("whole"), false, sets));
    Faults faults = new Faults();
    Map<String, String> conf = new HashMap<>(LocalCluster.conf(dir));
    // partition 0's executor halts after the steps of epoch 1, round 3 (first attempt), before its PUT
    conf.put(FaultInjection.HALT, "0:1:3");
    SparkTrainingIT.withSpark("local-cluster[2,1,1024]", conf, sc -> {
      sc.sc().addSparkListener(faults);
      return SparkTrainingIT.train(sc, dir.resolve("killed"), false, sets);
    });
    assertTrue(faults.executorsRemoved.get() >= 1, "an executor JVM was lost");
    assertEquals(1, faults.failures.size(), "one task attempt was lost with it: " + faults.failures);
    assertTrue(faults.failures.get(0).contains("ExecutorLostFailure"), faults.failures.get(0));
    SparkTrainingIT.assertBitIdentical(SparkTrainingIT.params(dir.resolve("whole")),
        SparkTrainingIT.params(dir.resolve("killed")));
  }
}
