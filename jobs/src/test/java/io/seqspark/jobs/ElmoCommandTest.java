package io.seqspark.jobs;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.seqspark.core.model.ElmoEmbeddings;
import io.seqspark.jobs.SeqSparkCliTest.Outcome;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code elmo train | eval | embed} through the CLI, on a biLM trained for a few steps. */
class ElmoCommandTest {
  @TempDir
  static Path dir;
  static Path run;
  static Path text;

  @BeforeAll
  static void train() throws IOException {
    List<String> lines = new ArrayList<>();
    for (int i = 0; i < 30; i++) {
      lines.add("the cat sat on the mat number " + (i % 5));
    }
    text = Files.write(dir.resolve("train.txt"), lines);
    run = dir.resolve("run");
    Outcome o = SeqSparkCliTest.cli("elmo", "train", "--out", run.toString(), "--set", "data.train=" + text,
        "--set", "data.test=" + text, "--set", "elmo.filterWidths=\"1,2\"", "--set", "elmo.filters=\"3,3\"", "--set",
        "elmo.charEmbeddingSize=3", "--set", "elmo.projectionSize=4", "--set", "elmo.cellSize=6", "--set",
        "elmo.layers=1", "--set", "train.epochs=1", "--set", "train.batchSize=2", "--set", "train.bptt=5");
    assertEquals(0, o.code(), o.err());
    assertTrue(o.out().contains("run directory:"), o.out());
  }

  @Test
  void train_withASampledSoftmax_runs_andASampleAsLargeAsTheVocabularyFailsNamingIt() {
    // 11 words ("the cat sat on mat number 0..4") + 4 reserved tokens = 15 classes
    List<String> tiny = List.of("data.train=" + text, "elmo.filterWidths=\"1\"", "elmo.filters=\"3\"",
        "elmo.charEmbeddingSize=3", "elmo.projectionSize=4", "elmo.cellSize=6", "elmo.layers=1", "train.epochs=1",
        "train.batchSize=2", "train.bptt=5", "train.maxSteps=3");
    Outcome ok = SeqSparkCliTest.cli(args(dir.resolve("sampled"), tiny, "elmo.sampledSoftmax=6"));
    assertEquals(0, ok.code(), ok.err());
    Outcome bad = SeqSparkCliTest.cli(args(dir.resolve("too-many"), tiny, "elmo.sampledSoftmax=15"));
    assertEquals(2, bad.code(), bad.err());
    assertTrue(bad.err().contains("elmo.sampledSoftmax = 15") && bad.err().contains("vocabulary size 15"), bad.err());
    assertTrue(!Files.exists(dir.resolve("too-many").resolve("model.zip")), "nothing trained");
  }

  private static String[] args(Path out, List<String> sets, String... more) {
    List<String> a = new ArrayList<>(List.of("elmo", "train", "--out", out.toString()));
    for (String s : sets) {
      a.add("--set");
      a.add(s);
    }
    for (String s : more) {
      a.add("--set");
      a.add(s);
    }
    return a.toArray(String[]::new);
  }

  @Test
  void eval_printsForwardBackwardAndMeanPerplexity() {
    Outcome o = SeqSparkCliTest.cli("elmo", "eval", "--model", run.toString(), "--json");
    assertEquals(0, o.code(), o.err());
    for (String k : new String[] {"\"forward_ppl\"", "\"backward_ppl\"", "\"mean_ppl\"", "\"tokens\""}) {
      assertTrue(o.out().contains(k), o.out());
    }
  }

  @Test
  void embed_writesTheDocumentedFile_andRefusesToOverwriteIt() throws IOException {
    Path in = Files.write(dir.resolve("in.txt"), List.of("the cat sat", "", "a zebra sat on the mat"));
    Path out = dir.resolve("emb.bin");
    Outcome o = SeqSparkCliTest.cli("elmo", "embed", "--model", run.toString(), "-o", out.toString(), in.toString(),
        "--batch", "2");
    assertEquals(0, o.code(), o.err());
    List<ElmoEmbeddings.Sentence> s = ElmoEmbeddings.read(out);
    assertEquals(3, s.size());
    assertEquals(List.of("a", "zebra", "sat", "on", "the", "mat"), s.get(2).tokens());
    assertEquals(2, s.get(2).layers().length, "L + 1 layers");
    assertEquals(8, s.get(2).layers()[0][0].length, "2 x projection");
    assertEquals(0, s.get(1).tokens().size());
    Outcome again = SeqSparkCliTest.cli("elmo", "embed", "--model", run.toString(), "-o", out.toString(), in.toString());
    assertEquals(2, again.code());
    assertTrue(again.err().contains("--force"), again.err());
  }
}
