package io.seqspark.spark.ingest;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import io.seqspark.core.config.Settings;
import io.seqspark.core.data.Labelled;
import io.seqspark.core.task.ClassifierFamily;
import io.seqspark.core.task.LanguageModelFamily;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import org.apache.spark.SparkConf;
import org.apache.spark.api.java.JavaSparkContext;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Ingest once, train many times: training data read from shards is exactly the data read from the text. */
class IngestThenTrainIT {
  @TempDir
  Path dir;

  @Test
  void shardsGiveTheSameVocabularyStreamAndSentencesAsTheText() throws Exception {
    SplittableRandom r = new SplittableRandom(4);
    List<String> lines = new ArrayList<>();
    for (int i = 0; i < 300; i++) {
      StringBuilder sb = new StringBuilder();
      for (int k = 0, n = 1 + r.nextInt(12); k < n; k++) {
        sb.append(k == 0 ? "" : " ").append("Word").append(r.nextInt(40));
      }
      lines.add(sb.toString());
    }
    Path text = Files.write(dir.resolve("corpus.txt"), lines);
    List<String> common = List.of("data.lowercase=true", "data.minCount=2");
    Settings ingestSettings = Settings.load(List.of(), common);
    try (JavaSparkContext sc = new JavaSparkContext(new SparkConf().setMaster("local[2]").setAppName("IngestThenTrainIT")
        .set("spark.ui.enabled", "false").set("spark.driver.host", "127.0.0.1"))) {
      Ingest.run(sc, ingestSettings, text.toString(), dir.resolve("ingested").toString(), false, List.of("test"));
    }
    for (String regime : new String[] {"stream", "sentences"}) {
      List<String> fromText = new ArrayList<>(common);
      fromText.addAll(List.of("data.train=" + text, "data.regime=" + regime));
      List<String> fromShards = new ArrayList<>(common);
      fromShards.addAll(List.of("data.train=" + dir.resolve("ingested"), "data.regime=" + regime));
      LanguageModelFamily.Data a = LanguageModelFamily.INSTANCE.load(Settings.load(List.of(), fromText), null);
      LanguageModelFamily.Data b = LanguageModelFamily.INSTANCE.load(Settings.load(List.of(), fromShards), null);
      assertEquals(a.vocabulary().contentHash(), b.vocabulary().contentHash(), regime + ": the same vocabulary");
      if (regime.equals("stream")) {
        assertArrayEquals(a.trainStream(), b.trainStream(), "the same token stream");
      } else {
        assertEquals(a.trainSentences().size(), b.trainSentences().size());
        for (int i = 0; i < a.trainSentences().size(); i++) {
          assertArrayEquals(a.trainSentences().get(i), b.trainSentences().get(i), "sentence " + i);
        }
      }
    }
  }

  @Test
  void aClassifierReadsIngestedLabelledLinesAsItReadsTheText() throws Exception {
    SplittableRandom r = new SplittableRandom(9);
    List<String> lines = new ArrayList<>();
    for (int i = 0; i < 200; i++) {
      boolean spam = r.nextInt(4) == 0;
      StringBuilder sb = new StringBuilder(spam ? "spam\t" : "ham\t");
      for (int k = 0, n = 1 + r.nextInt(9); k < n; k++) {
        sb.append(k == 0 ? "" : " ").append(spam ? "Win" : "Word").append(r.nextInt(30)).append(k == n - 1 ? "!" : "");
      }
      lines.add(sb.toString());
    }
    Path text = Files.write(dir.resolve("sms.tsv"), lines);
    // minCount 1: every text word is in both vocabularies, so both readings must give the same words and labels
    List<String> common = List.of("data.lowercase=true", "data.minCount=1", "data.maxVocabSize=0");
    try (JavaSparkContext sc = new JavaSparkContext(new SparkConf().setMaster("local[2]").setAppName("IngestThenTrainIT")
        .set("spark.ui.enabled", "false").set("spark.driver.host", "127.0.0.1"))) {
      Ingest.run(sc, Settings.load(List.of(), common), text.toString(), dir.resolve("sms").toString(), false,
          List.of("test"));
    }
    List<String> fromText = new ArrayList<>(common);
    fromText.addAll(List.of("data.train=" + text, "classify.format=tab"));
    List<String> fromShards = new ArrayList<>(common);
    fromShards.add("data.train=" + dir.resolve("sms"));
    ClassifierFamily.Data a = ClassifierFamily.INSTANCE.load(Settings.load(List.of(), fromText), null);
    ClassifierFamily.Data b = ClassifierFamily.INSTANCE.load(Settings.load(List.of(), fromShards), null);
    assertEquals(List.of("ham", "spam"), a.labels());
    assertEquals(a.labels(), b.labels());
    assertEquals(a.trainExamples().size(), b.trainExamples().size());
    for (int i = 0; i < a.trainExamples().size(); i++) {
      int[] x = a.trainExamples().get(i);
      int[] y = b.trainExamples().get(i);
      assertEquals(Labelled.label(x), Labelled.label(y), "label of example " + i);
      assertEquals(a.vocabulary().decode(Labelled.tokens(x)), b.vocabulary().decode(Labelled.tokens(y)), "example " + i);
    }
  }
}
