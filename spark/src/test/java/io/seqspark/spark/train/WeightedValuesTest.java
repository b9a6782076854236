package io.seqspark.spark.train;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;

class WeightedValuesTest {

  /** Values spread over 40 binades. */
  static float[][] values(int partitions, int n, long seed) {
    Random r = new Random(seed);
    float[][] v = new float[partitions][n];
    for (float[] row : v) {
      for (int i = 0; i < n; i++) {
        row[i] = (float) ((r.nextDouble() - 0.5) * Math.pow(2, r.nextInt(40) - 20));
      }
    }
    return v;
  }

  static long[] weights(int partitions, long seed) {
    Random r = new Random(seed);
    long[] w = new long[partitions];
    for (int p = 0; p < partitions; p++) {
      w[p] = 1 + r.nextInt(5000);
    }
    return w;
  }

  static WeightedValues all(float[][] v, long[] w, List<Integer> order) {
    WeightedValues out = null;
    for (int p : order) {
      WeightedValues one = WeightedValues.of(p, v[p], w[p]);
      out = out == null ? one : out.plus(one);
    }
    return out;
  }

  static List<Integer> range(int n) {
    List<Integer> l = new ArrayList<>();
    for (int i = 0; i < n; i++) {
      l.add(i);
    }
    return l;
  }

  @Test
  void upToFanOutPartitions_theMeanIsOnePassInPartitionOrder_asBeforeTheFixedTree() {
    // the formula averaging has used since issue 4: s = 0.0 + w_0·v_0 + w_1·v_1 + ... in double, then /Σw, rounded once
    float[][] v = values(8, 500, 1);
    long[] w = weights(8, 2);
    List<Integer> shuffled = range(8);
    Collections.shuffle(shuffled, new Random(3));
    float[] got = all(v, w, shuffled).mean(8);
    double total = 0;
    for (long x : w) {
      total += x;
    }
    for (int i = 0; i < 500; i++) {
      double s = 0;
      for (int p = 0; p < 8; p++) {
        s += v[p][i] * (double) w[p];
      }
      assertEquals(Float.floatToRawIntBits((float) (s / total)), Float.floatToRawIntBits(got[i]), "value " + i);
    }
  }

  @Test
  void foldingGroupsWhereverTheyMeet_givesTheSameBitsAsFoldingEverythingOnTheDriver() {
    // what TreeReduce does (each reducer folds its children, the driver folds the rest) against the direct channel
    // (the driver folds all leaves), for 23 partitions with fan-out 3: levels 23 → 8 → 3 → 1
    int parts = 23;
    int fanOut = 3;
    float[][] v = values(parts, 300, 4);
    long[] w = weights(parts, 5);
    // partitions 2 and 3 cancel: summed in partition order they swallow partitions 0 and 1 and cancel before 4 and 5
    // arrive; in the tree (groups {0,1,2}, {3,4,5}) they swallow 0, 1, 4 and 5
    java.util.Arrays.fill(v[2], 0x1p60f);
    java.util.Arrays.fill(v[3], -0x1p60f);
    w[3] = w[2];
    float[] direct = all(v, w, range(parts)).mean(fanOut);

    List<WeightedValues> level = new ArrayList<>();
    for (int p = 0; p < parts; p++) {
      level.add(WeightedValues.of(p, v[p], w[p]));
    }
    int nodes = parts;
    while (nodes > fanOut) {
      int parents = (nodes + fanOut - 1) / fanOut;
      List<WeightedValues> up = new ArrayList<>();
      for (int j = 0; j < parents; j++) {
        WeightedValues merged = new WeightedValues();
        // children arrive in any order
        List<Integer> children = new ArrayList<>();
        for (int c = j * fanOut; c < Math.min(nodes, (j + 1) * fanOut); c++) {
          children.add(c);
        }
        Collections.shuffle(children, new Random(j));
        for (int c : children) {
          merged.plus(level.get(c));
        }
        up.add(merged.foldLevel(fanOut));
      }
      level = up;
      nodes = parents;
    }
    WeightedValues top = new WeightedValues();
    for (int j = level.size() - 1; j >= 0; j--) {
      top.plus(level.get(j));
    }
    float[] tree = top.mean(fanOut);
    for (int i = 0; i < direct.length; i++) {
      assertEquals(Float.floatToRawIntBits(direct[i]), Float.floatToRawIntBits(tree[i]), "value " + i);
    }

    // not vacuous: the plain partition-order sum differs from the tree's in some last bits for these values
    float[] sequential = all(v, w, range(parts)).mean(parts);
    int differ = 0;
    for (int i = 0; i < direct.length; i++) {
      differ += direct[i] != sequential[i] ? 1 : 0;
    }
    assertTrue(differ > 0, "the summation order shows in the result for these values");
  }

  @Test
  void onePartition_comesOutExactlyAsSent_alsoWhenItIsTheOnlyOneLeftInABigTree() {
    float[] v = values(1, 100, 7)[0];
    assertSame(v, WeightedValues.of(0, v, 37).mean(8));
    // partition 17 of 30 alone (the others ran out of batches): moved up the tree unchanged
    WeightedValues lone = WeightedValues.of(17, v, 37);
    lone.foldLevel(2).foldLevel(2);
    assertArrayEquals(v, lone.mean(2));
  }

  @Test
  void aFanOutBelowTwo_isRefusedWithTheKey() {
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
        () -> all(values(3, 4, 1), weights(3, 1), range(3)).mean(1));
    assertTrue(e.getMessage().contains("spark.treeFanOut = 1"), e.getMessage());
  }
}
