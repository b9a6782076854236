package io.seqspark.spark.train;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Path;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Training on two real executor JVMs (local-cluster[2,1,1024]) gives exactly what local[2] gives. */
class LocalClusterIT {
  @TempDir
  static Path dir;

  @Test
  void twoExecutorJvms_giveTheSameParametersAsLocalMode() throws IOException {
    SparkTrainingIT.corpusIn(dir);
    SparkTrainingIT.withSpark("local[2]", Map.of(), sc -> SparkTrainingIT.train(sc, dir.resolve("local"), false, SparkTrainingIT.sets()));
    Set<String> executorJvms = new HashSet<>();
    SparkTrainingIT.withSpark("local-cluster[2,1,1024]", LocalCluster.conf(dir), sc -> {
      // wait (bounded) until both executor JVMs have registered: on a loaded machine the second one starts later,
      // and a job submitted before then runs all its tasks on the first (executor memory status lists the driver too)
      long deadline = System.nanoTime() + 120_000_000_000L;
      while (sc.sc().getExecutorMemoryStatus().size() < 3 && System.nanoTime() < deadline) {
        try {
          Thread.sleep(200);
        } catch (InterruptedException e) {
          Thread.currentThread().interrupt();
          break;
        }
      }
      // the executors are separate processes: their JVM names (pid@host) differ from the driver's
      List<String> names = sc.parallelize(List.of(1, 2, 3, 4), 4)
          .map(i -> java.lang.management.ManagementFactory.getRuntimeMXBean().getName()).collect();
      executorJvms.addAll(names);
      return SparkTrainingIT.train(sc, dir.resolve("cluster"), false, SparkTrainingIT.sets());
    });
    assertTrue(executorJvms.size() == 2 && !executorJvms.contains(java.lang.management.ManagementFactory.getRuntimeMXBean().getName()),
        "two executor JVMs other than the driver: " + executorJvms);
    double[] a = SparkTrainingIT.params(dir.resolve("local"));
    double[] b = SparkTrainingIT.params(dir.resolve("cluster"));
    assertEquals(a.length, b.length);
    for (int i = 0; i < a.length; i++) {
      assertEquals(a[i], b[i], 0.0, "parameter " + i);
    }
  }
}
