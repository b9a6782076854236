package io.seqspark.spark.train;

import java.io.Serializable;
import java.util.ArrayList;
import java.util.List;

/**
 * Float vectors from several partitions on their way to a token-weighted mean, Σ w_p·v_p / Σ w_p.
 *
 * <p>Each partition's values travel as its own float32 array (half the bytes of a double sum) and stay that way
 * where results meet, up to {@link #MAX_PARTS} of them; only beyond that (many partitions merged in a tree) are they
 * folded into a double sum. The mean is then formed in one pass on the driver: in double, summed in partition
 * order, rounded once to float32. One partition's values come out exactly as sent.
 */
final class WeightedValues implements Serializable {
  private static final long serialVersionUID = 1L;

  /** Raw parts kept before folding into {@link #sums}: the driver of a P ≤ 8 run never allocates a double vector. */
  static final int MAX_PARTS = 8;

  private final List<float[]> parts = new ArrayList<>();
  private final List<long[]> keys = new ArrayList<>(); // {partition, weight, attempt} per part
  private double[] sums;
  private long summedWeight;

  static WeightedValues of(int partition, float[] values, long weight) {
    WeightedValues w = new WeightedValues();
    w.parts.add(values);
    w.keys.add(new long[] {partition, weight, 0});
    return w;
  }

  /** A part whose values were uploaded elsewhere ({@link ParameterChannel}); {@link #resolve} fetches them. */
  static WeightedValues pending(int partition, int attempt, long weight) {
    WeightedValues w = new WeightedValues();
    w.parts.add(null);
    w.keys.add(new long[] {partition, weight, attempt});
    return w;
  }

  /** Where the values of pending parts are: (partition, attempt) → values. */
  interface Uploads {
    float[] get(int partition, int attempt);
  }

  /** Fills every pending part from {@code uploads}; returns this. */
  WeightedValues resolve(Uploads uploads) {
    for (int p = 0; p < parts.size(); p++) {
      if (parts.get(p) == null) {
        long[] k = keys.get(p);
        float[] v = uploads.get((int) k[0], (int) k[2]);
        if (v == null) {
          throw new IllegalStateException("partition " + k[0] + " (attempt " + k[2] + ") finished its task but its"
              + " values never reached the driver's parameter channel");
        }
        parts.set(p, v);
      }
    }
    return this;
  }

  boolean isEmpty() {
    return parts.isEmpty() && sums == null;
  }

  /** Adds {@code o}'s parts into this one and returns it; {@code o} may be null or empty. */
  WeightedValues plus(WeightedValues o) {
    if (o == null || o.isEmpty()) {
      return this;
    }
    parts.addAll(o.parts);
    keys.addAll(o.keys);
    if (o.sums != null) {
      foldInto(o.sums, o.summedWeight);
    }
    if (parts.size() > MAX_PARTS && !parts.contains(null)) {
      foldInto(null, 0);
    }
    return this;
  }

  private void foldInto(double[] more, long moreWeight) {
    int n = more != null ? more.length : parts.get(0).length;
    if (sums == null) {
      sums = new double[n];
    }
    if (more != null) {
      for (int i = 0; i < n; i++) {
        sums[i] += more[i];
      }
      summedWeight += moreWeight;
    }
    if (parts.size() > MAX_PARTS && !parts.contains(null)) {
      for (int p = 0; p < parts.size(); p++) {
        float[] v = parts.get(p);
        double w = keys.get(p)[1];
        for (int i = 0; i < n; i++) {
          sums[i] += v[i] * w;
        }
        summedWeight += keys.get(p)[1];
      }
      parts.clear();
      keys.clear();
    }
  }

  /** The values' length (0 when empty). */
  int length() {
    return sums != null ? sums.length : parts.isEmpty() ? 0 : parts.get(0).length;
  }

  /**
   * The weighted mean as float32, formed in one pass: a single part is returned as it is (exact); several are summed
   * in double in partition order and rounded once.
   */
  float[] mean() {
    if (sums == null && parts.size() == 1) {
      return parts.get(0);
    }
    List<Integer> order = new ArrayList<>();
    for (int p = 0; p < parts.size(); p++) {
      order.add(p);
    }
    order.sort((a, b) -> Long.compare(keys.get(a)[0], keys.get(b)[0]));
    int n = length();
    float[][] v = new float[order.size()][];
    double[] w = new double[order.size()];
    double total = summedWeight;
    for (int j = 0; j < v.length; j++) {
      v[j] = parts.get(order.get(j));
      w[j] = keys.get(order.get(j))[1];
      total += w[j];
    }
    float[] out = new float[n];
    for (int i = 0; i < n; i++) {
      double s = sums == null ? 0 : sums[i];
      for (int j = 0; j < v.length; j++) {
        s += v[j][i] * w[j];
      }
      out[i] = (float) (s / total);
    }
    return out;
  }
}
