package io.seqspark.core.train;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

/** The learning-rate schedule: step decay by epoch, after a linear warm-up over optimizer steps. */
class LearningRateTest {

  @Test
  void withoutWarmup_everyStepTakesTheEpochsRateExactly() {
    LearningRate lr = new LearningRate(0.7, 0.5, 2);
    for (int e = 1; e <= 5; e++) {
      for (long s : new long[] {1, 2, 17, 1_000_000}) {
        assertEquals(Double.doubleToRawLongBits(lr.at(e)), Double.doubleToRawLongBits(lr.at(e, s)), "epoch " + e + " step " + s);
      }
    }
    assertEquals(0.7, lr.at(2), 0.0);
    assertEquals(0.35, lr.at(3), 0.0);
  }

  @Test
  void warmup_rampsLinearlyToTheEpochsRate_thenStays() {
    LearningRate lr = new LearningRate(0.8, 0.5, 1, 4);
    assertEquals(0.2, lr.at(1, 1), 1e-15);
    assertEquals(0.4, lr.at(1, 2), 1e-15);
    assertEquals(0.6, lr.at(1, 3), 1e-15);
    assertEquals(0.8, lr.at(1, 4), 0.0);
    assertEquals(0.8, lr.at(1, 5), 0.0);
    // the warm-up factor multiplies the decayed rate (a warm-up longer than an epoch)
    assertEquals(0.4 * 3 / 4, lr.at(2, 3), 1e-15);
    assertThrows(IllegalArgumentException.class, () -> new LearningRate(1, 1, 0, -1));
    assertTrue(lr.at(1, 0) > 0, "step 0 (never trained) is clamped to step 1's rate, not 0");
  }
}
