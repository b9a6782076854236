package io.seqspark.spark.train;

import io.seqspark.core.config.Settings;
import io.seqspark.core.io.RunDirectory;
import io.seqspark.core.task.LanguageModelFamily;
import java.io.PrintStream;
import java.lang.management.ManagementFactory;
import java.lang.management.MemoryPoolMXBean;
import java.lang.management.MemoryType;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import org.apache.spark.SparkConf;
import org.apache.spark.api.java.JavaSparkContext;

/**
 * A driver in its own JVM (started by {@link ExecutorShardsClusterIT} with a small -Xmx): trains {@code lm} on
 * {@code local-cluster[2,1,1024]} with the given {@code --set}-style settings into a run directory, then prints the
 * driver's peak heap ({@code PEAK_HEAP_BYTES=...}: the sum of the heap pools' peaks, an upper bound).
 *
 * <p>Arguments: run directory, then settings (key=value).
 */
public final class SmallDriverMain {
  private SmallDriverMain() {
  }

  /** Trains, prints the peak heap, exits 0 (non-zero with the stack trace on failure). */
  public static void main(String[] args) throws Exception {
    Path out = Path.of(args[0]);
    List<String> sets = new ArrayList<>(Arrays.asList(args).subList(1, args.length));
    SparkConf conf = new SparkConf().setMaster("local-cluster[2,1,1024]").setAppName("SmallDriverMain")
        .set("spark.ui.enabled", "false").set("spark.driver.host", "127.0.0.1")
        // Spark's memory manager refuses a heap under 450 MB by its own accounting; this test-only key makes it
        // account 512 MB while the JVM really has the small -Xmx it was started with
        .set("spark.testing.memory", String.valueOf(512L << 20));
    for (Map.Entry<String, String> e : LocalCluster.conf(out.getParent()).entrySet()) {
      conf.set(e.getKey(), e.getValue());
    }
    try (JavaSparkContext sc = new JavaSparkContext(conf)) {
      LanguageModelFamily.run(Settings.load(List.of(), sets), RunDirectory.create(out, false), false,
          List.of("SmallDriverMain"), new PrintStream(System.out), new SparkTrainingLoop(sc));
    }
    long peak = 0;
    for (MemoryPoolMXBean pool : ManagementFactory.getMemoryPoolMXBeans()) {
      if (pool.getType() == MemoryType.HEAP && pool.getPeakUsage() != null) {
        peak += pool.getPeakUsage().getUsed();
      }
    }
    System.out.println("PEAK_HEAP_BYTES=" + peak);
    System.out.println("MAX_HEAP_BYTES=" + Runtime.getRuntime().maxMemory());
    System.exit(0);
  }
}
