package io.seqspark.core.pipeline;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The pipeline file's graph check, fingerprints and plan explanations, on real files (no Spark). */
class PipelineSpecTest {
  @TempDir
  Path dir;
  Path corpus;

  @BeforeEach
  void corpus() throws Exception {
    corpus = Files.createDirectories(dir.resolve("corpus"));
    Files.writeString(corpus.resolve("a.txt"), "the cat sat\nthe dog ran\n");
  }

  private Path write(String stages) throws Exception {
    return Files.writeString(dir.resolve("p.conf"), "pipeline { dir = \"" + dir.resolve("pd") + "\" }\nstages {\n"
        + stages + "\n}\n");
  }

  private String ingest() {
    return "corpus { job = ingest, input = \"" + corpus + "/*.txt\" }\n";
  }

  private String lm(String extra) {
    return "lm { job = \"lm train\", set { data.train = \"${stages.corpus.out}\", train.epochs = 2 " + extra + " } }\n";
  }

  private String problems(String stages) throws Exception {
    Path f = write(stages);
    return assertThrows(PipelineException.class, () -> PipelineSpec.parse(f, null)).getMessage();
  }

  @Test
  void goodPipeline_ordersStagesAfterWhatTheyRead() throws Exception {
    PipelineSpec spec = PipelineSpec.parse(write(lm("") + ingest()), null);
    assertEquals(List.of("corpus", "lm"), spec.stages().stream().map(StageSpec::name).toList());
    assertEquals(java.util.Set.of("corpus"), spec.stage("lm").dependsOn());
    assertEquals(dir.resolve("pd"), spec.dir());
  }

  @Test
  void unquotedReference_readsLikeAQuotedOne() throws Exception {
    PipelineSpec spec = PipelineSpec.parse(write(ingest()
        + "lm { job = \"lm train\", set { data.train = ${stages.corpus.out} } }"), null);
    assertEquals(java.util.Set.of("corpus"), spec.stage("lm").dependsOn());
  }

  @Test
  void unknownStageReference_namesStageKeyAndTheStages() throws Exception {
    String m = problems(ingest() + "lm { job = \"lm train\", set { data.train = \"${stages.corpse.out}\" } }");
    assertTrue(m.contains("stage lm") && m.contains("${stages.corpse.out}") && m.contains("names no stage")
        && m.contains("corpus"), m);
  }

  @Test
  void cycle_isOneProblemNamingItsStages() throws Exception {
    String m = problems("a { job = \"lm train\", set { data.train = \"${stages.b.out}\" } }\n"
        + "b { job = \"lm train\", set { data.train = \"${stages.a.out}\" } }");
    assertTrue(m.contains("a -> b -> a") && m.contains("cycle"), m);
  }

  @Test
  void missingInput_namesStageKeyAndPattern() throws Exception {
    String m = problems("corpus { job = ingest, input = \"" + corpus + "/*.gz\" }");
    assertTrue(m.contains("stage corpus, key input") && m.contains("*.gz") && m.contains("names no file"), m);
    String m2 = problems(ingest() + lm(", data.valid = \"" + dir.resolve("nope.txt") + "\""));
    assertTrue(m2.contains("stage lm, key data.valid") && m2.contains("nope.txt"), m2);
  }

  @Test
  void badStageConfig_unknownJob_andUnknownKey_allReportedAtOnce() throws Exception {
    String m = problems(ingest() + lm(", train.epoch = 3, model.hiddenSize = -1")
        + "x { job = \"lm trian\" }\ny { job = ingest, input = \"" + corpus + "\", sett { } }");
    assertTrue(m.contains("stage lm") && m.contains("train.epoch") && m.contains("model.hiddenSize"), m);
    assertTrue(m.contains("stage x") && m.contains("lm trian") && m.contains("lm train"), m);
    assertTrue(m.contains("stage y") && m.contains("'sett'") && m.contains("did you mean set"), m);
  }

  @Test
  void fingerprint_changesWithConfigInputsAndUpstream_andPlanSaysWhich() throws Exception {
    PipelineSpec spec = PipelineSpec.parse(write(ingest() + lm("")), null);
    StageSpec c = spec.stage("corpus");
    StageSpec l = spec.stage("lm");
    Fingerprint c1 = Fingerprint.of(c, Map.of(), Map.of(), "1");
    assertEquals(c1.hash(), Fingerprint.of(c, Map.of(), Map.of(), "1").hash(), "deterministic");
    Fingerprint l1 = Fingerprint.of(l, Map.of("corpus", c1.hash()), Map.of(), "1");

    Files.writeString(corpus.resolve("b.txt"), "a new file\n");
    Fingerprint c2 = Fingerprint.of(c, Map.of(), Map.of(), "1");
    assertNotEquals(c1.hash(), c2.hash());
    assertEquals(List.of("input file " + corpus.resolve("b.txt").toAbsolutePath() + " added"), c2.changes(c1.components()));
    assertTrue(c2.onlyInputsAdded(c1.components()));
    Fingerprint l2 = Fingerprint.of(l, Map.of("corpus", c2.hash()), Map.of(), "1");
    assertEquals(List.of("upstream corpus changed"), l2.changes(l1.components()));

    Files.writeString(corpus.resolve("a.txt"), "the cat sat\nthe dog ran far\n");
    Fingerprint c3 = Fingerprint.of(c, Map.of(), Map.of(), "1");
    assertTrue(c3.changes(c2.components()).get(0).endsWith("a.txt changed"), c3.changes(c2.components()).toString());
    assertTrue(!c3.onlyInputsAdded(c2.components()));

    PipelineSpec spec2 = PipelineSpec.parse(write(ingest() + lm("").replace("train.epochs = 2", "train.epochs = 3")), null);
    Fingerprint l3 = Fingerprint.of(spec2.stage("lm"), Map.of("corpus", c1.hash()), Map.of(), "1");
    assertEquals(List.of("config key train.epochs 2 -> 3"), l3.changes(l1.components()));
    assertTrue(Fingerprint.of(l, Map.of("corpus", c1.hash()), Map.of(), "2").changes(l1.components())
        .contains("seqspark version 1 -> 2"));
  }

  @Test
  void plan_warmStartsOnNewDataOnly_andExplainsEveryStage() throws Exception {
    String vectors = "vectors { job = \"w2v train\", warmStart = true, warmStartEpochs = 1, set { data.train ="
        + " \"${stages.corpus.out}\", w2v.dim = %d } }\n";
    PipelineSpec spec = PipelineSpec.parse(write(ingest() + vectors.formatted(8)), null);
    PipelineDirectory pd = new PipelineDirectory(dir.resolve("pd"));
    List<Planner.Decision> first = Planner.plan(spec, pd, "1");
    assertEquals(List.of("no published output yet"), first.get(1).reasons());
    for (Planner.Decision d : first) { // publish both as if they ran
      pd.begin(d.stage().name(), d.version(), Map.of());
      pd.publish(d.stage().name(), d.version(), Map.of("fingerprint", d.fingerprint().hash(), "components",
          d.fingerprint().components()), 2);
    }
    assertTrue(Planner.plan(spec, pd, "1").stream().noneMatch(Planner.Decision::runs));

    Files.writeString(corpus.resolve("b.txt"), "new words here\n");
    List<Planner.Decision> grown = Planner.plan(spec, pd, "1");
    assertEquals(grown.get(0).stage().name(), "corpus");
    assertTrue(grown.get(0).previousIngest() != null && grown.get(0).newFiles().get(0).endsWith("b.txt"));
    boolean warmKeyExists = io.seqspark.core.config.Settings.schema().key("w2v.warmStart") != null;
    assertEquals(warmKeyExists, grown.get(1).warmStartFrom() != null, grown.get(1).reasons().toString());
    assertTrue(grown.get(1).reasons().contains("upstream corpus reruns"), grown.get(1).reasons().toString());

    PipelineSpec wider = PipelineSpec.parse(write(ingest() + vectors.formatted(16)), null);
    Planner.Decision d = Planner.plan(wider, pd, "1").get(1);
    assertEquals(null, d.warmStartFrom());
    assertTrue(d.reasons().contains("config key w2v.dim 8 -> 16"), d.reasons().toString());
  }

  @Test
  void publish_isAllOrNothing_keepsNewestVersions_andPointsLatest() throws Exception {
    PipelineDirectory pd = new PipelineDirectory(dir.resolve("pd"));
    for (int i = 1; i <= 3; i++) {
      int n = pd.nextVersion("s");
      assertEquals(i, n);
      Path tmp = pd.begin("s", n, Map.of("fingerprint", "f" + n));
      assertEquals(n, pd.pending("s").n());
      assertTrue(pd.versions("s").size() == Math.min(i - 1, 2), "a pending version is not published");
      Files.createDirectories(tmp);
      Files.writeString(tmp.resolve("out.txt"), "x" + n);
      pd.publish("s", n, Map.of("fingerprint", "f" + n), 2);
      assertEquals(null, pd.pending("s"));
    }
    assertEquals(List.of(2, 3), pd.versions("s").stream().map(PipelineDirectory.Version::n).toList());
    assertEquals("v3", Files.readString(pd.stageDir("s").resolve("latest")).strip());
    assertEquals("f3", pd.latest("s").fingerprint());
  }
}
