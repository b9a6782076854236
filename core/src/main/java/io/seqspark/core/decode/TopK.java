package io.seqspark.core.decode;

import io.seqspark.core.data.Vocabulary;
import java.util.Arrays;

/**
 * The k largest of a slice of values by a bounded heap (O(n log k)), and which ids decoding may emit. Order is value
 * descending, ties to the lower index — the order an arg max scanning ids upwards with a strict {@code >} gives, so
 * top-1 is greedy's choice.
 */
final class TopK {
  private TopK() {
  }

  /**
   * Whether decoding may emit {@code id}: never {@code <pad>} or {@code <s>}; {@code <unk>} only when allowed (it is
   * a word of the training text, which {@code lm generate} has always emitted); {@code </s>} and every word always.
   */
  static boolean emittable(int id, boolean allowUnknown) {
    return id != Vocabulary.PAD_ID && id != Vocabulary.BOS_ID && (allowUnknown || id != Vocabulary.UNK_ID);
  }

  /**
   * Indices i in [0, n) of the k largest {@code values[from + i]} that are not -∞ and whose column
   * {@code i % width} is emittable, best first.
   */
  static int[] largest(double[] values, int from, int n, int width, int k, boolean allowUnknown) {
    int[] heap = new int[Math.max(0, Math.min(k, n))];
    int size = 0;
    for (int i = 0; i < n; i++) {
      double v = values[from + i];
      if (v == Double.NEGATIVE_INFINITY || Double.isNaN(v) || !emittable(i % width, allowUnknown)) {
        continue;
      }
      if (size < heap.length) {
        heap[size] = i;
        up(values, from, heap, size++);
      } else if (size > 0 && better(values, from, i, heap[0])) {
        heap[0] = i;
        down(values, from, heap, size);
      }
    }
    Integer[] order = new Integer[size];
    for (int j = 0; j < size; j++) {
      order[j] = heap[j];
    }
    Arrays.sort(order, (a, b) -> better(values, from, a, b) ? -1 : better(values, from, b, a) ? 1 : 0);
    int[] out = new int[size];
    for (int j = 0; j < size; j++) {
      out[j] = order[j];
    }
    return out;
  }

  /** a ranks before b: larger value, or equal value and lower index. */
  private static boolean better(double[] v, int from, int a, int b) {
    double x = v[from + a];
    double y = v[from + b];
    return x > y || x == y && a < b;
  }

  // a min-heap by rank: the worst kept candidate at the root
  private static void up(double[] v, int from, int[] h, int j) {
    while (j > 0) {
      int parent = (j - 1) / 2;
      if (!better(v, from, h[parent], h[j])) {
        return;
      }
      swap(h, parent, j);
      j = parent;
    }
  }

  private static void down(double[] v, int from, int[] h, int size) {
    int j = 0;
    while (true) {
      int l = 2 * j + 1;
      if (l >= size) {
        return;
      }
      int worst = l + 1 < size && better(v, from, h[l], h[l + 1]) ? l + 1 : l;
      if (!better(v, from, h[j], h[worst])) {
        return;
      }
      swap(h, j, worst);
      j = worst;
    }
  }

  private static void swap(int[] h, int a, int b) {
    int t = h[a];
    h[a] = h[b];
    h[b] = t;
  }
}
