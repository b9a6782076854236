package io.seqspark.jobs.bench;

import io.seqspark.core.config.Settings;
import io.seqspark.core.data.Batch;
import io.seqspark.core.data.PairBatch;
import io.seqspark.core.io.AtomicFiles;
import io.seqspark.core.io.Json;
import io.seqspark.core.io.MetricsLog;
import io.seqspark.core.io.RunDirectory;
import io.seqspark.core.model.Seq2Seq;
import io.seqspark.core.model.Seq2SeqSpec;
import io.seqspark.core.nn.Attention;
import io.seqspark.core.task.TrainingRun;
import io.seqspark.core.task.TranslateFamily;
import io.seqspark.core.train.Optimizer;
import io.seqspark.core.train.TrainStep;
import io.seqspark.spark.train.SparkDefaults;
import io.seqspark.spark.train.SparkTrainingLoop;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.SplittableRandom;
import java.util.concurrent.Callable;
import org.apache.spark.SparkConf;
import org.apache.spark.api.java.JavaSparkContext;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * Issue 15's measurements: the {@code translate-multi30k} preset trained three times, each into a run directory of its
 * own that {@code translate eval --model DIR} loads —
 * <ul>
 *   <li>{@code de-en}: German → English with the local trainer: validation BLEU greedy and beam 5
 *       ({@code val_bleu_greedy}, {@code val_bleu_beam5}), training wall time ({@code train_seconds}: the elapsed time
 *       of the last training record, per-epoch validation included, final scoring not) and its throughput
 *       ({@code train_tokens_per_s}, target tokens);</li>
 *   <li>{@code en-de}: the same preset English → German ({@code val_bleu_en_de}, beam 5);</li>
 *   <li>{@code spark-de-en}: de → en on Spark {@code local[2]} with {@code spark.workers=2}
 *       ({@code spark_val_bleu}, beam 5);</li>
 * </ul>
 * then training throughput side by side with PyTorch, alternating, on the shapes of
 * {@code shared/bench/torch_seq2seq_bench.py --attn luong} (vocabularies 8k/8k, embedding and hidden 256, one
 * unidirectional GRU layer per side, Luong general attention without input feeding, batch 64, source and target
 * lengths uniform in [12, 20], Adam 1e-3, clip 1, random tokens): {@code tokens_per_s} is ours (real target tokens per
 * second, as the script counts), {@code pytorch_tokens_per_s} the script's, {@code ratio_vs_pytorch} ours / theirs.
 *
 * <p>With {@code --keep DIR} the run directories stay in DIR, and a finished run found there (manifest end time set,
 * model.zip present, the same resolved config) is reused instead of trained again; an unfinished one is resumed from
 * its latest checkpoint: the bench can be stopped and restarted. {@code --quick} is a smoke run of every part (600
 * training pairs, a small model, a few steps, short throughput loops), not a measurement.
 */
@Command(name = "translate", mixinStandardHelpOptions = true,
    description = "Multi30k de-en (greedy, beam 5) and en-de BLEU, Spark local[2], throughput vs PyTorch;"
        + " ends with RESULT {json}.")
public final class TranslateBench implements Callable<Integer> {
  @Option(names = "--keep", paramLabel = "DIR", description = "Keep the run directories in DIR and reuse the finished"
      + " ones found there (default: a temporary directory, deleted afterwards).")
  Path keep;
  @Option(names = "--quick", description = "Smoke run: 600 training pairs, a small model, a few steps each.")
  boolean quick;
  @Option(names = "--reps", defaultValue = "2", description = "Alternating seqspark/PyTorch throughput repetitions,"
      + " best of each (default ${DEFAULT-VALUE}; 1 with --quick).")
  int reps;
  @Option(names = "--set", paramLabel = "KEY=VALUE", description = "Config overrides applied to every training run.")
  List<String> sets = new ArrayList<>();

  private static final String TAG = "[bench translate] ";
  private final List<String> reused = new ArrayList<>();

  @Override
  public Integer call() throws Exception {
    long t0 = System.nanoTime();
    Path work = keep != null ? keep : Files.createTempDirectory("seqspark-translate-bench");
    Files.createDirectories(work);
    try {
      List<String> base = baseSets(work);
      Map<String, Object> r = new LinkedHashMap<>();
      Map<String, Object> deEn = train("de-en", work, base, false);
      r.put("val_bleu_greedy", deEn.get("valid_bleu_greedy"));
      r.put("val_bleu_beam5", deEn.get("valid_bleu_beam5"));
      Map<String, Object> enDe = train("en-de", work, with(base, "translate.source=en", "translate.target=de"), false);
      r.put("val_bleu_en_de", enDe.get("valid_bleu_beam5"));
      r.put("train_seconds", deEn.get("train_seconds"));
      Map<String, Object> spark = train("spark-de-en", work, with(base, "spark.workers=2"), true);
      double[] throughput = throughput();
      r.put("tokens_per_s", throughput[0]);
      r.put("pytorch_tokens_per_s", Double.isNaN(throughput[1]) ? null : throughput[1]);
      r.put("ratio_vs_pytorch", Double.isNaN(throughput[1]) ? null : throughput[0] / throughput[1]);
      r.put("spark_val_bleu", spark.get("valid_bleu_beam5"));
      r.put("train_tokens_per_s", deEn.get("trainTokensPerSecond"));
      r.put("val_bleu_en_de_greedy", enDe.get("valid_bleu_greedy"));
      r.put("en_de_train_seconds", enDe.get("train_seconds"));
      r.put("spark_val_bleu_greedy", spark.get("valid_bleu_greedy"));
      r.put("spark_train_seconds", spark.get("train_seconds"));
      r.put("runs", work.toAbsolutePath().toString());
      r.put("reused_runs", List.copyOf(reused));
      r.put("quick", quick);
      r.put("seconds", Math.round((System.nanoTime() - t0) / 1e8) / 10.0);
      System.out.println("RESULT " + Json.write(r));
      return 0;
    } finally {
      if (keep == null) {
        AtomicFiles.deleteRecursively(work);
      }
    }
  }

  /** The overrides every run shares: the data (absolute paths, or the quick prefix), beam 5, then --set. */
  private List<String> baseSets(Path work) throws IOException {
    Path data = PyTorchBaseline.sharedDir().resolve("data/multi30k");
    for (String f : List.of("train.lc.norm.tok.de", "train.lc.norm.tok.en", "val.lc.norm.tok.de", "val.lc.norm.tok.en")) {
      if (!Files.isRegularFile(data.resolve(f))) {
        throw new IllegalArgumentException("missing " + data.resolve(f) + ": the bench reads Multi30k from the shared"
            + " directory; set -Dseqspark.shared=DIR to the directory holding data/multi30k");
      }
    }
    List<String> s = new ArrayList<>();
    if (quick) {
      Path q = work.resolve("quick-data");
      Files.createDirectories(q);
      for (String lang : List.of("de", "en")) {
        prefix(data.resolve("train.lc.norm.tok." + lang), q.resolve("train." + lang), 600);
        prefix(data.resolve("val.lc.norm.tok." + lang), q.resolve("val." + lang), 40);
      }
      s.addAll(List.of("data.train=\"" + q.resolve("train") + "\"", "data.valid=\"" + q.resolve("val") + "\"",
          "train.epochs=1", "train.maxSteps=8", "model.embeddingSize=32", "model.hiddenSize=32",
          "translate.attentionSize=32", "data.maxTokensPerBatch=400", "run.logEverySeconds=5"));
    } else {
      s.addAll(List.of("data.train=\"" + data.resolve("train.lc.norm.tok") + "\"",
          "data.valid=\"" + data.resolve("val.lc.norm.tok") + "\""));
    }
    s.add("translate.beam=5");
    s.addAll(sets);
    return s;
  }

  private static void prefix(Path from, Path to, int lines) throws IOException {
    List<String> all = Files.readAllLines(from, StandardCharsets.UTF_8);
    AtomicFiles.writeString(to, String.join("\n", all.subList(0, Math.min(lines, all.size()))) + "\n");
  }

  private static List<String> with(List<String> base, String... more) {
    List<String> s = new ArrayList<>(base);
    s.addAll(List.of(more));
    return s;
  }

  /**
   * The results of run {@code name} in {@code work}: reused when a finished run with the same config is there,
   * resumed when an unfinished one is, else trained ({@link KeptRuns}). The map is the run's manifest plus {@code train_seconds}.
   */
  private Map<String, Object> train(String name, Path work, List<String> overrides, boolean onSpark)
      throws IOException {
    Settings s = Settings.load(List.of(Path.of("translate-multi30k")), overrides);
    TranslateFamily.INSTANCE.checkInputs(s);
    Path dir = work.resolve(name);
    boolean exists = KeptRuns.exists(dir);
    KeptRuns.State state = KeptRuns.state(dir, s, keep);
    if (state == KeptRuns.State.REUSE) {
      Map<String, Object> manifest = KeptRuns.manifest(dir);
      System.err.println(TAG + "reusing the finished run " + dir + " (valid BLEU greedy " + manifest.get(
          "valid_bleu_greedy") + ", beam 5 " + manifest.get("valid_bleu_beam5") + ")");
      reused.add(name);
      return results(dir);
    }
    boolean resume = state == KeptRuns.State.RESUME;
    RunDirectory run;
    if (resume) {
      System.err.println(TAG + "resuming the unfinished run " + dir + " from its latest checkpoint");
      s = Settings.load(List.of(dir.resolve("config.conf")), List.of());
      run = RunDirectory.resume(dir);
    } else {
      System.err.println(TAG + "training " + name + (onSpark ? " on Spark local[2], 2 workers" : "") + " into " + dir
          + (exists ? " (replacing an unfinished run without checkpoints)" : ""));
      run = RunDirectory.create(dir, exists);
    }
    Settings settings = s;
    List<String> cmd = List.of("bench", "translate", name);
    PrintStream log = new PrintStream(System.err, true, StandardCharsets.UTF_8);
    if (onSpark) {
      SparkConf conf = SparkDefaults.apply(new SparkConf().setMaster("local[2]").setAppName("bench translate " + name))
          .set("spark.driver.host", "127.0.0.1").set("spark.ui.enabled", "false");
      try (JavaSparkContext sc = new JavaSparkContext(conf)) {
        sc.setLogLevel("WARN");
        TranslateFamily.run(settings, run, resume, cmd, log, new SparkTrainingLoop(sc));
      }
    } else {
      TranslateFamily.run(settings, run, resume, cmd, log, TrainingRun.local());
    }
    return results(dir);
  }

  /**
   * A finished run's manifest (its results) plus train_seconds: the elapsed time of its last training record (the
   * epoch record, after that epoch's validation; a progress record when train.maxSteps ended the epoch early), summed
   * over the sessions of a resumed run (elapsed_s restarts at each); and trainTokensPerSecond from the progress
   * records when the manifest has no finite one (a run resumed after its last step trains nothing).
   */
  private static Map<String, Object> results(Path dir) throws IOException {
    Map<String, Object> m = new LinkedHashMap<>(Json.readMap(Files.readString(dir.resolve("manifest.json"))));
    double closed = 0;
    double session = 0;
    double previous = -1;
    boolean trained = false;
    double rateSum = 0;
    int rates = 0;
    for (Map<String, Object> rec : MetricsLog.read(dir.resolve("metrics.jsonl"))) {
      if (rec.get("elapsed_s") instanceof Number n) {
        double e = n.doubleValue();
        if (e < previous) {
          closed += session;
          session = 0;
        }
        previous = e;
        if (rec.containsKey("epoch_train_loss") || rec.containsKey("train_loss")) {
          session = e;
          trained = true;
        }
      }
      if (rec.get("tokens_per_s") instanceof Number r && Double.isFinite(r.doubleValue())) {
        rateSum += r.doubleValue();
        rates++;
      }
    }
    m.put("train_seconds", trained ? Math.round((closed + session) * 10) / 10.0 : null);
    if (!(m.get("trainTokensPerSecond") instanceof Number r && Double.isFinite(r.doubleValue())) && rates > 0) {
      m.put("trainTokensPerSecond", rateSum / rates);
    }
    return m;
  }

  /** {ours, PyTorch's (NaN when unavailable)} target tokens/s, alternating, best of --reps each. */
  private double[] throughput() {
    int n = quick ? 1 : Math.max(1, reps);
    double ours = 0;
    double theirs = Double.NaN;
    List<String> args = new ArrayList<>(List.of(PyTorchBaseline.sharedDir().resolve("bench/torch_seq2seq_bench.py")
        .toString(), "--attn", "luong"));
    if (quick) {
      args.addAll(List.of("--warmup", "1", "--min-steps", "3", "--min-seconds", "0", "--no-wait-idle"));
    }
    for (int rep = 1; rep <= n; rep++) {
      double o = quick ? ourThroughput(1, 3, 0) : ourThroughput(10, 50, 30);
      System.err.printf(TAG + "seqspark rep %d: %,.0f target tokens/s%n", rep, o);
      ours = Math.max(ours, o);
      Optional<Map<String, Object>> t = PyTorchBaseline.runScript("seq2seq", args, Duration.ofMinutes(quick ? 5 : 15));
      if (t.isPresent() && t.get().get("tgt_tokens_per_s") instanceof Number tps) {
        System.err.printf(TAG + "PyTorch rep %d: %,.0f target tokens/s%n", rep, tps.doubleValue());
        theirs = Double.isNaN(theirs) ? tps.doubleValue() : Math.max(theirs, tps.doubleValue());
      }
    }
    return new double[] {ours, theirs};
  }

  /**
   * Our training throughput on the PyTorch script's shapes and data (see the class comment): {@code warmup} steps,
   * then at least {@code minSteps} steps and {@code minSeconds} seconds; real target tokens per second.
   */
  static double ourThroughput(int warmup, int minSteps, double minSeconds) {
    int v = 8000;
    Seq2Seq m = new Seq2Seq(new Seq2SeqSpec(v, v, 256, 256, 1, 1, "gru", false, Attention.Score.GENERAL, 0, false, 0.0,
        0.0, 0.1), org.nd4j.linalg.api.buffer.DataType.FLOAT, 1);
    TrainStep<PairBatch> step = new TrainStep<>(m, Optimizer.create("adam", m.params().size(),
        org.nd4j.linalg.api.buffer.DataType.FLOAT, 0.9, 0.999, 1e-8), 1.0, TrainStep.LossScale.TOKENS);
    List<PairBatch> batches = randomBatches(v, 64, 12, 20, 100, 1);
    int s = 0;
    for (; s < warmup; s++) {
      step.run(batches.get(s % batches.size()), 1e-3, s + 1, 7);
    }
    long tokens = 0;
    int done = 0;
    long t0 = System.nanoTime();
    while (done < minSteps || (System.nanoTime() - t0) / 1e9 < minSeconds) {
      PairBatch b = batches.get(s % batches.size());
      step.run(b, 1e-3, ++s, 7);
      tokens += b.tokens();
      done++;
    }
    return tokens / ((System.nanoTime() - t0) / 1e9);
  }

  /**
   * {@code count} batches of {@code rows} random pairs as the PyTorch script makes them: source and target lengths
   * uniform in [minLen, maxLen], ids uniform over the words (4 .. vocab-1), the target fed after {@code <s>}.
   */
  static List<PairBatch> randomBatches(int vocab, int rows, int minLen, int maxLen, int count, long seed) {
    SplittableRandom rng = new SplittableRandom(seed);
    List<PairBatch> out = new ArrayList<>();
    for (int k = 0; k < count; k++) {
      int[][] src = new int[rows][];
      int[][] zeros = new int[rows][];
      int[][] tin = new int[rows][];
      int[][] tout = new int[rows][];
      long[] ids = new long[rows];
      for (int r = 0; r < rows; r++) {
        int sl = rng.nextInt(minLen, maxLen + 1);
        int tl = rng.nextInt(minLen, maxLen + 1);
        src[r] = new int[sl];
        zeros[r] = new int[sl];
        for (int i = 0; i < sl; i++) {
          src[r][i] = rng.nextInt(4, vocab);
        }
        tin[r] = new int[tl];
        tout[r] = new int[tl];
        tin[r][0] = io.seqspark.core.data.Vocabulary.BOS_ID;
        for (int i = 0; i < tl; i++) {
          tout[r][i] = rng.nextInt(4, vocab);
          if (i + 1 < tl) {
            tin[r][i + 1] = tout[r][i];
          }
        }
        ids[r] = r;
      }
      out.add(new PairBatch(Batch.padded(src, zeros, ids), Batch.padded(tin, tout, ids)));
    }
    return out;
  }
}
