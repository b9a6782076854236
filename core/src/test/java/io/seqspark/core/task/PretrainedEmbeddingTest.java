package io.seqspark.core.task;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;

import io.seqspark.core.config.Settings;
import io.seqspark.core.data.Vocabulary;
import io.seqspark.core.io.ModelArchive;
import io.seqspark.core.io.RunDirectory;
import io.seqspark.core.model.LanguageModel;
import io.seqspark.core.nn.ParamRef;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** model.embedding.pretrained / freeze through a real lm train run: rows loaded, frozen rows fixed, OOV counted. */
class PretrainedEmbeddingTest {
  @TempDir
  Path dir;

  /** Vectors for "cat", "dog" (in the corpus) and "zebra" (not in it); width 4. */
  private static final Map<String, float[]> VECTORS = Map.of("cat", new float[] {1, 2, 3, 4},
      "dog", new float[] {-1, 0.5f, 0, 2}, "zebra", new float[] {9, 9, 9, 9});

  private LanguageModel trainedModel(boolean freeze, Map<String, Object> manifestOut) throws Exception {
    Files.writeString(dir.resolve("train.txt"), "the cat sees a dog\nthe dog sees a bird\na cat eats\n".repeat(20));
    StringBuilder txt = new StringBuilder("3 4\n");
    for (String w : List.of("cat", "dog", "zebra")) {
      txt.append(w);
      for (float f : VECTORS.get(w)) {
        txt.append(' ').append(f);
      }
      txt.append('\n');
    }
    Files.writeString(dir.resolve("vec.txt"), txt.toString());
    Path out = dir.resolve("run-" + freeze);
    Settings s = Settings.load(List.of(), List.of("data.train=" + dir.resolve("train.txt"), "model.embeddingSize=4",
        "model.hiddenSize=5", "model.layers=1", "train.batchSize=2", "train.bptt=4", "train.epochs=1", "train.maxSteps=5",
        "eval.generate=0", "model.embedding.pretrained=" + dir.resolve("vec.txt"), "model.embedding.freeze=" + freeze));
    LanguageModelFamily.run(s, RunDirectory.create(out, false), false, List.of("test"), new PrintStream(new ByteArrayOutputStream()));
    ModelArchive.Contents c = ModelArchive.read(out.resolve("model.zip"));
    manifestOut.putAll(c.manifest());
    manifestOut.put("vocab", c.vocabulary());
    LanguageModel m = LanguageModelFamily.model(c.settings(), c.vocabulary().size());
    m.params().setParams(c.params());
    return m;
  }

  private static float[] row(LanguageModel m, int id) {
    ParamRef e = m.params().refs().stream().filter(r -> r.name().equals("embedding.E")).findFirst().orElseThrow();
    return e.value().getRow(id).toFloatVector();
  }

  @Test
  void frozen_rowsEqualTheFilesVectorsAfterTraining_andOovIsCounted() throws Exception {
    Map<String, Object> manifest = new java.util.HashMap<>();
    LanguageModel m = trainedModel(true, manifest);
    Vocabulary v = (Vocabulary) manifest.get("vocab");
    assertArrayEquals(VECTORS.get("cat"), row(m, v.id("cat")), 0f);
    assertArrayEquals(VECTORS.get("dog"), row(m, v.id("dog")), 0f);
    // words the corpus has: the cat sees a dog bird eats (7, plus </s> which is a reserved token); 2 have vectors
    List<String> words = new ArrayList<>();
    for (int i = Vocabulary.SPECIALS.size(); i < v.size(); i++) {
      words.add(v.token(i));
    }
    assertEquals(7, words.size(), words.toString());
    assertEquals(5, ((Number) manifest.get("embeddingPretrainedOov")).intValue());
  }

  @Test
  void withoutFreeze_rowsAreLoadedAndStayTrainable() throws Exception {
    Path vec = dir.resolve("v.txt");
    Files.writeString(vec, "2 4\ncat 1 2 3 4\nzebra 9 9 9 9\n");
    Vocabulary v = io.seqspark.core.data.TextCorpus.buildVocabulary(List.of(List.of("cat", "dog")), 1, 0);
    Settings s = Settings.load(List.of(), List.of("model.embeddingSize=4", "model.hiddenSize=5", "model.layers=1",
        "model.embedding.pretrained=" + vec));
    LanguageModel m = LanguageModelFamily.model(s, v.size());
    assertEquals(1, io.seqspark.core.w2v.PretrainedEmbedding.initialise(s, m.embedding(), v), "dog has no vector");
    assertArrayEquals(VECTORS.get("cat"), row(m, v.id("cat")), 0f);
    assertFalse(m.embedding().frozen());
    assertEquals(-1, io.seqspark.core.w2v.PretrainedEmbedding.initialise(Settings.defaults(), m.embedding(), v), "no file configured");
  }

  @Test
  void aCaseKeptWord_takesItsLowerCasedFormsVector_whenItHasNoneOfItsOwn() throws Exception {
    Path vec = dir.resolve("lower.txt");
    Files.writeString(vec, "2 4\ncat 1 2 3 4\nCat 5 6 7 8\n");
    Vocabulary v = io.seqspark.core.data.TextCorpus.buildVocabulary(List.of(List.of("Cat", "CAT", "Dog")), 1, 0);
    Settings s = Settings.load(List.of(), List.of("model.embeddingSize=4", "model.hiddenSize=5", "model.layers=1",
        "model.embedding.pretrained=" + vec));
    LanguageModel m = LanguageModelFamily.model(s, v.size());
    assertEquals(1, io.seqspark.core.w2v.PretrainedEmbedding.initialise(s, m.embedding(), v), "only Dog has no vector");
    assertArrayEquals(new float[] {5, 6, 7, 8}, row(m, v.id("Cat")), 0f, "its own vector first");
    assertArrayEquals(new float[] {1, 2, 3, 4}, row(m, v.id("CAT")), 0f, "else the lower-cased word's");
  }
}
