package io.seqspark.core.task;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.seqspark.core.config.Settings;
import io.seqspark.core.io.RunDirectory;
import io.seqspark.core.io.RunRecorder;
import io.seqspark.core.model.SequenceTagger;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code tag train} end to end through the shared driver, the registry, the archive, eval and predict. */
public class TaggerFamilyTest {
  @TempDir
  static Path dir;
  static Path train;
  static Path dev;

  /**
   * Writes a CoNLL corpus whose tags follow a rule a bidirectional tagger can learn but a word-by-word guess cannot:
   * "run" is tagged V after "they" and N after "the" (the noun/verb ambiguity of real POS tagging); every other word
   * has one tag (the determiners D, pronouns P, nouns N, verbs V, the adverb R). A model that ignored context would get
   * "run" right half the time.
   */
  public static void corpus(Path train, Path dev, int sentences) throws IOException {
    SplittableRandom r = new SplittableRandom(17);
    String[] nouns = {"dog", "cat", "man", "city", "song", "day"};
    String[] verbs = {"sees", "likes", "hears", "finds"};
    List<String> lines = new ArrayList<>();
    for (int i = 0; i < sentences; i++) {
      if (r.nextBoolean()) {
        lines.addAll(List.of("they\tP", "run\tV", "fast\tR"));
      } else {
        lines.addAll(List.of("the\tD", "run\tN", verbs[r.nextInt(4)] + "\tV", "the\tD", nouns[r.nextInt(6)] + "\tN"));
      }
      lines.add("");
    }
    int cut = lines.size() * 4 / 5;
    while (!lines.get(cut - 1).isEmpty()) {
      cut++;
    }
    Files.write(train, lines.subList(0, cut));
    Files.write(dev, lines.subList(cut, lines.size()));
  }

  @BeforeAll
  static void data() throws IOException {
    train = dir.resolve("train.tsv");
    dev = dir.resolve("dev.tsv");
    corpus(train, dev, 300);
  }

  static Settings settings(String... extra) {
    List<String> s = new ArrayList<>(List.of("data.train=" + train, "data.valid=" + dev, "data.test=" + dev,
        "model.embeddingSize=8", "model.hiddenSize=8", "model.layers=1", "model.dropout=0", "train.optimizer=adam",
        "train.learningRate=0.05", "train.epochs=4", "data.maxTokensPerBatch=80", "run.logEverySeconds=1e-9",
        "run.checkpointEverySteps=0", "seed=2"));
    s.addAll(List.of(extra));
    return Settings.load(List.of(), s);
  }

  @Test
  void trainsThroughTheSharedDriver_andItsArchiveEvaluatesAndPredicts() throws IOException {
    Path out = dir.resolve("run");
    RunRecorder.Result r = TaggerFamily.run(settings(), RunDirectory.create(out, false), false, List.of("test"),
        new PrintStream(new ByteArrayOutputStream()), TrainingRun.local());
    double acc = (Double) r.results().get("test_accuracy");
    assertTrue(acc > 0.99, "the rule is learnable (a tagger blind to context gets run right half the time, ~0.88): " + acc);
    Family.Loaded<?> any = Families.load(out.resolve("model.zip"));
    assertEquals("tag", any.family().name(), "the archive names its family");
    Family.Loaded<SequenceTagger> m = TaggerFamily.load(out.resolve("model.zip"));
    Map<String, Object> eval = TaggerFamily.INSTANCE.evaluate(m, dev);
    assertEquals(acc, (Double) eval.get("accuracy"), 0.0, "eval of the archive = the run's test figure");
    List<List<String>> tags = TaggerFamily.predict(m, List.of(List.of("they", "run", "fast"),
        List.of("the", "run", "sees", "the", "dog")));
    assertEquals(List.of(List.of("P", "V", "R"), List.of("D", "N", "V", "D", "N")), tags);
  }
}
