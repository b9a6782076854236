package io.seqspark.core.train;

/**
 * Step decay by epoch (Zaremba et al.): {@code lr(e) = base · decay^max(0, e − after)} for 1-based epoch e.
 *
 * @param base  train.learningRate
 * @param decay train.lrDecay
 * @param after train.lrDecayAfterEpoch
 */
public record LearningRate(double base, double decay, int after) {
  public double at(int epoch) {
    return base * Math.pow(decay, Math.max(0, epoch - after));
  }
}
