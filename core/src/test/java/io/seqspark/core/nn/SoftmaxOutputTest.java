package io.seqspark.core.nn;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

/** Label smoothing in the softmax loss, and −log p for probabilities below float's reach. */
class SoftmaxOutputTest {
  private static final int IN = 4;
  private static final int V = 7;
  private static final int[] TARGETS = {3, 0, 6, 2, 5};
  private static final float[] MASK = {1, 1, 0, 1, 1};

  private static INDArray hidden(DataType dtype) {
    SplittableRandom r = new SplittableRandom(4);
    double[] h = new double[TARGETS.length * IN];
    for (int i = 0; i < h.length; i++) {
      h[i] = r.nextDouble() * 2 - 1;
    }
    return Nd4j.createFromArray(h).reshape(TARGETS.length, IN).castTo(dtype);
  }

  @Test
  void smoothedLoss_isTheCrossEntropyAgainstTheMixedTargetDistribution() {
    ParamStore.Builder pb = ParamStore.builder();
    SoftmaxOutput out = new SoftmaxOutput(pb, "o", IN, V, Init.uniform(0.8));
    pb.build(DataType.DOUBLE, 3);
    INDArray h = hidden(DataType.DOUBLE);
    double eps = 0.15;
    double[][] p = out.probabilities(h).toDoubleMatrix();
    double expected = 0;
    for (int k = 0; k < TARGETS.length; k++) {
      if (MASK[k] == 0) {
        continue;
      }
      for (int j = 0; j < V; j++) {
        double q = eps / V + (j == TARGETS[k] ? 1 - eps : 0);
        expected -= q * Math.log(p[k][j]);
      }
    }
    assertEquals(expected, out.lossSum(h, TARGETS, MASK, 0, eps), 1e-12);
    assertEquals(out.lossSum(h, TARGETS, MASK, 0), out.lossSum(h, TARGETS, MASK, 0, 0.0), 0, "ε = 0: the plain loss");
    assertThrows(IllegalArgumentException.class, () -> out.lossSum(h, TARGETS, MASK, 1, 1.0));
  }

  @Test
  void smoothedLoss_gradientsMatchFiniteDifferences() {
    ParamStore.Builder pb = ParamStore.builder();
    SoftmaxOutput out = new SoftmaxOutput(pb, "o", IN, V, Init.uniform(0.8));
    ParamStore ps = pb.build(DataType.DOUBLE, 3);
    INDArray h = hidden(DataType.DOUBLE);
    double eps = 0.2;
    double scale = 0.5;
    ps.zeroGrads();
    out.lossSum(h, TARGETS, MASK, scale, eps);
    INDArray dh = out.inputGradient().div(scale);
    INDArray grads = ps.grads().div(scale);
    GradientCheck.check("∂hidden", h, dh, () -> out.lossSum(h, TARGETS, MASK, 0, eps), 1);
    GradientCheck.check("∂θ", ps.params(), grads, () -> out.lossSum(h, TARGETS, MASK, 0, eps), 1);
  }

  @Test
  void aTargetBelowFloatsSmallestProbability_addsItsFullNegativeLogLikelihood() {
    ParamStore.Builder pb = ParamStore.builder();
    SoftmaxOutput out = new SoftmaxOutput(pb, "o", 1, 3, Init.zeros());
    ParamStore ps = pb.build(DataType.FLOAT, 1);
    // logits (0, 0, -100)·x with x = 1: p(2) = e^-100 / (2 + e^-100), far below 1e-30
    ps.params().putScalar(2, -100f);
    INDArray h = Nd4j.ones(DataType.FLOAT, 1, 1);
    double expected = 100 + Math.log(2);
    assertEquals(expected, out.lossSum(h, new int[] {2}, null, 0), 1e-4);
  }
}
