package io.seqspark.jobs.bench;

import java.util.Locale;
import org.apache.spark.executor.TaskMetrics;
import org.apache.spark.scheduler.SparkListener;
import org.apache.spark.scheduler.SparkListenerTaskEnd;
import org.apache.spark.scheduler.TaskInfo;

/**
 * Spark's own per-task metrics summed over the tasks that ended while it listened: where a task's time goes outside
 * our code (deserialising the task, serialising its result, the driver fetching it) and how big results are.
 */
final class TaskTimes extends SparkListener {
  private long tasks;
  private long deserializeMs;
  private long runMs;
  private long resultSerializeMs;
  private long gcMs;
  private long resultBytes;
  private long launchToFinishMs;

  @Override
  public synchronized void onTaskEnd(SparkListenerTaskEnd end) {
    TaskMetrics m = end.taskMetrics();
    TaskInfo info = end.taskInfo();
    if (m == null || info == null) {
      return;
    }
    tasks++;
    deserializeMs += m.executorDeserializeTime();
    runMs += m.executorRunTime();
    resultSerializeMs += m.resultSerializationTime();
    gcMs += m.jvmGCTime();
    resultBytes += m.resultSize();
    launchToFinishMs += info.finishTime() - info.launchTime();
  }

  synchronized void reset() {
    tasks = deserializeMs = runMs = resultSerializeMs = gcMs = resultBytes = launchToFinishMs = 0;
  }

  /** Per-task means, one line. */
  synchronized String describe() {
    double n = Math.max(1, tasks);
    return String.format(Locale.ROOT, "%d tasks; per task: launch→finish %.1f ms, deserialize %.1f, run %.1f, result"
            + " serialize %.1f, GC %.1f, result %.1f MB", tasks, launchToFinishMs / n, deserializeMs / n, runMs / n,
        resultSerializeMs / n, gcMs / n, resultBytes / n / 1e6);
  }
}
