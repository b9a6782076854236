package io.seqspark.core.task;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.seqspark.core.config.Settings;
import io.seqspark.core.eval.Confusion;
import io.seqspark.core.io.MetricsLog;
import io.seqspark.core.io.RunDirectory;
import io.seqspark.core.train.BatchSource;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code classify train} end to end on a learnable synthetic task, through the real run directory and archive. */
class ClassifierTrainingTest {
  @TempDir
  static Path dir;
  static Path data;

  /**
   * 300 lines "label<TAB>text" over 12 filler words; a "spam" line contains "win" or "free" somewhere, a "ham" line
   * neither. 30 % spam, so the majority-class accuracy is 0.70: a classifier that learned the rule beats it clearly.
   */
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
    lines.add("ham\t  "); // a label without text: skipped and counted
    data = Files.write(dir.resolve("sms.tsv"), lines);
  }

  private static Settings settings(String... extra) {
    List<String> s = new ArrayList<>(List.of("data.train=" + data, "classify.testFraction=0.2", "classify.validFraction=0.2",
        "classify.pooling=max", "model.cell=gru", "model.embeddingSize=8", "model.hiddenSize=8", "model.layers=1",
        "train.optimizer=adam", "train.learningRate=0.02", "train.epochs=4", "data.maxTokensPerBatch=80",
        "run.logEverySeconds=1e-9", "run.checkpointEverySteps=0", "seed=5"));
    s.addAll(List.of(extra));
    return Settings.load(List.of(), s);
  }

  private static io.seqspark.core.io.RunRecorder.Result train(Path out, Settings s) throws IOException {
    return ClassifierFamily.run(s, RunDirectory.create(out, false), false, List.of("test"),
        new PrintStream(new ByteArrayOutputStream()), TrainingRun.local());
  }

  @Test
  void stratifiedHoldOut_keepsEachLabelsShare_andIsSeeded() throws IOException {
    List<List<ClassifierFamily.Example>> a = ClassifierFamily.splits(settings());
    // 90 spam / 210 ham (+1 empty ham): test = round(0.2 * n) of each label, valid = round(0.2 * rest)
    assertEquals(List.of(18L, 42L), counts(a.get(2)));
    assertEquals(List.of(14L, 34L), counts(a.get(1)));
    assertEquals(301, a.get(0).size() + a.get(1).size() + a.get(2).size());
    assertEquals(a.get(2), ClassifierFamily.splits(settings()).get(2), "same seed, same split");
    assertTrue(!a.get(2).equals(ClassifierFamily.splits(settings("seed=6")).get(2)), "another seed, another split");
  }

  private static List<Long> counts(List<ClassifierFamily.Example> split) {
    Map<String, Long> c = new HashMap<>();
    split.forEach(e -> c.merge(e.label(), 1L, Long::sum));
    return List.of(c.getOrDefault("spam", 0L), c.getOrDefault("ham", 0L));
  }

  @Test
  void trainsAboveTheMajorityBaseline_writesTheRunDirectory_andTheArchiveReproducesTestAccuracy() throws IOException {
    io.seqspark.core.io.RunRecorder.Result o = train(dir.resolve("run"), settings());
    double acc = (Double) o.results().get("test_accuracy");
    assertTrue(acc > 0.9, "test accuracy " + acc + " (majority class: 0.70)");
    assertTrue(o.results().containsKey("test_f1_spam") && o.lastValid().containsKey("valid_accuracy"), o.results().toString());
    for (String f : new String[] {"config.conf", "manifest.json", "metrics.jsonl", "report.html", "model.zip", "vocab.tsv"}) {
      assertTrue(Files.isRegularFile(o.runDir().resolve(f)), f);
    }
    assertTrue(MetricsLog.read(o.runDir().resolve("metrics.jsonl")).stream().anyMatch(m -> m.containsKey("examples_per_s")));
    io.seqspark.core.task.Family.Loaded<io.seqspark.core.model.SequenceClassifier> m = ClassifierFamily.load(o.runDir().resolve("model.zip"));
    assertEquals(List.of("ham", "spam"), m.dims().labels("labels"));
    BatchSource<io.seqspark.core.data.Batch> test = ClassifierFamily.evaluationSource(m.settings(), null, m.vocabulary(), m.dims().labels("labels"));
    Confusion c = ClassifierFamily.confusion(m.model(), test, m.dims().labels("labels"));
    assertEquals(60, c.total(), "the archived config re-derives the same held-out test split");
    assertEquals(acc, c.accuracy(), 0.0);
  }

  @Test
  void sameSeed_sameResults() throws IOException {
    Settings s = settings("train.epochs=1");
    assertEquals(train(dir.resolve("a"), s).lastValid(), train(dir.resolve("b"), s).lastValid());
  }

  @Test
  void aLineWithoutItsLabelSeparator_failsNamingFileLineAndKey() throws IOException {
    Path bad = Files.write(dir.resolve("bad.tsv"), List.of("ham\tok then", "spam win now"));
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
        () -> ClassifierFamily.INSTANCE.load(settings("data.train=" + bad), null));
    assertTrue(e.getMessage().contains("line 2") && e.getMessage().contains("classify.format"), e.getMessage());
  }
}
