package io.seqspark.core.task;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.seqspark.core.config.Settings;
import io.seqspark.core.io.MetricsLog;
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
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Regression pin of issue 16: with {@code model.contextual} unset the tagger and the classifier train exactly as before
 * ELMo features could be added to their input. The expected values are the losses the code gave before that change
 * (commit 985629a), as Java prints them (which round-trips exactly); any change to the no-ELMo path (parameter order, dropout salts, the
 * embedding width the stack reads) moves them.
 */
class ContextualOffPinTest {
  @TempDir
  static Path dir;

  private static List<Double> losses(RunRecorder.Result r) throws IOException {
    List<Double> out = new ArrayList<>();
    for (Map<String, Object> m : MetricsLog.read(r.runDir().resolve("metrics.jsonl"))) {
      for (String k : new String[] {"train_loss", "valid_loss"}) {
        if (m.get(k) instanceof Number n) {
          out.add(n.doubleValue());
        }
      }
    }
    return out;
  }

  @Test
  void tagger_withoutContextual_lossesAreBitIdenticalToBeforeIssue16() throws IOException {
    Path train = dir.resolve("tag-train.tsv");
    Path dev = dir.resolve("tag-dev.tsv");
    TaggerFamilyTest.corpus(train, dev, 120);
    Settings s = Settings.load(List.of(), List.of("data.train=" + train, "data.valid=" + dev, "model.embeddingSize=8",
        "model.hiddenSize=8", "model.layers=2", "model.dropout=0.2", "train.optimizer=adam", "train.learningRate=0.05",
        "train.epochs=2", "data.maxTokensPerBatch=80", "run.logEverySeconds=1e-9", "run.checkpointEverySteps=0",
        "seed=2"));
    RunRecorder.Result r = TaggerFamily.run(s, RunDirectory.create(dir.resolve("tag"), false), false, List.of("test"),
        new PrintStream(new ByteArrayOutputStream()), TrainingRun.local());
    List<Double> got = losses(r);
    assertEquals(TAGGER, got);
  }

  @Test
  void classifier_withoutContextual_lossesAreBitIdenticalToBeforeIssue16() throws IOException {
    SplittableRandom rnd = new SplittableRandom(11);
    String[] filler = {"the", "a", "call", "me", "now", "see", "you", "at", "home", "later", "ok", "then"};
    List<String> lines = new ArrayList<>();
    for (int i = 0; i < 200; i++) {
      boolean spam = i % 10 < 3;
      int n = 3 + rnd.nextInt(8);
      List<String> w = new ArrayList<>();
      for (int k = 0; k < n; k++) {
        w.add(filler[rnd.nextInt(filler.length)]);
      }
      if (spam) {
        w.set(rnd.nextInt(n), rnd.nextBoolean() ? "win" : "free");
      }
      lines.add((spam ? "spam" : "ham") + "\t" + String.join(" ", w));
    }
    Path data = Files.write(dir.resolve("sms.tsv"), lines);
    Settings s = Settings.load(List.of(), List.of("data.train=" + data, "classify.validFraction=0.2",
        "classify.pooling=max", "classify.bidirectional=true", "model.cell=lstm", "model.embeddingSize=8",
        "model.hiddenSize=8", "model.layers=1", "model.dropout=0.2", "train.optimizer=adam", "train.learningRate=0.02",
        "train.epochs=2", "data.maxTokensPerBatch=80", "run.logEverySeconds=1e-9", "run.checkpointEverySteps=0",
        "seed=5"));
    RunRecorder.Result r = ClassifierFamily.run(s, RunDirectory.create(dir.resolve("cls"), false), false,
        List.of("test"), new PrintStream(new ByteArrayOutputStream()), TrainingRun.local());
    List<Double> got = losses(r);
    assertEquals(CLASSIFIER, got);
  }

  private static final List<Double> TAGGER = List.of(
      1.7895006453289928, 1.8178440910225602, 1.788398000301632, 1.7357896920038063, 1.700165245461094,
      1.6681768444862344, 1.6323638626869958, 1.743369663615445, 1.4854683393771808, 1.7641338507642967,
      1.3576232693710857, 1.4815983079330692);
  private static final List<Double> CLASSIFIER = List.of(
      0.6942269502557031, 0.674928075449232, 0.6940095748711722, 0.6276438544454884, 0.6893832033829205,
      0.5415260602648084, 0.5851448707173885, 0.6111476253592751, 0.4746105252296723, 0.792935086126383,
      0.5999571995675426, 0.8184051278252926, 0.6832720674802012, 0.5372322405639488, 0.5921822880975416,
      0.29953544450031333, 0.7537400445315158, 0.677143323296454, 0.251214591495196, 0.24073930725072556,
      0.7437993663132942, 0.6004620273487452, 0.7957887576622917, 0.6339363651774701, 0.6818971575114642,
      0.6289473423977882, 0.4559860944969141, 0.3939694042384652, 0.5189587385438882, 0.5026577834056869);
}
