package io.seqspark.core.io;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class MetricsLogTest {

  @TempDir Path dir;

  private static Map<String, Object> rec(long step, double loss) {
    Map<String, Object> m = new LinkedHashMap<>();
    m.put("step", step);
    m.put("train_loss", loss);
    return m;
  }

  @Test
  void log_writesOneFlushedLinePerRecord() throws IOException {
    Path f = dir.resolve("metrics.jsonl");
    try (MetricsLog log = MetricsLog.open(f)) {
      log.log(rec(1, 5.0));
      assertEquals("{\"step\":1,\"train_loss\":5.0}\n", Files.readString(f)); // flushed before close
      log.log(rec(2, Double.NaN));
    }
    List<Map<String, Object>> back = MetricsLog.read(f);
    assertEquals(2, back.size());
    assertEquals(1, back.get(0).get("step"));
    assertEquals("NaN", back.get(1).get("train_loss"));
  }

  @Test
  void open_onResume_appendsToTheExistingFile() throws IOException {
    Path f = dir.resolve("metrics.jsonl");
    try (MetricsLog log = MetricsLog.open(f)) {
      log.log(rec(1, 5.0));
      log.log(rec(2, 4.0));
    }
    try (MetricsLog log = MetricsLog.open(f)) {
      log.log(rec(3, 3.0));
    }
    List<Map<String, Object>> back = MetricsLog.read(f);
    assertEquals(List.of(1, 2, 3), back.stream().map(m -> m.get("step")).toList());
  }

  @Test
  void lineCutShortByACrash_isSkippedOnReadAndDroppedOnReopen() throws IOException {
    Path f = dir.resolve("metrics.jsonl");
    try (MetricsLog log = MetricsLog.open(f)) {
      log.log(rec(1, 5.0));
    }
    Files.writeString(f, "{\"step\":2,\"train_l", StandardOpenOption.APPEND);
    assertEquals(1, MetricsLog.read(f).size());
    try (MetricsLog log = MetricsLog.open(f)) {
      log.log(rec(2, 4.0));
    }
    assertEquals(List.of(1, 2), MetricsLog.read(f).stream().map(m -> m.get("step")).toList());
  }

  @Test
  void rewind_dropsWhatFollowsTheCheckpoint_andReturnsItsElapsedTime() throws IOException {
    Path f = dir.resolve("metrics.jsonl");
    try (MetricsLog log = MetricsLog.open(f)) {
      for (long step = 1; step <= 5; step++) {
        Map<String, Object> r = rec(step, 6.0 - step);
        r.put("elapsed_s", 10.0 * step);
        log.log(r);
      }
    }
    Files.writeString(f, "{\"step\":6,\"tr", StandardOpenOption.APPEND); // the crash cut this one short
    // resumed from the checkpoint at step 3: steps 4, 5 (and the torn 6) will be written again
    assertEquals(30.0, MetricsLog.rewind(f, 3), 0.0);
    assertEquals(List.of(1, 2, 3), MetricsLog.read(f).stream().map(m -> m.get("step")).toList());
    assertEquals(0.0, MetricsLog.rewind(dir.resolve("absent.jsonl"), 3), 0.0);
  }

  @Test
  void read_malformedLine_namesFileAndLine() throws IOException {
    Path f = dir.resolve("metrics.jsonl");
    Files.writeString(f, "{\"step\":1}\nnot json\n{\"step\":3}\n");
    IOException e = assertThrows(IOException.class, () -> MetricsLog.read(f));
    assertTrue(e.getMessage().startsWith(f + ":2: malformed"), e.getMessage());
  }
}
