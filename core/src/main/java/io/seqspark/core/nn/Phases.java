package io.seqspark.core.nn;

import java.util.LinkedHashMap;
import java.util.Map;
import java.util.TreeMap;

/**
 * Optional wall-clock accounting of the training step's phases, for the throughput benchmark's profile. Off by
 * default: then {@link #start()} returns 0 and {@link #stop} returns at once, so the hot path pays one branch.
 */
public final class Phases {
  private static volatile boolean enabled;
  private static final Map<String, long[]> TOTALS = new TreeMap<>();

  private Phases() {
  }

  public static void enable(boolean on) {
    synchronized (TOTALS) {
      TOTALS.clear();
    }
    enabled = on;
  }

  public static long start() {
    return enabled ? System.nanoTime() : 0;
  }

  public static void stop(String phase, long start) {
    if (!enabled) {
      return;
    }
    long dt = System.nanoTime() - start;
    synchronized (TOTALS) {
      TOTALS.computeIfAbsent(phase, k -> new long[1])[0] += dt;
    }
  }

  /** Milliseconds per call of the enclosing step, per phase, over {@code steps} steps. */
  public static Map<String, Double> snapshotMillisPerCall(int steps) {
    Map<String, Double> out = new LinkedHashMap<>();
    synchronized (TOTALS) {
      TOTALS.forEach((k, v) -> out.put(k, Math.round(v[0] / 1e4 / steps) / 100.0));
    }
    return out;
  }
}
