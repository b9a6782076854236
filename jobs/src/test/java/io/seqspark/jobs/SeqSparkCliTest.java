package io.seqspark.jobs;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

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

/** The CLI as a user meets it: exit codes, one clear message for bad input, refusal to overwrite. */
class SeqSparkCliTest {
  @TempDir
  static Path dir;
  static Path train;

  record Outcome(int code, String out, String err) {
  }

  static synchronized Outcome cli(String... args) {
    PrintStream oldOut = System.out;
    PrintStream oldErr = System.err;
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    ByteArrayOutputStream err = new ByteArrayOutputStream();
    try {
      System.setOut(new PrintStream(out, true));
      System.setErr(new PrintStream(err, true));
      int code = SeqSpark.run(args);
      return new Outcome(code, out.toString(), err.toString());
    } finally {
      System.setOut(oldOut);
      System.setErr(oldErr);
    }
  }

  @BeforeAll
  static void corpus() throws IOException {
    List<String> lines = new ArrayList<>();
    for (int i = 0; i < 60; i++) {
      lines.add("the cat sat on the mat number " + (i % 7));
    }
    train = Files.write(dir.resolve("train.txt"), lines);
  }

  private static String[] trainArgs(Path out, String... extra) {
    List<String> a = new ArrayList<>(List.of("lm", "train", "--out", out.toString(), "--set", "data.train=" + train,
        "--set", "data.valid=" + train, "--set", "model.embeddingSize=8", "--set", "model.hiddenSize=8", "--set", "model.layers=1",
        "--set", "train.epochs=1", "--set", "train.batchSize=2", "--set", "train.bptt=5", "--set", "eval.generate=2"));
    a.addAll(List.of(extra));
    return a.toArray(new String[0]);
  }

  @Test
  void badConfig_failsBeforeAnyWork_withKeyValueRuleAndFix() {
    Path out = dir.resolve("never");
    Outcome o = cli(trainArgs(out, "--set", "trian.epochs=2", "--set", "model.hiddenSize=-3"));
    assertEquals(2, o.code(), o.err());
    assertTrue(o.err().contains("trian.epochs") && o.err().contains("did you mean train.epochs"), o.err());
    assertTrue(o.err().contains("model.hiddenSize = -3") && o.err().contains("int >= 1"), o.err());
    assertTrue(!o.err().contains("\tat "), "no stack trace for bad input: " + o.err());
    assertTrue(Files.notExists(out), "nothing was written");
  }

  @Test
  void trainOnSparkLocal2_writesTheSameRunDirectory() throws IOException {
    Path out = dir.resolve("spark-run");
    Outcome o = cli(trainArgs(out, "--master", "local[2]", "--set", "spark.averagingFrequency=2", "--set", "train.epochs=2"));
    assertEquals(0, o.code(), o.err());
    assertTrue(o.out().contains("valid perplexity:"), o.out());
    String manifest = Files.readString(out.resolve("manifest.json"));
    assertTrue(manifest.contains("\"trainer\" : \"spark local[2]"), manifest);
    assertTrue(Files.isRegularFile(out.resolve("model.zip")));
    assertTrue(Files.isDirectory(out.resolve("checkpoints/best")));
    // its checkpoints hold the partitions' positions: resuming it without --master is refused, naming the fix
    Outcome local = cli("lm", "train", "--resume", out.toString());
    assertEquals(2, local.code(), local.err());
    assertTrue(local.err().contains("trained on Spark") && local.err().contains("add --master (e.g. the local[2]"),
        local.err());
    Outcome eval = cli("lm", "eval", "--model", out.toString(), train.toString());
    assertEquals(0, eval.code(), eval.err());
  }

  @Test
  void demo_trainsTheBundledSampleThroughSparkLocalMode() throws IOException {
    // bin/seqspark passes the project root; the demo resolves data/sample from there
    System.setProperty("seqspark.home", System.getProperty("seqspark.root", ".."));
    Path out = dir.resolve("demo");
    Outcome o = cli("demo", "--out", out.toString(), "--set", "train.maxSteps=3", "--set", "eval.generate=1");
    assertEquals(0, o.code(), o.err());
    assertTrue(o.err().contains("on Spark local[*]"), o.err());
    assertTrue(o.out().contains("report:") && Files.isRegularFile(out.resolve("model.zip")), o.out());
    assertTrue(Files.readString(out.resolve("manifest.json")).contains("\"trainer\" : \"spark local[*]"));
  }

  @Test
  void classifyTrainAndEval_reportAccuracy_andABadArchitectureFailsBeforeAnyWork() throws IOException {
    List<String> lines = new ArrayList<>();
    for (int i = 0; i < 40; i++) {
      lines.add((i % 2 == 0 ? "spam\twin cash now " : "ham\tsee you at home ") + (i % 5));
    }
    Path data = Files.write(dir.resolve("labelled.tsv"), lines);
    Path bad = dir.resolve("classify-bad");
    Outcome o = cli("classify", "train", "--out", bad.toString(), "--set", "data.train=" + data, "--set",
        "classify.bidirectional=true", "--set", "classify.pooling=last");
    assertEquals(2, o.code(), o.err());
    assertTrue(o.err().contains("classify.pooling") && Files.notExists(bad), o.err());
    Path out = dir.resolve("classify");
    Outcome ok = cli("classify", "train", "--out", out.toString(), "--set", "data.train=" + data, "--set",
        "classify.testFraction=0.25", "--set", "model.embeddingSize=4", "--set", "model.hiddenSize=4", "--set",
        "model.layers=1", "--set", "train.epochs=1", "--set", "train.optimizer=adam", "--set", "train.learningRate=0.01");
    assertEquals(0, ok.code(), ok.err());
    assertTrue(ok.out().contains("test_accuracy:") && ok.out().contains("test_f1_spam:"), ok.out());
    Outcome eval = cli("classify", "eval", "--model", out.toString());
    assertEquals(0, eval.code(), eval.err());
    assertTrue(eval.out().contains("over 10 examples") && eval.out().contains("spam"), eval.out());
    Outcome json = cli("classify", "eval", "--model", out.toString(), "--json");
    assertEquals(0, json.code(), json.err());
    Map<String, Object> m = io.seqspark.core.io.Json.readMap(json.out().strip());
    assertEquals(10, ((Number) m.get("examples")).intValue());
    assertTrue(m.get("accuracy") instanceof Number && m.containsKey("f1_spam") && m.containsKey("macro_f1"), json.out());
  }

  @Test
  void tag_train_evalJson_predict() throws IOException {
    Path tr = dir.resolve("tags-train.tsv");
    Path dev = dir.resolve("tags-dev.tsv");
    io.seqspark.core.task.TaggerFamilyTest.corpus(tr, dev, 120);
    Path out = dir.resolve("tagger");
    Outcome ok = cli("tag", "train", "--out", out.toString(), "--set", "data.train=" + tr, "--set", "data.valid=" + dev,
        "--set", "model.embeddingSize=8", "--set", "model.hiddenSize=8", "--set", "model.layers=1", "--set",
        "train.epochs=2", "--set", "train.optimizer=adam", "--set", "train.learningRate=0.05");
    assertEquals(0, ok.code(), ok.err());
    assertTrue(ok.out().contains("valid_accuracy:"), ok.out());
    Outcome json = cli("tag", "eval", "--model", out.toString(), dev.toString(), "--json");
    assertEquals(0, json.code(), json.err());
    Map<String, Object> m = io.seqspark.core.io.Json.readMap(json.out().strip());
    for (String k : new String[] {"accuracy", "oov_accuracy", "macro_f1", "f1_V", "f1_N"}) {
      assertTrue(m.containsKey(k), k + " in " + json.out());
    }
    Path text = Files.write(dir.resolve("sentences.txt"), List.of("they run fast", "the run sees the dog"));
    Outcome tagged = cli("tag", "predict", "--model", out.toString(), text.toString());
    assertEquals(0, tagged.code(), tagged.err());
    assertTrue(tagged.out().startsWith("they\t") && tagged.out().contains("\n\nthe\t"), tagged.out());
  }

  @Test
  void missingTrainingFile_namesTheKeyAndThePath() {
    Outcome o = cli("lm", "train", "--out", dir.resolve("x").toString(), "--set", "data.train=" + dir.resolve("nope.txt"));
    assertEquals(2, o.code());
    assertTrue(o.err().contains("data.train") && o.err().contains("nope.txt"), o.err());
  }

  @Test
  void train_eval_generate_andNoOverwriteWithoutTheFlag() throws IOException {
    Path out = dir.resolve("run");
    Outcome first = cli(trainArgs(out));
    assertEquals(0, first.code(), first.err());
    assertTrue(first.out().contains("valid perplexity:"), first.out());
    assertTrue(first.err().contains("tok/s") && first.err().contains("ETA"), "progress lines on stderr: " + first.err());
    assertTrue(Files.isRegularFile(out.resolve("model.zip")));

    Outcome again = cli(trainArgs(out));
    assertEquals(2, again.code());
    assertTrue(again.err().contains("--overwrite"), again.err());
    assertTrue(Files.isRegularFile(out.resolve("model.zip")), "the existing run is untouched");

    Outcome replaced = cli(trainArgs(out, "--overwrite"));
    assertEquals(0, replaced.code(), replaced.err());

    Outcome eval = cli("lm", "eval", "--model", out.toString(), train.toString());
    assertEquals(0, eval.code(), eval.err());
    assertTrue(eval.out().contains("perplexity"), eval.out());
    Outcome json = cli("lm", "eval", "--model", out.toString(), train.toString(), "--json");
    assertEquals(0, json.code(), json.err());
    Map<String, Object> m = io.seqspark.core.io.Json.readMap(json.out().strip());
    double ppl = ((Number) m.get("perplexity")).doubleValue();
    assertEquals(Math.log(ppl) / Math.log(2), ((Number) m.get("bits_per_token")).doubleValue(), 1e-9);

    Outcome gen = cli("lm", "generate", "--model", out.toString(), "--greedy", "--set", "eval.generate=3");
    assertEquals(0, gen.code(), gen.err());
    assertEquals(3, gen.out().strip().split("\n").length, gen.out());
  }

  @Test
  void ingestLabelled_printsTheLabels_andClassifyTrainsFromIt() throws IOException {
    List<String> lines = new ArrayList<>();
    for (int i = 0; i < 40; i++) {
      lines.add((i % 2 == 0 ? "spam\twin cash now " : "ham\tsee you at home ") + (i % 5));
    }
    Path data = Files.write(dir.resolve("labelled-for-ingest.tsv"), lines);
    Path shards = dir.resolve("labelled.shards");
    Outcome in = cli("ingest", "--input", data.toString(), "--out", shards.toString(), "--set",
        "ingest.format=labelled");
    assertEquals(0, in.code(), in.err());
    assertTrue(in.out().contains("labels:") && in.out().contains("ham=20") && in.out().contains("examples kept:   40"),
        in.out());
    Outcome ok = cli("classify", "train", "--out", dir.resolve("classify-shards").toString(), "--set",
        "data.train=" + shards, "--set", "classify.testFraction=0.25", "--set", "model.embeddingSize=4", "--set",
        "model.hiddenSize=4", "--set", "model.layers=1", "--set", "train.epochs=1");
    assertEquals(0, ok.code(), ok.err());
    assertTrue(ok.out().contains("test_accuracy:"), ok.out());
  }

  @Test
  void ingestPrevious_withTarget_orAnUnknownVocabPolicy_failsBeforeSparkStarts_namingTheOptionOrKey() {
    Outcome parallel = cli("ingest", "--input", train.toString(), "--target", train.toString(), "--previous",
        dir.resolve("old").toString(), "--out", dir.resolve("new").toString());
    assertTrue(parallel.code() != 0 && parallel.err().contains("--previous with --target"), parallel.err());
    Outcome policy = cli("ingest", "--input", train.toString(), "--previous", dir.resolve("old").toString(), "--out",
        dir.resolve("new").toString(), "--set", "ingest.vocabPolicy=grow");
    assertTrue(policy.code() != 0 && policy.err().contains("ingest.vocabPolicy"), policy.err());
    assertTrue(!Files.exists(dir.resolve("new")));
  }
}
