package io.seqspark.core.io;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class RunDirectoryTest {

  @TempDir Path out;

  @Test
  void create_layoutAndRunIdFromTheName() throws IOException {
    RunDirectory run = RunDirectory.create(out.resolve("lm-1"), false);
    assertEquals("lm-1", run.runId());
    assertTrue(Files.isDirectory(run.checkpointsDir()));
    assertEquals(out.resolve("lm-1/config.conf"), run.configFile());
    assertEquals(out.resolve("lm-1/manifest.json"), run.manifestFile());
    assertEquals(out.resolve("lm-1/metrics.jsonl"), run.metricsFile());
    assertEquals(out.resolve("lm-1/report.html"), run.reportFile());
    assertEquals(out.resolve("lm-1/model.zip"), run.modelFile());
  }

  @Test
  void create_nonEmptyWithoutOverwrite_refusesWithTheFix() throws IOException {
    Path dir = out.resolve("run");
    RunDirectory.create(dir, false);
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> RunDirectory.create(dir, false));
    assertEquals("output directory " + dir + " already exists and is not empty; pass --overwrite to replace it,"
        + " or choose another --out", e.getMessage());
  }

  @Test
  void create_withOverwrite_deletesThePreviousRun() throws IOException {
    Path dir = out.resolve("run");
    RunDirectory first = RunDirectory.create(dir, false);
    Files.writeString(first.configFile(), "seed = 1");
    Files.writeString(first.checkpointsDir().resolve("c1"), "x");
    RunDirectory second = RunDirectory.create(dir, true);
    assertFalse(Files.exists(second.configFile()));
    assertFalse(Files.exists(second.checkpointsDir().resolve("c1")));
    assertTrue(Files.isDirectory(second.checkpointsDir()));
  }

  @Test
  void create_withOverwrite_refusesADirectoryThatIsNotARun() throws IOException {
    Path precious = Files.createDirectories(out.resolve("home"));
    Files.writeString(precious.resolve("thesis.tex"), "...");
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
        () -> RunDirectory.create(precious, true));
    assertTrue(e.getMessage().contains("does not look like a seqspark run directory"), e.getMessage());
    assertTrue(Files.exists(precious.resolve("thesis.tex")));
  }

  @Test
  void create_emptyExistingDirectory_isFine() throws IOException {
    Path dir = Files.createDirectories(out.resolve("empty"));
    assertEquals("empty", RunDirectory.create(dir, false).runId());
  }

  @Test
  void resume_needsConfigConf() throws IOException {
    Path dir = out.resolve("run");
    RunDirectory run = RunDirectory.create(dir, false);
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> RunDirectory.resume(dir));
    assertTrue(e.getMessage().contains("has no config.conf"), e.getMessage());
    assertTrue(assertThrows(IllegalArgumentException.class, () -> RunDirectory.resume(out.resolve("nope")))
        .getMessage().contains("no such directory"));
    Files.writeString(run.configFile(), "seed = 1");
    assertEquals("run", RunDirectory.resume(dir).runId());
  }

  @Test
  void newRunId_isTimeAndRandomHex() {
    assertTrue(RunDirectory.newRunId(Instant.parse("2025-03-14T09:30:15Z"), new Random(1))
        .matches("20250314-093015-[0-9a-f]{4}"));
  }
}
