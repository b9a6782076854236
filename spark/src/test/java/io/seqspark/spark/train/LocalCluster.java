package io.seqspark.spark.train;

import java.io.File;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.Map;

/**
 * Spark's {@code local-cluster[workers, cores, memoryMiB]} master (separate executor JVMs) without a Spark
 * installation, as measured in ../shared/STACK.md: a SPARK_HOME holding {@code RELEASE} and {@code jars/} with a link
 * to every jar of the test classpath, the driver's classpath for the executors, and the same JVM opens.
 */
final class LocalCluster {
  private LocalCluster() {
  }

  /** Spark conf entries for a local-cluster run; fills the SPARK_HOME the build exported (spark/pom.xml). */
  static Map<String, String> conf(Path tmp) {
    String sparkHome = System.getenv("SPARK_HOME");
    if (sparkHome == null) {
      throw new IllegalStateException("SPARK_HOME is not set: local-cluster tests run through Maven failsafe, which sets it");
    }
    try {
      Path home = Files.createDirectories(Path.of(sparkHome));
      Path jars = Files.createDirectories(home.resolve("jars"));
      Files.writeString(home.resolve("RELEASE"), "");
      String cp = System.getProperty("java.class.path");
      for (String entry : cp.split(File.pathSeparator)) {
        Path p = Path.of(entry);
        if (entry.endsWith(".jar") && Files.isRegularFile(p)) {
          Path link = jars.resolve(p.getFileName().toString());
          if (!Files.exists(link)) {
            Files.createSymbolicLink(link, p.toAbsolutePath());
          }
        }
      }
      Map<String, String> conf = new HashMap<>();
      conf.put("spark.home", home.toString());
      conf.put("spark.executor.extraClassPath", cp);
      conf.put("spark.executor.extraJavaOptions", System.getProperty("seqspark.jvmOpens", ""));
      conf.put("spark.executorEnv.SPARK_SCALA_VERSION", "2.12");
      return conf;
    } catch (IOException e) {
      throw new UncheckedIOException("could not prepare a local-cluster SPARK_HOME under " + tmp, e);
    }
  }
}
