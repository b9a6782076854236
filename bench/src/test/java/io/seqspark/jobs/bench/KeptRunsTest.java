package io.seqspark.jobs.bench;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.seqspark.core.config.Settings;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** The translate bench's check that a kept run was trained with the settings asked for. */
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
}
