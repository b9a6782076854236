package io.seqspark.core.task;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.seqspark.core.config.Settings;
import io.seqspark.core.io.ModelArchive;
import io.seqspark.core.io.RunDirectory;
import io.seqspark.core.io.RunRecorder;
import io.seqspark.core.model.BiLm;
import io.seqspark.core.model.ElmoEmbeddings;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.OutputStream;
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

/** {@code elmo train | eval | embed} through the real run directory, checkpoints and archive, at toy sizes. */
class ElmoTrainingTest {
  @TempDir
  static Path dir;
  static Path train;
  static Path valid;

  @BeforeAll
  static void corpus() throws IOException {
    SplittableRandom r = new SplittableRandom(7);
    String[] nouns = {"cat", "dog", "bird", "fish", "cow"};
    String[] verbs = {"sees", "likes", "eats", "finds", "hears"};
    List<String> lines = new ArrayList<>();
    for (int i = 0; i < 120; i++) {
      lines.add("the " + nouns[r.nextInt(5)] + " " + verbs[r.nextInt(5)] + " a " + nouns[r.nextInt(5)]);
    }
    train = Files.write(dir.resolve("train.txt"), lines.subList(0, 100));
    valid = Files.write(dir.resolve("valid.txt"), lines.subList(100, 120));
  }

  private static List<String> sets(String... extra) {
    List<String> s = new ArrayList<>(List.of("data.train=" + train, "data.valid=" + valid, "data.test=" + valid,
        "elmo.maxCharacters=10", "elmo.charEmbeddingSize=4", "elmo.filterWidths=\"1,2,3\"", "elmo.filters=\"4,4,4\"",
        "elmo.highways=1", "elmo.projectionSize=8", "elmo.cellSize=12", "elmo.layers=2", "elmo.dropout=0.1",
        "elmo.initScale=0.1", "train.optimizer=adam", "train.learningRate=0.01", "train.batchSize=4", "train.bptt=6",
        "train.epochs=2", "run.logEverySeconds=1e-9", "run.checkpointEverySteps=10", "eval.batchSize=2", "seed=3"));
    s.addAll(List.of(extra));
    return s;
  }

  private static RunRecorder.Result run(Path out, boolean resume, List<String> sets) throws IOException {
    Settings s = resume ? Settings.load(List.of(out.resolve("config.conf")), sets) : Settings.load(List.of(), sets);
    RunDirectory rd = resume ? RunDirectory.resume(out) : RunDirectory.create(out, false);
    return TrainingRun.run(ElmoFamily.INSTANCE, s, rd, resume, List.of("test"),
        new PrintStream(OutputStream.nullOutputStream()), TrainingRun.local());
  }

  @Test
  void training_learns_andEvalReportsBothDirections_consistentWithTheTrainingRun() throws IOException {
    Path out = dir.resolve("learn");
    RunRecorder.Result r = run(out, false, sets("train.epochs=4", "train.learningRate=0.03"));
    double fwd = (Double) r.results().get("testPerplexityForward");
    double bwd = (Double) r.results().get("testPerplexityBackward");
    double mean = (Double) r.results().get("testPerplexity");
    // 17 tokens; unigram frequencies alone give perplexity 10.6; the grammar leaves 5 choices at 3 of 6 positions
    // (perplexity √5 = 2.2 forward; the backward LM is similar), so a model below 5 has learned from context
    assertTrue(fwd < 5 && bwd < 5, "forward " + fwd + ", backward " + bwd);
    assertEquals(Math.sqrt(fwd * bwd), mean, 1e-9 * mean, "equal token counts: the mean is the geometric mean");
    Family.Loaded<BiLm> m = ElmoFamily.load(out.resolve("model.zip"));
    Map<String, Object> e = ElmoFamily.INSTANCE.evaluate(m, valid);
    assertEquals(fwd, (Double) e.get("forward_ppl"), 1e-9 * fwd, "eval of the archive = the run's test split");
    assertEquals(bwd, (Double) e.get("backward_ppl"), 1e-9 * bwd);
    assertEquals(mean, (Double) e.get("mean_ppl"), 1e-9 * mean);
    assertEquals(ElmoFamily.INSTANCE, Families.get("elmo"));
  }

  @Test
  void resumedRun_reproducesTheUninterruptedRun_bitForBit() throws IOException {
    run(dir.resolve("whole"), false, sets());
    run(dir.resolve("split"), false, sets("train.maxSteps=25"));
    assertTrue(Files.isDirectory(dir.resolve("split/checkpoints/step-000000020")));
    run(dir.resolve("split"), true, List.of("train.maxSteps=0"));
    Map<Long, Double> a = StepLosses.of(dir.resolve("whole"));
    Map<Long, Double> b = StepLosses.of(dir.resolve("split"));
    assertTrue(a.size() > 30, "steps logged: " + a.size());
    assertEquals(a, b);
    double[] p1 = ModelArchive.read(dir.resolve("whole/model.zip")).params().data().asDouble();
    double[] p2 = ModelArchive.read(dir.resolve("split/model.zip")).params().data().asDouble();
    for (int i = 0; i < p1.length; i++) {
      assertEquals(p1[i], p2[i], 0.0, "parameter " + i);
    }
  }

  @Test
  void embed_writesEveryLayerOfEveryToken_andTheReaderGivesThemBack() throws IOException {
    Path out = dir.resolve("embed");
    run(out, false, sets("train.epochs=1"));
    Family.Loaded<BiLm> m = ElmoFamily.load(out.resolve("model.zip"));
    List<List<String>> sentences = List.of(List.of("the", "cat", "sees", "a", "zebra"), List.of("a", "dog"), List.of());
    List<float[][][]> reps = ElmoFamily.embed(m, sentences);
    Path file = dir.resolve("emb.bin");
    int layers = m.model().spec().layers() + 1;
    int dim = 2 * m.model().spec().projectionSize();
    try (ElmoEmbeddings.Writer w = new ElmoEmbeddings.Writer(Files.newOutputStream(file), layers, dim)) {
      for (int i = 0; i < sentences.size(); i++) {
        w.write(sentences.get(i), reps.get(i));
      }
    }
    List<ElmoEmbeddings.Sentence> back = ElmoEmbeddings.read(file);
    assertEquals(3, back.size());
    assertEquals(16 + 3 * 4L + 7 * 4L + "thecatseesazebra".length() + "adog".length() + 4L * layers * dim * 7,
        Files.size(file), "header, token counts, token lengths and bytes, floats");
    for (int i = 0; i < sentences.size(); i++) {
      assertEquals(sentences.get(i), back.get(i).tokens());
      for (int l = 0; l < layers; l++) {
        for (int t = 0; t < sentences.get(i).size(); t++) {
          assertTrue(java.util.Arrays.equals(reps.get(i)[l][t], back.get(i).layers()[l][t]));
        }
      }
    }
    // "zebra" is not in the vocabulary: layer 0 is its character encoding
    float[] zebra = back.get(0).layers()[0][4];
    org.nd4j.linalg.api.ndarray.INDArray v = m.model().tokenVectors(List.of("zebra"));
    for (int k = 0; k < dim / 2; k++) {
      assertEquals(v.getDouble(0, k), zebra[k], 1e-6);
    }
  }

  @Test
  void sentencesRegime_trainsBothDirectionsOverPaddedBatches_andStartsEachDirectionAtItsOwnBoundary() throws IOException {
    Path out = dir.resolve("sentences");
    RunRecorder.Result r = run(out, false, sets("data.regime=sentences", "data.maxTokensPerBatch=40", "train.epochs=1",
        "run.checkpointEverySteps=0"));
    double fwd = (Double) r.results().get("testPerplexityForward");
    double bwd = (Double) r.results().get("testPerplexityBackward");
    assertTrue(fwd > 1 && fwd < 20 && bwd > 1 && bwd < 20, "forward " + fwd + ", backward " + bwd);
    Settings s = Settings.load(List.of(out.resolve("config.conf")), List.of());
    assertTrue(java.util.Arrays.equals(new int[] {io.seqspark.core.data.Vocabulary.BOS_ID,
        io.seqspark.core.data.Vocabulary.EOS_ID}, ElmoFamily.starts(s)));
    assertTrue(java.util.Arrays.equals(new int[] {io.seqspark.core.data.Vocabulary.EOS_ID,
        io.seqspark.core.data.Vocabulary.EOS_ID}, ElmoFamily.starts(Settings.load(List.of(), sets()))));
  }

  @Test
  void sampledSoftmax_trainsAndEvaluatesByTheFullSoftmax_andTooManySamplesFailNamingTheVocabulary() throws IOException {
    // 6 samples of a vocabulary of 4 specials + 12 words: the check before reading data must not compare 6 with a
    // placeholder vocabulary (it once refused every sampled softmax of 5 or more)
    Path out = dir.resolve("sampled");
    RunRecorder.Result r = run(out, false, sets("elmo.sampledSoftmax=6", "train.epochs=4", "train.learningRate=0.03"));
    double fwd = (Double) r.results().get("testPerplexityForward");
    // evaluation is by the full softmax: a perplexity over the 16-way vocabulary, learned below the unigram's 10.6
    assertTrue(fwd > 1 && fwd < 10.6, "forward test perplexity " + fwd);
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
        () -> run(dir.resolve("too-many"), false, sets("elmo.sampledSoftmax=500")));
    assertTrue(e.getMessage().contains("elmo.sampledSoftmax = 500") && e.getMessage().contains("vocabulary size 16")
        && e.getMessage().contains("Fix:"), e.getMessage());
  }

  @Test
  void badFilterList_failsNamingTheKeyAndTheFix() {
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
        () -> ElmoFamily.spec(Settings.load(List.of(), sets("elmo.filters=\"4,x,4\"")), 10));
    assertTrue(e.getMessage().contains("elmo.filters") && e.getMessage().contains("'x'")
        && e.getMessage().contains("comma-separated"), e.getMessage());
    IllegalArgumentException n = assertThrows(IllegalArgumentException.class,
        () -> ElmoFamily.spec(Settings.load(List.of(), sets("elmo.filters=\"4,4\"")), 10));
    assertTrue(n.getMessage().contains("elmo.filterWidths"), n.getMessage());
  }

  @Test
  void preset_loadsAndBuildsAValidSpec() {
    Settings s = Settings.load(List.of(Path.of("elmo-ptb.conf")), List.of());
    assertEquals(2, ElmoFamily.spec(s, 10000).layers());
    assertEquals("stream", s.getString("data.regime"));
  }
}
