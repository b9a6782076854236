package io.seqspark.core.task;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.seqspark.core.config.Settings;
import io.seqspark.core.data.DataInputs;
import io.seqspark.core.data.ParallelShards;
import io.seqspark.core.data.ParallelText;
import io.seqspark.core.data.TextCorpus;
import io.seqspark.core.data.TokenShardWriter;
import io.seqspark.core.data.TokenShards;
import io.seqspark.core.data.Vocabulary;
import io.seqspark.core.io.MetricsLog;
import io.seqspark.core.io.RunDirectory;
import io.seqspark.core.io.RunRecorder;
import io.seqspark.core.model.Seq2Seq;
import io.seqspark.core.nn.ParamRef;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The training options of {@code translate train} through the real run driver and archive: pretrained source and
 * target embeddings (frozen source rows stay the file's vectors, OOV counted per side), a target embedding tied to the
 * output projection, scheduled sampling, and selection by validation BLEU.
 */
class TranslateTrainingOptionsTest {
  @TempDir
  static Path dir;
  static Path vectors;

  /** Source vectors for w1, w2 (and "zebra", in no vocabulary) and target vectors for T1; width 8. */
  @BeforeAll
  static void data() throws IOException {
    TranslateFamilyTest.corpus(dir, 300);
    vectors = Files.writeString(dir.resolve("vec.txt"), "4 8\n"
        + "w1 1 2 3 4 5 6 7 8\n"
        + "w2 -1 -2 -3 -4 -5 -6 -7 -8\n"
        + "zebra 9 9 9 9 9 9 9 9\n"
        + "T1 0.5 0.5 0.5 0.5 -0.5 -0.5 -0.5 -0.5\n");
  }

  static List<String> sets(String... extra) {
    List<String> s = new ArrayList<>(List.of("data.train=" + dir.resolve("train"), "data.valid=" + dir.resolve("valid"),
        "translate.source=src", "translate.target=tgt", "translate.beam=1", "translate.labelSmoothing=0",
        "translate.attention=general", "model.cell=gru", "model.embeddingSize=8", "model.hiddenSize=8",
        "model.layers=1", "model.dropout=0", "train.optimizer=adam", "train.learningRate=0.02", "train.epochs=3",
        "data.maxTokensPerBatch=200", "run.logEverySeconds=1e-9", "run.checkpointEverySteps=0", "seed=4"));
    s.addAll(List.of(extra));
    return s;
  }

  private static RunRecorder.Result train(Path out, List<String> sets) throws IOException {
    return TranslateFamily.run(Settings.load(List.of(), sets), RunDirectory.create(out, false), false,
        List.of("test"), new PrintStream(new ByteArrayOutputStream()), TrainingRun.local());
  }

  private static float[] row(Seq2Seq m, String block, int id) {
    ParamRef e = m.params().refs().stream().filter(r -> r.name().equals(block)).findFirst().orElseThrow();
    return e.value().getRow(id).toFloatVector();
  }

  @Test
  void pretrainedFrozenSource_tiedTarget_scheduledSampling_selectedByBleu() throws IOException {
    Path out = dir.resolve("run");
    RunRecorder.Result r = train(out, sets("translate.sourceEmbedding=" + vectors,
        "translate.targetEmbedding=" + vectors, "translate.freezeEmbeddings=source", "translate.tieEmbeddings=true",
        "translate.teacherForcing=0.75", "train.selectBy=valid_bleu"));
    Family.Loaded<Seq2Seq> m = TranslateFamily.load(out.resolve("model.zip"));
    Vocabulary src = TranslateFamily.sourceVocabulary(m);
    // frozen: the file's vectors, bit for bit, after three epochs of Adam
    assertArrayEquals(new float[] {1, 2, 3, 4, 5, 6, 7, 8}, row(m.model(), "sourceEmbedding.E", src.id("w1")), 0f);
    assertArrayEquals(new float[] {-1, -2, -3, -4, -5, -6, -7, -8}, row(m.model(), "sourceEmbedding.E",
        src.id("w2")), 0f);
    // 8 source words (w0..w7), 2 with vectors; 8 target words (T0..T7), 1 with a vector
    assertEquals(6, ((Number) m.manifest().get("sourceEmbeddingPretrainedOov")).intValue());
    assertEquals(7, ((Number) m.manifest().get("targetEmbeddingPretrainedOov")).intValue());
    assertFalse(m.model().params().refs().stream().anyMatch(p -> p.name().equals("output.W")),
        "the archive's model is tied too");
    // the kept parameters are those of the epoch with the best greedy validation BLEU
    double best = Double.NEGATIVE_INFINITY;
    for (Map<String, Object> rec : MetricsLog.read(out.resolve("metrics.jsonl"))) {
      if (rec.get("valid_bleu") instanceof Number b && rec.containsKey("epoch_train_loss")) {
        best = Math.max(best, b.doubleValue());
      }
    }
    assertEquals(best, (Double) r.lastValid().get("valid_bleu"), 0.0);
    assertTrue(best > 0, "the model translates some words: BLEU " + best);
  }

  /**
   * Writes what {@code ingest --input train.src --target train.tgt} writes (core's own shard writer): each side's
   * vocabulary as translate builds it from the text, and the pairs' ids in two shards per side.
   */
  static Path ingest(Settings s) throws IOException {
    Path out = dir.resolve("ingested");
    ParallelText t = ParallelText.read(dir.resolve("train.src"), dir.resolve("train.tgt"), DataInputs.tokenizer(s));
    List<List<List<String>>> sides = List.of(t.source(), t.target());
    String[] names = {ParallelShards.SOURCE, ParallelShards.TARGET};
    for (int side = 0; side < 2; side++) {
      Path shards = Files.createDirectories(out.resolve(names[side]).resolve(TokenShards.SHARD_DIR));
      Vocabulary v = TextCorpus.buildVocabulary(sides.get(side), s.getInt("data.minCount"),
          s.getInt("data.maxVocabSize"));
      v.save(out.resolve(names[side]).resolve(TokenShards.VOCABULARY_FILE));
      List<List<String>> lines = sides.get(side);
      int half = lines.size() / 2;
      for (int part = 0; part < 2; part++) {
        try (TokenShardWriter w = new TokenShardWriter(Files.newOutputStream(
            shards.resolve(String.format("part-%05d%s", part, TokenShards.SUFFIX))))) {
          for (List<String> line : lines.subList(part == 0 ? 0 : half, part == 0 ? half : lines.size())) {
            w.add(v.encode(line));
          }
        }
      }
    }
    return out;
  }

  @Test
  void anIngestOutputAsDataTrain_trainsExactlyAsItsTextFiles() throws IOException {
    Path ingested = ingest(Settings.load(List.of(), sets()));
    Path fromText = dir.resolve("from-text");
    Path fromShards = dir.resolve("from-shards");
    train(fromText, sets("train.epochs=1"));
    train(fromShards, sets("train.epochs=1", "data.train=" + ingested));
    Map<Long, Double> a = StepLosses.of(fromText);
    assertTrue(a.size() > 5, "one loss per step: " + a.size());
    assertEquals(a, StepLosses.of(fromShards), "the same pairs, vocabularies and batches give the same losses");
    double[] p1 = io.seqspark.core.io.ModelArchive.read(fromText.resolve("model.zip")).params().data().asDouble();
    double[] p2 = io.seqspark.core.io.ModelArchive.read(fromShards.resolve("model.zip")).params().data().asDouble();
    assertTrue(java.util.Arrays.equals(p1, p2), "the same parameters");
    assertEquals(Files.readString(fromText.resolve(TranslateFamily.SOURCE_VOCABULARY)),
        Files.readString(fromShards.resolve(TranslateFamily.SOURCE_VOCABULARY)), "the ingest's source vocabulary");
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> TranslateFamily.INSTANCE.load(
        Settings.load(List.of(), sets("data.train=" + ingested, "translate.jointVocabulary=true")), null));
    assertTrue(e.getMessage().startsWith("translate.jointVocabulary = true"), e.getMessage());
  }

  @Test
  void conflictingOrMisplacedEmbeddingKeys_failNamingTheKeysAndTheFix() {
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> TranslateFamily.INSTANCE
        .checkInputs(Settings.load(List.of(), sets("translate.tieEmbeddings=true",
            "translate.freezeEmbeddings=both"))));
    assertTrue(e.getMessage().contains("translate.freezeEmbeddings = both")
        && e.getMessage().contains("translate.tieEmbeddings"), e.getMessage());
    e = assertThrows(IllegalArgumentException.class, () -> TranslateFamily.INSTANCE
        .checkInputs(Settings.load(List.of(), sets("model.embedding.pretrained=" + vectors))));
    assertTrue(e.getMessage().contains("translate.sourceEmbedding"), e.getMessage());
    e = assertThrows(IllegalArgumentException.class, () -> TranslateFamily.INSTANCE
        .checkInputs(Settings.load(List.of(), sets("translate.targetEmbedding=" + dir.resolve("missing.txt")))));
    assertTrue(e.getMessage().startsWith("translate.targetEmbedding = "), e.getMessage());
  }
}
