package io.seqspark.core.train;

/**
 * Where training stands: the next batch to run is batch {@code batch} of 1-based {@code epoch}; {@code step}
 * steps have run so far. {@code bestValidLoss} is the best mean validation loss seen (NaN if none).
 */
public record Position(int epoch, int batch, long step, double bestValidLoss) {
  public static Position start() {
    return new Position(1, 0, 0, Double.NaN);
  }
}
