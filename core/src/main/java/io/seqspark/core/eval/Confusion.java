package io.seqspark.core.eval;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * A confusion matrix (rows = true class, columns = predicted) and the measures read from it: accuracy, and per
 * class precision, recall and F1 (F1 = 2PR / (P + R), 0 when the class is never predicted nor present). Counts add
 * up across batches; measures are computed at the end.
 */
public final class Confusion {
  private final List<String> labels;
  private final long[][] counts;

  public Confusion(List<String> labels) {
    this.labels = List.copyOf(labels);
    this.counts = new long[labels.size()][labels.size()];
  }

  public void add(int[] truth, int[] predicted) {
    for (int i = 0; i < truth.length; i++) {
      counts[truth[i]][predicted[i]]++;
    }
  }

  public long total() {
    long n = 0;
    for (long[] row : counts) {
      for (long c : row) {
        n += c;
      }
    }
    return n;
  }

  public long count(int truth, int predicted) {
    return counts[truth][predicted];
  }

  public double accuracy() {
    long right = 0;
    for (int c = 0; c < counts.length; c++) {
      right += counts[c][c];
    }
    return total() == 0 ? Double.NaN : (double) right / total();
  }

  public double precision(int c) {
    long predicted = 0;
    for (long[] row : counts) {
      predicted += row[c];
    }
    return predicted == 0 ? 0 : (double) counts[c][c] / predicted;
  }

  public double recall(int c) {
    long actual = 0;
    for (long v : counts[c]) {
      actual += v;
    }
    return actual == 0 ? 0 : (double) counts[c][c] / actual;
  }

  public double f1(int c) {
    double p = precision(c);
    double r = recall(c);
    return p + r == 0 ? 0 : 2 * p * r / (p + r);
  }

  /** Unweighted mean of the per-class F1. */
  public double macroF1() {
    double s = 0;
    for (int c = 0; c < counts.length; c++) {
      s += f1(c);
    }
    return s / counts.length;
  }

  /** {prefix_accuracy, prefix_macro_f1, prefix_f1_LABEL for every label}, for metrics.jsonl. */
  public Map<String, Object> metrics(String prefix) {
    Map<String, Object> m = new LinkedHashMap<>();
    m.put(prefix + "_accuracy", accuracy());
    m.put(prefix + "_macro_f1", macroF1());
    for (int c = 0; c < labels.size(); c++) {
      m.put(prefix + "_f1_" + labels.get(c), f1(c));
    }
    return m;
  }
}
