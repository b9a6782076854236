package io.seqspark.core.task;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.seqspark.core.config.ConfigException;
import io.seqspark.core.config.Settings;
import io.seqspark.core.io.AtomicFiles;
import io.seqspark.core.io.MetricsLog;
import io.seqspark.core.io.ModelArchive;
import io.seqspark.core.io.RunDirectory;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.TreeMap;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Determinism and exact resume of {@code lm train}, through the real run directory, checkpoints and archive. */
class LanguageModelTrainingTest {
  @TempDir
  static Path dir;
  static Path train;
  static Path valid;

  @BeforeAll
  static void corpus() throws IOException {
    // a small corpus with structure to learn: sentences from a 30-word vocabulary with a fixed grammar
    SplittableRandom r = new SplittableRandom(7);
    String[] nouns = {"cat", "dog", "bird", "fish", "cow", "fox", "owl", "ant", "bee", "elk"};
    String[] verbs = {"sees", "likes", "eats", "finds", "hears", "meets", "chases", "feeds", "sees", "calls"};
    String[] adj = {"big", "small", "red", "old", "new", "fast", "slow", "shy", "loud", "calm"};
    List<String> lines = new ArrayList<>();
    for (int i = 0; i < 400; i++) {
      lines.add("the " + adj[r.nextInt(10)] + " " + nouns[r.nextInt(10)] + " " + verbs[r.nextInt(10)] + " a "
          + nouns[r.nextInt(10)]);
    }
    train = Files.write(dir.resolve("train.txt"), lines.subList(0, 350));
    valid = Files.write(dir.resolve("valid.txt"), lines.subList(350, 400));
  }

  private static List<String> sets(String... extra) {
    List<String> s = new ArrayList<>(List.of("data.train=" + train, "data.valid=" + valid, "model.embeddingSize=8",
        "model.hiddenSize=12", "model.layers=2", "model.dropout=0.1", "train.batchSize=4", "train.bptt=6", "train.epochs=2",
        "train.learningRate=0.5", "run.logEverySeconds=1e-9", "run.checkpointEverySteps=20", "eval.generate=2", "seed=3"));
    s.addAll(List.of(extra));
    return s;
  }

  private static LanguageModelFamily.Summary run(Path out, boolean resume, List<String> sets) throws IOException {
    Settings s = resume ? Settings.load(List.of(out.resolve("config.conf")), sets) : Settings.load(List.of(), sets);
    RunDirectory rd = resume ? RunDirectory.resume(out) : RunDirectory.create(out, false);
    return LanguageModelFamily.run(s, rd, resume, List.of("test"), new PrintStream(new ByteArrayOutputStream()));
  }

  private static final String[] ADAM = {"train.optimizer=adam", "train.learningRate=0.01"};

  /** Equal step sets and bit-identical losses; on failure names the first step that differs. */
  private static void assertSameLosses(Map<Long, Double> expected, Map<Long, Double> actual) {
    assertEquals(expected.keySet(), actual.keySet(), "the same steps were logged");
    for (Map.Entry<Long, Double> e : expected.entrySet()) {
      assertEquals(e.getValue(), actual.get(e.getKey()), 0.0, "loss at step " + e.getKey());
    }
  }

  private static double[] params(Path run) throws IOException {
    return ModelArchive.read(run.resolve("model.zip")).params().data().asDouble();
  }

  @Test
  void sameSeed_sameLosses_andAnotherSeed_differentLosses() throws IOException {
    run(dir.resolve("a"), false, sets());
    run(dir.resolve("b"), false, sets());
    run(dir.resolve("c"), false, sets("seed=4"));
    Map<Long, Double> a = StepLosses.of(dir.resolve("a"));
    assertTrue(a.size() > 50, "one loss per step was logged: " + a.size());
    assertSameLosses(a, StepLosses.of(dir.resolve("b")));
    assertNotEquals(a.get(1L), StepLosses.of(dir.resolve("c")).get(1L), "another seed starts from other parameters");
  }

  @Test
  void resumedRun_reproducesTheUninterruptedRun() throws IOException {
    // Adam: its moment vectors must survive the checkpoint too
    LanguageModelFamily.Summary whole = run(dir.resolve("whole"), false, sets(ADAM));
    // stop mid-epoch 1 at step 45; losing its stop checkpoint leaves the state of a crash after step 45 with the last
    // checkpoint at step 40: the resume runs steps 41..45 again, and the log keeps each step once (the rewind)
    run(dir.resolve("split"), false, sets(ADAM[0], ADAM[1], "train.maxSteps=45"));
    assertTrue(Files.isDirectory(dir.resolve("split/checkpoints/step-000000040")));
    AtomicFiles.deleteRecursively(dir.resolve("split/checkpoints/step-000000045"));
    LanguageModelFamily.Summary resumed = run(dir.resolve("split"), true, List.of("train.maxSteps=0"));
    List<Long> logged = new ArrayList<>();
    double lastElapsed = 0;
    for (Map<String, Object> rec : MetricsLog.read(dir.resolve("split/metrics.jsonl"))) {
      if (rec.get("train_loss") != null) {
        logged.add(((Number) rec.get("step")).longValue());
      }
      if (rec.get("elapsed_s") instanceof Number n) {
        assertTrue(n.doubleValue() >= lastElapsed, "elapsed_s runs on across the resume: " + n + " after " + lastElapsed);
        lastElapsed = n.doubleValue();
      }
    }
    assertEquals(logged.stream().distinct().toList(), logged, "each step logged once, in order");
    assertSameLosses(StepLosses.of(dir.resolve("whole")), StepLosses.of(dir.resolve("split")));
    assertEquals(whole.steps(), resumed.steps());
    assertEquals(whole.validPerplexity(), resumed.validPerplexity(), 0.0);
    double[] p1 = params(dir.resolve("whole"));
    double[] p2 = params(dir.resolve("split"));
    assertEquals(p1.length, p2.length);
    for (int i = 0; i < p1.length; i++) {
      assertEquals(p1[i], p2[i], 0.0, "parameter " + i);
    }
  }

  @Test
  void timeBudget_coversTheWholeRun_aResumedRunHasWhatItsCheckpointLeft() throws IOException {
    long steps = run(dir.resolve("budget-whole"), false, sets()).steps();
    for (String name : List.of("budget-spent", "budget-left")) {
      Path out = dir.resolve(name);
      run(out, false, sets("train.maxSteps=45"));
      // the run had spent 1,000 s by its step-45 checkpoint (its log says so; the resume reads it from there)
      List<String> lines = new ArrayList<>();
      for (String line : Files.readAllLines(out.resolve("metrics.jsonl"))) {
        Map<String, Object> rec = new java.util.LinkedHashMap<>(io.seqspark.core.io.Json.readMap(line));
        if (rec.get("elapsed_s") instanceof Number n) {
          rec.put("elapsed_s", n.doubleValue() + 1000);
        }
        lines.add(io.seqspark.core.io.Json.write(rec));
      }
      Files.write(out.resolve("metrics.jsonl"), lines);
    }
    // 600 s of a 600 s budget: nothing left, epoch 1 ends at the checkpoint (validated as finished), and training stops
    LanguageModelFamily.Summary spent = run(dir.resolve("budget-spent"), true,
        List.of("train.maxSteps=0", "train.maxSeconds=600"));
    assertEquals(45, spent.steps(), "no step after the checkpoint");
    // 10,000 s: the rest of the run, the same steps as the uninterrupted one
    LanguageModelFamily.Summary left = run(dir.resolve("budget-left"), true,
        List.of("train.maxSteps=0", "train.maxSeconds=10000"));
    assertEquals(steps, left.steps());
    Map<String, Object> manifest = io.seqspark.core.io.Json.readMap(
        Files.readString(dir.resolve("budget-spent/manifest.json")));
    assertTrue(((Number) manifest.get("elapsedBeforeResumeSeconds")).doubleValue() >= 1000, manifest.toString());
  }

  @Test
  void stepBudget_checkpointsWhereItStops_andValidationWithinEpochs_changesNoLoss() throws IOException {
    // train.validateEverySteps only reads the model: the losses equal the plain run's, step for step
    run(dir.resolve("plain"), false, sets());
    Path split = dir.resolve("budget");
    run(split, false, sets("train.maxSteps=45", "train.validateEverySteps=10"));
    // the budget's stop is checkpointed (45 is no multiple of run.checkpointEverySteps = 20), so a resume with a
    // larger budget continues from step 45 and runs no step twice
    assertTrue(Files.isDirectory(split.resolve("checkpoints/step-000000045")));
    run(split, true, List.of("train.maxSteps=0"));
    Map<Long, Double> steps = new TreeMap<>();
    List<Long> validated = new ArrayList<>();
    for (Map<String, Object> rec : MetricsLog.read(split.resolve("metrics.jsonl"))) {
      long step = ((Number) rec.get("step")).longValue();
      if (rec.get("train_loss") instanceof Number l) {
        assertEquals(null, steps.put(step, l.doubleValue()), "step " + step + " ran once");
      }
      if (rec.get("valid_loss") != null && rec.get("epoch_train_loss") == null) {
        validated.add(step);
      }
    }
    assertSameLosses(StepLosses.of(dir.resolve("plain")), steps);
    // within-epoch validations at every multiple of 10 before and after the resume (epoch ends validate anyway)
    assertTrue(validated.containsAll(List.of(10L, 20L, 30L, 40L, 50L)), "validated at " + validated);
  }

  @Test
  void checkpointDir_localRunsWriteThere_andRejectOtherFileSystemsNamingTheKey() throws IOException {
    Path elsewhere = dir.resolve("elsewhere-ckpt");
    run(dir.resolve("ckptdir"), false, sets("train.maxSteps=20", "run.checkpointDir=" + elsewhere));
    assertTrue(Files.isDirectory(elsewhere.resolve("step-000000020")));
    ConfigException e = assertThrows(ConfigException.class,
        () -> run(dir.resolve("ckpt-hdfs"), false, sets("train.maxSteps=1", "run.checkpointDir=hdfs://nn/ckpt")));
    assertTrue(e.getMessage().contains("run.checkpointDir = hdfs://nn/ckpt") && e.getMessage().contains("--master"),
        e.getMessage());
  }

  @Test
  void sentencesRegime_reportsTheBatchersPaddingRatioForTheEpoch() throws IOException {
    Path out = dir.resolve("sentences");
    List<String> varied = new ArrayList<>();
    SplittableRandom r = new SplittableRandom(2);
    for (int i = 0; i < 120; i++) {
      varied.add(String.join(" ", java.util.Collections.nCopies(1 + r.nextInt(9), "w" + r.nextInt(5))));
    }
    Path file = Files.write(dir.resolve("varied.txt"), varied);
    List<String> sentenceSets = sets("data.regime=sentences", "data.maxTokensPerBatch=40", "train.epochs=1",
        "data.train=" + file, "data.valid=" + file);
    run(out, false, sentenceSets);
    Settings s = Settings.load(List.of(), sentenceSets);
    double expected = LanguageModelFamily.INSTANCE.load(s, null).trainPaddingRatio();
    double logged = Double.NaN;
    for (Map<String, Object> rec : MetricsLog.read(out.resolve("metrics.jsonl"))) {
      if (rec.get("padding_ratio") instanceof Number p) {
        logged = p.doubleValue();
      }
    }
    assertTrue(expected > 0, "sentences of different lengths in one batch need padding: " + expected);
    assertEquals(expected, logged, 1e-12);
  }

  @Test
  void training_learnsTheGrammar_andWritesTheRunDirectory() throws IOException {
    LanguageModelFamily.Summary s = run(dir.resolve("learn"), false, sets(ADAM[0], ADAM[1], "train.epochs=6"));
    // a uniform guess over the 34 tokens (30 words + "the", "a", </s>, <unk>...) has perplexity ~34; the grammar
    // leaves about 10 choices at 4 of 6 positions and 1 at the others, so a model that learned it is far below 34
    assertTrue(s.validPerplexity() < 8, "valid perplexity " + s.validPerplexity());
    Path run = dir.resolve("learn");
    for (String f : new String[] {"config.conf", "manifest.json", "metrics.jsonl", "report.html", "model.zip", "vocab.tsv"}) {
      assertTrue(Files.isRegularFile(run.resolve(f)), f);
    }
    assertTrue(Files.isDirectory(run.resolve("checkpoints/best")));
    String manifest = Files.readString(run.resolve("manifest.json"));
    assertTrue(manifest.contains(io.seqspark.core.io.Manifest.sha256(train)), "the manifest records the input's hash");
    assertEquals(2, s.samples().size());
    String corpus = Files.readString(train);
    for (String sample : s.samples()) {
      String[] words = sample.isBlank() ? new String[0] : sample.split(" ");
      assertTrue(words.length <= 30, "eval.maxGenerateLength bounds a sample: " + sample);
      for (String w : words) {
        assertTrue(corpus.contains(w), "sampled word " + w + " comes from the training vocabulary");
      }
    }
  }

  @Test
  void testSplitAndArchive_useTheBestValidatedParameters_notTheLastEpochs() throws IOException {
    // words drawn at random: nothing generalises, so a model that memorises 40 training lines gets worse on 40 other
    // lines after its first epochs (the validation loss rises) — the best validated epoch comes before the last
    SplittableRandom r = new SplittableRandom(5);
    List<String> lines = new ArrayList<>();
    for (int i = 0; i < 80; i++) {
      List<String> w = new ArrayList<>();
      for (int k = 0; k < 6; k++) {
        w.add("w" + r.nextInt(40));
      }
      lines.add(String.join(" ", w));
    }
    Path tr = Files.write(dir.resolve("random-train.txt"), lines.subList(0, 40));
    Path va = Files.write(dir.resolve("random-valid.txt"), lines.subList(40, 80));
    Path out = dir.resolve("best");
    LanguageModelFamily.Summary sum = run(out, false, List.of("data.train=" + tr, "data.valid=" + va, "data.test=" + va,
        "model.embeddingSize=16", "model.hiddenSize=32", "model.layers=1", "model.dropout=0", "train.batchSize=4",
        "train.bptt=8", "train.epochs=10", "train.optimizer=adam", "train.learningRate=0.05", "eval.generate=0",
        "run.checkpointEverySteps=0", "seed=1"));
    List<Double> valid = new ArrayList<>();
    for (Map<String, Object> rec : MetricsLog.read(out.resolve("metrics.jsonl"))) {
      if (rec.get("valid_loss") instanceof Number v) {
        valid.add(v.doubleValue());
      }
    }
    double best = valid.stream().mapToDouble(Double::doubleValue).min().orElseThrow();
    assertTrue(best < valid.get(valid.size() - 1), "precondition: the last epoch is not the best: " + valid);
    assertEquals(Math.exp(best), sum.validPerplexity(), 1e-9 * Math.exp(best), "the kept parameters' valid perplexity");
    // valid and test are the same file here, so the test perplexity of the kept parameters is the best valid one
    assertEquals(Math.exp(best), sum.testPerplexity(), 1e-9 * Math.exp(best));
    io.seqspark.core.train.Checkpoints ck = new io.seqspark.core.train.Checkpoints(out.resolve("checkpoints"), 2);
    Settings s = Settings.load(List.of(out.resolve("config.conf")), List.of());
    io.seqspark.core.train.TrainStep<?> step = io.seqspark.core.train.TrainSetup.step(s,
        LanguageModelFamily.model(s, io.seqspark.core.data.Vocabulary.load(out.resolve("vocab.tsv")).size()));
    ck.restore(io.seqspark.core.train.Checkpoints.BEST, step);
    double[] bestParams = step.model().params().params().castTo(org.nd4j.linalg.api.buffer.DataType.DOUBLE).data().asDouble();
    double[] archived = params(out);
    for (int i = 0; i < archived.length; i++) {
      assertEquals(bestParams[i], archived[i], 0.0, "model.zip holds the best checkpoint's parameter " + i);
    }
  }
}
