package io.seqspark.core.task;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.seqspark.core.config.ConfigException;
import io.seqspark.core.config.Settings;
import io.seqspark.core.io.MetricsLog;
import io.seqspark.core.io.ModelArchive;
import io.seqspark.core.io.RunDirectory;
import io.seqspark.core.io.RunRecorder;
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

/**
 * train.selectBy, plateauDecay and earlyStopPatience through the real run driver: the classifier selecting by
 * validation accuracy (a discrete metric that stops improving, so plateaus happen), checked against the rule applied
 * by hand to the logged per-epoch values, and a run interrupted after a decay that resumes to the same losses, the
 * same stopping epoch and the same parameters.
 */
class SelectionTrainingTest {
  @TempDir
  static Path dir;
  static Path data;

  /** The classifier test's task: a "spam" line holds "win" or "free" among filler words. */
  @BeforeAll
  static void corpus() throws IOException {
    SplittableRandom r = new SplittableRandom(11);
    String[] filler = {"the", "a", "call", "me", "now", "see", "you", "at", "home", "later", "ok", "then"};
    List<String> lines = new ArrayList<>();
    for (int i = 0; i < 300; i++) {
      boolean spam = i % 10 < 3;
      int n = 3 + r.nextInt(8);
      List<String> w = new ArrayList<>();
      for (int k = 0; k < n; k++) {
        w.add(filler[r.nextInt(filler.length)]);
      }
      if (spam) {
        w.set(r.nextInt(n), r.nextBoolean() ? "win" : "free");
      }
      lines.add((spam ? "spam" : "ham") + "\t" + String.join(" ", w));
    }
    data = Files.write(dir.resolve("sms.tsv"), lines);
  }

  private static final double BASE_LR = 0.02;

  private static List<String> sets(String... extra) {
    List<String> s = new ArrayList<>(List.of("data.train=" + data, "classify.testFraction=0.2",
        "classify.validFraction=0.2", "classify.pooling=max", "model.cell=gru", "model.embeddingSize=8",
        "model.hiddenSize=8", "model.layers=1", "train.optimizer=adam", "train.learningRate=" + BASE_LR,
        "train.lrDecay=1", "train.epochs=14", "data.maxTokensPerBatch=80", "run.logEverySeconds=1e-9",
        "run.checkpointEverySteps=0", "seed=5", "train.selectBy=valid_accuracy", "train.plateauDecay=0.5",
        "train.plateauPatience=1", "train.earlyStopPatience=3"));
    s.addAll(List.of(extra));
    return s;
  }

  private static RunRecorder.Result train(Path out, boolean resume, List<String> sets) throws IOException {
    Settings s = resume ? Settings.load(List.of(out.resolve("config.conf")), sets) : Settings.load(List.of(), sets);
    RunDirectory rd = resume ? RunDirectory.resume(out) : RunDirectory.create(out, false);
    return ClassifierFamily.run(s, rd, resume, List.of("test"), new PrintStream(new ByteArrayOutputStream()),
        TrainingRun.local());
  }

  /** What metrics.jsonl says: per step the loss and rate, per epoch valid_accuracy and the step it ended at. */
  record Log(Map<Long, Double> losses, Map<Long, Double> rates, Map<Integer, Double> accuracy,
             Map<Integer, Long> epochEnd) {
    static Log of(Path run) throws IOException {
      Log l = new Log(new TreeMap<>(), new TreeMap<>(), new TreeMap<>(), new TreeMap<>());
      for (Map<String, Object> m : MetricsLog.read(run.resolve("metrics.jsonl"))) {
        long step = m.get("step") instanceof Number n ? n.longValue() : -1;
        if (m.get("train_loss") instanceof Number x) {
          l.losses.put(step, x.doubleValue());
          l.rates.put(step, ((Number) m.get("lr")).doubleValue());
        }
        if (m.get("valid_accuracy") instanceof Number a && m.containsKey("epoch_train_loss")) {
          int epoch = ((Number) m.get("epoch")).intValue();
          l.accuracy.put(epoch, a.doubleValue());
          l.epochEnd.put(epoch, step);
        }
      }
      return l;
    }
  }

  @Test
  void validAccuracy_decaysOnPlateaus_stopsEarly_keepsTheBest_andAResumedRunMatchesExactly() throws IOException {
    RunRecorder.Result whole = train(dir.resolve("whole"), false, sets());
    Log w = Log.of(dir.resolve("whole"));
    // the rule by hand over the logged accuracies: strictly higher is better; patience 1 halves the rate at each
    // epoch without improvement; three such epochs in a row stop the run
    double best = Double.NaN;
    int bestEpoch = 0;
    int bad = 0;
    double factor = 1;
    int decays = 0;
    int firstDecay = 0;
    int lastEpoch = 0;
    for (Map.Entry<Integer, Double> e : w.accuracy().entrySet()) {
      int epoch = e.getKey();
      lastEpoch = epoch;
      long from = epoch == 1 ? 1 : w.epochEnd().get(epoch - 1) + 1;
      for (long step = from; step <= w.epochEnd().get(epoch); step++) {
        assertEquals(BASE_LR * factor, w.rates().get(step), 1e-15, "rate of step " + step + " in epoch " + epoch);
      }
      if (Double.isNaN(best) || e.getValue() > best) {
        best = e.getValue();
        bestEpoch = epoch;
        bad = 0;
      } else {
        bad++;
        factor *= 0.5;
        decays++;
        firstDecay = firstDecay == 0 ? epoch : firstDecay;
        if (bad == 3) {
          break;
        }
      }
    }
    assertTrue(decays >= 1, "the task has plateaus in accuracy: " + w.accuracy());
    assertEquals(3, bad, "the run stopped early, after three epochs without improvement: " + w.accuracy());
    assertEquals(lastEpoch, w.accuracy().size(), "nothing was trained after the stop");
    assertTrue(lastEpoch < 14);
    assertEquals(best, (Double) whole.lastValid().get("valid_accuracy"), 0.0,
        "the kept parameters are the best epoch's (" + bestEpoch + ")");

    // interrupt two steps into the epoch after the first decay, resume: the decayed rate and the count of bad epochs
    // come back from the checkpoint, so every loss, the stop and the parameters are the same
    long stopAt = w.epochEnd().get(firstDecay) + 2;
    train(dir.resolve("split"), false, sets("train.maxSteps=" + stopAt));
    train(dir.resolve("split"), true, List.of("train.maxSteps=0"));
    Log sp = Log.of(dir.resolve("split"));
    assertEquals(w.losses(), sp.losses());
    assertEquals(w.rates(), sp.rates());
    assertEquals(w.accuracy(), sp.accuracy());
    double[] p1 = ModelArchive.read(dir.resolve("whole/model.zip")).params().data().asDouble();
    double[] p2 = ModelArchive.read(dir.resolve("split/model.zip")).params().data().asDouble();
    assertTrue(java.util.Arrays.equals(p1, p2), "the same kept parameters");
  }

  @Test
  void selectingWithoutAValidationSplit_failsNamingTheKeys() {
    ConfigException e = assertThrows(ConfigException.class, () -> train(dir.resolve("novalid"), false,
        sets("classify.validFraction=0", "train.earlyStopPatience=0", "train.plateauDecay=0")));
    assertTrue(e.getMessage().contains("train.selectBy = valid_accuracy") && e.getMessage().contains("data.valid"),
        e.getMessage());
  }
}
