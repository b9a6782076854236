package io.seqspark.jobs;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.seqspark.core.io.MetricsLog;
import io.seqspark.jobs.SeqSparkCliTest.Outcome;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code translate translate} with {@code --nbest} and {@code --replace-unk}, and the attention heat maps in the
 * report, on a model trained for one short epoch. Half the target words occur once (below data.minCount): the target
 * vocabulary lacks them, so the model writes {@code <unk>}, and replacement has something to replace.
 */
class TranslateCommandTest {
  @TempDir
  static Path dir;
  static Path run;
  static Path input;

  @BeforeAll
  static void train() throws IOException {
    List<String> src = new ArrayList<>();
    List<String> tgt = new ArrayList<>();
    for (int i = 0; i < 120; i++) {
      src.add("w" + (i % 5) + " w" + (i % 3) + " name" + i);
      tgt.add("t" + (i % 5) + " t" + (i % 3) + " n" + i);
    }
    for (String split : List.of("train", "valid")) {
      Files.write(dir.resolve(split + ".src"), split.equals("train") ? src : src.subList(0, 6));
      Files.write(dir.resolve(split + ".tgt"), split.equals("train") ? tgt : tgt.subList(0, 6));
    }
    run = dir.resolve("run");
    Outcome o = SeqSparkCliTest.cli("translate", "train", "--out", run.toString(), "--set",
        "data.train=" + dir.resolve("train"), "--set", "data.valid=" + dir.resolve("valid"), "--set",
        "translate.source=src", "--set", "translate.target=tgt", "--set", "model.embeddingSize=8", "--set",
        "model.hiddenSize=8", "--set", "translate.attentionSize=8", "--set", "train.epochs=5", "--set",
        "train.optimizer=adam", "--set", "train.learningRate=0.02", "--set",
        "data.minCount=2", "--set", "translate.beam=3", "--set", "model.dropout=0");
    assertEquals(0, o.code(), o.err());
    input = Files.write(dir.resolve("in.src"), List.of("w1 w2 somebody", "", "w0 w0 name3 elsewhere"));
  }

  @Test
  void nBest_writesKScoredHypothesesPerLine_bestFirst_theFirstBeingTheTranslation() {
    Outcome best = SeqSparkCliTest.cli("translate", "translate", "--model", run.toString(), "--beam", "3",
        input.toString());
    Outcome o = SeqSparkCliTest.cli("translate", "translate", "--model", run.toString(), "--beam", "3", "--nbest", "3",
        input.toString());
    assertEquals(0, best.code(), best.err());
    assertEquals(0, o.code(), o.err());
    String[] translations = best.out().split("\n", -1);
    String[] lines = o.out().strip().split("\n");
    assertEquals(3 + 1 + 3, lines.length, "3 hypotheses per sentence, one for the empty line: " + o.out());
    int[] sentence = {0, 0, 0, 1, 2, 2, 2};
    double previous = 0;
    for (int k = 0; k < lines.length; k++) {
      String[] f = lines[k].split("\t", -1);
      assertEquals(4, f.length, lines[k]);
      assertEquals(sentence[k], Integer.parseInt(f[0]), lines[k]);
      double score = Double.parseDouble(f[1]);
      double logP = Double.parseDouble(f[2]);
      boolean first = k == 0 || sentence[k - 1] != sentence[k];
      if (first) {
        assertEquals(translations[sentence[k]], f[3], "the first hypothesis is the translation");
      } else {
        assertTrue(score <= previous, "best first: " + o.out());
      }
      if (sentence[k] != 1) {
        assertTrue(logP < 0 && score < 0, lines[k]);
        // GNMT's length penalty with alpha 0.6 (translate.lengthPenalty) over the words and </s>
        int words = f[3].isEmpty() ? 0 : f[3].split(" ").length;
        assertEquals(logP / Math.pow((5.0 + words + 1) / 6, 0.6), score, 1e-3, lines[k]);
      }
      previous = score;
    }
  }

  @Test
  void replaceUnk_leavesNoUnknownWord_andKeepsEveryOtherWord() {
    Outcome plain = SeqSparkCliTest.cli("translate", "translate", "--model", run.toString(), "--beam", "1",
        input.toString());
    Outcome replaced = SeqSparkCliTest.cli("translate", "translate", "--model", run.toString(), "--beam", "1",
        "--replace-unk", input.toString());
    assertEquals(0, replaced.code(), replaced.err());
    assertTrue(plain.out().contains("<unk>"), "the model writes <unk> for the rare words: " + plain.out());
    assertFalse(replaced.out().contains("<unk>"), replaced.out());
    String[] a = plain.out().split("\n", -1);
    String[] b = replaced.out().split("\n", -1);
    List<String> sources = List.of("w1 w2 somebody", "", "w0 w0 name3 elsewhere");
    for (int i = 0; i < 3; i++) {
      String[] x = a[i].split(" ", -1);
      String[] y = b[i].split(" ", -1);
      assertEquals(x.length, y.length, a[i] + " / " + b[i]);
      for (int j = 0; j < x.length; j++) {
        if (x[j].equals("<unk>")) {
          assertTrue(List.of(sources.get(i).split(" ")).contains(y[j]), "a source word: " + y[j]);
        } else {
          assertEquals(x[j], y[j]);
        }
      }
    }
  }

  @Test
  void nBestAboveTheBeam_failsWithTheFix() {
    Outcome o = SeqSparkCliTest.cli("translate", "translate", "--model", run.toString(), "--nbest", "4",
        input.toString());
    assertEquals(2, o.code());
    assertTrue(o.err().contains("--nbest 4 with beam 3 (translate.beam of the model's config)"), o.err());
    assertTrue(o.err().contains("--beam 4"), o.err());
  }

  @Test
  void report_drawsTheAttentionOfValidationSamples() throws IOException {
    List<Map<String, Object>> records = MetricsLog.read(run.resolve("metrics.jsonl")).stream()
        .filter(r -> r.containsKey("attention")).toList();
    assertEquals(4, records.size(), "4 validation samples");
    String html = Files.readString(run.resolve("report.html"));
    assertTrue(html.contains("<h2>Attention</h2>"), "a heat-map section");
    assertEquals(4, html.split("<table class=\"attn\">", -1).length - 1, "one heat map per sample");
    assertTrue(html.contains("<th class=\"x\"><span>name0</span></th>"), "source words across the top");
  }
}
