package io.seqspark.core.task;

import io.seqspark.core.io.MetricsLog;
import java.io.IOException;
import java.nio.file.Path;
import java.util.Map;
import java.util.TreeMap;

/** The training loss of every step a run logged, for the tests that compare runs step by step. */
final class StepLosses {
  private StepLosses() {
  }

  /** step → train_loss from {@code run}/metrics.jsonl (a later line for the same step wins, as after a resume). */
  static Map<Long, Double> of(Path run) throws IOException {
    Map<Long, Double> m = new TreeMap<>();
    for (Map<String, Object> rec : MetricsLog.read(run.resolve("metrics.jsonl"))) {
      if (rec.get("train_loss") instanceof Number l) {
        m.put(((Number) rec.get("step")).longValue(), l.doubleValue());
      }
    }
    return m;
  }
}
