package io.seqspark.jobs.bench;

import com.fasterxml.jackson.core.type.TypeReference;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.seqspark.core.io.AtomicFiles;
import io.seqspark.core.io.MetricsLog;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * {@code seqspark bench scaling}: does data-parallel training learn as fast per token as one machine?
 *
 * <p>PTB part: the {@code lm-ptb} model (2×200 LSTM, SGD lr 1 held constant, clip 5, 20 streams × 20 steps per
 * worker, k = 4 steps between averagings) trained for the same number of tokens — {@code --epochs} passes over PTB
 * train — by the local trainer (1 worker) and on Spark {@code local[2]} with 2 and 4 workers, under plain parameter
 * averaging ({@code spark.blockMomentum=0}) and under the default filter (Nesterov block momentum, η = 1 − 1/N).
 * Validation perplexity is logged every quarter epoch ({@code train.validateEverySteps}); tokens at a point are
 * steps × workers × 400. The same five settings run in ../shared/bench/torch_bmuf_sim.py (one PyTorch process
 * simulating N workers on contiguous shards, evaluated at four points) and are printed side by side.
 *
 * <p>Each run's output is kept under {@code --keep DIR} (default {@code jobs/target/scaling-bench}): a finished run
 * (a model.zip, or the simulation's log with its last point) is reused and says so; an interrupted seqspark run is
 * resumed from its last checkpoint. So the bench can be stopped and started again at any time. The cost model's
 * measurements (local-cluster, 1–8 executors; {@link CostModel}) are kept as {@code cost-model-N.result} files and
 * refitted together when present (several runs on a shared machine give medians).
 */
@Command(name = "scaling", mixinStandardHelpOptions = true,
    description = "Per-token learning of 1/2/4 Spark workers vs one machine on PTB (plain averaging vs block momentum), "
        + "side by side with the PyTorch simulation; Word2Vec partitions; the round-time cost model.")
public final class ScalingBench implements Callable<Integer> {
  private static final ObjectMapper JSON = new ObjectMapper();
  /** Tokens one worker's optimizer step trains on in lm-ptb: 20 streams × bptt 20. */
  static final int TOKENS_PER_STEP = 400;
  /** PTB train tokens per epoch with an end-of-sentence token per line (the local run's log says so too). */
  static final long PTB_TOKENS = 929_560;
  static final double TARGET_PPL = 150;

  @Option(names = "--keep", defaultValue = "jobs/target/scaling-bench", description = "Where runs are kept and reused (default ${DEFAULT-VALUE}).")
  Path keep;
  @Option(names = "--epochs", defaultValue = "2", description = "Passes over PTB train for every setting (default ${DEFAULT-VALUE}).")
  int epochs;
  @Option(names = "--parts", defaultValue = "ptb,torch,w2v,cost", split = ",", description = "Parts to run: ptb, torch, w2v, cost (default ${DEFAULT-VALUE}).")
  List<String> parts;
  @Option(names = "--quick", description = "Smoke run: 1/40 of an epoch, validation every few steps.")
  boolean quick;

  /** One PTB setting. */
  record Setting(String name, int workers, boolean plain) {
    String torchMode() {
      return plain || workers == 1 ? "cbm" : "nbm";
    }

    double eta() {
      return plain || workers == 1 ? 0 : 1 - 1.0 / workers;
    }
  }

  static final List<Setting> SETTINGS = List.of(new Setting("ptb-1w", 1, false), new Setting("ptb-2w", 2, false),
      new Setting("ptb-4w", 4, false), new Setting("ptb-2w-plain", 2, true), new Setting("ptb-4w-plain", 4, true));

  /** A validation point: tokens trained so far and the validation perplexity there. */
  record Point(long tokens, double ppl) {
  }

  @Override
  public Integer call() throws IOException, InterruptedException {
    Path home = Paths.get(System.getProperty("seqspark.home", "."));
    Files.createDirectories(keep);
    Map<String, Object> result = new LinkedHashMap<>();
    double epochsRun = quick ? 0.025 : epochs;
    result.put("tokens", Math.round(epochsRun * PTB_TOKENS));
    Map<String, List<Point>> ours = new LinkedHashMap<>();
    Map<String, List<Point>> torch = new LinkedHashMap<>();
    for (Setting st : SETTINGS) {
      if (parts.contains("ptb")) {
        ours.put(st.name(), ptbRun(home, st));
      }
      if (parts.contains("torch")) {
        torch.put(st.name(), torchRun(home, st, epochsRun));
      }
    }
    System.out.println();
    System.out.println("| setting | seqspark valid ppl | PyTorch sim valid ppl | seqspark tokens to " + (int) TARGET_PPL
        + " | sim tokens to " + (int) TARGET_PPL + " |");
    System.out.println("|---|---|---|---|---|");
    for (Setting st : SETTINGS) {
      List<Point> o = ours.getOrDefault(st.name(), List.of());
      List<Point> t = torch.getOrDefault(st.name(), List.of());
      System.out.printf(Locale.ROOT, "| %s | %s | %s | %s | %s |%n", st.name(), last(o), last(t),
          fmt(tokensTo(o, TARGET_PPL)), fmt(tokensTo(t, TARGET_PPL)));
    }
    if (!ours.isEmpty()) {
      result.put("valid_ppl_1w", lastPpl(ours.get("ptb-1w")));
      result.put("valid_ppl_2w", lastPpl(ours.get("ptb-2w")));
      result.put("valid_ppl_4w", lastPpl(ours.get("ptb-4w")));
      result.put("valid_ppl_2w_plain", lastPpl(ours.get("ptb-2w-plain")));
      result.put("valid_ppl_4w_plain", lastPpl(ours.get("ptb-4w-plain")));
      result.put("tokens_to_150_1w", tokensTo(ours.get("ptb-1w"), TARGET_PPL));
      result.put("tokens_to_150_4w", tokensTo(ours.get("ptb-4w"), TARGET_PPL));
      result.put("gap_2w_pct", gap(ours.get("ptb-2w"), ours.get("ptb-1w")));
      result.put("gap_4w_pct", gap(ours.get("ptb-4w"), ours.get("ptb-1w")));
    }
    for (Map.Entry<String, List<Point>> e : torch.entrySet()) {
      result.put("torch_valid_ppl_" + e.getKey().substring(4).replace('-', '_'), lastPpl(e.getValue()));
    }
    if (parts.contains("w2v")) {
      result.putAll(word2vec());
    }
    if (parts.contains("cost")) {
      result.putAll(costModel());
    }
    if (torch.containsKey("ptb-1w")) {
      result.put("torch_tokens_to_150_1w", tokensTo(torch.get("ptb-1w"), TARGET_PPL));
      result.put("torch_tokens_to_150_4w", tokensTo(torch.get("ptb-4w"), TARGET_PPL));
    }
    System.out.println("RESULT " + JSON.writeValueAsString(result));
    return 0;
  }

  /**
   * Word2Vec on brown + the text8 prefix (../shared/data/w2v), 5 epochs (1 with --quick, on brown alone): analogy
   * accuracy locally and on Spark local[2] with 1, 4 and 8 partitions ({@link W2vScaling}); each figure is kept in
   * DIR/w2v-RUN.json and reused.
   */
  private Map<String, Object> word2vec() throws IOException {
    Path w2v = PyTorchBaseline.sharedDir().resolve("data/w2v");
    Path corpus = keep.resolve(quick ? "w2v-corpus-quick.txt" : "w2v-corpus.txt");
    if (!Files.exists(corpus)) {
      List<String> lines = new ArrayList<>(Files.readAllLines(w2v.resolve("brown.untagged.txt"), StandardCharsets.UTF_8));
      if (quick) {
        lines = lines.subList(0, Math.min(5000, lines.size()));
      } else {
        lines.addAll(Files.readAllLines(w2v.resolve("text8.prefix6877825"), StandardCharsets.UTF_8));
      }
      AtomicFiles.writeString(corpus, String.join("\n", lines) + "\n");
    }
    Map<String, Object> out = new LinkedHashMap<>();
    for (String run : List.of("local", "1", "4", "8")) {
      String key = run.equals("local") ? "local" : "p" + run;
      Path kept = keep.resolve("w2v-" + key + (quick ? "-quick" : "") + ".json");
      double acc;
      if (Files.exists(kept)) {
        System.err.println("[scaling] reusing the Word2Vec figure " + kept);
        acc = ((Number) JSON.readValue(kept.toFile(), Map.class).get("analogy")).doubleValue();
      } else {
        Map<String, Double> r = W2vScaling.run(corpus, w2v.resolve("questions-words.txt"), quick ? 1 : 5, List.of(run),
            List.of());
        acc = r.get(key);
        AtomicFiles.writeString(kept, JSON.writeValueAsString(Map.of("analogy", acc, "seconds", r.get("seconds_" + key))));
      }
      out.put("w2v_analogy_" + key, Math.round(acc * 10000) / 100.0);
    }
    return out;
  }

  /**
   * The round-time cost model ({@link CostModel}): measured on local-cluster with 1–8 executors, or refitted from the
   * result kept under --keep by an earlier run; returns the predicted overhead fractions at 16, 64 and 100 executors.
   */
  private Map<String, Object> costModel() throws IOException {
    String prefix = quick ? "cost-model-quick" : "cost-model";
    List<Path> kept;
    try (var files = Files.list(keep)) {
      kept = files.filter(f -> f.getFileName().toString().matches(prefix + "-\\d+\\.result")).sorted().toList();
    }
    Map<String, Object> r;
    if (!kept.isEmpty()) {
      System.err.println("[scaling] refitting the cost model from the kept measurements " + kept);
      r = CostModel.refit(kept);
    } else {
      r = CostModel.measure(quick ? CostModel.Options.quick() : CostModel.Options.standard());
      AtomicFiles.writeString(keep.resolve(prefix + "-1.result"), "RESULT " + JSON.writeValueAsString(r) + "\n");
    }
    for (Map.Entry<String, Object> e : r.entrySet()) {
      if (e.getKey().endsWith("table") && e.getValue() instanceof String table) {
        System.out.println(table);
      }
    }
    Map<String, Object> out = new LinkedHashMap<>();
    for (String key : List.of("overhead_predicted_16", "overhead_predicted_64", "overhead_predicted_100")) {
      out.put(key, r.get(key));
    }
    return out;
  }

  /** Trains (or reuses, or resumes) one seqspark setting and returns its validation points. */
  private List<Point> ptbRun(Path home, Setting st) throws IOException, InterruptedException {
    Path run = keep.resolve(st.name()).toAbsolutePath();
    long stepsPerEpoch = PTB_TOKENS / TOKENS_PER_STEP / st.workers();
    long every = quick ? 20 : Math.max(1, stepsPerEpoch / 4);
    List<String> cmd = new ArrayList<>(List.of(home.resolve("bin/seqspark").toString(), "lm", "train"));
    if (Files.exists(run.resolve("model.zip"))) {
      System.err.println("[scaling] reusing the finished run " + run);
      return points(run, st.workers());
    }
    if (Files.exists(run.resolve("config.conf"))) {
      System.err.println("[scaling] resuming " + run + " from its last checkpoint");
      cmd.addAll(List.of("--resume", run.toString()));
      if (st.workers() > 1) {
        cmd.addAll(List.of("--master", "local[2]"));
      }
    } else {
      cmd.addAll(List.of("--conf", "lm-ptb", "--out", run.toString(),
          "--set", "train.epochs=" + (quick ? 1 : epochs), "--set", "train.lrDecayAfterEpoch=1000",
          "--set", "eval.batchSize=20", "--set", "eval.generate=0", "--set", "run.checkpointEverySteps=" + every,
          "--set", "train.validateEverySteps=" + every));
      if (quick) {
        cmd.addAll(List.of("--set", "train.maxSteps=" + Math.max(24, stepsPerEpoch / 40)));
      }
      if (st.workers() > 1) {
        cmd.addAll(List.of("--master", "local[2]", "--set", "spark.workers=" + st.workers()));
        if (st.plain()) {
          cmd.addAll(List.of("--set", "spark.blockMomentum=0"));
        }
      }
    }
    System.err.println("[scaling] " + String.join(" ", cmd));
    Process p = new ProcessBuilder(cmd).directory(home.toFile()).inheritIO().start();
    int rc = p.waitFor();
    if (rc != 0) {
      throw new IllegalStateException("[scaling] " + st.name() + " exited with " + rc + "; run the bench again to resume it");
    }
    return points(run, st.workers());
  }

  /** Validation points of a seqspark run from its metrics.jsonl (the last record of a step wins, as after a resume). */
  static List<Point> points(Path run, int workers) throws IOException {
    Map<Long, Double> bySteps = new java.util.TreeMap<>();
    for (Map<String, Object> rec : MetricsLog.read(run.resolve("metrics.jsonl"))) {
      if (rec.get("valid_ppl") instanceof Number p) {
        bySteps.put(((Number) rec.get("step")).longValue(), p.doubleValue());
      }
    }
    List<Point> out = new ArrayList<>();
    bySteps.forEach((step, ppl) -> out.add(new Point(step * workers * TOKENS_PER_STEP, ppl)));
    return out;
  }

  /** Runs (or reuses) the PyTorch simulation of one setting; its JSON lines are kept in DIR/torch-NAME.jsonl. */
  private List<Point> torchRun(Path home, Setting st, double epochsRun) throws IOException {
    Path log = keep.resolve("torch-" + st.name() + (quick ? "-quick" : "") + ".jsonl");
    if (!Files.exists(log)) {
      Optional<List<String>> lines = PyTorchBaseline.runLines(List.of(
          PyTorchBaseline.sharedDir().resolve("bench/torch_bmuf_sim.py").toString(),
          PyTorchBaseline.sharedDir().resolve("data/ptb").toString(), Integer.toString(st.workers()),
          Double.toString(st.eta()), st.torchMode(), Double.toString(epochsRun)), Duration.ofHours(2));
      if (lines.isEmpty()) {
        return List.of();
      }
      List<String> json = lines.get().stream().filter(l -> l.startsWith("{")).toList();
      AtomicFiles.writeString(log, String.join("\n", json) + "\n");
    } else {
      System.err.println("[scaling] reusing the PyTorch simulation log " + log);
    }
    List<Point> out = new ArrayList<>();
    for (String line : Files.readAllLines(log, StandardCharsets.UTF_8)) {
      if (!line.isBlank()) {
        Map<String, Object> m = JSON.readValue(line, new TypeReference<LinkedHashMap<String, Object>>() { });
        out.add(new Point(((Number) m.get("tokens")).longValue(), ((Number) m.get("valid_ppl")).doubleValue()));
      }
    }
    return out;
  }

  private static Double lastPpl(List<Point> ps) {
    return ps == null || ps.isEmpty() ? null : Math.round(ps.get(ps.size() - 1).ppl() * 100) / 100.0;
  }

  private static String last(List<Point> ps) {
    Double d = lastPpl(ps);
    return d == null ? "—" : String.format(Locale.ROOT, "%.2f", d);
  }

  /** Relative gap of a's final perplexity over b's, in percent. */
  private static Double gap(List<Point> a, List<Point> b) {
    Double pa = lastPpl(a);
    Double pb = lastPpl(b);
    return pa == null || pb == null ? null : Math.round((pa / pb - 1) * 10000) / 100.0;
  }

  /**
   * Tokens at which the validation perplexity first reaches {@code target}, interpolated linearly in log perplexity
   * between the two points around the crossing; null when it never does.
   */
  static Long tokensTo(List<Point> ps, double target) {
    if (ps == null) {
      return null;
    }
    for (int i = 0; i < ps.size(); i++) {
      Point p = ps.get(i);
      if (p.ppl() <= target) {
        if (i == 0) {
          return p.tokens();
        }
        Point q = ps.get(i - 1);
        double f = (Math.log(q.ppl()) - Math.log(target)) / (Math.log(q.ppl()) - Math.log(p.ppl()));
        return Math.round(q.tokens() + f * (p.tokens() - q.tokens()));
      }
    }
    return null;
  }

  private static String fmt(Long tokens) {
    return tokens == null ? "not reached" : String.format(Locale.ROOT, "%,d", tokens);
  }
}
