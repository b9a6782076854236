package io.seqspark.core.math;

import java.util.List;
import java.util.SplittableRandom;

/**
 * The one Fisher–Yates shuffle every seeded permutation in seqspark uses (batches, held-out splits, forecasting
 * windows): from the last element down, {@code swap(i, nextInt(i + 1))}, so a seed gives the same order everywhere.
 */
public final class Shuffle {
  private Shuffle() {
  }

  /** Shuffles {@code a} in place. */
  public static void inPlace(int[] a, SplittableRandom random) {
    for (int i = a.length - 1; i > 0; i--) {
      int j = random.nextInt(i + 1);
      int t = a[i];
      a[i] = a[j];
      a[j] = t;
    }
  }

  /** Shuffles {@code list} in place. */
  public static <T> void inPlace(List<T> list, SplittableRandom random) {
    for (int i = list.size() - 1; i > 0; i--) {
      int j = random.nextInt(i + 1);
      T t = list.get(i);
      list.set(i, list.get(j));
      list.set(j, t);
    }
  }
}
