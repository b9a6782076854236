package io.seqspark.core.nn;

/**
 * Squared-error loss for real-valued outputs, the regression counterpart of {@link SoftmaxOutput}: it returns the SUM
 * over unmasked entries (divide after aggregation) and the gradient {@code gradScale · ∂(sum)/∂prediction}.
 */
public final class RegressionOutput {
  private RegressionOutput() {
  }

  /**
   * @param predictions n model outputs
   * @param targets     n true values
   * @param mask        n weights in {0, 1}, or null for all 1
   * @param gradScale   factor on the gradient; 0 = forward only ({@code dPredictions} untouched)
   * @param dPredictions n entries receiving {@code gradScale · 2 (prediction − target)} (0 where masked), or null
   * @return Σ mask · (prediction − target)²
   */
  public static double lossSum(double[] predictions, float[] targets, float[] mask, double gradScale,
                               double[] dPredictions) {
    if (predictions.length != targets.length || (mask != null && mask.length != targets.length)) {
      throw new IllegalArgumentException("regression output needs as many predictions (" + predictions.length
          + ") as targets (" + targets.length + ") and mask entries");
    }
    double loss = 0;
    for (int i = 0; i < predictions.length; i++) {
      boolean real = mask == null || mask[i] != 0f;
      double e = real ? predictions[i] - targets[i] : 0;
      loss += e * e;
      if (gradScale != 0 && dPredictions != null) {
        dPredictions[i] = 2 * e * gradScale;
      }
    }
    return loss;
  }
}
