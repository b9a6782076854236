package io.seqspark.core.data;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import java.util.TreeSet;
import org.junit.jupiter.api.Test;

class PairBatcherTest {
  static SentenceBatcher.Options options(int maxLength, SentenceBatcher.OverLength over, int budget) {
    return new SentenceBatcher.Options(maxLength, over, new LengthBucketing.Options(budget, 0, false, 0), 3);
  }

  @Test
  void aPair_isSourceWithEos_andTargetShiftedForTeacherForcing() {
    int[] src = {11, 12, 13};
    int[] tgt = {21, 22};
    int[] p = PairBatcher.encode(src, tgt);
    assertArrayEquals(src, PairBatcher.source(p));
    assertArrayEquals(tgt, PairBatcher.target(p));
    PairBatch b = new PairBatcher(List.of(p), options(0, SentenceBatcher.OverLength.FAIL, 100)).batch(0, 0);
    assertArrayEquals(new int[] {11, 12, 13, Vocabulary.EOS_ID}, b.source().rowInputs(0));
    assertArrayEquals(new int[] {Vocabulary.BOS_ID, 21, 22}, b.target().rowInputs(0));
    assertArrayEquals(new int[] {21, 22, Vocabulary.EOS_ID}, new int[] {b.target().targets()[0],
        b.target().targets()[1], b.target().targets()[2]});
    assertEquals(3, b.tokens(), "the loss counts the target's real positions");
  }

  @Test
  void everyPairOncePerEpoch_withinTheBudget_andTruncationOnBothSides() {
    SplittableRandom r = new SplittableRandom(1);
    List<int[]> pairs = new ArrayList<>();
    for (int i = 0; i < 200; i++) {
      int[] s = new int[1 + r.nextInt(12)];
      int[] t = new int[r.nextInt(15)];
      java.util.Arrays.fill(s, 7);
      java.util.Arrays.fill(t, 8);
      pairs.add(PairBatcher.encode(s, t));
    }
    PairBatcher pb = new PairBatcher(pairs, options(10, SentenceBatcher.OverLength.TRUNCATE, 60));
    for (int epoch = 0; epoch < 2; epoch++) {
      TreeSet<Long> seen = new TreeSet<>();
      for (int k = 0; k < pb.numBatches(epoch); k++) {
        PairBatch b = pb.batch(epoch, k);
        assertTrue((long) b.rows() * Math.max(b.source().steps(), b.target().steps()) <= 60, "budget");
        assertTrue(b.source().steps() <= 10 && b.target().steps() <= 10, "maxLength on both sides");
        for (long id : b.source().exampleIds()) {
          assertTrue(seen.add(id), "pair " + id + " twice in epoch " + epoch);
        }
      }
      assertEquals(200, seen.size());
    }
    assertThrows(IllegalArgumentException.class,
        () -> new PairBatcher(pairs, options(10, SentenceBatcher.OverLength.FAIL, 60)));
    assertEquals(200 - countOver(pairs, 10),
        200 - new PairBatcher(pairs, options(10, SentenceBatcher.OverLength.SKIP, 60)).skipped().size());
  }

  private static int countOver(List<int[]> pairs, int limit) {
    int n = 0;
    for (int[] p : pairs) {
      if (p[0] + 1 > limit || p.length - 1 - p[0] + 1 > limit) {
        n++;
      }
    }
    return n;
  }
}
