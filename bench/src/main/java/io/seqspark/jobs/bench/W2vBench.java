package io.seqspark.jobs.bench;

import io.seqspark.core.config.Settings;
import io.seqspark.core.data.Vocabulary;
import io.seqspark.core.io.AtomicFiles;
import io.seqspark.core.io.Json;
import io.seqspark.core.w2v.Corpus;
import io.seqspark.core.w2v.EmbeddingEvaluation;
import io.seqspark.core.w2v.SkipGramOptions;
import io.seqspark.core.w2v.Vectors;
import io.seqspark.core.w2v.Word2VecFormat;
import io.seqspark.core.w2v.Word2VecTrainer;
import io.seqspark.core.w2v.Word2VecTraining;
import io.seqspark.core.w2v.WordVectors;
import io.seqspark.spark.w2v.DistributedWord2Vec;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.concurrent.TimeUnit;
import org.apache.spark.SparkConf;
import org.apache.spark.api.java.JavaSparkContext;
import org.apache.spark.ml.feature.Word2VecModel;
import org.apache.spark.ml.linalg.Vector;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.RowFactory;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.StructType;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * Issue 6's measurements: skip-gram on brown (lower-cased) + the text8 prefix, dim 100, window 5, negative 5,
 * sample 1e-3, min count 5, 2 threads, the same epochs for every engine:
 * <ul>
 *   <li>throughput, alternating seqspark local and gensim (Debian python3-gensim, corpus_file, 2 workers; the
 *       shared script), best of {@code --reps} each; words/s = corpus tokens × epochs / training seconds, as gensim
 *       counts them;</li>
 *   <li>Spark ML Word2Vec (hierarchical softmax, in-process local[2], 2 partitions) next to seqspark on Spark
 *       local[2] (2 partitions);</li>
 *   <li>analogy accuracy of every engine's vectors by OUR evaluator (3CosAdd, top 30k, case-insensitive) and
 *       WordSim-353 Spearman; accuracy of seqspark with 1, 4, 8 partitions and Spark ML with 1 and 8;</li>
 *   <li>gensim's {@code load_word2vec_format} loads our vectors.txt and vectors.bin (checked against our values).</li>
 * </ul>
 */
@Command(name = "w2v", mixinStandardHelpOptions = true,
    description = "Word2Vec: seqspark local and on Spark vs gensim and Spark ML (words/s, analogy accuracy, partitions).")
public final class W2vBench implements Callable<Integer> {

  @Option(names = "--quick", description = "Smoke run: a small corpus prefix, 1 epoch, one repetition.")
  boolean quick;
  @Option(names = "--epochs", defaultValue = "1", description = "Epochs for every engine (default ${DEFAULT-VALUE}: keeps the full run, with Spark ML three times, near 15 min on 2 shared cores).")
  int epochs;
  @Option(names = "--threads", defaultValue = "2", description = "Threads of seqspark local and workers of gensim (default ${DEFAULT-VALUE}, the issue's setting).")
  int threads;

  @Option(names = "--reps", defaultValue = "2", description = "Alternating seqspark/gensim throughput repetitions (default ${DEFAULT-VALUE}).")
  int reps;
  @Option(names = "--scale", defaultValue = "1", description = "Fraction of the corpus to use: the first F of brown's lines"
      + " and of text8's bytes (default ${DEFAULT-VALUE}, the whole corpus; less when the machine is too loaded to finish).")
  double scale;
  @Option(names = "--throughput-only", description = "Only the alternating seqspark local / gensim throughput runs (no Spark, no sweeps).")
  boolean throughputOnly;
  @Option(names = "--sweep-only", description = "Only the accuracy sweep: seqspark local and gensim once each, then"
      + " seqspark on Spark local[2] with 1, 4 and 8 partitions (no Spark ML, no gensim file check).")
  boolean sweepOnly;
  @Option(names = "--rounds", defaultValue = "0", description = "Rounds per epoch of seqspark on Spark (default 0: w2v.roundsPerEpoch of conf/reference.conf).")
  int rounds;
  @Option(names = "--work", defaultValue = "jobs/target/w2v-bench", description = "Scratch directory (default ${DEFAULT-VALUE}).")
  Path work;

  private Path shared;
  private Path questions;
  private Path wordsim;
  private int restrict;

  @Override
  public Integer call() throws Exception {
    shared = PyTorchBaseline.sharedDir();
    Path data = shared.resolve("data/w2v");
    questions = data.resolve("questions-words.txt");
    wordsim = data.resolve("wordsim353.tsv");
    for (Path p : List.of(data.resolve("brown.untagged.txt"), data.resolve("text8.prefix6877825"), questions, wordsim)) {
      if (!Files.isRegularFile(p)) {
        throw new IllegalArgumentException("missing " + p + "; set -Dseqspark.shared=DIR to the shared directory");
      }
    }
    if (quick) {
      epochs = 1;
      reps = 1;
    }
    if (sweepOnly) {
      reps = 1;
    }
    Files.createDirectories(work);
    if (!(scale > 0 && scale <= 1)) {
      throw new IllegalArgumentException("--scale " + scale + ": must be in (0, 1]");
    }
    Path corpusFile = work.resolve(quick ? "corpus-quick.txt" : "corpus-" + scale + ".txt");
    writeCorpus(data, corpusFile, quick ? -1 : scale);
    Settings s = Settings.load(List.of(io.seqspark.core.w2v.Word2VecTraining.DEFAULTS), List.of("data.train=\"" + corpusFile + "\"", "w2v.dim=100", "w2v.window=5",
        "w2v.negative=5", "w2v.sample=1e-3", "data.minCount=5", "run.threads=" + threads, "train.epochs=" + epochs, "seed=1"));
    restrict = s.getInt("w2v.restrictVocab");
    if (rounds <= 0) {
      rounds = s.getInt("w2v.roundsPerEpoch");
    }
    SkipGramOptions o = Word2VecTraining.options(s);
    Corpus corpus = Word2VecTraining.corpus(s);
    System.err.printf("corpus %s: %,d tokens, %,d words with count >= 5; %d epochs%n", corpusFile, corpus.rawTokens(),
        corpus.vocabulary().size() - Corpus.FIRST_WORD, epochs);
    Map<String, Object> r = new LinkedHashMap<>();
    double ours = 0;
    double gensim = 0;
    double oursCpu = 0;
    double gensimCpu = 0;
    com.sun.management.OperatingSystemMXBean os =
        (com.sun.management.OperatingSystemMXBean) java.lang.management.ManagementFactory.getOperatingSystemMXBean();
    WordVectors oursWv = null;
    WordVectors gensimWv = null;
    for (int rep = 0; rep < reps; rep++) {
      long cpu0 = os.getProcessCpuTime();
      Word2VecTrainer.Result res = Word2VecTrainer.train(corpus, o, 0, null, 10);
      double cpuSeconds = (os.getProcessCpuTime() - cpu0) / 1e9;
      double wps = corpus.rawTokens() * (double) epochs / res.seconds();
      oursCpu = Math.max(oursCpu, corpus.rawTokens() * (double) epochs / cpuSeconds);
      System.err.printf("seqspark local rep %d: %.1f s, %,.0f words/s, %.1f CPU s (%,.0f words per CPU-second)%n", rep + 1,
          res.seconds(), wps, cpuSeconds, corpus.rawTokens() * (double) epochs / cpuSeconds);
      if (wps > ours) {
        ours = wps;
        oursWv = WordVectors.of(res.model());
      }
      Map<String, Object> g = gensim(corpusFile, work.resolve("gensim.txt"));
      double gw = ((Number) g.get("train_words_per_s")).doubleValue();
      gensimCpu = Math.max(gensimCpu, ((Number) g.get("train_words_per_cpu_s")).doubleValue());
      System.err.printf("gensim rep %d: %s s training, %,.0f words/s, %s CPU s (%s words per CPU-second)%n", rep + 1,
          g.get("train_s"), gw, g.get("train_cpu_s"), g.get("train_words_per_cpu_s"));
      if (gw > gensim) {
        gensim = gw;
        gensimWv = Word2VecFormat.read(work.resolve("gensim.txt"));
      }
    }
    r.put("words_per_s", ours);
    r.put("gensim_words_per_s", gensim);
    r.put("ratio_vs_gensim", ours / gensim);
    if (sweepOnly) {
      return sweep(corpus, o, oursWv, gensimWv, r);
    }
    r.put("gensim_loads_ours", gensimLoads(oursWv));
    r.put("words_per_cpu_s", oursCpu);
    r.put("gensim_words_per_cpu_s", gensimCpu);
    r.put("ratio_vs_gensim_per_cpu", oursCpu / gensimCpu);
    if (throughputOnly) {
      r.put("analogy_acc", EmbeddingEvaluation.analogies(oursWv, questions, restrict).accuracy());
      r.put("gensim_analogy_acc", EmbeddingEvaluation.analogies(gensimWv, questions, restrict).accuracy());
      r.put("epochs", epochs);
      r.put("corpus_tokens", corpus.rawTokens());
      r.put("scale", scale);
      System.out.println("RESULT " + Json.write(r));
      return 0;
    }
    Map<String, Object> sparkPart = new LinkedHashMap<>();
    try (JavaSparkContext sc = new JavaSparkContext(new SparkConf().setMaster("local[2]").setAppName("bench w2v")
        .set("spark.driver.host", "127.0.0.1").set("spark.ui.enabled", "false").set("spark.driver.maxResultSize", "2g"))) {
      sc.setLogLevel("WARN");
      SparkSession spark = SparkSession.builder().sparkContext(sc.sc()).getOrCreate();
      Dataset<Row> sentences = sentences(spark, corpusFile);
      double[] ml2 = sparkMl(spark, sentences, corpus, 2);
      double[] sp2 = seqsparkOnSpark(sc, corpus, o, 2);
      sparkPart.put("sparkml_words_per_s", ml2[0]);
      sparkPart.put("ratio_vs_sparkml", sp2[0] / ml2[0]);
      sparkPart.put("sparkml_analogy_acc", ml2[1]);
      sparkPart.put("spark_words_per_s", sp2[0]);
      sparkPart.put("spark_analogy_acc", sp2[1]);
      sparkPart.put("analogy_acc_p1", seqsparkOnSpark(sc, corpus, o, 1)[1]);
      sparkPart.put("sparkml_analogy_acc_p1", sparkMl(spark, sentences, corpus, 1)[1]);
      sparkPart.put("analogy_acc_p4", seqsparkOnSpark(sc, corpus, o, 4)[1]);
      sparkPart.put("analogy_acc_p8", seqsparkOnSpark(sc, corpus, o, 8)[1]);
      sparkPart.put("sparkml_analogy_acc_p8", sparkMl(spark, sentences, corpus, 8)[1]);
    }
    EmbeddingEvaluation.Analogy oa = EmbeddingEvaluation.analogies(oursWv, questions, restrict);
    r.put("sparkml_words_per_s", sparkPart.get("sparkml_words_per_s"));
    r.put("ratio_vs_sparkml", sparkPart.get("ratio_vs_sparkml"));
    r.put("analogy_acc", oa.accuracy());
    r.put("gensim_analogy_acc", EmbeddingEvaluation.analogies(gensimWv, questions, restrict).accuracy());
    r.put("sparkml_analogy_acc", sparkPart.get("sparkml_analogy_acc"));
    for (String k : List.of("analogy_acc_p1", "analogy_acc_p4", "analogy_acc_p8", "sparkml_analogy_acc_p1", "sparkml_analogy_acc_p8")) {
      r.put(k, sparkPart.get(k));
    }
    r.put("wordsim_spearman", EmbeddingEvaluation.similarity(oursWv, wordsim).spearman());
    r.put("gensim_wordsim_spearman", EmbeddingEvaluation.similarity(gensimWv, wordsim).spearman());
    r.put("spark_words_per_s", sparkPart.get("spark_words_per_s"));
    r.put("spark_analogy_acc", sparkPart.get("spark_analogy_acc"));
    r.put("analogy_coverage", oa.coverage());
    r.put("epochs", epochs);
    r.put("corpus_tokens", corpus.rawTokens());
    r.put("quick", quick);
    r.put("scale", scale);
    System.out.println("RESULT " + Json.write(r));
    return 0;
  }

  /** --sweep-only: local and gensim accuracy next to seqspark on Spark with 1, 4 and 8 partitions. */
  private int sweep(Corpus corpus, SkipGramOptions o, WordVectors oursWv, WordVectors gensimWv, Map<String, Object> r)
      throws IOException {
    r.put("analogy_acc", EmbeddingEvaluation.analogies(oursWv, questions, restrict).accuracy());
    r.put("gensim_analogy_acc", EmbeddingEvaluation.analogies(gensimWv, questions, restrict).accuracy());
    r.put("wordsim_spearman", EmbeddingEvaluation.similarity(oursWv, wordsim).spearman());
    try (JavaSparkContext sc = new JavaSparkContext(new SparkConf().setMaster("local[2]").setAppName("bench w2v sweep")
        .set("spark.driver.host", "127.0.0.1").set("spark.ui.enabled", "false").set("spark.driver.maxResultSize", "2g"))) {
      sc.setLogLevel("WARN");
      for (int p : new int[] {1, 4, 8}) {
        r.put("analogy_acc_p" + p, seqsparkOnSpark(sc, corpus, o, p)[1]);
      }
    }
    r.put("rounds_per_epoch", rounds);
    r.put("epochs", epochs);
    r.put("corpus_tokens", corpus.rawTokens());
    r.put("scale", scale);
    System.out.println("RESULT " + Json.write(r));
    return 0;
  }

  /**
   * Brown lower-cased (one sentence per line), then the text8 prefix (one line); a {@code scale} below 1 takes that
   * fraction of each, -1 the quick run's prefixes (5,000 lines, 600 kB).
   */
  static void writeCorpus(Path data, Path out, double scale) throws IOException {
    List<String> brown = Files.readAllLines(data.resolve("brown.untagged.txt"), StandardCharsets.UTF_8);
    String text8 = Files.readString(data.resolve("text8.prefix6877825"), StandardCharsets.US_ASCII);
    int lines = scale < 0 ? 5000 : (int) (brown.size() * scale);
    int bytes = scale < 0 ? 600_000 : (int) (text8.length() * scale);
    String t8 = bytes >= text8.length() ? text8 : text8.substring(0, text8.indexOf(' ', bytes));
    AtomicFiles.write(out, os -> {
      for (int i = 0; i < lines; i++) {
        os.write(brown.get(i).toLowerCase(Locale.ROOT).getBytes(StandardCharsets.UTF_8));
        os.write('\n');
      }
      os.write(t8.strip().getBytes(StandardCharsets.US_ASCII));
      os.write('\n');
    });
  }

  private double[] seqsparkOnSpark(JavaSparkContext sc, Corpus corpus, SkipGramOptions o, int partitions) throws IOException {
    Word2VecTrainer.Result res = DistributedWord2Vec.train(sc, corpus, new DistributedWord2Vec.Options(o, partitions, rounds, 0), null);
    double wps = corpus.rawTokens() * (double) epochs / res.seconds();
    double acc = EmbeddingEvaluation.analogies(WordVectors.of(res.model()), questions, restrict).accuracy();
    System.err.printf("seqspark on Spark local[2], %d partitions, %d rounds/epoch: %.1f s, %,.0f words/s, analogy %.4f%n",
        partitions, rounds, res.seconds(), wps, acc);
    return new double[] {wps, acc};
  }

  /** The corpus file as Spark ML input: one row per line, tokens split on white space, cut at 10,000 like gensim. */
  private static Dataset<Row> sentences(SparkSession spark, Path corpusFile) throws IOException {
    List<Row> rows = new ArrayList<>();
    for (String line : Files.readAllLines(corpusFile, StandardCharsets.UTF_8)) {
      String[] t = line.strip().split("\\s+");
      for (int from = 0; from < t.length && !t[0].isEmpty(); from += 10_000) {
        rows.add(RowFactory.create((Object) java.util.Arrays.copyOfRange(t, from, Math.min(t.length, from + 10_000))));
      }
    }
    StructType schema = new StructType().add("text", DataTypes.createArrayType(DataTypes.StringType));
    return spark.createDataFrame(rows, schema).repartition(2).cache();
  }

  /** Spark ML Word2Vec with our settings (it has no negative sampling or subsampling); {words/s, analogy acc}. */
  private double[] sparkMl(SparkSession spark, Dataset<Row> sentences, Corpus corpus, int partitions) throws IOException {
    sentences.count();
    org.apache.spark.ml.feature.Word2Vec w2v = new org.apache.spark.ml.feature.Word2Vec().setInputCol("text")
        .setOutputCol("vec").setVectorSize(100).setWindowSize(5).setMinCount(5).setMaxIter(epochs)
        .setNumPartitions(partitions).setStepSize(0.025).setSeed(1);
    long t0 = System.nanoTime();
    Word2VecModel model = w2v.fit(sentences);
    double sec = (System.nanoTime() - t0) / 1e9;
    List<Row> vecs = model.getVectors().collectAsList();
    Vocabulary v = corpus.vocabulary();
    List<Row> sorted = new ArrayList<>(vecs);
    sorted.sort(Comparator.comparingLong((Row row) -> -(v.contains(row.getString(0)) ? v.count(v.id(row.getString(0))) : 0))
        .thenComparing(row -> row.getString(0)));
    Vectors m = new Vectors(Vectors.Layout.of(sorted.size(), 100));
    List<String> words = new ArrayList<>();
    for (int i = 0; i < sorted.size(); i++) {
      words.add(sorted.get(i).getString(0));
      double[] d = ((Vector) sorted.get(i).get(1)).toArray();
      float[] f = new float[d.length];
      for (int k = 0; k < d.length; k++) {
        f[k] = (float) d[k];
      }
      m.setRow(i, f);
    }
    double acc = EmbeddingEvaluation.analogies(new WordVectors(words, m, 0), questions, restrict).accuracy();
    double wps = corpus.rawTokens() * (double) epochs / sec;
    System.err.printf("Spark ML Word2Vec local[2], %d partitions: %.1f s, %,.0f words/s, analogy %.4f%n", partitions, sec, wps, acc);
    return new double[] {wps, acc};
  }

  /** Runs the shared gensim script; returns its RESULT JSON. */
  private Map<String, Object> gensim(Path corpusFile, Path out) throws IOException, InterruptedException {
    return python(List.of(shared.resolve("bench/w2v_gensim.py").toString(), corpusFile.toString(), "--mode", "corpus_file",
        "--workers", String.valueOf(threads), "--epochs", String.valueOf(epochs), "--out", out.toString()));
  }

  /** gensim's load_word2vec_format reads our vectors.txt and vectors.bin; both must give our words and values. */
  private boolean gensimLoads(WordVectors wv) throws IOException, InterruptedException {
    Path txt = work.resolve("ours.txt");
    Path bin = work.resolve("ours.bin");
    Word2VecFormat.writeText(txt, wv);
    Word2VecFormat.writeBinary(bin, wv);
    String script = "import sys, json\nfrom gensim.models import KeyedVectors as K\n"
        + "t = K.load_word2vec_format(sys.argv[1]); b = K.load_word2vec_format(sys.argv[2], binary=True)\n"
        + "print('RESULT ' + json.dumps(dict(n_txt=len(t), n_bin=len(b), dim=int(b.vector_size), first=b.index_to_key[0],"
        + " last=b.index_to_key[-1], max_diff=float(abs(t.vectors - b.vectors).max()),"
        + " abs_sum=float(abs(b.vectors.astype('float64')).sum()))))\n";
    Map<String, Object> g = python(List.of("-c", script, txt.toString(), bin.toString()));
    double sum = 0;
    for (int i = 0; i < wv.size(); i++) {
      for (float x : wv.vector(i)) {
        sum += Math.abs((double) x);
      }
    }
    boolean ok = ((Number) g.get("n_txt")).intValue() == wv.size() && ((Number) g.get("n_bin")).intValue() == wv.size()
        && wv.words().get(0).equals(g.get("first")) && wv.words().get(wv.size() - 1).equals(g.get("last"))
        && ((Number) g.get("max_diff")).doubleValue() == 0 && Math.abs(((Number) g.get("abs_sum")).doubleValue() - sum) <= 1e-9 * sum;
    System.err.println("gensim load_word2vec_format on our files: " + g + " -> " + (ok ? "identical" : "MISMATCH"));
    return ok;
  }

  private static Map<String, Object> python(List<String> args) throws IOException, InterruptedException {
    List<String> cmd = new ArrayList<>(List.of(PyTorchBaseline.PYTHON));
    cmd.addAll(args);
    Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
    String result = null;
    List<String> tail = new ArrayList<>();
    try (BufferedReader r = new BufferedReader(new InputStreamReader(p.getInputStream(), StandardCharsets.UTF_8))) {
      for (String line; (line = r.readLine()) != null; ) {
        if (line.startsWith("RESULT ")) {
          result = line.substring(7);
        } else {
          tail.add(line);
        }
      }
    }
    if (!p.waitFor(30, TimeUnit.MINUTES) || p.exitValue() != 0 || result == null) {
      throw new IllegalStateException("python " + args.get(0) + " failed (exit " + p.exitValue() + "): "
          + String.join(" | ", tail.subList(Math.max(0, tail.size() - 5), tail.size())));
    }
    return Json.readMap(result);
  }
}
