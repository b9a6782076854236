package io.seqspark.jobs;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.seqspark.core.w2v.Word2VecArchive;
import io.seqspark.core.w2v.Word2VecFormat;
import io.seqspark.core.w2v.WordVectors;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code seqspark w2v train | eval | neighbors} as a user runs them. */
class W2vCommandTest {
  @TempDir
  Path dir;

  @Test
  void train_writesRunDirectory_vectorsAgreeAcrossFormats_andEvalAndNeighborsRead() throws Exception {
    List<String> lines = new ArrayList<>();
    for (int i = 0; i < 200; i++) {
      lines.add(i % 2 == 0 ? "king queen prince crown palace royal" : "apple pear fruit juice orchard sweet");
    }
    Path train = Files.write(dir.resolve("train.txt"), lines);
    Path q = Files.writeString(dir.resolve("q.txt"), ": toy\nking queen apple pear\n");
    Path out = dir.resolve("run");
    SeqSparkCliTest.Outcome o = SeqSparkCliTest.cli("w2v", "train", "--out", out.toString(), "--set", "data.train=" + train,
        "--set", "w2v.dim=8", "--set", "train.epochs=2", "--set", "data.minCount=1", "--set", "w2v.questions=" + q,
        "--set", "run.logEverySeconds=0.001");
    assertEquals(0, o.code(), o.err());
    for (String f : List.of("config.conf", "manifest.json", "metrics.jsonl", "report.html", "vectors.txt", "vectors.bin",
        "model.zip", "vocab.tsv")) {
      assertTrue(Files.isRegularFile(out.resolve(f)), f);
    }
    assertTrue(Files.readString(out.resolve("metrics.jsonl")).contains("\"words_per_s\""));
    assertTrue(Files.readString(out.resolve("manifest.json")).contains("\"analogy_coverage\" : 1.0"));
    WordVectors txt = Word2VecFormat.read(out.resolve("vectors.txt"));
    WordVectors zip = Word2VecArchive.load(out);
    assertEquals(12, txt.size());
    assertEquals(txt.words(), zip.words());
    for (int i = 0; i < txt.size(); i++) {
      org.junit.jupiter.api.Assertions.assertArrayEquals(zip.vector(i), txt.vector(i), 0f);
    }
    SeqSparkCliTest.Outcome eval = SeqSparkCliTest.cli("w2v", "eval", out.resolve("vectors.bin").toString(), "--questions", q.toString());
    assertEquals(0, eval.code(), eval.err());
    assertTrue(eval.out().contains("on 1 of 1 questions"), eval.out());
    SeqSparkCliTest.Outcome json = SeqSparkCliTest.cli("w2v", "eval", out.resolve("vectors.bin").toString(), "--questions",
        q.toString(), "--json");
    assertEquals(0, json.code(), json.err());
    java.util.Map<String, Object> m = io.seqspark.core.io.Json.readMap(json.out().strip());
    assertEquals(1.0, ((Number) m.get("analogy_coverage")).doubleValue(), 0.0, json.out());
    assertTrue(m.get("analogy_accuracy") instanceof Number, json.out());
    SeqSparkCliTest.Outcome nb = SeqSparkCliTest.cli("w2v", "neighbors", out.toString(), "king", "unicorn", "-k", "3");
    assertEquals(0, nb.code(), nb.err());
    assertTrue(nb.out().contains("king:") && nb.out().contains("unicorn: not in the vocabulary"), nb.out());
  }

  @Test
  void missingCorpus_failsWithTheKeyAndFix_beforeCreatingTheRun() {
    Path out = dir.resolve("never");
    SeqSparkCliTest.Outcome o = SeqSparkCliTest.cli("w2v", "train", "--out", out.toString(), "--set",
        "data.train=" + dir.resolve("nope.txt"));
    assertEquals(2, o.code(), o.err());
    assertTrue(o.err().contains("data.train") && o.err().contains("nope.txt") && o.err().contains("Fix"), o.err());
    assertTrue(Files.notExists(out));
  }

  @Test
  void textOverDriverMaxMB_withMaster_failsWithTheIngestCommand_beforeCreatingTheRun() throws Exception {
    Path train = Files.writeString(dir.resolve("big.txt"), "a b c\n");
    Path out = dir.resolve("never");
    SeqSparkCliTest.Outcome o = SeqSparkCliTest.cli("w2v", "train", "--master", "local[1]", "--out", out.toString(),
        "--set", "data.train=" + train, "--set", "data.driverMaxMB=0");
    assertEquals(2, o.code(), o.err());
    assertTrue(o.err().contains("data.driverMaxMB = 0") && o.err().contains("bin/seqspark ingest --input " + train)
        && o.err().contains("--set data.train=" + train + ".shards"), o.err());
    assertTrue(Files.notExists(out));
  }
}
