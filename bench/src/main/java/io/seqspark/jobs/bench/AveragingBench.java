package io.seqspark.jobs.bench;

import io.seqspark.core.config.Settings;
import io.seqspark.jobs.LocalSparkHome;
import io.seqspark.core.data.Batch;
import io.seqspark.core.data.LengthBucketing;
import io.seqspark.core.data.TextCorpus;
import io.seqspark.core.data.TokenStreamBatcher;
import io.seqspark.core.io.Json;
import io.seqspark.core.task.LanguageModelFamily;
import io.seqspark.core.train.BatchSource;
import io.seqspark.core.train.Evaluation;
import io.seqspark.core.train.LearningRate;
import io.seqspark.core.train.StepStats;
import io.seqspark.core.train.TrainStep;
import io.seqspark.spark.train.CachedShards;
import io.seqspark.spark.train.FamilyWorkload;
import io.seqspark.spark.train.ParameterAveraging;
import io.seqspark.spark.train.RoundTimes;
import io.seqspark.core.data.Shard;
import io.seqspark.spark.train.SparkDefaults;
import io.seqspark.spark.train.Workload;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.SplittableRandom;
import java.util.concurrent.Callable;
import org.apache.spark.SparkConf;
import org.apache.spark.api.java.JavaRDD;
import org.apache.spark.api.java.JavaSparkContext;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * Issue 4's measurements of Spark parameter averaging, on the PTB language model (conf {@code lm-ptb}) by default:
 * <ol>
 *   <li><b>overhead</b>: per-round wall time split into the slowest partition's compute (timed inside the task) and
 *       the rest (broadcast, scheduling, aggregation, averaging), at averaging frequencies 1, 4, 16;</li>
 *   <li><b>compare</b>: seqspark vs dl4j-spark's ParameterAveragingTrainingMaster on the same batches: training tokens/s
 *       and the held-out loss after the same tokens;</li>
 *   <li><b>stat</b>: statistical efficiency, validation perplexity after the same tokens with 1, 2 and 4 workers;</li>
 *   <li><b>padding</b>: padding ratio of seqspark's length bucketing vs random fixed-size batches, on PTB sentences
 *       and Multi30k source (German) lengths.</li>
 * </ol>
 * Runs on {@code local-cluster[W,1,MiB]} (separate executor JVMs) when SPARK_HOME is set (see {@link LocalSparkHome}),
 * else on {@code local[W]}, saying so in the result. {@code --quick} shrinks everything to seconds (smoke test).
 * The last line is {@code RESULT {json}}; whatever could not be measured has a {@code *_skipped} key with the reason.
 */
@Command(name = "averaging", mixinStandardHelpOptions = true,
    description = "Spark parameter averaging: round overhead at k=1/4/16, seqspark vs dl4j-spark, perplexity with 1/2/4"
        + " workers, padding of bucketing vs random batching; the last line is RESULT {json}.")
public final class AveragingBench implements Callable<Integer> {

  @Option(names = "--quick", description = "Tiny sizes (seconds): a smoke test, not a measurement.")
  boolean quick;
  @Option(names = "--conf", defaultValue = "lm-ptb", description = "Config file or preset for the LM (default: ${DEFAULT-VALUE}).")
  String conf;
  @Option(names = "--set", paramLabel = "KEY=VALUE", description = "Config overrides, repeatable (applied after --quick's).")
  List<String> sets = new ArrayList<>();
  @Option(names = "--master", description = "Spark master (default: local-cluster[W,1,MiB] when SPARK_HOME is set, else local[W]).")
  String master;
  @Option(names = "--workers", defaultValue = "2", description = "Partitions (= executors) for overhead and compare.")
  int workers;
  @Option(names = "--executor-memory-mb", defaultValue = "3072", description = "Heap per local-cluster executor.")
  int executorMemoryMb;
  @Option(names = "--frequencies", split = ",", defaultValue = "1,4,16", description = "Averaging frequencies for the overhead split.")
  int[] frequencies;
  @Option(names = "--overhead-steps", defaultValue = "32", description = "Steps per partition timed at each frequency.")
  int overheadSteps;
  @Option(names = "--warmup-rounds", defaultValue = "2", description = "Untimed rounds (k=1) before the overhead split.")
  int warmupRounds;
  @Option(names = "--compare-steps", defaultValue = "32", description = "Steps per worker for seqspark vs dl4j-spark (same batches).")
  int compareSteps;
  @Option(names = "--compare-k", defaultValue = "4", description = "Averaging frequency for seqspark vs dl4j-spark.")
  int compareK;
  @Option(names = "--held-out-batches", defaultValue = "50", description = "Validation batches (batchSize x bptt) for the compare loss.")
  int heldOutBatches;
  @Option(names = "--stat-workers", split = ",", defaultValue = "1,2,4", description = "Worker counts for statistical efficiency.")
  int[] statWorkers;
  @Option(names = "--stat-tokens", defaultValue = "0", description = "Training tokens per worker count; 0 = one epoch of the training split.")
  long statTokens;
  @Option(names = "--stat-k", defaultValue = "4", description = "Averaging frequency for statistical efficiency.")
  int statK;
  @Option(names = "--ptb", defaultValue = "../shared/data/ptb/ptb.train.txt", description = "PTB sentences for the padding ratio.")
  Path ptb;
  @Option(names = "--multi30k", defaultValue = "../shared/data/multi30k/train.lc.norm.tok.de", description = "Multi30k source side for the padding ratio.")
  Path multi30k;
  @Option(names = "--max-tokens-per-batch", defaultValue = "2000", description = "Token budget of a bucketed batch (data.maxTokensPerBatch) for the padding ratio.")
  int maxTokensPerBatch;
  @Option(names = "--spark-conf", paramLabel = "KEY=VALUE", description = "Spark settings, repeatable (applied last).")
  List<String> sparkConf = new ArrayList<>();

  @Option(names = "--plain-spark", description = "Leave Spark's own defaults (no SparkDefaults), to measure what they cost.")
  boolean plainSpark;

  @Option(names = "--skip", split = ",", description = "Parts to leave out: overhead, compare, stat, padding.")
  List<String> skip = new ArrayList<>();

  private final Map<String, Object> result = new LinkedHashMap<>();

  public static void main(String[] args) {
    System.exit(new CommandLine(new AveragingBench()).execute(args));
  }

  @Override
  public Integer call() throws Exception {
    result.put("bench", "averaging");
    result.put("quick", quick);
    if (quick) {
      frequencies = new int[] {1, 4, 16};
      overheadSteps = 16;
      warmupRounds = 1;
      compareSteps = 8;
      compareK = 4;
      heldOutBatches = 5;
      statK = 2;
      executorMemoryMb = Math.min(executorMemoryMb, 1024);
    }
    if (!skip.contains("padding")) {
      padding();
    } else {
      result.put("padding_skipped", "--skip padding");
    }
    boolean spark = !(skip.contains("overhead") && skip.contains("compare") && skip.contains("stat"));
    if (spark) {
      Settings s = settings();
      LanguageModelFamily.Data data = LanguageModelFamily.INSTANCE.load(s, null);
      int vocab = data.vocabulary().size();
      result.put("shape", String.format(Locale.ROOT, "vocab %d, emb %d, %dx%d %s, batch %d, bptt %d, %s lr %s, clip %s, regime %s",
          vocab, s.getInt("model.embeddingSize"), s.getInt("model.layers"), s.getInt("model.hiddenSize"),
          s.getString("model.cell"), s.getInt("train.batchSize"), s.getInt("train.bptt"), s.getString("train.optimizer"),
          s.getDouble("train.learningRate"), s.getDouble("train.clipNorm"), s.getString("data.regime")));
      result.put("train_tokens", data.trainStream() != null ? data.trainStream().length
          : data.trainSentences().stream().mapToLong(a -> a.length).sum());
      try (JavaSparkContext sc = new JavaSparkContext(sparkConf())) {
        result.put("master", sc.master());
        result.put("executor_jvms", executorJvms(sc));
        if (!skip.contains("overhead")) {
          overhead(sc, s, data, vocab);
        } else {
          result.put("overhead_skipped", "--skip overhead");
        }
        if (!skip.contains("compare")) {
          compare(sc, s, data, vocab);
        } else {
          result.put("compare_skipped", "--skip compare");
        }
        if (!skip.contains("stat")) {
          stat(sc, s, data, vocab);
        } else {
          result.put("stat_skipped", "--skip stat");
        }
      }
    }
    result.put("openblas_coretype", String.valueOf(System.getenv("OPENBLAS_CORETYPE")));
    System.out.println("RESULT " + Json.write(result));
    return 0;
  }

  // ---------------------------------------------------------------------------------------------------- set-up

  /** The LM settings: --conf, then --quick's small model and data, then --set. */
  Settings settings() throws IOException {
    List<String> all = new ArrayList<>();
    if (quick) {
      Settings base = Settings.load(List.of(Path.of(conf)), List.of());
      Path dir = Files.createTempDirectory("seqspark-averaging-quick");
      all.add("data.train=" + head(base.getPath("data.train"), dir.resolve("train.txt"), 1500));
      all.add("data.valid=" + (base.getPath("data.valid") == null ? "" : head(base.getPath("data.valid"), dir.resolve("valid.txt"), 150)));
      all.add("data.test=\"\"");
      all.addAll(List.of("data.maxVocabSize=500", "model.embeddingSize=16", "model.hiddenSize=16", "train.batchSize=4",
          "eval.batchSize=4"));
    }
    all.addAll(sets);
    return Settings.load(List.of(Path.of(conf)), all);
  }

  private static Path head(Path from, Path to, int lines) throws IOException {
    try (var in = Files.lines(from)) {
      Files.write(to, in.limit(lines).toList());
    }
    return to;
  }

  SparkConf sparkConf() throws IOException {
    String m = master;
    if (m == null) {
      Optional<String> why = LocalSparkHome.unavailable();
      if (why.isEmpty()) {
        m = "local-cluster[" + workers + ",1," + executorMemoryMb + "]";
      } else {
        m = "local[" + workers + "]";
        result.put("local_cluster_skipped", "ran in " + m + " (one JVM, tasks as threads): " + why.get());
      }
    }
    SparkConf c = new SparkConf().setAppName("seqspark bench averaging").setMaster(m)
        .set("spark.driver.host", "127.0.0.1").set("spark.ui.enabled", "false");
    if (m.startsWith("local-cluster")) {
      LocalSparkHome.configure(c);
      // each local-cluster worker offers executorMemoryMb; without this the executors would take Spark's 1g default
      c.set("spark.executor.memory", executorMemoryMb + "m");
    }
    c = plainSpark ? c : SparkDefaults.apply(c);
    for (String kv : sparkConf) {
      int eq = kv.indexOf('=');
      if (eq < 1) {
        throw new CommandLine.ParameterException(new CommandLine(this), "--spark-conf " + kv + ": expected KEY=VALUE");
      }
      c.set(kv.substring(0, eq), kv.substring(eq + 1));
    }
    return c;
  }

  private static int executorJvms(JavaSparkContext sc) {
    int n = Math.max(2, sc.defaultParallelism()) * 2;
    List<Integer> ids = new ArrayList<>();
    for (int i = 0; i < n; i++) {
      ids.add(i);
    }
    return (int) sc.parallelize(ids, n).map(i -> java.lang.management.ManagementFactory.getRuntimeMXBean().getName())
        .distinct().count();
  }

  private static List<Shard> shards(LanguageModelFamily.Data data, int p) {
    return data.trainStream() != null ? Shard.ofStream(data.trainStream(), p) : Shard.ofSentences(data.trainSentences(), p);
  }

  private static ParameterAveraging.Options options(Settings s, int k) {
    return ParameterAveraging.Options.of(s, 1, new LearningRate(s.getDouble("train.learningRate"),
        s.getDouble("train.lrDecay"), s.getInt("train.lrDecayAfterEpoch")), s.getLong("seed")).withFrequency(k);
  }

  private static TrainStep freshStep(Settings s, int vocab) {
    return io.seqspark.core.train.TrainSetup.step(s, LanguageModelFamily.model(s, vocab));
  }

  /** Collects per-round wall and compute times and training stats. */
  static final class Rounds implements ParameterAveraging.Listener {
    RoundTimes times = RoundTimes.ZERO;
    int rounds;
    StepStats stats = StepStats.ZERO;

    @Override
    public void onRound(int epoch, int round, StepStats s, double lr, double seconds) {
      stats = stats.plus(s);
    }

    @Override
    public void onRoundTimes(int epoch, int round, RoundTimes t) {
      times = times.plus(t);
      rounds++;
    }
  }

  // ---------------------------------------------------------------------------------------------------- overhead

  void overhead(JavaSparkContext sc, Settings s, LanguageModelFamily.Data data, int vocab) {
    CachedShards<Shard> cached = new CachedShards<>(sc, shards(data, workers));
    JavaRDD<Shard> rdd = cached.rdd();
    FamilyWorkload<Batch> workload = new FamilyWorkload<>(LanguageModelFamily.INSTANCE, s, io.seqspark.core.task.Dims.ofVocabulary(vocab));
    TrainStep driver = freshStep(s, vocab);
    long params = driver.model().params().size();
    result.put("broadcast_floats_per_round", params + driver.optimizer().state().length());
    // warm-up: builds each partition's model and batch source on its executor, JIT, ND4J
    new ParameterAveraging(sc, workload, options(s, 1), driver).runEpoch(rdd, 1, 0, warmupRounds, null);
    Map<String, Object> detail = new LinkedHashMap<>();
    TaskTimes tasks = new TaskTimes();
    sc.sc().addSparkListener(tasks);
    for (int k : frequencies) {
      Rounds r = new Rounds();
      tasks.reset();
      int rounds = Math.max(1, overheadSteps / k);
      new ParameterAveraging(sc, workload, options(s, k), driver).runEpoch(rdd, 1, 0, rounds, r);
      RoundTimes t = r.times;
      double perRound = 1000.0 / r.rounds;
      result.put("overhead_fraction_k" + k, round4(t.overhead() / t.seconds()));
      detail.put("k" + k, map("rounds", r.rounds, "round_ms", round2(perRound * t.seconds()),
          "compute_ms", round2(perRound * t.compute()), "overhead_ms", round2(perRound * t.overhead()),
          "task_setup_ms", round2(perRound * t.setup()), "task_broadcast_read_ms", round2(perRound * t.read()),
          "task_pack_ms", round2(perRound * t.pack()), "driver_broadcast_ms", round2(perRound * t.broadcast()),
          "driver_average_ms", round2(perRound * t.average()), "launch_ms", round2(perRound * t.launch()),
          "collect_ms", round2(perRound * t.collect()), "tokens_per_s", round2(r.stats.tokens() / t.seconds())));
      System.err.printf("overhead k=%d: %d rounds, %.1f ms/round, compute %.1f ms, overhead %.1f ms (%.1f%%: driver"
              + " broadcast %.1f, launch %.1f, task setup %.1f (broadcast read %.1f), pack %.1f, collect %.1f, average"
              + " %.1f), %,.0f tokens/s%n",
          k, r.rounds, perRound * t.seconds(), perRound * t.compute(), perRound * t.overhead(),
          100 * t.overhead() / t.seconds(), perRound * t.broadcast(), perRound * t.launch(), perRound * t.setup(),
          perRound * t.read(), perRound * t.pack(), perRound * t.collect(), perRound * t.average(),
          r.stats.tokens() / t.seconds());
      System.err.printf("  spark task metrics k=%d: %s%n", k, tasks.describe());
    }
    sc.sc().removeSparkListener(tasks);
    result.put("overhead_per_round", detail);
    cached.close();
  }

  // ---------------------------------------------------------------------------------------------------- compare

  void compare(JavaSparkContext sc, Settings s, LanguageModelFamily.Data data, int vocab) throws IOException {
    List<String> mismatch = new ArrayList<>();
    if (data.trainStream() == null) {
      result.put("compare_skipped", "needs data.regime = stream (dl4j-spark's EmbeddingSequenceLayer wants one length)");
      return;
    }
    if (!s.getString("model.cell").equals("lstm")) {
      result.put("compare_skipped", "the dl4j-spark baseline is an LSTM; model.cell = " + s.getString("model.cell"));
      return;
    }
    if (!s.getString("train.optimizer").equals("sgd")) {
      mismatch.add("dl4j-spark uses SGD, seqspark " + s.getString("train.optimizer"));
    }
    if (s.getDouble("model.dropout") != 0) {
      mismatch.add("dl4j-spark has no dropout, seqspark " + s.getDouble("model.dropout"));
    }
    if (!s.getString("train.lossScale").equals("sequences")) {
      mismatch.add("DL4J's loss is summed over time and averaged over sequences; seqspark lossScale = " + s.getString("train.lossScale"));
    }
    // train as dl4j-spark does: each layer's gradient clipped on its own (ClipL2PerLayer), no LSTM state carried
    // from one batch to the next (each DataSet starts from zero state)
    s = s.with("train.clipMode", "layer");
    mismatch.add("dl4j-spark visits the batches in a random split per round (seqspark: each partition its own batches)");
    int rows = s.getInt("train.batchSize");
    int bptt = s.getInt("train.bptt");
    List<Shard> shards = shards(data, workers);
    List<List<Batch>> perPartition = new ArrayList<>();
    int steps = compareSteps;
    for (Shard sh : shards) {
      TokenStreamBatcher b = new TokenStreamBatcher(sh.stream(), rows, bptt);
      steps = Math.min(steps, b.numBatches() - 1); // the last batch of a stream may be shorter than bptt
    }
    steps = Math.max(compareK, steps / compareK * compareK);
    for (Shard sh : shards) {
      TokenStreamBatcher b = new TokenStreamBatcher(sh.stream(), rows, bptt);
      List<Batch> list = new ArrayList<>();
      for (int j = 0; j < steps; j++) {
        list.add(b.batch(j));
      }
      perPartition.add(list);
    }
    List<Batch> heldOut = heldOut(s, data, rows, bptt);
    result.put("compare_steps_per_worker", steps);
    result.put("compare_k", compareK);

    // seqspark: warm-up on a separate driver copy, then a fresh model on exactly these batches
    CachedShards<Shard> cached = new CachedShards<>(sc, shards);
    JavaRDD<Shard> rdd = cached.rdd();
    Workload workload = new ZeroStateWorkload(new FamilyWorkload<>(LanguageModelFamily.INSTANCE, s, io.seqspark.core.task.Dims.ofVocabulary(vocab)));
    new ParameterAveraging(sc, workload, options(s, compareK), freshStep(s, vocab)).runEpoch(rdd, 1, 0, 1, null);
    TrainStep driver = freshStep(s, vocab);
    Rounds r = new Rounds();
    long t0 = System.nanoTime();
    new ParameterAveraging(sc, workload, options(s, compareK), driver).runEpoch(rdd, 1, 0, steps / compareK, r);
    double secs = (System.nanoTime() - t0) / 1e9;
    cached.close();
    double ours = r.stats.tokens() / secs;
    double oursLoss = heldOutLoss(driver, heldOut);
    System.err.printf("compare: seqspark %,.0f tokens/s, held-out loss %.4f after %,d tokens%n", ours, oursLoss, r.stats.tokens());

    Dl4jSparkLmBaseline.Shape shape = new Dl4jSparkLmBaseline.Shape(vocab, s.getInt("model.embeddingSize"),
        s.getInt("model.hiddenSize"), s.getInt("model.layers"), bptt, rows, s.getDouble("train.learningRate"),
        s.getDouble("train.clipNorm"), s.getDouble("model.initScale"));
    Dl4jSparkLmBaseline.Result d = Dl4jSparkLmBaseline.run(sc, perPartition, shape, compareK, s.getLong("seed"), heldOut,
        compareK);
    System.err.printf("compare: dl4j-spark %,.0f tokens/s, held-out loss %.4f after %,d tokens%n", d.tokensPerSecond(),
        d.heldOutLoss(), d.tokens());
    result.put("tokens_per_s", round2(ours));
    result.put("dl4j_spark_tokens_per_s", round2(d.tokensPerSecond()));
    result.put("ratio_vs_dl4j_spark", round2(ours / d.tokensPerSecond()));
    result.put("loss", round4(oursLoss));
    result.put("dl4j_spark_loss", round4(d.heldOutLoss()));
    result.put("loss_definition", "mean cross-entropy per token on the first " + heldOut.size() + " validation batches ("
        + rows + " x " + bptt + ", each from zero state) after " + r.stats.tokens() + " training tokens (seqspark) / "
        + d.tokens() + " (dl4j-spark)");
    result.put("train_loss", round4(r.stats.meanLoss()));
    result.put("dl4j_spark_train_score_per_token", round4(d.trainScore()));
    result.put("compare_differences", mismatch);
  }

  /** A workload whose batch sources carry no recurrent state between batches (each batch from zero state). */
  static final class ZeroStateWorkload implements Workload {
    private final Workload inner;

    ZeroStateWorkload(Workload inner) {
      this.inner = inner;
    }

    @Override
    public String id() {
      return inner.id() + "-zero-state";
    }

    @Override
    public TrainStep newStep() {
      return inner.newStep();
    }

    @Override
    public BatchSource source(Shard shard) {
      return inner.source(shard).carrying(false);
    }
  }

  /** The first batches of the validation split (else the end of the training stream), batchSize rows × bptt. */
  private List<Batch> heldOut(Settings s, LanguageModelFamily.Data data, int rows, int bptt) throws IOException {
    int[] stream;
    if (s.getPath("data.valid") != null) {
      stream = TextCorpus.toStream(TextCorpus.readLines(s.getPath("data.valid"), io.seqspark.core.data.DataInputs.tokenizer(s)),
          data.vocabulary(), s.getBoolean("data.eosPerLine"));
    } else {
      int[] t = data.trainStream();
      stream = Arrays.copyOfRange(t, Math.max(0, t.length - rows * bptt * heldOutBatches - rows), t.length);
      result.put("held_out_note", "no data.valid: the held-out batches are the end of the training stream");
    }
    TokenStreamBatcher b = new TokenStreamBatcher(stream, rows, bptt);
    List<Batch> out = new ArrayList<>();
    for (int j = 0; j < Math.min(heldOutBatches, b.numBatches() - 1); j++) {
      out.add(b.batch(j));
    }
    return out;
  }

  /** Mean loss per token over {@code batches}, each from zero state (as DL4J scores a DataSet). */
  private static double heldOutLoss(TrainStep step, List<Batch> batches) {
    StepStats st = Evaluation.run(step.model(), BatchSource.of(epoch -> batches.size(), (epoch, k) -> batches.get(k), false));
    return st.meanLoss();
  }

  // ---------------------------------------------------------------------------------------------------- stat

  void stat(JavaSparkContext sc, Settings s, LanguageModelFamily.Data data, int vocab) {
    if (data.valid() == null) {
      result.put("stat_skipped", "no data.valid to measure perplexity on");
      return;
    }
    long epochTokens = data.train().tokens(1);
    long budget = statTokens > 0 ? statTokens : (quick ? Math.min(epochTokens, 12_000) : epochTokens);
    FamilyWorkload<Batch> workload = new FamilyWorkload<>(LanguageModelFamily.INSTANCE, s, io.seqspark.core.task.Dims.ofVocabulary(vocab));
    Map<String, Object> detail = new LinkedHashMap<>();
    for (int p : statWorkers) {
      CachedShards<Shard> cached = new CachedShards<>(sc, shards(data, p));
      JavaRDD<Shard> rdd = cached.rdd();
      TrainStep driver = freshStep(s, vocab);
      Rounds r = new Rounds();
      long perRound = (long) p * statK * s.getInt("train.batchSize") * s.getInt("train.bptt"); // stream regime; approximate otherwise
      int rounds = budget >= epochTokens ? Integer.MAX_VALUE : (int) Math.max(1, Math.round((double) budget / perRound));
      long t0 = System.nanoTime();
      new ParameterAveraging(sc, workload, options(s, statK), driver).runEpoch(rdd, 1, 0, rounds, r);
      double secs = (System.nanoTime() - t0) / 1e9;
      cached.close();
      StepStats v = Evaluation.run(driver.model(), data.valid());
      result.put("valid_ppl_" + p + "w", round2(v.perplexity()));
      detail.put(p + "w", map("train_tokens", r.stats.tokens(), "rounds", r.rounds, "updates_per_worker", r.rounds * statK,
          "seconds", round2(secs), "train_ppl", round2(r.stats.perplexity())));
      System.err.printf("stat: %d workers, %,d tokens in %d rounds (%.0f s): valid ppl %.2f%n", p, r.stats.tokens(),
          r.rounds, secs, v.perplexity());
    }
    result.put("stat_k", statK);
    result.put("stat_detail", detail);
  }

  // ---------------------------------------------------------------------------------------------------- padding

  void padding() throws IOException {
    padding("", ptb, true);
    padding("_multi30k", multi30k, false);
  }

  /** Bucketed vs random batches over the lengths (whitespace tokens per line, PTB +1 for the sentence end). */
  private void padding(String suffix, Path file, boolean eos) throws IOException {
    if (!Files.isRegularFile(file)) {
      result.put("padding" + suffix + "_skipped", file + " not found");
      return;
    }
    List<Integer> ls = new ArrayList<>();
    try (var lines = Files.lines(file)) {
      lines.forEach(l -> {
        String t = l.strip();
        if (!t.isEmpty()) {
          ls.add(t.split("\\s+").length + (eos ? 1 : 0));
        }
      });
    }
    int n = quick ? Math.min(ls.size(), 3000) : ls.size();
    int[] lengths = new int[n];
    for (int i = 0; i < n; i++) {
      lengths[i] = ls.get(i);
    }
    LengthBucketing.Result bucketed = LengthBucketing.batches(lengths,
        new LengthBucketing.Options(maxTokensPerBatch, 0, true, 0), 1);
    int used = n - bucketed.skipped().size();
    int perBatch = Math.max(1, (int) Math.round((double) used / bucketed.batches().size()));
    // random batching: shuffled ids cut into fixed-size batches with the bucketed run's mean sentences per batch
    int[] ids = new int[n];
    int m = 0;
    java.util.Set<Integer> skipped = new java.util.HashSet<>(bucketed.skipped());
    for (int i = 0; i < n; i++) {
      if (!skipped.contains(i)) {
        ids[m++] = i;
      }
    }
    ids = Arrays.copyOf(ids, m);
    SplittableRandom rnd = new SplittableRandom(1);
    io.seqspark.core.math.Shuffle.inPlace(ids, rnd);
    List<int[]> random = new ArrayList<>();
    for (int from = 0; from < ids.length; from += perBatch) {
      random.add(Arrays.copyOfRange(ids, from, Math.min(ids.length, from + perBatch)));
    }
    result.put("padding_ratio_bucketed" + suffix, round4(LengthBucketing.paddingRatio(lengths, bucketed.batches())));
    result.put("padding_ratio_random" + suffix, round4(LengthBucketing.paddingRatio(lengths, random)));
    result.put("padding" + suffix + "_detail", map("file", file.toString(), "sentences", n, "skipped_over_budget",
        bucketed.skipped().size(), "max_tokens_per_batch", maxTokensPerBatch, "bucketed_batches", bucketed.batches().size(),
        "random_batch_size", perBatch));
  }

  /** Rounded to 2 decimals; null (JSON null) when not finite. */
  private static Double round2(double v) {
    return Double.isFinite(v) ? Math.round(v * 100) / 100.0 : null;
  }

  private static Double round4(double v) {
    return Double.isFinite(v) ? Math.round(v * 10000) / 10000.0 : null;
  }

  /** An ordered map from key, value pairs; values may be null. */
  private static Map<String, Object> map(Object... kv) {
    Map<String, Object> m = new LinkedHashMap<>();
    for (int i = 0; i < kv.length; i += 2) {
      m.put((String) kv[i], kv[i + 1]);
    }
    return m;
  }
}
