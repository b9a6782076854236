package io.seqspark.jobs.bench;

import io.seqspark.core.config.Settings;
import io.seqspark.core.data.TokenShardWriter;
import io.seqspark.core.data.Tokenizer;
import io.seqspark.core.data.Vocabulary;
import io.seqspark.core.io.AtomicFiles;
import io.seqspark.core.io.Json;
import io.seqspark.spark.ingest.Ingest;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import org.apache.spark.SparkConf;
import org.apache.spark.api.java.JavaSparkContext;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * {@code seqspark bench ingest}: raw-text MB/s of {@code seqspark ingest} in Spark local[1] and local[2], against a
 * plain single-threaded Java loop doing the same work (read, tokenize, count, build the vocabulary, encode, write one
 * shard), in the same process. Spark time includes its job scheduling, the cached read pass and the shuffle of the
 * counts, so the ratio shows what distribution costs at this size; the best of {@code --rounds} is reported.
 */
@Command(name = "ingest", mixinStandardHelpOptions = true,
    description = "Ingest throughput (MB/s of raw text): Spark local[1], local[2], and a single-threaded Java loop; ends with RESULT {json}.")
public final class IngestBench implements Callable<Integer> {
  @Option(names = "--files", split = ",", paramLabel = "FILE",
      defaultValue = "../shared/data/w2v/brown.untagged.txt,../shared/data/w2v/text8.prefix6877825",
      description = "Input files, comma-separated (default: Brown + a text8 prefix).")
  List<Path> files;

  @Option(names = "--rounds", defaultValue = "2", description = "Measurements per variant; the best is reported.")
  int rounds;

  @Option(names = "--set", paramLabel = "KEY=VALUE", description = "Config overrides (tokenizer, policies), as for ingest.")
  List<String> sets = new ArrayList<>();

  @Override
  public Integer call() throws Exception {
    Path work = Files.createTempDirectory("seqspark-ingest-bench");
    try {
      Path in = work.resolve("in");
      Files.createDirectories(in);
      long bytes = 0;
      for (Path f : files) {
        if (!Files.isRegularFile(f)) {
          throw new IllegalArgumentException("--files: " + f + " is not a file. Fix: pass existing text files");
        }
        // Symbolic links keep the inputs where they are while giving ingest one directory to read.
        Files.createSymbolicLink(in.resolve(f.getFileName()), f.toAbsolutePath());
        bytes += Files.size(f);
      }
      Settings s = Settings.load(List.of(), sets);
      double mb = bytes / 1e6;
      double s1 = sparkSeconds(1, s, in, work);
      double s2 = sparkSeconds(2, s, in, work);
      double j = javaSeconds(s, work);
      Map<String, Object> result = new LinkedHashMap<>();
      result.put("mb", mb);
      result.put("mb_per_s_1", mb / s1);
      result.put("mb_per_s_2", mb / s2);
      result.put("scaling_2_vs_1", s1 / s2);
      result.put("single_thread_java_mb_per_s", mb / j);
      System.out.println("RESULT " + Json.write(result));
      return 0;
    } finally {
      AtomicFiles.deleteRecursively(work);
    }
  }

  private double sparkSeconds(int threads, Settings s, Path in, Path work) throws IOException {
    SparkConf conf = new SparkConf().setAppName("bench ingest").setMaster("local[" + threads + "]")
        .set("spark.driver.host", "127.0.0.1").set("spark.ui.enabled", "false");
    double best = Double.MAX_VALUE;
    try (JavaSparkContext sc = new JavaSparkContext(conf)) {
      sc.setLogLevel("WARN");
      for (int r = 0; r < rounds; r++) {
        Path out = work.resolve("out-" + threads + "-" + r);
        long t0 = System.nanoTime();
        Ingest.run(sc, s, in.toString(), out.toString(), true, List.of("bench", "ingest"));
        double sec = (System.nanoTime() - t0) / 1e9;
        System.err.printf("local[%d] round %d: %.2f s%n", threads, r + 1, sec);
        best = Math.min(best, sec);
        AtomicFiles.deleteRecursively(out);
      }
    }
    return best;
  }

  private double javaSeconds(Settings s, Path work) throws IOException {
    Tokenizer t = Tokenizer.of(s.getString("data.tokenizer"), s.getBoolean("data.lowercase"), s.getBoolean("data.splitPunctuation"));
    double best = Double.MAX_VALUE;
    for (int r = 0; r < rounds; r++) {
      long t0 = System.nanoTime();
      List<List<String>> lines = new ArrayList<>();
      Map<String, Long> counts = new HashMap<>();
      for (Path f : files) {
        try (BufferedReader br = new BufferedReader(new InputStreamReader(Files.newInputStream(f), StandardCharsets.UTF_8), 1 << 16)) {
          for (String line; (line = br.readLine()) != null; ) {
            List<String> tokens = t.tokenize(line);
            if (!tokens.isEmpty()) {
              lines.add(tokens);
              tokens.forEach(x -> counts.merge(x, 1L, Long::sum));
            }
          }
        }
      }
      Vocabulary.Builder b = Vocabulary.builder();
      counts.forEach(b::add);
      Vocabulary v = b.build(s.getInt("data.minCount"), s.getInt("data.maxVocabSize"));
      try (TokenShardWriter w = new TokenShardWriter(Files.newOutputStream(work.resolve("java.ids")))) {
        for (List<String> l : lines) {
          w.add(v.encode(l));
        }
      }
      double sec = (System.nanoTime() - t0) / 1e9;
      System.err.printf("single-thread Java round %d: %.2f s%n", r + 1, sec);
      best = Math.min(best, sec);
    }
    return best;
  }
}
