package io.seqspark.jobs;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.seqspark.core.io.Json;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import java.util.zip.ZipFile;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code seqspark pipeline} end to end: real files, the real CLI entry point (in this JVM, or in a child JVM that is
 * killed), ingest on Spark local mode, Word2Vec and a language model initialised from it on the local trainer.
 */
class PipelineIT {
  @TempDir
  Path dir;
  Path corpus;
  Path pdir;

  @BeforeEach
  void corpus() throws IOException {
    corpus = Files.createDirectories(dir.resolve("corpus"));
    Files.write(corpus.resolve("a.txt"), sentences(new Random(1), 300));
    pdir = dir.resolve("pipeline");
  }

  private static List<String> sentences(Random r, int n) {
    String[] subj = {"the cat", "a dog", "the king", "a queen", "the child", "my friend"};
    String[] verb = {"sees", "likes", "finds", "takes", "hears"};
    String[] obj = {"the ball", "a crown", "the house", "an apple", "the river", "a song"};
    List<String> out = new ArrayList<>();
    for (int i = 0; i < n; i++) {
      out.add(subj[r.nextInt(subj.length)] + " " + verb[r.nextInt(verb.length)] + " " + obj[r.nextInt(obj.length)]);
    }
    return out;
  }

  /** The test pipeline: ingest, w2v, lm initialised from the vectors, eval; {@code w2vEpochs} is stage 2's key. */
  private Path pipeline(int w2vEpochs, int lmEpochs, String extraVectors) throws IOException {
    return Files.writeString(dir.resolve("p.conf"), """
        pipeline { name = test, dir = "%s", keepVersions = 2 }
        stages {
          corpus { job = ingest, input = "%s/*.txt" }
          vectors {
            job = "w2v train"
            %s
            set { data.train = "${stages.corpus.out}", data.minCount = 1, w2v.dim = 8, train.epochs = %d, run.threads = 1 }
          }
          lm {
            job = "lm train"
            set {
              data.train = "${stages.corpus.out}"
              data.regime = stream
              model.embeddingSize = 8
              model.hiddenSize = 16
              model.layers = 1
              model.embedding.pretrained = "${stages.vectors.out}"
              train.epochs = %d
              train.batchSize = 4
              train.bptt = 5
              run.checkpointEverySteps = 20
              run.logEverySeconds = 0.5
              eval.generate = 0
            }
          }
          lm-eval { job = "lm eval", model = "${stages.lm.out}", data = "%s/a.txt" }
        }
        """.formatted(pdir, corpus, extraVectors, w2vEpochs, lmEpochs, corpus));
  }

  private static SeqSparkCliTest.Outcome pipeline(String cmd, Path file, String... extra) {
    List<String> a = new ArrayList<>(List.of("pipeline", cmd, file.toString()));
    a.addAll(Arrays.asList(extra));
    return SeqSparkCliTest.cli(a.toArray(String[]::new));
  }

  private List<String> versions(String stage) throws IOException {
    try (Stream<Path> s = Files.list(pdir.resolve("stages").resolve(stage))) {
      return s.map(p -> p.getFileName().toString()).filter(f -> f.matches("v\\d+")).sorted().toList();
    }
  }

  private Map<String, Object> record(String stage, String v) throws IOException {
    return Json.readMap(Files.readString(pdir.resolve("stages").resolve(stage).resolve(v).resolve("stage.json")));
  }

  private static byte[] params(Path runDir) throws IOException {
    try (ZipFile z = new ZipFile(runDir.resolve("model.zip").toFile()); InputStream in = z.getInputStream(z.getEntry("params.bin"))) {
      return in.readAllBytes();
    }
  }

  private Process child(Path file, Path log) throws IOException {
    List<String> cmd = new ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(), "-Xmx1g"));
    cmd.addAll(Arrays.asList(System.getProperty("seqspark.jvmOpens", "").trim().split("\\s+")));
    cmd.addAll(List.of("-cp", System.getProperty("java.class.path"), "io.seqspark.jobs.SeqSpark", "pipeline", "run",
        file.toString()));
    return new ProcessBuilder(cmd).redirectErrorStream(true).redirectOutput(log.toFile()).start();
  }

  private static void await(String what, java.util.function.BooleanSupplier done, Process p, Path log) throws Exception {
    long end = System.nanoTime() + TimeUnit.MINUTES.toNanos(4);
    while (!done.getAsBoolean()) {
      if (!p.isAlive()) {
        throw new AssertionError("the child run ended before " + what + ":\n" + Files.readString(log));
      }
      if (System.nanoTime() > end) {
        p.destroyForcibly();
        throw new AssertionError("timed out waiting for " + what);
      }
      Thread.sleep(20);
    }
  }

  private static boolean hasFile(Path d) {
    if (!Files.isDirectory(d)) {
      return false;
    }
    try (Stream<Path> s = Files.list(d)) {
      return s.anyMatch(f -> !f.getFileName().toString().startsWith("."));
    } catch (IOException e) {
      return false;
    }
  }

  @Test
  void unchangedPipeline_secondRun_doesNothing_exits99_inSeconds() throws Exception {
    Path file = pipeline(2, 1, "");
    SeqSparkCliTest.Outcome first = pipeline("run", file);
    assertEquals(0, first.code(), first.err());
    for (String s : List.of("corpus", "vectors", "lm", "lm-eval")) {
      assertEquals(List.of("v1"), versions(s), s);
      assertEquals("v1", Files.readString(pdir.resolve("stages").resolve(s).resolve("latest")).strip());
    }
    assertTrue(Files.isRegularFile(pdir.resolve("stages/lm/v1/model.zip")));
    assertTrue(Files.readString(pdir.resolve("stages/lm-eval/v1/metrics.json")).contains("perplexity"));

    long t0 = System.nanoTime();
    SeqSparkCliTest.Outcome second = pipeline("run", file);
    double seconds = (System.nanoTime() - t0) / 1e9;
    assertEquals(99, second.code(), second.err());
    assertTrue(second.out().contains("nothing to do"), second.out());
    assertTrue(seconds < 10, "a no-op run took " + seconds + " s");
    assertEquals(List.of("v1"), versions("lm"));

    SeqSparkCliTest.Outcome status = pipeline("status", file);
    assertEquals(0, status.code(), status.err());
    assertEquals(4, status.out().split("up to date", -1).length - 1, status.out());
    assertTrue(status.out().contains("lm-eval/v1") || status.out().contains("lm/v1 <- (corpus/v1, vectors/v1 <- corpus/v1)"),
        status.out());
    assertTrue(status.out().contains("perplexity="), status.out());
  }

  @Test
  void killMinus9DuringTheModelStage_thenRunAgain_resumesAndEqualsAnUninterruptedRunBitForBit() throws Exception {
    // the uninterrupted reference, in its own pipeline directory
    Path file = pipeline(2, 4, "");
    Path reference = dir.resolve("reference");
    SeqSparkCliTest.Outcome ref = pipeline("run", file, "--dir", reference.toString());
    assertEquals(0, ref.code(), ref.err());

    Path log = dir.resolve("child.log");
    Process p = child(file, log);
    Path checkpoints = pdir.resolve("stages/lm/.v1.tmp/checkpoints");
    await("the lm stage's first checkpoint", () -> hasFile(checkpoints), p, log);
    p.destroyForcibly(); // SIGKILL: no shutdown hooks, locks left behind
    assertTrue(p.waitFor(30, TimeUnit.SECONDS));
    assertFalse(Files.exists(pdir.resolve("stages/lm/v1")), "an interrupted stage is not published");

    SeqSparkCliTest.Outcome plan = pipeline("plan", file);
    assertTrue(plan.out().contains("resume") && plan.out().contains("interrupted run v1 resumes"), plan.out());
    SeqSparkCliTest.Outcome again = pipeline("run", file);
    assertEquals(0, again.code(), again.err());
    assertTrue(again.err().contains("skip corpus") && again.err().contains("skip vectors"), again.err());
    assertTrue(again.err().contains("resuming lm v1"), again.err());
    assertArrayEquals(Files.readAllBytes(reference.resolve("stages/vectors/v1/vectors.bin")),
        Files.readAllBytes(pdir.resolve("stages/vectors/v1/vectors.bin")));
    assertArrayEquals(params(reference.resolve("stages/lm/v1")), params(pdir.resolve("stages/lm/v1")),
        "the resumed language model differs from the uninterrupted one");
    assertEquals(Files.readString(reference.resolve("stages/lm-eval/v1/metrics.json")),
        Files.readString(pdir.resolve("stages/lm-eval/v1/metrics.json")));
  }

  @Test
  void changingOneKeyOfStage2_rerunsItAndWhatReadsIt_notUpstream() throws Exception {
    SeqSparkCliTest.Outcome first = pipeline("run", pipeline(2, 1, ""));
    assertEquals(0, first.code(), first.err());
    Map<String, Object> corpusBefore = record("corpus", "v1");

    Path changed = pipeline(3, 1, "");
    SeqSparkCliTest.Outcome plan = pipeline("plan", changed);
    assertEquals(0, plan.code(), plan.err());
    String[] lines = plan.out().split("\n");
    assertTrue(lines[0].startsWith("skip") && lines[0].contains("corpus"), plan.out());
    assertTrue(lines[1].startsWith("run") && lines[1].contains("config key train.epochs 2 -> 3"), plan.out());
    assertTrue(lines[2].startsWith("run") && lines[2].contains("upstream vectors reruns"), plan.out());
    assertTrue(lines[3].startsWith("run") && lines[3].contains("upstream lm reruns"), plan.out());

    SeqSparkCliTest.Outcome second = pipeline("run", changed);
    assertEquals(0, second.code(), second.err());
    assertEquals(List.of("v1"), versions("corpus"));
    assertEquals(corpusBefore, record("corpus", "v1"), "the upstream stage was not touched");
    assertEquals(List.of("v1", "v2"), versions("vectors"));
    assertEquals(List.of("v1", "v2"), versions("lm"));
    assertEquals(List.of("v1", "v2"), versions("lm-eval"));
    assertTrue(Files.readString(pdir.resolve("stages/lm/v2/config.conf")).contains("stages/vectors/v2"),
        "lm v2 is initialised from vectors v2");
    assertEquals(99, pipeline("run", changed).code());
  }

  @Test
  void addingACorpusFile_plansTheFileAndRerunsTheChain() throws Exception {
    Path file = pipeline(2, 1, "");
    assertEquals(0, pipeline("run", file).code());
    Path added = Files.write(corpus.resolve("b.txt"), sentences(new Random(2), 50));
    SeqSparkCliTest.Outcome plan = pipeline("plan", file);
    assertTrue(plan.out().contains("input file " + added.toAbsolutePath() + " added"), plan.out());
    assertTrue(plan.out().contains("incremental: only the 1 new file(s)"), plan.out());
    SeqSparkCliTest.Outcome run = pipeline("run", file);
    assertEquals(0, run.code(), run.err());
    assertEquals(List.of("v1", "v2"), versions("corpus"));
    assertTrue(((Map<?, ?>) record("corpus", "v2").get("components")).toString().contains("b.txt"));
  }

  @Test
  void addingACorpusFile_ingestsOnlyThatFile_andWarmStartsFromThePreviousModel() throws Exception {
    Path file = pipeline(2, 1, "warmStart = true\n warmStartEpochs = 1");
    assertEquals(0, pipeline("run", file).code());
    Files.write(corpus.resolve("b.txt"), sentences(new Random(2), 50));
    SeqSparkCliTest.Outcome run = pipeline("run", file);
    assertEquals(0, run.code(), run.err());
    Map<String, Object> manifest = Json.readMap(Files.readString(pdir.resolve("stages/corpus/v2/manifest.json")));
    List<?> newFiles = (List<?>) manifest.get("newFiles");
    assertEquals(1, newFiles.size(), manifest.toString());
    assertTrue(newFiles.get(0).toString().endsWith("b.txt"), "only the added file is read: " + newFiles);
    assertTrue(String.valueOf(manifest.get("previous")).contains("stages/corpus/v1"), manifest.toString());
    // the first version's shards are in the second unchanged, the new file's after them
    try (var old = Files.list(pdir.resolve("stages/corpus/v1/shards"))) {
      for (Path shard : old.filter(f -> f.toString().endsWith(".ids")).toList()) {
        assertArrayEquals(Files.readAllBytes(shard),
            Files.readAllBytes(pdir.resolve("stages/corpus/v2/shards").resolve(shard.getFileName())), shard.toString());
      }
    }
    Map<String, Object> vectors = record("vectors", "v2");
    assertTrue(String.valueOf(vectors.get("warmStartFrom")).endsWith("stages/vectors/v1"), vectors.toString());
    Map<String, Object> w2v = Json.readMap(Files.readString(pdir.resolve("stages/vectors/v2/manifest.json")));
    assertTrue(String.valueOf(w2v.get("warmStart")).contains("stages/vectors/v1"), w2v.toString());
    assertTrue(((Number) w2v.get("warmStartWordsCarried")).intValue() > 0, "the previous model's words carried over");
    String conf = Files.readString(pdir.resolve("stages/vectors/v2/config.conf"));
    assertTrue(conf.replace(" ", "").contains("epochs=1"), "warmStartEpochs is the warm run's train.epochs: " + conf);
  }

  @Test
  void twoConcurrentRuns_theSecondExits75NamingTheHolder_andAStaleLockIsTakenOver() throws Exception {
    Path file = pipeline(2, 4, "");
    Path log = dir.resolve("child.log");
    Process p = child(file, log);
    Path lock = pdir.resolve(io.seqspark.core.io.RunLock.FILE);
    await("the child's lock", () -> {
      try {
        return Files.exists(lock) && Files.readString(lock).contains("pid=" + p.pid());
      } catch (IOException e) {
        return false;
      }
    }, p, log);
    SeqSparkCliTest.Outcome second = pipeline("run", file);
    assertEquals(75, second.code(), second.err());
    assertTrue(second.err().contains("pid " + p.pid()) && second.err().contains("host ")
        && second.err().contains("started "), second.err());

    p.destroyForcibly();
    assertTrue(p.waitFor(30, TimeUnit.SECONDS));
    assertTrue(Files.exists(lock), "kill -9 leaves the lock file behind");
    SeqSparkCliTest.Outcome third = pipeline("run", file);
    assertEquals(0, third.code(), third.err());
    assertTrue(third.err().contains("took over the lock") && third.err().contains("pid " + p.pid()), third.err());
    assertFalse(Files.exists(lock), "the lock is released after the run");
  }

  @Test
  void failingStage_exits1_namingStageAndLog_keepsFinishedStages_andStatusShowsIt() throws Exception {
    Path file = Files.writeString(dir.resolve("fail.conf"), """
        pipeline { dir = "%s" }
        stages {
          corpus { job = ingest, input = "%s/a.txt" }
          lm {
            job = "lm train"
            set { data.train = "${stages.corpus.out}", model.embedding.pretrained = "%s/a.txt", train.epochs = 1 }
          }
        }
        """.formatted(pdir, corpus, corpus));
    SeqSparkCliTest.Outcome o = pipeline("run", file);
    assertEquals(1, o.code(), o.err());
    Path log = pdir.resolve("logs/lm-v1.log").toAbsolutePath();
    assertTrue(o.err().contains("stage lm (lm train) failed") && o.err().contains("log: " + log), o.err());
    assertTrue(Files.readString(log).contains("error"), Files.readString(log));
    assertEquals(List.of("v1"), versions("corpus"));
    assertEquals(List.of(), versions("lm"));
    SeqSparkCliTest.Outcome status = pipeline("status", file);
    assertTrue(status.out().contains("failed") && status.out().contains(log.toString()), status.out());
  }

  @Test
  void withMaster_everyStageRunsOnThePipelinesOneSparkContext() throws Exception {
    SeqSparkCliTest.Outcome o = pipeline("run", pipeline(2, 1, ""), "--master", "local[2]");
    assertEquals(0, o.code(), o.err());
    for (String s : List.of("vectors", "lm")) {
      Object trainer = Json.readMap(Files.readString(pdir.resolve("stages").resolve(s).resolve("v1/manifest.json")))
          .get("trainer");
      assertTrue(String.valueOf(trainer).toLowerCase(java.util.Locale.ROOT).contains("spark"), s + ": " + trainer);
    }
    assertTrue(Files.readString(pdir.resolve("stages/lm-eval/v1/metrics.json")).contains("perplexity"));
  }

  @Test
  void underSparkSubmit_everyStageRunsOnTheOneContextSparkSubmitGives() throws Exception {
    // Spark's own launcher class, as bin/spark-submit runs it (client mode: the driver is this child JVM)
    Path file = pipeline(2, 1, "");
    Path log = dir.resolve("submit.log");
    List<String> cmd = new ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
        "-Xmx1g"));
    cmd.addAll(Arrays.asList(System.getProperty("seqspark.jvmOpens", "").trim().split("\\s+")));
    Path jar = Files.list(Path.of("target")).filter(f -> f.getFileName().toString().matches("seqspark-jobs-.*\\.jar"))
        .findFirst().orElseThrow(() -> new AssertionError("jobs/target holds no seqspark-jobs jar (run mvn package)"));
    cmd.addAll(List.of("-cp", System.getProperty("java.class.path"), "org.apache.spark.deploy.SparkSubmit",
        "--master", "local[2]", "--conf", "spark.driver.host=127.0.0.1", "--conf", "spark.ui.enabled=false",
        "--class", "io.seqspark.jobs.SeqSpark", jar.toAbsolutePath().toString(), "pipeline", "run", file.toString()));
    Process p = new ProcessBuilder(cmd).redirectErrorStream(true).redirectOutput(log.toFile()).start();
    assertTrue(p.waitFor(5, TimeUnit.MINUTES), "spark-submit run timed out");
    assertEquals(0, p.exitValue(), Files.readString(log));
    java.util.Set<Object> apps = new java.util.HashSet<>();
    for (String s : List.of("corpus", "vectors", "lm", "lm-eval")) {
      apps.add(record(s, "v1").get("sparkApplication"));
    }
    assertEquals(1, apps.size(), "one Spark application for all stages: " + apps);
    assertFalse(apps.contains(null), "each stage records the application it ran in");
    Object w2v = Json.readMap(Files.readString(pdir.resolve("stages/vectors/v1/manifest.json"))).get("trainer");
    assertTrue(String.valueOf(w2v).contains("local[2]") && String.valueOf(w2v).contains("executors read the shards"),
        "Word2Vec on spark-submit's master, its executors reading the corpus stage's shards: " + w2v);
    Object lm = Json.readMap(Files.readString(pdir.resolve("stages/lm/v1/manifest.json"))).get("trainer");
    assertTrue(String.valueOf(lm).startsWith("spark local[2]"), "lm: " + lm);
  }

  @Test
  void badPipeline_exits2_beforeAnyWork() throws Exception {
    Path file = Files.writeString(dir.resolve("bad.conf"), "pipeline { dir = \"" + pdir + "\" }\nstages {\n"
        + " lm { job = \"lm train\", set { data.train = \"${stages.corpus.out}\", train.epochz = 2 } }\n}\n");
    SeqSparkCliTest.Outcome o = pipeline("run", file);
    assertEquals(2, o.code(), o.err());
    assertTrue(o.err().contains("corpus") && o.err().contains("names no stage") && o.err().contains("train.epochz"),
        o.err());
    assertFalse(Files.exists(pdir), "nothing was created");
  }
}
