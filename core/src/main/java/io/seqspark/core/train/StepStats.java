package io.seqspark.core.train;

/**
 * What a step or an evaluation returns: SUMS and their denominators, never means, so results from many batches
 * or many Spark workers add up exactly and are divided once at the end (fairseq style).
 *
 * @param lossSum   summed negative log-likelihood (nats) over real tokens
 * @param tokens    real (unmasked) tokens
 * @param sequences rows
 */
public record StepStats(double lossSum, long tokens, long sequences) {
  public static final StepStats ZERO = new StepStats(0, 0, 0);

  public StepStats plus(StepStats o) {
    return new StepStats(lossSum + o.lossSum, tokens + o.tokens, sequences + o.sequences);
  }

  /** Mean loss per token (nats); NaN for no tokens. */
  public double meanLoss() {
    return tokens == 0 ? Double.NaN : lossSum / tokens;
  }

  /** exp(mean loss per token). */
  public double perplexity() {
    return Math.exp(meanLoss());
  }
}
