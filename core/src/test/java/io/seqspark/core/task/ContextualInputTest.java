package io.seqspark.core.task;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.seqspark.core.config.Settings;
import io.seqspark.core.data.Batch;
import io.seqspark.core.data.Vocabulary;
import io.seqspark.core.io.RunDirectory;
import io.seqspark.core.io.RunRecorder;
import io.seqspark.core.model.BiLm;
import io.seqspark.core.model.BiLmSpec;
import io.seqspark.core.model.ContextualWords;
import io.seqspark.core.model.ElmoFeatures;
import io.seqspark.core.model.SequenceClassifier;
import io.seqspark.core.model.SequenceClassifierSpec;
import io.seqspark.core.model.SequenceTagger;
import io.seqspark.core.model.SequenceTaggerSpec;
import io.seqspark.core.nn.Bidirectional;
import io.seqspark.core.nn.GradientCheck;
import io.seqspark.core.nn.InputFeatures;
import io.seqspark.core.nn.ParamStore;
import io.seqspark.core.nn.Pooling;
import java.io.IOException;
import java.io.OutputStream;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.function.Function;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

/**
 * {@code model.contextual}: ELMo features at the input of the tagger and the classifier. The mix's gradients through
 * the whole downstream model, the frozen biLM, and end to end: a tiny biLM trained by {@code elmo train}, a tagger and
 * a classifier (with word2vec vectors too) reading it, their archives evaluating the same, and a moved or changed biLM
 * failing clearly.
 */
public class ContextualInputTest {
  private static final DataType D = DataType.DOUBLE;
  @TempDir
  static Path dir;
  static Path biLm;
  static Path tagTrain;
  static Path tagDev;

  private static final PrintStream QUIET = new PrintStream(OutputStream.nullOutputStream());

  @BeforeAll
  static void trainTheBiLm() throws IOException {
    tagTrain = dir.resolve("tag-train.tsv");
    tagDev = dir.resolve("tag-dev.tsv");
    TaggerFamilyTest.corpus(tagTrain, tagDev, 120);
    biLm = trainBiLm(dir, tagTrain);
  }

  /** A tiny biLM ({@code elmo train}, one epoch, local) on the words of a CoNLL file, in {@code dir}/elmo. */
  public static Path trainBiLm(Path dir, Path conll) throws IOException {
    List<String> text = new ArrayList<>();
    List<String> sentence = new ArrayList<>();
    for (String line : Files.readAllLines(conll)) {
      if (line.isEmpty()) {
        text.add(String.join(" ", sentence));
        sentence.clear();
      } else {
        sentence.add(line.split("\t")[0]);
      }
    }
    Path txt = Files.write(dir.resolve("lm.txt"), text);
    Settings s = Settings.load(List.of(), List.of("data.train=" + txt, "elmo.maxCharacters=10",
        "elmo.charEmbeddingSize=4", "elmo.filterWidths=\"1,2\"", "elmo.filters=\"4,4\"", "elmo.highways=1",
        "elmo.projectionSize=4", "elmo.cellSize=6", "elmo.layers=2", "train.optimizer=adam", "train.learningRate=0.02",
        "train.batchSize=4", "train.bptt=6", "train.epochs=1", "run.logEverySeconds=1e-9",
        "run.checkpointEverySteps=0", "seed=3"));
    Path out = dir.resolve("elmo");
    TrainingRun.run(ElmoFamily.INSTANCE, s, RunDirectory.create(out, false), false, List.of("test"), QUIET,
        TrainingRun.local());
    return out;
  }

  private static BiLm tinyBiLm(Vocabulary v) {
    List<String> words = new ArrayList<>();
    for (int i = 0; i < v.size(); i++) {
      words.add(v.token(i));
    }
    return new BiLm(new BiLmSpec(v.size(), 8, 3, new int[] {1, 2}, new int[] {2, 3}, 1, 3, 4, 2, 3, 3, true, 0, 0.4,
        0), words, D, 5);
  }

  private static Vocabulary vocabulary() {
    Vocabulary.Builder vb = Vocabulary.builder();
    for (String w : new String[] {"the", "cat", "sat", "a", "dog", "ran"}) {
      vb.add(w, 3);
    }
    return vb.build(1, 0);
  }

  private static Function<ParamStore.Builder, InputFeatures> elmo(BiLm lm, Vocabulary v) {
    return elmo(lm, v, false, false);
  }

  /** With layer norm or not, and with the output-side mix (elmo.out.*) or not. */
  private static Function<ParamStore.Builder, InputFeatures> elmo(BiLm lm, Vocabulary v, boolean layerNorm,
                                                                  boolean atOutput) {
    List<String> words = new ArrayList<>();
    for (int i = 0; i < v.size(); i++) {
      words.add(v.token(i));
    }
    return pb -> new ContextualWords(new ElmoFeatures(lm, v, new int[] {Vocabulary.EOS_ID, Vocabulary.EOS_ID}, pb,
        "elmo", layerNorm, 0, 1, null, atOutput, D), words, new int[0]);
  }

  /** Rows of lengths 4, 2 and 1 over the vocabulary's words (ids 4..9), tags 1..3. */
  private static Batch batch() {
    return Batch.padded(new int[][] {{4, 5, 6, 9}, {7, 8}, {5}}, new int[][] {{1, 2, 3, 1}, {1, 2}, {3}},
        new long[] {0, 1, 2});
  }

  private static void checkTheMixAndTheFrozenBiLm(io.seqspark.core.train.Trainable<Batch> m, BiLm lm, Batch b,
                                                 String what) {
    INDArray p = m.params().params();
    double lmBefore = lm.params().grads().amaxNumber().doubleValue();
    m.params().zeroGrads();
    m.forwardBackward(b, 1.0, 1);
    INDArray grads = m.params().grads().dup();
    assertTrue(grads.amaxNumber().doubleValue() > 0);
    for (io.seqspark.core.nn.ParamRef r : m.params().refs()) {
      if (r.name().startsWith("elmo.")) {
        INDArray analytic = grads.get(org.nd4j.linalg.indexing.NDArrayIndex.all(),
            org.nd4j.linalg.indexing.NDArrayIndex.interval(r.offset(), r.offset() + r.length()));
        GradientCheck.check(what + " " + r.name(), r.value(), analytic,
            () -> m.evaluate(b).lossSum(), 1);
      }
    }
    // the rest (the embedding, the wider stack input, the output) every 11th value: each evaluation runs the biLM
    GradientCheck.check(what + " with ELMo features", p, grads, () -> m.evaluate(b).lossSum(), 11);
    assertEquals(lmBefore, lm.params().grads().amaxNumber().doubleValue(), 0.0, "the biLM is frozen");
  }

  @Test
  void gradientsOfTheMix_throughTheTaggerAndTheClassifier_matchFiniteDifferences_andTheBiLmStaysFrozen() {
    Vocabulary v = vocabulary();
    BiLm lm = tinyBiLm(v);
    SequenceTagger tagger = new SequenceTagger(new SequenceTaggerSpec(v.size(), 4, 3, 2, 1, "lstm", true,
        Bidirectional.Merge.CONCAT, 0.0, 0.5), D, 5, elmo(lm, v));
    SequenceTagger plain = new SequenceTagger(new SequenceTaggerSpec(v.size(), 4, 3, 2, 1, "lstm", true,
        Bidirectional.Merge.CONCAT, 0.0, 0.5), D, 5);
    // the mix's s (L + 1 = 3) and γ, and the stack's wider input (3 + 2P = 3 + 6 columns)
    assertTrue(tagger.params().size() > plain.params().size() + 4);
    moveTheMix(tagger.params());
    checkTheMixAndTheFrozenBiLm(tagger, lm, batch(), "tagger");

    SequenceClassifier classifier = new SequenceClassifier(new SequenceClassifierSpec(v.size(), 4, 3, 2, 1, "gru",
        true, Bidirectional.Merge.CONCAT, Pooling.Mode.MEAN, 0.0, 0.5), D, 5, elmo(lm, v));
    moveTheMix(classifier.params());
    Batch b = batch();
    // a classifier's label is the target at each row's last real step
    checkTheMixAndTheFrozenBiLm(classifier, lm, b, "classifier");
  }

  @Test
  void elmoAtTheOutputToo_hasItsOwnMix_andItsGradientsThroughTheTaggerAndTheClassifierMatchFiniteDifferences() {
    Vocabulary v = vocabulary();
    BiLm lm = tinyBiLm(v);
    SequenceTaggerSpec tagSpec = new SequenceTaggerSpec(v.size(), 4, 3, 2, 1, "lstm", true,
        Bidirectional.Merge.CONCAT, 0.0, 0.5);
    SequenceTagger inputOnly = new SequenceTagger(tagSpec, D, 5, elmo(lm, v, true, false));
    SequenceTagger tagger = new SequenceTagger(tagSpec, D, 5, elmo(lm, v, true, true));
    // the second mix's s (3) and γ, and the output layer reads 2P = 6 more features for each of the 4 tags
    assertEquals(inputOnly.params().size() + 3 + 1 + 6 * 4, tagger.params().size());
    moveTheMix(tagger.params());
    checkTheMixAndTheFrozenBiLm(tagger, lm, batch(), "tagger, ELMo at the output too");

    SequenceClassifier classifier = new SequenceClassifier(new SequenceClassifierSpec(v.size(), 4, 3, 2, 1, "gru",
        true, Bidirectional.Merge.CONCAT, Pooling.Mode.MAX, 0.0, 0.5), D, 5, elmo(lm, v, true, true));
    moveTheMix(classifier.params());
    checkTheMixAndTheFrozenBiLm(classifier, lm, batch(), "classifier, ELMo at the output too");
  }

  /**
   * Moves the mixes away from their start (uniform weights, γ = 1), each somewhere else, so a wrong softmax or scale
   * gradient, or one mix's gradient landing in the other's, shows.
   */
  private static void moveTheMix(ParamStore store) {
    for (io.seqspark.core.nn.ParamRef r : store.refs()) {
      if (r.name().equals("elmo.w")) {
        r.value().assign(Nd4j.createFromArray(0.3, -0.5, 0.2).reshape(r.shape()));
      } else if (r.name().equals("elmo.gamma")) {
        r.value().assign(1.4);
      } else if (r.name().equals("elmo.out.w")) {
        r.value().assign(Nd4j.createFromArray(-0.4, 0.1, 0.6).reshape(r.shape()));
      } else if (r.name().equals("elmo.out.gamma")) {
        r.value().assign(0.7);
      }
    }
  }

  private static Settings tagSettings(String... extra) {
    List<String> s = new ArrayList<>(List.of("data.train=" + tagTrain, "data.valid=" + tagDev, "data.test=" + tagDev,
        "model.embeddingSize=6", "model.hiddenSize=8", "model.layers=1", "model.dropout=0.1", "train.optimizer=adam",
        "train.learningRate=0.05", "train.epochs=2", "data.maxTokensPerBatch=80", "run.logEverySeconds=1e-9",
        "run.checkpointEverySteps=0", "seed=2", "model.contextual=" + biLm));
    s.addAll(List.of(extra));
    return Settings.load(List.of(), s);
  }

  @Test
  void tagger_trainsWithElmo_itsArchiveEvaluatesTheSame_andAChangedOrMissingBiLmFailsClearly() throws IOException {
    Path copy = Files.copy(biLm.resolve("model.zip"), dir.resolve("bilm-copy.zip"));
    Path out = dir.resolve("tag-elmo");
    // a test word the tagger's vocabulary lacks: the biLM reads it by its spelling, the embedding as <unk>
    Path test = Files.writeString(dir.resolve("tag-test.tsv"), Files.readString(tagDev)
        + "the\tD\nrun\tN\nsees\tV\nthe\tD\nzebra\tN\n\n");
    RunRecorder.Result r = TaggerFamily.run(tagSettings("model.contextual=" + copy, "data.test=" + test),
        RunDirectory.create(out, false), false, List.of("test"), QUIET, TrainingRun.local());
    double acc = (Double) r.results().get("test_accuracy");
    Family.Loaded<SequenceTagger> m = TaggerFamily.load(out.resolve("model.zip"));
    ContextualLm.Spellings spelled = ContextualLm.Spellings.of(m.dims(), m.vocabulary().size());
    assertEquals(List.of("zebra"), spelled.spellings());
    assertEquals(m.vocabulary().size(), spelled.ids().get("zebra"), "the first id past the vocabulary");
    assertEquals(Vocabulary.UNK_ID, spelled.fallbacks()[0], "its embedding row: <unk>");
    assertEquals(5, TaggerFamily.predict(m, List.of(List.of("the", "run", "sees", "the", "zebra"))).get(0).size());
    assertEquals(List.of(copy.toAbsolutePath().normalize().toString(), io.seqspark.core.io.Manifest.sha256(copy)),
        m.dims().labels("contextual"), "the model references the biLM by path and hash");
    assertTrue(m.model().params().size() < 2_000, "the biLM's parameters are not the tagger's: "
        + m.model().params().size());
    assertEquals(acc, (Double) TaggerFamily.INSTANCE.evaluate(m, test).get("accuracy"), 0.0,
        "eval of the archive = the run's test figure (the spelled word included)");
    assertEquals(1, TaggerFamily.predict(m, List.of(List.of("they", "run", "fast"))).size());

    IllegalArgumentException nowhere = assertThrows(IllegalArgumentException.class,
        () -> TaggerFamily.INSTANCE.checkInputs(tagSettings("model.contextual=" + dir.resolve("nowhere"))));
    assertTrue(nowhere.getMessage().startsWith("model.contextual = ") && nowhere.getMessage().contains("Fix:"),
        nowhere.getMessage());

    Files.write(copy, new byte[] {1}, StandardOpenOption.APPEND);
    IllegalStateException changed = assertThrows(IllegalStateException.class,
        () -> TaggerFamily.load(out.resolve("model.zip")));
    assertTrue(changed.getMessage().contains("changed") && changed.getMessage().contains(copy.getFileName().toString()),
        changed.getMessage());
    Files.delete(copy);
    IllegalStateException missing = assertThrows(IllegalStateException.class,
        () -> TaggerFamily.load(out.resolve("model.zip")));
    assertTrue(missing.getMessage().contains("missing") && missing.getMessage().contains("model.contextual"),
        missing.getMessage());
  }

  /** The step at which epoch 1 of the run in {@code out} ended, and its validation loss. */
  private static double[] epochOne(Path out) throws IOException {
    for (Map<String, Object> m : io.seqspark.core.io.MetricsLog.read(out.resolve("metrics.jsonl"))) {
      if (m.get("valid_loss") instanceof Number l && ((Number) m.get("epoch")).intValue() == 1) {
        return new double[] {((Number) m.get("step")).doubleValue(), l.doubleValue()};
      }
    }
    throw new AssertionError("no epoch 1 in " + out);
  }

  @Test
  void featureCache_epochOneIsTheUncachedRun_andARunResumedWithAnEmptyCacheRepeatsTheLosses() throws IOException {
    Path whole = dir.resolve("cache-whole");
    TaggerFamily.run(tagSettings("model.contextualCacheMb=16"), RunDirectory.create(whole, false), false,
        List.of("test"), QUIET, TrainingRun.local());
    Family.Loaded<SequenceTagger> m = TaggerFamily.load(whole.resolve("model.zip"));
    ElmoFeatures f = ((ContextualWords) ContextualLm.features(m.settings(), m.dims(), DataType.FLOAT)
        .apply(ParamStore.builder())).features();
    assertEquals(16L << 20, f.cache().budget(), "the model's features keep sentences, model.contextualCacheMb MB");
    // the cache was filled from epoch 1's own batches: epoch 1 and its validation are the uncached run's, exactly
    Path plain = dir.resolve("cache-off");
    TaggerFamily.run(tagSettings(), RunDirectory.create(plain, false), false, List.of("test"), QUIET,
        TrainingRun.local());
    Map<Long, Double> w = StepLosses.of(whole);
    Map<Long, Double> p = StepLosses.of(plain);
    double[] one = epochOne(whole);
    assertTrue(one[0] >= 3 && w.size() > one[0], "two epochs of several steps: " + w);
    for (long step = 1; step <= (long) one[0]; step++) {
      assertEquals(p.get(step), w.get(step), 0.0, "epoch 1, step " + step);
    }
    assertEquals(epochOne(plain)[1], one[1], 0.0, "epoch 1's validation loss");
    // interrupted after 3 steps and resumed (a new model, its cache empty, filled again): every loss as in the whole run
    Path split = dir.resolve("cache-split");
    TaggerFamily.run(tagSettings("model.contextualCacheMb=16", "train.maxSteps=3"), RunDirectory.create(split, false),
        false, List.of("test"), QUIET, TrainingRun.local());
    TaggerFamily.run(Settings.load(List.of(split.resolve("config.conf")), List.of("train.maxSteps=0")),
        RunDirectory.resume(split), true, List.of("test"), QUIET, TrainingRun.local());
    assertEquals(w, StepLosses.of(split));
  }

  @Test
  void classifier_readsElmoAndWord2VecVectors_together_withTheMixsLayerNormAndDropout() throws IOException {
    List<String> lines = new ArrayList<>();
    for (int i = 0; i < 60; i++) {
      lines.add((i % 2 == 0 ? "pos" : "neg") + "\t" + (i % 2 == 0 ? "they run fast" : "the run sees the dog"));
    }
    Path data = Files.write(dir.resolve("cls.tsv"), lines);
    Path vectors = Files.write(dir.resolve("vectors.txt"), List.of("3 6", "they 0.1 0.2 0.3 0.4 0.5 0.6",
        "run 0.6 0.5 0.4 0.3 0.2 0.1", "dog -0.1 -0.2 -0.3 -0.4 -0.5 -0.6"));
    // a test word the classifier's vocabulary lacks: the biLM reads "zebra" by its spelling, the embedding as <unk>
    Path testFile = Files.write(dir.resolve("cls-test.tsv"), List.of("pos\tthey run zebra", "neg\tthe run sees the dog"));
    Settings s = Settings.load(List.of(), List.of("data.train=" + data, "classify.validFraction=0.2",
        "data.test=" + testFile, "classify.pooling=mean", "classify.bidirectional=true", "model.cell=gru",
        "model.embeddingSize=6", "model.hiddenSize=6", "model.layers=1", "train.optimizer=adam",
        "train.learningRate=0.05", "train.epochs=2", "data.maxTokensPerBatch=80", "run.logEverySeconds=1e-9",
        "run.checkpointEverySteps=0", "seed=4", "model.contextual=" + biLm, "model.embedding.pretrained=" + vectors,
        "model.contextualLayerNorm=true", "model.contextualDropout=0.2"));
    Path out = dir.resolve("cls-elmo");
    RunRecorder.Result r = ClassifierFamily.run(s, RunDirectory.create(out, false), false, List.of("test"), QUIET,
        TrainingRun.local());
    Map<String, Object> manifest = io.seqspark.core.io.Json.readMap(Files.readString(out.resolve("manifest.json")));
    assertTrue(manifest.containsKey("embeddingPretrainedOov"), "the word vectors were read: " + manifest.keySet());
    Family.Loaded<SequenceClassifier> m = ClassifierFamily.load(out.resolve("model.zip"));
    assertTrue(m.dims().labels().containsKey("contextual"));
    ContextualLm.Spellings spelled = ContextualLm.Spellings.of(m.dims(), m.vocabulary().size());
    assertEquals(List.of("zebra"), spelled.spellings());
    assertEquals(Vocabulary.UNK_ID, spelled.fallbacks()[0], "its embedding row: <unk>");
    assertEquals((Double) r.results().get("test_accuracy"),
        (Double) ClassifierFamily.INSTANCE.evaluate(m, testFile).get("accuracy"), 0.0,
        "eval of the archive = the run's test figure (the spelled word included)");
    // the loss too: eval rebuilt the mix with its layer norm (model.contextualLayerNorm, from the run's config)
    assertEquals((Double) r.results().get("test_loss"),
        (Double) ClassifierFamily.INSTANCE.evaluate(m, testFile).get("loss"), 1e-12);
  }
}
