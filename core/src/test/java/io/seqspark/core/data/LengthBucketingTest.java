package io.seqspark.core.data;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.function.IntFunction;
import org.junit.jupiter.api.Test;

class LengthBucketingTest {

  private static final int BUDGET = 256;

  /** Named length distributions; {@code n -> lengths}, all within BUDGET except "oneGiant". */
  private static final Map<String, IntFunction<int[]>> DISTRIBUTIONS = Map.of(
      "uniform", n -> new SplittableRandom(n).ints(n, 1, 101).toArray(),
      // Zipf-like: P(length = k) ~ 1/k, so many short and a long tail up to the budget.
      "zipfLike", n -> new SplittableRandom(n).doubles(n).mapToInt(u -> (int) Math.min(BUDGET, Math.floor(Math.pow(BUDGET, u)))).toArray(),
      "allEqual", n -> filled(n, 17),
      "oneGiant", n -> {
        int[] l = filled(n, 5);
        l[n / 2] = BUDGET * 10;
        return l;
      });

  private static int[] filled(int n, int value) {
    int[] l = new int[n];
    Arrays.fill(l, value);
    return l;
  }

  /** The documented algorithm written the slow, obvious way: boxed lists, recomputed maxima. */
  private static List<int[]> reference(int[] lengths, LengthBucketing.Options o, long seed) {
    int[] order = java.util.stream.IntStream.range(0, lengths.length)
        .filter(id -> lengths[id] <= o.maxTokensPerBatch()).toArray();
    SplittableRandom random = new SplittableRandom(seed);
    io.seqspark.core.math.Shuffle.inPlace(order, random);
    int pool = o.shufflePoolSize() == 0 ? order.length : o.shufflePoolSize();
    List<List<Integer>> batches = new ArrayList<>();
    for (int from = 0; from < order.length; from += pool) {
      List<Integer> ids = new ArrayList<>();
      for (int i = from; i < Math.min(order.length, from + pool); i++) {
        ids.add(order[i]);
      }
      ids.sort(Comparator.comparingInt(id -> lengths[id])); // List.sort is stable
      List<Integer> current = new ArrayList<>();
      for (int id : ids) {
        List<Integer> candidate = new ArrayList<>(current);
        candidate.add(id);
        int longest = candidate.stream().mapToInt(x -> lengths[x]).max().orElseThrow();
        boolean tooMany = o.maxRows() > 0 && candidate.size() > o.maxRows();
        if (tooMany || longest * candidate.size() > o.maxTokensPerBatch()) {
          batches.add(current);
          current = new ArrayList<>(List.of(id));
        } else {
          current = candidate;
        }
      }
      if (!current.isEmpty()) {
        batches.add(current);
      }
    }
    int[] batchOrder = java.util.stream.IntStream.range(0, batches.size()).toArray();
    io.seqspark.core.math.Shuffle.inPlace(batchOrder, random);
    List<int[]> out = new ArrayList<>();
    for (int b : batchOrder) {
      out.add(batches.get(b).stream().mapToInt(Integer::intValue).toArray());
    }
    return out;
  }

  private static void assertValid(int[] lengths, LengthBucketing.Options o, LengthBucketing.Result result, String what) {
    int[] seen = new int[lengths.length];
    for (int[] batch : result.batches()) {
      assertTrue(batch.length >= 1, what);
      int longest = 0;
      for (int id : batch) {
        seen[id]++;
        longest = Math.max(longest, lengths[id]);
      }
      assertTrue((long) longest * batch.length <= o.maxTokensPerBatch(), what + ": batch over budget");
      assertTrue(o.maxRows() == 0 || batch.length <= o.maxRows(), what + ": too many rows");
    }
    for (int id = 0; id < lengths.length; id++) {
      boolean oversized = lengths[id] > o.maxTokensPerBatch();
      assertEquals(oversized ? 0 : 1, seen[id], what + ": example " + id + " appears " + seen[id] + " times");
      assertEquals(oversized, result.skipped().contains(id), what + ": skipped list for " + id);
    }
  }

  @Test
  void batches_matchReferenceAndInvariants_onManyDistributionsAndSeeds() {
    List<LengthBucketing.Options> configs = List.of(
        new LengthBucketing.Options(BUDGET, 0, true, 0),
        new LengthBucketing.Options(BUDGET, 7, true, 0),
        new LengthBucketing.Options(BUDGET, 0, true, 50),
        new LengthBucketing.Options(BUDGET, 3, true, 1));
    for (var dist : DISTRIBUTIONS.entrySet()) {
      for (int n : new int[] {1, 2, 97, 500}) {
        int[] lengths = dist.getValue().apply(n);
        for (LengthBucketing.Options o : configs) {
          for (long seed = 0; seed < 25; seed++) {
            String what = dist.getKey() + " n=" + n + " " + o + " seed=" + seed;
            LengthBucketing.Result result = LengthBucketing.batches(lengths, o, seed);
            assertValid(lengths, o, result, what);
            List<int[]> expected = reference(lengths, o, seed);
            assertEquals(expected.size(), result.batches().size(), what);
            for (int b = 0; b < expected.size(); b++) {
              assertTrue(Arrays.equals(expected.get(b), result.batches().get(b)), what + " batch " + b);
            }
          }
        }
      }
    }
  }

  @Test
  void bucketing_oversizedExample_failsWithIdLengthAndLimit() {
    int[] lengths = DISTRIBUTIONS.get("oneGiant").apply(40);
    int giant = 40 / 2;
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
        () -> LengthBucketing.batches(lengths, new LengthBucketing.Options(BUDGET, 0, false, 0), 1));
    assertTrue(e.getMessage().contains("example " + giant + " has length " + lengths[giant]), e.getMessage());
    assertTrue(e.getMessage().contains("maxTokensPerBatch=" + BUDGET), e.getMessage());
    assertTrue(e.getMessage().contains("data.skipOversized"), e.getMessage());

    LengthBucketing.Result skipped = LengthBucketing.batches(lengths, new LengthBucketing.Options(BUDGET, 0, true, 0), 1);
    assertEquals(List.of(giant), skipped.skipped());
  }

  @Test
  void bucketing_exampleExactlyAtBudget_isKeptAlone() {
    int[] lengths = {BUDGET, 1, 1};
    LengthBucketing.Result r = LengthBucketing.batches(lengths, new LengthBucketing.Options(BUDGET, 0, false, 0), 3);
    assertTrue(r.skipped().isEmpty());
    assertTrue(r.batches().stream().anyMatch(b -> Arrays.equals(b, new int[] {0})));
  }

  @Test
  void sameSeed_sameBatches_differentSeed_differentOrder() {
    int[] lengths = DISTRIBUTIONS.get("uniform").apply(1000);
    LengthBucketing.Options o = new LengthBucketing.Options(BUDGET, 0, false, 100);
    List<int[]> a = LengthBucketing.batches(lengths, o, 42).batches();
    List<int[]> b = LengthBucketing.batches(lengths, o, 42).batches();
    List<int[]> c = LengthBucketing.batches(lengths, o, 43).batches();
    assertTrue(sameBatches(a, b));
    assertFalse(sameBatches(a, c));
  }

  private static boolean sameBatches(List<int[]> x, List<int[]> y) {
    if (x.size() != y.size()) {
      return false;
    }
    for (int i = 0; i < x.size(); i++) {
      if (!Arrays.equals(x.get(i), y.get(i))) {
        return false;
      }
    }
    return true;
  }

  @Test
  void paddingRatio_bucketedIsLowerThanRandomBatchesOfEqualSizes() {
    // Sentence lengths shaped like PTB's: log-normal, median e^3 ~ 20 tokens.
    SplittableRandom random = new SplittableRandom(7);
    int[] lengths = new int[5000];
    for (int i = 0; i < lengths.length; i++) {
      lengths[i] = (int) Math.max(1, Math.min(200, Math.round(Math.exp(3 + 0.5 * random.nextGaussian()))));
    }
    LengthBucketing.Options o = new LengthBucketing.Options(2048, 0, false, 1000);
    List<int[]> bucketed = LengthBucketing.batches(lengths, o, 11).batches();
    // Same batch sizes, members drawn at random: what training without bucketing would pad.
    int[] perm = java.util.stream.IntStream.range(0, lengths.length).toArray();
    io.seqspark.core.math.Shuffle.inPlace(perm, new SplittableRandom(13));
    List<int[]> randomBatches = new ArrayList<>();
    int p = 0;
    for (int[] b : bucketed) {
      randomBatches.add(Arrays.copyOfRange(perm, p, p + b.length));
      p += b.length;
    }
    double bucketedRatio = LengthBucketing.paddingRatio(lengths, bucketed);
    double randomRatio = LengthBucketing.paddingRatio(lengths, randomBatches);
    assertTrue(bucketedRatio < randomRatio, "bucketed " + bucketedRatio + " vs random " + randomRatio);
  }

  @Test
  void paddingRatio_countsPadOverReal() {
    int[] lengths = {2, 4, 4};
    // batch {0,1}: 2 rows x 4 = 8 positions, 6 real -> 2 pad; batch {2}: no pad. Total 2 pad / 10 real.
    assertEquals(2.0 / 10, LengthBucketing.paddingRatio(lengths, List.of(new int[] {0, 1}, new int[] {2})), 1e-12);
  }

  @Test
  void options_invalid_nameTheKey() {
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
        () -> new LengthBucketing.Options(0, 0, false, 0));
    assertTrue(e.getMessage().contains("maxTokensPerBatch"), e.getMessage());
  }
}
