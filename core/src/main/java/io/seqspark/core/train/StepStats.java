package io.seqspark.core.train;

/**
 * What a step or an evaluation returns: SUMS and their denominators, never means, so results from many batches
 * or many Spark workers add up exactly and are divided once at the end (fairseq style).
 *
 * @param lossSum   summed negative log-likelihood (nats) over real tokens
 * @param tokens    real (unmasked) tokens
 * @param sequences rows
 * @param positions padded positions computed (steps × rows summed over batches): positions − tokens is padding
 */
public record StepStats(double lossSum, long tokens, long sequences, long positions) {
  public static final StepStats ZERO = new StepStats(0, 0, 0, 0);

  /** Stats of work without padding (positions = tokens). */
  public StepStats(double lossSum, long tokens, long sequences) {
    this(lossSum, tokens, sequences, tokens);
  }

  /** The stats of one batch's loss sum. */
  public static StepStats of(double lossSum, io.seqspark.core.data.Minibatch batch) {
    return new StepStats(lossSum, batch.tokens(), batch.rows(), batch.positions());
  }

  public StepStats plus(StepStats o) {
    return new StepStats(lossSum + o.lossSum, tokens + o.tokens, sequences + o.sequences, positions + o.positions);
  }

  /** Padded positions per real token; 0 without padding. */
  public double paddingRatio() {
    return tokens == 0 ? Double.NaN : (double) (positions - tokens) / tokens;
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
