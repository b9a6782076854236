package io.seqspark.spark.train;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.seqspark.core.data.TokenShardWriter;
import io.seqspark.core.data.TokenShards;
import io.seqspark.core.data.Vocabulary;
import io.seqspark.core.io.Json;
import java.io.BufferedOutputStream;
import java.io.File;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import org.apache.spark.scheduler.SparkListener;
import org.apache.spark.scheduler.SparkListenerExecutorRemoved;
import org.apache.spark.scheduler.SparkListenerJobEnd;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Executors reading their shards in separate JVMs ({@code local-cluster}): a lost executor's partitions are read
 * again by the retried tasks and training gives the same parameters; a driver whose heap is far smaller than the
 * training shards trains from them.
 */
class ExecutorShardsClusterIT {
  @TempDir
  static Path dir;

  @Test
  void aLostExecutor_isReplaced_itsPartitionsAreReadAgainFromTheShards_andTheParametersAreUnchanged()
      throws IOException {
    ExecutorShardsIT.dir = dir;
    ExecutorShardsIT.ingest();
    List<String> sets = ExecutorShardsIT.sets("data.regime=sentences", "spark.workers=2", "train.epochs=1");
    Map<String, String> conf = LocalCluster.conf(dir);
    double[] clean = cluster("clean", conf, sets, -1);
    double[] lost = cluster("lost", conf, sets, 3);
    SparkTrainingIT.assertBitIdentical(clean, lost);
  }

  /** Trains on local-cluster; after job {@code killAfterJob} ends (-1: never) one executor is killed and replaced. */
  private static double[] cluster(String name, Map<String, String> conf, List<String> sets, int killAfterJob)
      throws IOException {
    AtomicInteger removed = new AtomicInteger();
    SparkTrainingIT.withSpark("local-cluster[2,1,1024]", conf, sc -> {
      waitForExecutors(sc, 2);
      AtomicInteger jobs = new AtomicInteger();
      AtomicBoolean killed = new AtomicBoolean();
      sc.sc().addSparkListener(new SparkListener() {
        @Override
        public void onJobEnd(SparkListenerJobEnd end) {
          if (jobs.incrementAndGet() >= killAfterJob && killAfterJob >= 0 && killed.compareAndSet(false, true)) {
            String victim = sc.sc().getExecutorIds().head();
            new Thread(() -> sc.sc().killAndReplaceExecutor(victim)).start();
          }
        }

        @Override
        public void onExecutorRemoved(SparkListenerExecutorRemoved e) {
          removed.incrementAndGet();
        }
      });
      return ExecutorShardsIT.trainIn(sc, dir.resolve(name), sets);
    });
    if (killAfterJob >= 0) {
      assertEquals(1, removed.get(), "one executor was lost during training");
    }
    return SparkTrainingIT.params(dir.resolve(name));
  }

  static void waitForExecutors(org.apache.spark.api.java.JavaSparkContext sc, int n) {
    long deadline = System.nanoTime() + 120_000_000_000L;
    while (sc.sc().getExecutorMemoryStatus().size() < n + 1 && System.nanoTime() < deadline) {
      try {
        Thread.sleep(200);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        return;
      }
    }
  }

  @Test
  void aDriverWithAHeapFarSmallerThanTheShards_trainsFromThem() throws Exception {
    // 4 shard files, 200 MB of token ids in all (1-byte varints), written straight in ingest's format with a manifest
    // and a vocabulary; the driver JVM gets -Xmx96m
    int vocab = 100;
    Path shards = Files.createDirectories(dir.resolve("big").resolve(TokenShards.SHARD_DIR)).getParent();
    List<Map<String, Object>> list = new ArrayList<>();
    SplittableRandom r = new SplittableRandom(1);
    long bytes = 0;
    for (int f = 0; f < 4; f++) {
      String file = String.format("part-%05d%s", f, TokenShards.SUFFIX);
      Path p = shards.resolve(TokenShards.SHARD_DIR).resolve(file);
      int[] ex = new int[24];
      try (TokenShardWriter w = new TokenShardWriter(new BufferedOutputStream(Files.newOutputStream(p), 1 << 20))) {
        while (w.tokens() < 50_000_000L) {
          for (int j = 0; j < ex.length; j++) {
            ex[j] = Vocabulary.SPECIALS.size() + r.nextInt(vocab - Vocabulary.SPECIALS.size());
          }
          w.add(ex);
        }
        Map<String, Object> e = new LinkedHashMap<>();
        e.put("file", TokenShards.SHARD_DIR + "/" + file);
        e.put("examples", w.count());
        e.put("tokens", w.tokens());
        list.add(e);
      }
      bytes += Files.size(p);
    }
    Files.writeString(shards.resolve(HadoopShards.MANIFEST), Json.write(Map.of("shards", list)));
    StringBuilder v = new StringBuilder();
    for (String special : Vocabulary.SPECIALS) {
      v.append(special).append("\t0\n");
    }
    for (int i = Vocabulary.SPECIALS.size(); i < vocab; i++) {
      v.append("w").append(i).append('\t').append(1).append('\n');
    }
    Files.writeString(shards.resolve(TokenShards.VOCABULARY_FILE), v.toString());
    Path valid = Files.writeString(dir.resolve("valid.txt"), "w5 w6 w7 w8 w9 w10 w11\n".repeat(40));
    assertTrue(bytes > 190L << 20, "shards of " + bytes + " bytes");

    Path out = dir.resolve("small-driver");
    List<String> cmd = new ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
        "-Xmx96m"));
    for (String opt : System.getProperty("seqspark.jvmOpens", "").split("\\s+")) {
      if (!opt.isBlank()) {
        cmd.add(opt);
      }
    }
    cmd.addAll(List.of("-cp", System.getProperty("java.class.path"), SmallDriverMain.class.getName(), out.toString(),
        "data.train=" + shards, "data.valid=" + valid, "data.cache=stream", "spark.workers=2", "model.embeddingSize=8",
        "model.hiddenSize=8", "model.layers=1", "train.batchSize=8", "train.bptt=10", "train.maxSteps=8",
        "spark.averagingFrequency=4", "train.epochs=1", "eval.generate=0", "run.checkpointEverySteps=0", "seed=2"));
    Process p = new ProcessBuilder(cmd).redirectErrorStream(true).redirectOutput(dir.resolve("driver.log").toFile())
        .start();
    assertTrue(p.waitFor(10, TimeUnit.MINUTES), "the driver finished within 10 minutes");
    String log = Files.readString(dir.resolve("driver.log"));
    assertEquals(0, p.exitValue(), "driver exit code; its log:\n" + tail(log));
    long peak = Long.parseLong(log.replaceAll("(?s).*PEAK_HEAP_BYTES=(\\d+).*", "$1"));
    long max = Long.parseLong(log.replaceAll("(?s).*MAX_HEAP_BYTES=(\\d+).*", "$1"));
    assertTrue(max * 2 < bytes, "driver max heap " + max + " is far smaller than the " + bytes + " shard bytes");
    assertTrue(peak > 0, "peak " + peak);
    assertTrue(Files.isRegularFile(out.resolve("model.zip")), "trained: " + tail(log));
    // the sum of the heap pools' peaks (an upper bound: the pools peak at different times)
    System.out.printf("small driver: max heap %d MB, peak heap <= %d MB, shards %d MB%n", max >> 20, peak >> 20,
        bytes >> 20);
  }

  private static String tail(String log) {
    return log.length() < 6000 ? log : log.substring(log.length() - 6000);
  }

  static {
    // the child driver's classpath must list jars, as failsafe's is (useManifestOnlyJar = false)
    assert System.getProperty("java.class.path").contains(File.pathSeparator);
  }
}
