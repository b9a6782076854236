package io.seqspark.core.task;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.seqspark.core.config.Settings;
import io.seqspark.core.data.Vocabulary;
import io.seqspark.core.io.Json;
import io.seqspark.core.io.MetricsLog;
import io.seqspark.core.io.RunDirectory;
import io.seqspark.core.model.BiLm;
import io.seqspark.core.nn.ParamRef;
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
import org.nd4j.linalg.api.ndarray.INDArray;

/** elmo.warmStart at toy sizes: what is carried at step 0, the shape rule, and a warm run through the train loop. */
class ElmoWarmStartTest {
  @TempDir
  static Path dir;
  static Path oldTrain;
  static Path newTrain;
  static Path valid;
  static Path previous;

  static List<String> lines(long seed, int n, String... extraNouns) {
    SplittableRandom r = new SplittableRandom(seed);
    List<String> nouns = new ArrayList<>(List.of("cat", "dog", "bird", "fish", "cow"));
    nouns.addAll(List.of(extraNouns));
    String[] verbs = {"sees", "likes", "eats", "finds", "hears"};
    List<String> out = new ArrayList<>();
    for (int i = 0; i < n; i++) {
      out.add("the " + nouns.get(r.nextInt(nouns.size())) + " " + verbs[r.nextInt(5)] + " a "
          + nouns.get(r.nextInt(nouns.size())));
    }
    return out;
  }

  static List<String> sets(Path train, String... extra) {
    List<String> s = new ArrayList<>(List.of("data.train=" + train, "data.valid=" + valid,
        "elmo.maxCharacters=10", "elmo.charEmbeddingSize=4", "elmo.filterWidths=\"1,2,3\"", "elmo.filters=\"4,4,4\"",
        "elmo.highways=1", "elmo.projectionSize=8", "elmo.cellSize=12", "elmo.layers=2", "elmo.dropout=0.0",
        "elmo.initScale=0.1", "train.optimizer=adam", "train.learningRate=0.01", "train.batchSize=4", "train.bptt=6",
        "train.epochs=1", "run.logEverySeconds=1e-9", "run.checkpointEverySteps=1000", "eval.batchSize=2", "seed=3"));
    s.addAll(List.of(extra));
    return s;
  }

  static Path train(Path out, List<String> sets) throws IOException {
    TrainingRun.run(ElmoFamily.INSTANCE, Settings.load(List.of(), sets), RunDirectory.create(out, false), false,
        List.of("test"), new PrintStream(OutputStream.nullOutputStream()), TrainingRun.local());
    return out;
  }

  @BeforeAll
  static void previousRun() throws IOException {
    oldTrain = Files.write(dir.resolve("old.txt"), lines(7, 100));
    newTrain = Files.write(dir.resolve("new.txt"), lines(8, 100, "horse", "sheep"));
    valid = Files.write(dir.resolve("valid.txt"), lines(9, 20));
    previous = train(dir.resolve("previous"), sets(oldTrain, "train.epochs=3", "train.learningRate=0.03"));
  }

  static float[] column(ParamRef r, int col) {
    INDArray v = r.value();
    float[] out = new float[(int) v.size(0)];
    for (int p = 0; p < out.length; p++) {
      out[p] = v.getFloat(p, col);
    }
    return out;
  }

  @Test
  void freshModel_takesThePreviousBlocksExactly_andSoftmaxColumnsByWord_newWordsAsAColdModel() throws IOException {
    Settings s = Settings.load(List.of(), sets(newTrain, "elmo.warmStart=" + previous));
    ElmoFamily f = ElmoFamily.INSTANCE;
    ElmoFamily.Data data = f.load(s, null);
    Dims dims = f.dims(data);
    BiLm warm = f.model(s, dims);
    BiLm cold = f.model(s, dims);
    List<Family.Pretrained> p = f.pretrained(s, data, warm);
    assertEquals(1, p.size());
    assertEquals(2, p.get(0).oov(), "horse and sheep are new");
    Family.Loaded<BiLm> before = ElmoFamily.load(previous.resolve("model.zip"));
    Vocabulary vNew = data.vocabulary();
    Vocabulary vOld = before.vocabulary();
    List<ParamRef> oldRefs = before.model().params().refs();
    List<ParamRef> coldRefs = cold.params().refs();
    int checked = 0;
    for (int i = 0; i < warm.params().refs().size(); i++) {
      ParamRef r = warm.params().refs().get(i);
      ParamRef o = oldRefs.stream().filter(x -> x.name().equals(r.name())).findFirst().orElseThrow();
      if (!r.name().startsWith("softmax.")) {
        assertEquals(o.value(), r.value(), r.name());
        continue;
      }
      for (int id = 0; id < vNew.size(); id++) {
        String w = vNew.token(id);
        float[] expected = vOld.contains(w) ? column(o, vOld.id(w)) : column(coldRefs.get(i), id);
        assertEquals(java.util.Arrays.toString(expected), java.util.Arrays.toString(column(r, id)), r.name() + " " + w);
        checked++;
      }
    }
    assertEquals(2 * vNew.size(), checked);
  }

  @Test
  void otherCellSize_failsNamingTheKeyAndBothValues() {
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
        () -> train(dir.resolve("bad"), sets(newTrain, "elmo.warmStart=" + previous, "elmo.cellSize=16")));
    assertTrue(e.getMessage().contains("elmo.cellSize = 12, this run elmo.cellSize = 16")
        && e.getMessage().contains("Fix: --set elmo.cellSize=12"), e.getMessage());
  }

  @Test
  void warmRun_throughTheTrainLoop_startsBelowAColdRun_recordsTheWarmStart_andIsReproducible() throws IOException {
    Path warm = train(dir.resolve("warm"), sets(newTrain, "elmo.warmStart=" + previous));
    Path warm2 = train(dir.resolve("warm2"), sets(newTrain, "elmo.warmStart=" + previous));
    Path cold = train(dir.resolve("cold"), sets(newTrain));
    double w = firstLoss(warm);
    double c = firstLoss(cold);
    assertTrue(w < 0.9 * c, "first logged train_loss: warm " + w + ", cold " + c);
    assertEquals(w, firstLoss(warm2));
    Map<String, Object> m = Json.readMap(Files.readString(warm.resolve("manifest.json")));
    assertEquals(previous.resolve("model.zip").toString(), m.get("warmStart"));
    assertEquals(2, ((Number) m.get("warmStartWordsNew")).intValue());
    assertTrue(((Number) m.get("warmStartWordsCarried")).intValue() >= 9, m.toString());
  }

  static double firstLoss(Path run) throws IOException {
    for (Map<String, Object> rec : MetricsLog.read(run.resolve("metrics.jsonl"))) {
      if (rec.get("train_loss") instanceof Number l) {
        return l.doubleValue();
      }
    }
    throw new AssertionError("no train_loss in " + run);
  }
}
