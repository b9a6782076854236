package io.seqspark.core.io;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;

class ProgressTest {

  @Test
  void line_showsRateLossPerplexityLrAndEta() {
    AtomicLong now = new AtomicLong(1_000_000_000L);
    Progress p = new Progress("run-1", 0, now::get);
    now.addAndGet(Duration.ofSeconds(60).toNanos()); // 1234 steps in 60 s → 15356 steps left take ~746.6 s
    assertEquals("[run-1] epoch 2/13 step 1234/16590 (7.4%) | 6,812 tok/s | loss 4.912 | ppl 135.9 | lr 1"
        + " | ETA 12m26s", p.line(2, 13, 1234, 16590, 6812.4, 4.912, 1.0));
  }

  @Test
  void line_afterResume_countsOnlyStepsDoneNow() {
    AtomicLong now = new AtomicLong();
    Progress p = new Progress("r", 1000, now::get);
    now.set(Duration.ofSeconds(10).toNanos()); // 100 steps in 10 s, 900 left → 90 s
    assertTrue(p.line(1, 2, 1100, 2000, 100, 1.0, 0.5).endsWith("| lr 0.5 | ETA 1m30s"));
  }

  @Test
  void line_unknownTotalAndNoStepsYet_noEta() {
    AtomicLong now = new AtomicLong();
    Progress p = new Progress("r", 0, now::get);
    assertEquals("[r] epoch 1/1 step 0 | 0 tok/s | loss NaN | ppl NaN | lr 0.00003125 | ETA ?",
        p.line(1, 1, 0, 0, 0, Double.NaN, 3.125e-5));
  }

  @Test
  void format_durationsAndLargeNumbers() {
    assertEquals("45s", Progress.duration(Duration.ofSeconds(45)));
    assertEquals("12m05s", Progress.duration(Duration.ofSeconds(725)));
    assertEquals("3h07m", Progress.duration(Duration.ofMinutes(187)));
    assertEquals("2d04h", Progress.duration(Duration.ofHours(52)));
    assertTrue(Progress.format("r", 1, 1, 1, 2, 1, 800, 1, null).contains("ppl inf"));
  }

  @Test
  void due_firesOncePerInterval() {
    AtomicLong now = new AtomicLong();
    Progress p = new Progress("r", 0, now::get);
    assertFalse(p.due(10));
    now.set(Duration.ofSeconds(10).toNanos());
    assertTrue(p.due(10));
    assertFalse(p.due(10));
    now.set(Duration.ofSeconds(25).toNanos());
    assertTrue(p.due(10));
  }

  @Test
  void aFamilyWithoutPerplexity_showsItsOwnUnit_andNoPerplexity() {
    Progress p = new Progress("c", 0, () -> 0L).describing("ex", false);
    String line = p.line(1, 3, 10, 0, 250.4, 0.5, 0.01);
    assertEquals("[c] epoch 1/3 step 10 | 250 ex/s | loss 0.500 | lr 0.01 | ETA ?", line);
  }
}
