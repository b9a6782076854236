package io.seqspark.spark.train;

/**
 * Where one averaging round's wall time went. Everything but {@code compute} is overhead; the partition-side parts
 * are the slowest partition's, so they overlap and do not add up to the wall time exactly.
 *
 * @param seconds   the round's wall time on the driver
 * @param compute   the longest time one partition spent in its TrainSteps
 * @param read      the longest time a task spent reading the round's broadcast (fetch and deserialise)
 * @param setup     the longest time from a task's start to its first TrainStep (the read, then loading the values)
 * @param pack      the longest time a partition spent after its last TrainStep (copying out its values)
 * @param broadcast the driver's time to snapshot and broadcast parameters and optimizer state
 * @param average   the driver's time to average the aggregated values into its model
 * @param launch    from the driver submitting the round's job to the first task starting (wall clock)
 * @param collect   from the last task ending to the driver holding the aggregate (result transfer and merge)
 */
public record RoundTimes(double seconds, double compute, double read, double setup, double pack, double broadcast,
                         double average, double launch, double collect) {

  /** Wall time minus the slowest partition's compute. */
  public double overhead() {
    return seconds - compute;
  }

  /** Element-wise sum, for totals over rounds. */
  public RoundTimes plus(RoundTimes o) {
    return new RoundTimes(seconds + o.seconds, compute + o.compute, read + o.read, setup + o.setup, pack + o.pack,
        broadcast + o.broadcast, average + o.average, launch + o.launch, collect + o.collect);
  }

  public static final RoundTimes ZERO = new RoundTimes(0, 0, 0, 0, 0, 0, 0, 0, 0);
}
