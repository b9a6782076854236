package io.seqspark.jobs;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.seqspark.jobs.SeqSparkCliTest.Outcome;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code lm generate} with {@code --beam} and {@code --prompts}, on a model trained for a few steps. */
class LmGenerateTest {
  @TempDir
  static Path dir;
  static Path run;
  static Path prompts;

  @BeforeAll
  static void train() throws IOException {
    List<String> lines = new ArrayList<>();
    for (int i = 0; i < 40; i++) {
      lines.add("the cat sat on the mat number " + (i % 5));
    }
    Path text = Files.write(dir.resolve("train.txt"), lines);
    run = dir.resolve("run");
    Outcome o = SeqSparkCliTest.cli("lm", "train", "--out", run.toString(), "--set", "data.train=" + text, "--set",
        "model.embeddingSize=8", "--set", "model.hiddenSize=8", "--set", "model.layers=1", "--set", "train.epochs=2",
        "--set", "train.batchSize=2", "--set", "train.bptt=5", "--set", "eval.generate=0");
    assertEquals(0, o.code(), o.err());
    prompts = Files.write(dir.resolve("prompts.txt"), List.of("the cat", "", "on the mat"));
  }

  @Test
  void beam_printsTheBestContinuationOfEachPrompt_withItsScoreOnRequest() {
    Outcome o = SeqSparkCliTest.cli("lm", "generate", "--model", run.toString(), "--beam", "3", "--prompts",
        prompts.toString(), "--scores", "--set", "eval.maxGenerateLength=6");
    assertEquals(0, o.code(), o.err());
    String[] out = o.out().strip().split("\n", -1);
    assertEquals(3, out.length, o.out());
    String[] starts = {"the cat", "", "on the mat"};
    for (int i = 0; i < 3; i++) {
      String[] f = out[i].split("\t", -1);
      assertEquals(2, f.length, out[i]);
      assertTrue(Double.parseDouble(f[0]) < 0, "a log-probability score: " + out[i]);
      assertTrue(f[1].startsWith(starts[i]) && f[1].split(" ").length <= starts[i].split(" ").length + 6, out[i]);
    }
  }

  @Test
  void beamOne_withoutLengthPenalty_printsTheGreedySentences() {
    Outcome beam = SeqSparkCliTest.cli("lm", "generate", "--model", run.toString(), "--beam", "1", "--length-penalty", "0",
        "--prompts", prompts.toString());
    Outcome greedy = SeqSparkCliTest.cli("lm", "generate", "--model", run.toString(), "--greedy", "--prompts",
        prompts.toString());
    assertEquals(0, beam.code(), beam.err());
    assertEquals(0, greedy.code(), greedy.err());
    assertEquals(greedy.out(), beam.out());
  }

  @Test
  void conflictingFlags_failWithTheFix() {
    Outcome o = SeqSparkCliTest.cli("lm", "generate", "--model", run.toString(), "--beam", "2", "--greedy");
    assertEquals(2, o.code());
    assertTrue(o.err().contains("--greedy cannot be combined with --beam"), o.err());
    o = SeqSparkCliTest.cli("lm", "generate", "--model", run.toString(), "--scores");
    assertEquals(2, o.code());
    assertTrue(o.err().contains("--scores needs --beam N"), o.err());
    o = SeqSparkCliTest.cli("lm", "generate", "--model", run.toString(), "--beam", "0");
    assertEquals(2, o.code());
    assertTrue(o.err().contains("beam = 0: must be >= 1"), o.err());
  }
}
