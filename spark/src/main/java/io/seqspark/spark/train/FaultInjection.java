package io.seqspark.spark.train;

import io.seqspark.core.train.Trainable;
import org.apache.spark.SparkEnv;
import org.apache.spark.TaskContext;

/**
 * Deterministic faults for the integration tests, read from the Spark conf so they reach real executors too:
 * {@code spark.seqspark.test.failOnce=P:E:R} makes the first attempt of partition P's task in epoch E, round R
 * throw after its steps (Spark retries it); {@code spark.seqspark.test.poison=P:E:R} sets that partition's parameters
 * to NaN, as a diverging worker would. Unset (always, outside tests) they cost one conf lookup per task.
 */
final class FaultInjection {
  static final String FAIL_ONCE = "spark.seqspark.test.failOnce";
  static final String POISON = "spark.seqspark.test.poison";

  private FaultInjection() {
  }

  static void afterSteps(int partition, int epoch, int round, Trainable<?> model) {
    SparkEnv env = SparkEnv.get();
    if (env == null) {
      return;
    }
    String here = partition + ":" + epoch + ":" + round;
    if (here.equals(env.conf().get(FAIL_ONCE, "")) && TaskContext.get() != null && TaskContext.get().attemptNumber() == 0) {
      throw new IllegalStateException("injected failure of partition " + partition + ", epoch " + epoch + ", round " + round
          + " (" + FAIL_ONCE + ")");
    }
    if (here.equals(env.conf().get(POISON, ""))) {
      model.params().params().assign(Double.NaN);
    }
  }
}
