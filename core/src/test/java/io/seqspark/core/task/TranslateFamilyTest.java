package io.seqspark.core.task;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.seqspark.core.config.Settings;
import io.seqspark.core.io.RunDirectory;
import io.seqspark.core.io.RunRecorder;
import io.seqspark.core.model.Seq2Seq;
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

/** {@code translate train} end to end on a toy language pair, through the registry, the archive and eval. */
public class TranslateFamilyTest {
  @TempDir
  static Path dir;

  /**
   * Writes PREFIX.src / PREFIX.tgt for train and valid: each source word w becomes its partner T (a word-for-word
   * "translation" the decoder must align through attention, one output word per input word).
   */
  public static void corpus(Path dir, int trainPairs) throws IOException {
    SplittableRandom r = new SplittableRandom(3);
    for (String split : new String[] {"train", "valid"}) {
      List<String> src = new ArrayList<>();
      List<String> tgt = new ArrayList<>();
      int n = split.equals("train") ? trainPairs : 40;
      for (int i = 0; i < n; i++) {
        int len = 2 + r.nextInt(4);
        List<String> s = new ArrayList<>();
        List<String> t = new ArrayList<>();
        for (int k = 0; k < len; k++) {
          int w = r.nextInt(8);
          s.add("w" + w);
          t.add("T" + w);
        }
        src.add(String.join(" ", s));
        tgt.add(String.join(" ", t));
      }
      Files.write(dir.resolve(split + ".src"), src);
      Files.write(dir.resolve(split + ".tgt"), tgt);
    }
  }

  @BeforeAll
  static void data() throws IOException {
    corpus(dir, 2000);
  }

  static List<String> sets(String... extra) {
    List<String> s = new ArrayList<>(List.of("data.train=" + dir.resolve("train"), "data.valid=" + dir.resolve("valid"),
        "translate.source=src", "translate.target=tgt", "translate.beam=3", "translate.labelSmoothing=0",
        "translate.attention=general", "model.cell=gru", "model.embeddingSize=16", "model.hiddenSize=32",
        "model.layers=1", "model.dropout=0", "train.optimizer=adam", "train.learningRate=0.02", "train.epochs=8",
        "data.maxTokensPerBatch=200", "run.logEverySeconds=1e-9", "run.checkpointEverySteps=0", "seed=4"));
    s.addAll(List.of(extra));
    return s;
  }

  @Test
  void learnsTheToyPair_andItsArchiveScoresTheSameBleu() throws IOException {
    Path out = dir.resolve("run");
    RunRecorder.Result r = TranslateFamily.run(Settings.load(List.of(), sets()), RunDirectory.create(out, false),
        false, List.of("test"), new PrintStream(new ByteArrayOutputStream()), TrainingRun.local());
    double beam = (Double) r.results().get("valid_bleu_beam3");
    assertTrue(beam > 90, "a word-for-word lexicon is learnable: BLEU " + beam);
    Family.Loaded<Seq2Seq> m = TranslateFamily.load(out.resolve("model.zip"));
    assertEquals("translate", m.family().name());
    Map<String, Object> eval = TranslateFamily.evaluate(m, dir.resolve("valid.src"), dir.resolve("valid.tgt"), 3);
    assertEquals(beam, (Double) eval.get("bleu"), 0.0, "eval of the archive = the run's figure");
    assertTrue(((String) eval.get("bleu_signature")).startsWith("nrefs:1|case:mixed|eff:no|tok:13a|smooth:exp"));
    List<TranslateFamily.Translation> t = TranslateFamily.translate(m.model(), TranslateFamily.sourceVocabulary(m),
        m.vocabulary(), List.of(List.of("w1", "w2", "w3")), TranslateFamily.Decoding.of(m.settings(), 3), 8);
    assertEquals(List.of("T1", "T2", "T3"), t.get(0).tokens());
  }

  @Test
  void aMissingSideOfAPrefix_failsNamingTheFileAndTheFix() {
    Settings s = Settings.load(List.of(), sets("translate.target=xx"));
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
        () -> TranslateFamily.INSTANCE.checkInputs(s));
    assertTrue(e.getMessage().contains("train.xx") && e.getMessage().contains("translate.target"), e.getMessage());
  }
}
