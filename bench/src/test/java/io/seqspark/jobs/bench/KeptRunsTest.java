package io.seqspark.jobs.bench;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.seqspark.core.config.Settings;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** What the benches that keep their runs (translate, elmo) do with a run directory found under --keep. */
class KeptRunsTest {
  @Test
  void differences_ignoreKeysAddedSinceTheRunWhenAtTheirDefault_butNotWhenSetOtherwise() {
    Map<String, Object> now = Settings.load(List.of(java.nio.file.Path.of("translate-multi30k")), List.of()).flatten();
    Map<String, Object> old = new HashMap<>(now);
    old.remove("data.cache"); // a key reference.conf gained after the run
    assertEquals(List.of(), KeptRuns.differences(old, now));

    Map<String, Object> streamed = new HashMap<>(now);
    streamed.put("data.cache", "stream");
    assertEquals(List.of("data.cache: null vs stream"), KeptRuns.differences(old, streamed));

    Map<String, Object> otherLr = new HashMap<>(now);
    otherLr.put("train.learningRate", 0.5);
    assertEquals(1, KeptRuns.differences(now, otherLr).size(), "a changed value is a difference");
  }

  @Test
  void state_trainsWhereNothingIs_resumesACheckpointedRun_reusesAFinishedOne_andRefusesOtherSettings(
      @org.junit.jupiter.api.io.TempDir java.nio.file.Path dir) throws java.io.IOException {
    Settings s = Settings.load(List.of(java.nio.file.Path.of("elmo-ptb")), List.of());
    java.nio.file.Path run = dir.resolve("elmo-ptb");
    assertEquals(KeptRuns.State.TRAIN, KeptRuns.state(run, s, dir));
    java.nio.file.Files.createDirectories(run.resolve("checkpoints"));
    java.nio.file.Files.write(run.resolve(io.seqspark.core.io.RunDirectory.MARKER), new byte[0]);
    java.nio.file.Files.writeString(run.resolve("manifest.json"), io.seqspark.core.io.Json.write(Map.of("config",
        s.flatten())));
    assertEquals(KeptRuns.State.TRAIN, KeptRuns.state(run, s, dir), "unfinished without checkpoints: train again");
    java.nio.file.Files.writeString(run.resolve("config.conf"), "");
    java.nio.file.Files.writeString(run.resolve("checkpoints").resolve("step-10"), "");
    assertEquals(KeptRuns.State.RESUME, KeptRuns.state(run, s, dir));
    java.nio.file.Files.writeString(run.resolve("manifest.json"), io.seqspark.core.io.Json.write(Map.of("config",
        s.flatten(), "endTime", "2026-12-04T21:00:00Z")));
    java.nio.file.Files.writeString(run.resolve("model.zip"), "");
    assertEquals(KeptRuns.State.REUSE, KeptRuns.state(run, s, dir));
    Settings other = Settings.load(List.of(java.nio.file.Path.of("elmo-ptb")), List.of("train.epochs=3"));
    IllegalArgumentException e = org.junit.jupiter.api.Assertions.assertThrows(IllegalArgumentException.class,
        () -> KeptRuns.state(run, other, dir));
    org.junit.jupiter.api.Assertions.assertTrue(e.getMessage().contains("train.epochs: 10 vs 3"), e.getMessage());

    // more epochs (and another time budget), nothing else: the finished run is extended from its last checkpoint
    Settings longer = Settings.load(List.of(java.nio.file.Path.of("elmo-ptb")), List.of("train.epochs=12",
        "train.maxSeconds=600"));
    Settings longerOtherLr = Settings.load(List.of(java.nio.file.Path.of("elmo-ptb")), List.of("train.epochs=12",
        "train.learningRate=0.1"));
    org.junit.jupiter.api.Assertions.assertThrows(IllegalArgumentException.class,
        () -> KeptRuns.state(run, longerOtherLr, dir), "more epochs and another learning rate: refused");
    assertEquals(KeptRuns.State.RESUME, KeptRuns.state(run, longer, dir));
    assertEquals(12, Settings.load(List.of(run.resolve("config.conf")), List.of()).getInt("train.epochs"),
        "the resume reads the longer config");
  }

  @Test
  void finishedRun_readingAChangedBiLm_isTrainedAgain(@org.junit.jupiter.api.io.TempDir java.nio.file.Path dir)
      throws java.io.IOException {
    java.nio.file.Path bilm = java.nio.file.Files.writeString(dir.resolve("model.zip"), "biLM v1");
    Settings s = Settings.load(List.of(java.nio.file.Path.of("tag-brown")), List.of("model.contextual=" + bilm));
    java.nio.file.Path run = dir.resolve("tag-elmo");
    java.nio.file.Files.createDirectories(run);
    java.nio.file.Files.write(run.resolve(io.seqspark.core.io.RunDirectory.MARKER), new byte[0]);
    java.nio.file.Files.writeString(run.resolve("model.zip"), "");
    Map<String, Object> dims = Map.of("labels", Map.of("contextual", List.of(bilm.toString(),
        io.seqspark.core.io.Manifest.sha256(bilm))));
    java.nio.file.Files.writeString(run.resolve("manifest.json"), io.seqspark.core.io.Json.write(Map.of("config",
        s.flatten(), "endTime", "2026-12-04T21:00:00Z", "dims", dims)));
    assertEquals(KeptRuns.State.REUSE, KeptRuns.state(run, s, dir), "the biLM it read is unchanged");
    java.nio.file.Files.writeString(bilm, "biLM v2 (pretrained longer)");
    assertEquals(KeptRuns.State.TRAIN, KeptRuns.state(run, s, dir), "its features came from another biLM");
  }
}
