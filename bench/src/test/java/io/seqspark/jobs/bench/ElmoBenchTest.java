package io.seqspark.jobs.bench;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.seqspark.core.io.Json;
import io.seqspark.core.task.Families;
import io.seqspark.jobs.SeqSpark;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code bench elmo --quick} end to end (about half a minute): every part trains into its run directory under --keep,
 * each loads as its family's model, the RESULT line has the keys, and a rerun reuses every part.
 */
class ElmoBenchTest {
  @TempDir
  Path keep;

  private static Map<String, Object> run(String... args) {
    PrintStream out = System.out;
    ByteArrayOutputStream buffer = new ByteArrayOutputStream();
    int code;
    try {
      System.setOut(new PrintStream(buffer, true, StandardCharsets.UTF_8));
      code = SeqSpark.run(args);
    } finally {
      System.setOut(out);
    }
    String printed = buffer.toString(StandardCharsets.UTF_8);
    assertEquals(0, code, printed);
    String last = printed.strip().lines().reduce((a, b) -> b).orElse("");
    assertTrue(last.startsWith("RESULT {"), printed);
    return Json.readMap(last.substring("RESULT ".length()));
  }

  @Test
  void quick_trainsEveryPartIntoItsRunDirectory_andARerunReusesThemAll() throws Exception {
    Assumptions.assumeTrue(Files.isDirectory(PyTorchBaseline.sharedDir().resolve("data/ptb"))
        && Files.isDirectory(PyTorchBaseline.sharedDir().resolve("data/pos")), "the shared data is not here");
    Map<String, Object> r = run("bench", "elmo", "--quick", "--adapt", "--adapt-seeds", "42,11", "--keep", keep.toString());
    for (String k : List.of("pos_dev_acc_w2v_adapted", "pos_dev_acc_elmo_adapted", "sst2_dev_acc_w2v_adapted",
        "sst2_dev_acc_elmo_adapted", "ptb_test_ppl_forward", "ptb_test_ppl_backward", "pos_dev_acc_random", "pos_dev_acc_w2v",
        "pos_dev_acc_elmo", "pos_dev_acc_elmo_w2v", "sst2_dev_acc_random", "sst2_dev_acc_w2v", "sst2_dev_acc_elmo",
        "sst2_dev_acc_elmo_w2v", "tokens_per_s",
        "spark_tokens_per_s", "seconds")) {
      assertTrue(r.get(k) instanceof Number n && Double.isFinite(n.doubleValue()), k + " in " + r);
    }
    for (String k : List.of("pos_dev_acc_w2v_adapted", "sst2_dev_acc_elmo_adapted")) {
      List<?> seeds = (List<?>) r.get(k + "_seeds");
      assertEquals(2, seeds.size(), k);
      assertEquals(((Number) r.get(k)).doubleValue(),
          (((Number) seeds.get(0)).doubleValue() + ((Number) seeds.get(1)).doubleValue()) / 2, 1e-12, k + ": the mean");
    }
    List<String> runs = new java.util.ArrayList<>(ElmoBench.RUNS);
    runs.addAll(ElmoBench.adaptedRuns(List.of(42, 11)));
    for (String name : runs) {
      assertTrue(Files.isRegularFile(keep.resolve(name).resolve("model.zip")), name);
      if (!name.startsWith("w2v")) {
        assertEquals(name.startsWith("elmo") ? "elmo" : name.startsWith("tag") ? "tag" : "classify",
            Families.load(keep.resolve(name).resolve("model.zip")).family().name(), name);
      }
    }
    Map<String, Object> again = run("bench", "elmo", "--quick", "--adapt", "--adapt-seeds", "42,11", "--keep", keep.toString());
    assertEquals(r.get("pos_dev_acc_elmo"), again.get("pos_dev_acc_elmo"));
    assertEquals(r.get("ptb_test_ppl_forward"), again.get("ptb_test_ppl_forward"));
    List<Object> all = new java.util.ArrayList<>(ElmoBench.RUNS);
    all.addAll(ElmoBench.adaptedRuns(List.of(42, 11)));
    all.add("throughput");
    assertEquals(all, again.get("reused_runs"));
  }

  @Test
  void taskText_holdsATasksTrainingSentences_lowercasedAndUnlabelled_every20thHeldOut_theSameEveryTime(@TempDir Path dir)
      throws Exception {
    Path brown = Files.write(dir.resolve("brown.tsv"), List.of("The\tat", "Cat\tnn", "", "", "Sat\tvbd", ".\t."));
    Path sst = Files.write(dir.resolve("sst"), List.of("1 a Fine film", "0 dull", ""));
    ElmoBench.Inputs in = new ElmoBench.Inputs(List.of(), List.of(), List.of(), List.of(), 16, List.of(brown, sst));
    List<ElmoBench.Task> tasks = ElmoBench.Task.of(in);
    assertEquals(List.of("the cat", "sat ."), tasks.get(0).sentences(), "one line a sentence, words only, lowercased");
    assertEquals(List.of("a fine film", "dull"), tasks.get(1).sentences(), "no label, no empty line");
    List<String> many = new java.util.ArrayList<>();
    for (int i = 0; i < 45; i++) {
      many.add("s" + i);
    }
    Path[] out = ElmoBench.taskText(dir.resolve("a"), "tag", many);
    List<String> train = Files.readAllLines(out[0]);
    List<String> valid = Files.readAllLines(out[1]);
    assertEquals(45 / 20, valid.size(), "every 20th sentence held out");
    assertEquals(45 - 45 / 20, train.size());
    java.util.Set<String> all = new java.util.HashSet<>(train);
    all.addAll(valid);
    assertEquals(new java.util.HashSet<>(many), all, "every sentence once, in train or valid");
    assertTrue(java.util.Collections.disjoint(train, valid));
    assertTrue(!train.equals(many.subList(0, train.size())), "shuffled");
    Path[] again = ElmoBench.taskText(dir.resolve("b"), "tag", many);
    assertEquals(train, Files.readAllLines(again[0]), "the same order every time");
    assertEquals(valid, Files.readAllLines(again[1]));
  }

  @Test
  void generalText_keepsSentenceLines_cutsAOneLineCorpusInto50WordLines_andIsWrittenOnce(@TempDir Path dir)
      throws Exception {
    Path ptb = Files.write(dir.resolve("ptb.txt"), List.of(" the cat sat ", "", "a dog ran"));
    StringBuilder text8 = new StringBuilder();
    for (int i = 0; i < 260; i++) {
      text8.append(i == 0 ? "" : " ").append("w").append(i);
    }
    Path t8 = Files.writeString(dir.resolve("text8"), text8 + "\n");
    ElmoBench.Inputs in = new ElmoBench.Inputs(List.of(), List.of(ptb, t8), List.of(), List.of(), 16, List.of());
    Path out = ElmoBench.generalText(dir.resolve("general"), in);
    List<String> lines = Files.readAllLines(out);
    assertEquals(2 + 6, lines.size(), "2 sentences, then 260 words as 5 lines of 50 and one of 10");
    assertEquals("the cat sat", lines.get(0));
    assertEquals(50, lines.get(2).split(" ").length);
    assertEquals("w250 w251 w252 w253 w254 w255 w256 w257 w258 w259", lines.get(7));
    Files.writeString(out, "changed\n");
    assertEquals(List.of("changed"), Files.readAllLines(ElmoBench.generalText(dir.resolve("general"), in)),
        "a finished text is reused");
  }
}
