package io.seqspark.spark.train;

import io.seqspark.core.train.Trainable;
import org.apache.spark.SparkEnv;
import org.apache.spark.TaskContext;

/**
 * Deterministic faults for the integration tests, read from the Spark conf so they reach real executors too:
 * {@code spark.seqspark.test.failOnce=P:E:R} makes the first attempt of partition P's task in epoch E, round R
 * throw after its steps (Spark retries it); {@code spark.seqspark.test.poison=P:E:R} sets that partition's parameters
 * to NaN, as a diverging worker would; {@code spark.seqspark.test.halt=P:E:R} kills that first attempt's executor JVM
 * after its steps ({@code Runtime.halt}, as a lost machine would; only on a real executor, never the driver's JVM);
 * {@code spark.seqspark.test.stallPut=P:E:R} makes that first attempt send its PUT's header and then nothing for
 * longer than the channel's timeout, as a hung executor would. Unset (always, outside tests) they cost one conf
 * lookup per task.
 */
final class FaultInjection {
  static final String FAIL_ONCE = "spark.seqspark.test.failOnce";
  static final String POISON = "spark.seqspark.test.poison";
  static final String HALT = "spark.seqspark.test.halt";
  static final String STALL_PUT = "spark.seqspark.test.stallPut";

  private FaultInjection() {
  }

  static void afterSteps(int partition, int epoch, int round, Trainable<?> model) {
    SparkEnv env = SparkEnv.get();
    if (env == null) {
      return;
    }
    String here = partition + ":" + epoch + ":" + round;
    if (here.equals(env.conf().get(FAIL_ONCE, "")) && firstAttempt()) {
      throw new IllegalStateException("injected failure of partition " + partition + ", epoch " + epoch + ", round " + round
          + " (" + FAIL_ONCE + ")");
    }
    if (here.equals(env.conf().get(HALT, "")) && firstAttempt()) {
      if ("driver".equals(env.executorId())) {
        throw new IllegalStateException(HALT + " = " + here + ": this task runs in the driver's JVM (a local master);"
            + " the fault needs executor JVMs, e.g. local-cluster[2,1,1024]");
      }
      Runtime.getRuntime().halt(137);
    }
    if (here.equals(env.conf().get(POISON, ""))) {
      model.params().params().assign(Double.NaN);
    }
  }

  /**
   * What to run between a PUT's header and its values: null, or for {@value #STALL_PUT}'s partition, epoch and round
   * (first attempt) a pause of {@code stallMillis}.
   */
  static Runnable duringPut(int partition, int epoch, int round, long stallMillis) {
    SparkEnv env = SparkEnv.get();
    if (env == null || !(partition + ":" + epoch + ":" + round).equals(env.conf().get(STALL_PUT, "")) || !firstAttempt()) {
      return null;
    }
    return () -> {
      try {
        Thread.sleep(stallMillis);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
    };
  }

  private static boolean firstAttempt() {
    return TaskContext.get() != null && TaskContext.get().attemptNumber() == 0;
  }
}
