package io.seqspark.core.nn;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import org.junit.jupiter.api.Test;

class RegressionOutputTest {
  @Test
  void lossIsTheMaskedSumOfSquares_andGradientIsScaledTwiceTheError() {
    double[] pred = {1.5, -2, 4, 0.25};
    float[] target = {1, 1, 9, 0.25f};
    float[] mask = {1, 1, 0, 1};
    double[] d = new double[4];
    // (0.5)² + (−3)² + masked + 0² = 0.25 + 9 = 9.25
    assertEquals(9.25, RegressionOutput.lossSum(pred, target, mask, 0.5, d), 1e-12);
    // 0.5 · 2 · (0.5, −3, masked → 0, 0)
    assertArrayEquals(new double[] {0.5, -3, 0, 0}, d, 1e-12);
    assertEquals(9.25 + 25, RegressionOutput.lossSum(pred, target, null, 0, null), 1e-12);
  }
}
