package io.seqspark.spark.ingest;

import java.lang.management.GarbageCollectorMXBean;
import java.lang.management.ManagementFactory;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeoutException;
import org.apache.spark.SparkContext;
import org.apache.spark.executor.TaskMetrics;
import org.apache.spark.scheduler.SparkListener;
import org.apache.spark.scheduler.SparkListenerStageCompleted;
import org.apache.spark.scheduler.SparkListenerStageSubmitted;
import org.apache.spark.scheduler.SparkListenerTaskEnd;

/**
 * Where one ingest's wall time went: the driver's phases in order (wall milliseconds between marks), and for each
 * phase the Spark stages it ran with their task count, summed and longest task run time. The serial part of an
 * ingest is the phase time the tasks do not cover, so this attributes it instead of guessing it from two runs.
 *
 * <p>Task figures come from a {@link SparkListener}, whose events arrive asynchronously: {@link #describe()} and
 * {@link #toMap()} wait for Spark's listener bus to drain first, so call them after the timed work, not inside it.
 * A stage belongs to the phase during which it was submitted.
 */
public final class IngestTimings {
  private final SparkContext sc;
  private final Listener listener = new Listener();
  private final long start = System.currentTimeMillis();
  private final List<Phase> phases = new ArrayList<>();
  private long last = start;
  private long lastGc = gcMs();
  private boolean settled;

  private record Phase(String name, long fromMs, long toMs, long gcMs) {}

  /** Task run times of one stage (executorRunTime: deserialization and result sending excluded). */
  private static final class Stage {
    final String name;
    final long submittedMs;
    int tasks;
    long taskSumMs;
    long taskMaxMs;
    long deserializeSumMs;
    long wallMs;

    Stage(String name, long submittedMs) {
      this.name = name;
      this.submittedMs = submittedMs;
    }
  }

  private static final class Listener extends SparkListener {
    final Map<Integer, Stage> stages = new LinkedHashMap<>();

    @Override
    public synchronized void onStageSubmitted(SparkListenerStageSubmitted e) {
      long at = e.stageInfo().submissionTime().isDefined() ? (Long) e.stageInfo().submissionTime().get()
          : System.currentTimeMillis();
      stages.put(e.stageInfo().stageId(), new Stage(e.stageInfo().name(), at));
    }

    @Override
    public synchronized void onStageCompleted(SparkListenerStageCompleted e) {
      Stage s = stages.get(e.stageInfo().stageId());
      if (s != null && e.stageInfo().completionTime().isDefined()) {
        s.wallMs = (Long) e.stageInfo().completionTime().get() - s.submittedMs;
      }
    }

    @Override
    public synchronized void onTaskEnd(SparkListenerTaskEnd e) {
      Stage s = stages.get(e.stageId());
      TaskMetrics m = e.taskMetrics();
      if (s != null && m != null) {
        s.tasks++;
        s.taskSumMs += m.executorRunTime();
        s.taskMaxMs = Math.max(s.taskMaxMs, m.executorRunTime());
        s.deserializeSumMs += m.executorDeserializeTime();
      }
    }
  }

  /** Starts timing now and listens to {@code sc}'s stages until {@link #stop()}. */
  public IngestTimings(SparkContext sc) {
    this.sc = sc;
    sc.addSparkListener(listener);
  }

  /** Ends the phase running since the previous mark (or the start). */
  public void mark(String phase) {
    long now = System.currentTimeMillis();
    long gc = gcMs();
    phases.add(new Phase(phase, last, now, gc - lastGc));
    last = now;
    lastGc = gc;
  }

  /** Milliseconds this JVM has spent collecting garbage so far (pauses of all threads, and concurrent work). */
  private static long gcMs() {
    long sum = 0;
    for (GarbageCollectorMXBean b : ManagementFactory.getGarbageCollectorMXBeans()) {
      sum += Math.max(0, b.getCollectionTime());
    }
    return sum;
  }

  /** Stops listening (no more stages are recorded); idempotent. */
  void stop() {
    if (!settled) {
      settled = true;
      sc.removeSparkListener(listener);
    }
  }

  private void drain() {
    try {
      sc.listenerBus().waitUntilEmpty();
    } catch (TimeoutException e) {
      // figures may miss the last tasks' events; they are diagnostics, not results
    }
  }

  /** Total wall milliseconds from the start to the last mark. */
  public long totalMs() {
    return last - start;
  }

  /**
   * The breakdown as data: {@code totalMs}, and {@code phases}, each with {@code name}, {@code ms}, {@code gcMs} (time
   * the JVM spent in garbage collection during the phase) and its
   * {@code stages} (name, wallMs from submission to completion, tasks, taskSumMs, taskMaxMs, deserializeSumMs: task
   * deserialization, outside the run time).
   */
  public synchronized Map<String, Object> toMap() {
    drain();
    List<Map<String, Object>> out = new ArrayList<>();
    List<Stage> stages;
    synchronized (listener) {
      stages = new ArrayList<>(listener.stages.values());
    }
    for (Phase p : phases) {
      Map<String, Object> m = new LinkedHashMap<>();
      m.put("name", p.name);
      m.put("ms", p.toMs - p.fromMs);
      m.put("gcMs", p.gcMs);
      List<Map<String, Object>> st = new ArrayList<>();
      for (Stage s : stages) {
        if (s.submittedMs >= p.fromMs && s.submittedMs < p.toMs) {
          Map<String, Object> sm = new LinkedHashMap<>();
          sm.put("name", s.name);
          sm.put("tasks", s.tasks);
          sm.put("taskSumMs", s.taskSumMs);
          sm.put("taskMaxMs", s.taskMaxMs);
          sm.put("deserializeSumMs", s.deserializeSumMs);
          sm.put("wallMs", s.wallMs);
          st.add(sm);
        }
      }
      m.put("stages", st);
      out.add(m);
    }
    Map<String, Object> all = new LinkedHashMap<>();
    all.put("totalMs", totalMs());
    all.put("phases", out);
    return all;
  }

  /**
   * One line: {@code total N ms: phase M ms [k tasks, sum S ms, max X ms], ...}; a phase with several stages lists
   * each stage's tasks.
   */
  public String describe() {
    StringBuilder b = new StringBuilder("total " + totalMs() + " ms:");
    String sep = " ";
    for (Object o : (List<?>) toMap().get("phases")) {
      Map<?, ?> p = (Map<?, ?>) o;
      b.append(sep).append(p.get("name")).append(' ').append(p.get("ms")).append(" ms");
      if (((Number) p.get("gcMs")).longValue() > 0) {
        b.append(" (gc ").append(p.get("gcMs")).append(')');
      }
      List<?> st = (List<?>) p.get("stages");
      if (!st.isEmpty()) {
        b.append(" [");
        String s2 = "";
        for (Object so : st) {
          Map<?, ?> s = (Map<?, ?>) so;
          b.append(s2).append("stage ").append(s.get("wallMs")).append(" ms: ").append(s.get("tasks")).append(" tasks sum ").append(s.get("taskSumMs")).append(" max ")
              .append(s.get("taskMaxMs")).append(" deser ").append(s.get("deserializeSumMs"));
          s2 = "; ";
        }
        b.append(']');
      }
      sep = ", ";
    }
    return b.toString();
  }
}
