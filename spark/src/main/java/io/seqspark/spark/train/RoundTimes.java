package io.seqspark.spark.train;

/**
 * Where one averaging round's wall time went. Everything but {@code compute} is overhead; the partition-side parts
 * are the slowest partition's, so they overlap and do not add up to the wall time exactly.
 *
 * @param seconds   the round's wall time on the driver
 * @param compute   the longest time one partition spent in its TrainSteps
 * @param setup     the longest time from a task's start (reading the broadcast) to its first TrainStep
 * @param pack      the longest time a partition spent after its last TrainStep (copying out its values)
 * @param broadcast the driver's time to snapshot and broadcast parameters and optimizer state
 * @param average   the driver's time to average the aggregated values into its model
 */
public record RoundTimes(double seconds, double compute, double setup, double pack, double broadcast, double average) {

  /** Wall time minus the slowest partition's compute. */
  public double overhead() {
    return seconds - compute;
  }

  /** Element-wise sum, for totals over rounds. */
  public RoundTimes plus(RoundTimes o) {
    return new RoundTimes(seconds + o.seconds, compute + o.compute, setup + o.setup, pack + o.pack,
        broadcast + o.broadcast, average + o.average);
  }

  public static final RoundTimes ZERO = new RoundTimes(0, 0, 0, 0, 0, 0);
}
