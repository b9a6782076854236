package io.seqspark.core;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.seqspark.core.config.Settings;
import io.seqspark.core.io.MetricsLog;
import io.seqspark.core.io.ModelArchive;
import io.seqspark.core.io.RunDirectory;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.TreeMap;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Pins of today's exact results, recorded before the family plug-in refactor (issue 12) and asserted after it: each
 * fixed run's per-step training losses, validation losses and final parameters, folded into one SHA-256 digest. A
 * refactor that changes any loss or any parameter bit of these runs fails here; a change that is meant to alter
 * numerics must say so and re-pin (printing the new digest is what the failure message does).
 *
 * <p>The runs cover the families and regimes that existed at the time: the language model in the stream regime (LSTM,
 * SGD, dropout, carried state) and the sentences regime (GRU, Adam, length buckets), the classifier (bidirectional GRU,
 * max pooling), the forecaster (LSTM encoder, direct decoder, walk-forward folds) and Word2Vec on one thread.
 */
class PinnedResultsTest {
  @TempDir
  static Path dir;
  static Path train;
  static Path valid;
  static Path labelled;
  static Path series;

  @BeforeAll
  static void data() throws IOException {
    SplittableRandom r = new SplittableRandom(7);
    String[] nouns = {"cat", "dog", "bird", "fish", "cow", "fox", "owl", "ant", "bee", "elk"};
    String[] verbs = {"sees", "likes", "eats", "finds", "hears", "meets", "chases", "feeds", "sees", "calls"};
    String[] adj = {"big", "small", "red", "old", "new", "fast", "slow", "shy", "loud", "calm"};
    List<String> lines = new ArrayList<>();
    for (int i = 0; i < 400; i++) {
      StringBuilder sb = new StringBuilder("the " + adj[r.nextInt(10)] + " " + nouns[r.nextInt(10)]);
      if (r.nextInt(3) == 0) {
        sb.append(" that ").append(verbs[r.nextInt(10)]).append(" the ").append(nouns[r.nextInt(10)]);
      }
      sb.append(' ').append(verbs[r.nextInt(10)]).append(" a ").append(nouns[r.nextInt(10)]);
      lines.add(sb.toString());
    }
    train = Files.write(dir.resolve("train.txt"), lines.subList(0, 350));
    valid = Files.write(dir.resolve("valid.txt"), lines.subList(350, 400));
    List<String> cls = new ArrayList<>();
    for (int i = 0; i < 240; i++) {
      String line = lines.get(i);
      cls.add((line.contains(" that ") ? "long" : "short") + "\t" + line);
    }
    labelled = Files.write(dir.resolve("labelled.tsv"), cls);
    List<String> csv = new ArrayList<>(List.of("date,value"));
    for (int t = 0; t < 160; t++) {
      csv.add(String.format(java.util.Locale.ROOT, "t%03d,%.4f", t, 100 + 0.3 * t + 10 * Math.sin(2 * Math.PI * t / 12)
          + 3 * Math.sin(t * 0.7)));
    }
    series = Files.write(dir.resolve("series.csv"), csv);
  }

  private static final PrintStream QUIET = new PrintStream(new ByteArrayOutputStream());

  private static Settings settings(String... sets) {
    return Settings.load(List.of(), List.of(sets));
  }

  /** SHA-256 over the step→train_loss map, the valid losses in order, then the archive's parameters (float bits). */
  static String digest(Path run, String... lossKeys) throws IOException {
    MessageDigest md = sha();
    TreeMap<Long, Double> perStep = new TreeMap<>();
    List<Double> others = new ArrayList<>();
    for (Map<String, Object> rec : MetricsLog.read(run.resolve("metrics.jsonl"))) {
      if (rec.get("train_loss") instanceof Number l && rec.get("step") instanceof Number s) {
        perStep.put(s.longValue(), l.doubleValue());
      }
      for (String k : lossKeys) {
        if (rec.get(k) instanceof Number v) {
          others.add(v.doubleValue());
        }
      }
    }
    perStep.forEach((s, l) -> {
      md.update(ByteBuffer.allocate(16).putLong(s).putLong(Double.doubleToLongBits(l)).array());
    });
    others.forEach(v -> md.update(ByteBuffer.allocate(8).putLong(Double.doubleToLongBits(v)).array()));
    float[] p = ModelArchive.read(run.resolve("model.zip")).params().data().asFloat();
    ByteBuffer bb = ByteBuffer.allocate(4 * p.length);
    for (float f : p) {
      bb.putInt(Float.floatToIntBits(f));
    }
    md.update(bb.array());
    return HexFormat.of().formatHex(md.digest()) + " (" + perStep.size() + " steps, " + others.size() + " other values, "
        + p.length + " parameters; first loss " + (perStep.isEmpty() ? "-" : perStep.firstEntry().getValue()) + ")";
  }

  private static MessageDigest sha() {
    try {
      return MessageDigest.getInstance("SHA-256");
    } catch (java.security.NoSuchAlgorithmException e) {
      throw new IllegalStateException(e);
    }
  }

  private static void assertPinned(String expected, String actual) {
    assertEquals(expected, actual.substring(0, 64), "pinned result changed; now " + actual);
  }

  private static final String[] LM = {"model.embeddingSize=8", "model.hiddenSize=12", "model.layers=2",
      "run.logEverySeconds=1e-9", "run.checkpointEverySteps=0", "eval.generate=0", "seed=3"};

  private static Path lm(String name, String... extra) throws IOException {
    List<String> sets = new ArrayList<>(List.of(LM));
    sets.addAll(List.of("data.train=" + train, "data.valid=" + valid, "data.test=" + valid));
    sets.addAll(List.of(extra));
    Path out = dir.resolve(name);
    io.seqspark.core.task.LanguageModelFamily.run(Settings.load(List.of(), sets), RunDirectory.create(out, false),
        false, List.of("pin"), QUIET);
    return out;
  }

  @Test
  void lmStream_lstmSgdDropout() throws IOException {
    Path run = lm("lm-stream", "model.cell=lstm", "model.dropout=0.1", "train.batchSize=4", "train.bptt=6",
        "train.epochs=2", "train.learningRate=0.5");
    assertPinned("e0ac0511e2136194e75a4f1e54ed383c06afe542761473669eee3b34072f9261", digest(run, "valid_loss", "test_ppl"));
  }

  @Test
  void lmSentences_gruAdam() throws IOException {
    Path run = lm("lm-sentences", "model.cell=gru", "data.regime=sentences", "data.maxTokensPerBatch=60",
        "train.optimizer=adam", "train.learningRate=0.01", "train.epochs=2");
    assertPinned("4e148d15d1ae6d51aff5c9312a0e30f95cb8a71fad2bb3983bd62bfbbc9600cb", digest(run, "valid_loss", "test_ppl"));
  }

  @Test
  void classifier_bidirectionalGruMaxPooling() throws IOException {
    Path out = dir.resolve("classify");
    Settings s = settings("data.train=" + labelled, "classify.testFraction=0.2", "classify.validFraction=0.2",
        "classify.pooling=max", "classify.bidirectional=true", "model.cell=gru", "model.embeddingSize=8",
        "model.hiddenSize=8", "model.layers=1", "model.dropout=0.1", "train.optimizer=adam", "train.learningRate=0.02",
        "train.epochs=3", "data.maxTokensPerBatch=80", "run.logEverySeconds=1e-9", "run.checkpointEverySteps=0",
        "seed=5");
    io.seqspark.core.task.ClassifierFamily.run(s, RunDirectory.create(out, false), false, List.of("pin"), QUIET,
        io.seqspark.core.task.TrainingRun.local());
    assertPinned("5e2f4f6bf1fda2fe1dc2d5bf497d6eab9e25b2c5493023fa1c19e7c5f50da2a5", digest(out, "valid_loss", "valid_accuracy", "test_loss", "test_accuracy"));
  }

  @Test
  void forecaster_lstmDirect() throws IOException {
    Path out = dir.resolve("forecast");
    Settings s = Settings.load(List.of(io.seqspark.core.forecast.ForecastOptions.DEFAULTS), List.of("forecast.csv=" + series, "forecast.history=12", "forecast.horizon=6",
        "forecast.initialTrain=100", "forecast.step=12", "forecast.folds=2", "forecast.encoder=lstm",
        "forecast.decoder=direct", "model.hiddenSize=8", "train.epochs=4", "train.batchSize=8", "seed=9"));
    io.seqspark.core.forecast.ForecastTraining.run(s, RunDirectory.create(out, false), List.of("pin"), QUIET);
    assertPinned("ec4465568fcdf4d76774a05a0db2bfed3f65c55923049eefcb9bbab8b2fd589a", digest(out, "rmse", "mae", "train_mse"));
  }

  @Test
  void word2vec_oneThread() throws IOException {
    Path out = dir.resolve("w2v");
    Settings s = settings("data.train=" + train, "data.minCount=1", "w2v.dim=16", "train.epochs=2", "run.threads=1",
        "w2v.sample=0.01", "seed=13");
    io.seqspark.core.w2v.Word2VecTraining.Summary sum = io.seqspark.core.w2v.Word2VecTraining.run(s,
        RunDirectory.create(out, false), List.of("pin"), QUIET, io.seqspark.core.w2v.Word2VecTraining.Engine.LOCAL);
    MessageDigest md = sha();
    md.update(Files.readAllBytes(out.resolve("vectors.bin")));
    md.update(ByteBuffer.allocate(8).putLong(Double.doubleToLongBits(sum.meanLoss())).array());
    String actual = HexFormat.of().formatHex(md.digest()) + " (mean loss " + sum.meanLoss() + ")";
    assertPinned("3adc5527e6a7a802072e91b53a2a3f37018b6e60314b1243c9c1e7b7aa48060f", actual);
  }
}
