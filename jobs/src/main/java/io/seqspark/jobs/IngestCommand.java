package io.seqspark.jobs;

import io.seqspark.core.config.Settings;
import io.seqspark.spark.ingest.Ingest;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import org.apache.spark.SparkConf;
import org.apache.spark.api.java.JavaSparkContext;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/**
 * {@code seqspark ingest}: text (any Hadoop path or glob, plain/.gz/.bz2) → token-id shards, vocab.tsv, manifest.json.
 * Tokenizer, vocabulary and policies are config keys ({@code data.*}, {@code ingest.*} in reference.conf), not options.
 */
@Command(name = "ingest", mixinStandardHelpOptions = true,
    description = {"Tokenize a corpus once into token-id shards + a frozen vocabulary + manifest.json, on Spark.",
        "Inputs: file://, hdfs://, s3a:// (via the Hadoop configuration) paths, directories or globs; .gz/.bz2 by extension.",
        "Re-running on unchanged inputs and config does nothing (\"up to date\"); changed inputs are re-ingested."})
public final class IngestCommand implements Callable<Integer> {
  @Option(names = "--input", required = true, paramLabel = "PATH_OR_GLOB", description = "File, directory or glob, e.g. 'corpus/*.txt.gz' or hdfs:///data/wiki/*.bz2.")
  String input;

  @Option(names = "--target", paramLabel = "PATH_OR_GLOB", description = {"Aligned translations of --input (parallel"
      + " files): line i of the i-th --input file (sorted) pairs with line i of the i-th --target file. Writes source/ and"
      + " target/ shard directories; line counts must match."})
  String target;

  @Option(names = "--previous", paramLabel = "DIR", description = {"Incremental ingest: DIR is an earlier ingest"
      + " (same config) whose files must all still be among --input, unchanged; only the other files are read and --out"
      + " gets DIR's shards plus theirs. ingest.vocabPolicy (frozen, extend, rebuild) says what happens to the"
      + " vocabulary. One-sided text only (not --target, not csv)."})
  String previous;

  @Option(names = "--out", required = true, paramLabel = "DIR", description = "Output directory (shards/, vocab.tsv, manifest.json); any Hadoop path.")
  String out;

  @Option(names = "--conf", paramLabel = "FILE", description = "Config file (HOCON) or bundled preset name; repeatable, later files win.")
  List<Path> confs = new ArrayList<>();

  @Option(names = "--set", paramLabel = "KEY=VALUE", description = "Override one config key, e.g. --set ingest.maxLength=512; repeatable.")
  List<String> sets = new ArrayList<>();

  @Option(names = "--overwrite", description = "Replace --out even if it holds something other than an ingest of the same input and config.")
  boolean overwrite;

  @Option(names = "--master", paramLabel = "URL", description = "Spark master (default: spark-submit's, else local[*]).")
  String master;

  @Spec
  CommandSpec spec;

  @Override
  public Integer call() throws Exception {
    if (previous != null && target != null) {
      throw new IllegalArgumentException("--previous with --target: incremental ingest supports one-sided text only."
          + " Fix: drop --previous for a full ingest of the parallel files");
    }
    Settings s = Settings.load(confs, sets);
    JavaSparkContext shared = RunOptions.shared();
    if (shared != null && master == null) { // a pipeline stage: the pipeline's context, left running
      run(shared, s);
      return 0;
    }
    String m = master != null ? master : System.getProperty("spark.master", "local[*]");
    SparkConf conf = new SparkConf().setAppName("seqspark ingest").setMaster(m);
    if (m.startsWith("local")) {
      conf.setIfMissing("spark.driver.host", "127.0.0.1").setIfMissing("spark.ui.enabled", "false");
    }
    LocalSparkHome.configureIfLocalCluster(conf, m);
    try (JavaSparkContext sc = new JavaSparkContext(conf)) {
      run(sc, s);
    }
    return 0;
  }

  private void run(JavaSparkContext sc, Settings s) throws Exception {
    Ingest.Result r = previous == null
        ? Ingest.run(sc, s, input, target, out, overwrite, LmCommand.commandLine(spec))
        : Ingest.runIncremental(sc, s, input, previous, out, overwrite, LmCommand.commandLine(spec));
    print(r);
  }

  static void print(Ingest.Result r) {
    if (r.upToDate()) {
      System.out.println(r.out() + " is up to date (inputs and config unchanged); nothing to do");
      return;
    }
    Map<String, Object> m = r.manifest();
    System.out.printf("out:             %s (%s)%n", r.out(), r.reason());
    if (m.containsKey("previous")) {
      System.out.printf("previous:        %s (%,d words; %d new file(s) read; vocabPolicy %s)%n", m.get("previous"),
          ((Number) m.get("previousVocabularySize")).longValue(), ((List<?>) m.get("newFiles")).size(),
          m.get("vocabPolicy"));
    }
    System.out.printf("lines read:      %,d%n", ((Number) m.get("linesRead")).longValue());
    if (m.containsKey("series")) { // ingest.format = csv
      System.out.printf("rows kept:       %,d in %d series under %s/series%n", ((Number) m.get("rowsKept")).longValue(),
          ((List<?>) m.get("series")).size(), r.out());
    } else {
      System.out.printf("examples kept:   %,d (%,d tokens)%n", ((Number) m.get("examples")).longValue(),
          ((Number) m.get("tokens")).longValue());
    }
    System.out.printf("dropped:         %s%n", m.get("dropped"));
    System.out.printf("changed:         %s%n", m.get("changed"));
    if (!((List<?>) m.get("corruptFiles")).isEmpty()) {
      System.out.printf("corrupt files:   %s%n", m.get("corruptFiles"));
    }
    if (m.containsKey("pairsDropped")) {
      System.out.printf("pairs dropped:   %,d (a line dropped on either side)%n", ((Number) m.get("pairsDropped")).longValue());
      for (String side : List.of("source", "target")) {
        printSide(side, (Map<?, ?>) m.get(side));
      }
    } else if (m.containsKey("series")) {
      System.out.printf("first problems:  %s%n", m.get("firstProblemByReason"));
    } else if (m.containsKey("text") || m.containsKey("words")) { // ingest.format = labelled | tagged
      String first = m.containsKey("text") ? "text" : "words";
      String second = m.containsKey("text") ? "labels" : "tags";
      printSide(first, (Map<?, ?>) m.get(first));
      System.out.printf("%-18s%s%n", second + ":", ((Map<?, ?>) m.get(second)).get("counts"));
    } else {
      printSide("", m);
    }
    System.out.printf("time:            %.1f s%n", ((Number) m.get("seconds")).doubleValue());
  }

  private static void printSide(String side, Map<?, ?> m) {
    String label = side.isEmpty() ? "" : side + " ";
    System.out.printf("%-17s%s%,d entries, OOV rate %.4f, %d shard(s)%n", label + "vocabulary:", side.isEmpty() ? "" : " ",
        ((Number) m.get("vocabularySize")).intValue(), ((Number) m.get("oovRate")).doubleValue(), ((List<?>) m.get("shards")).size());
  }
}
