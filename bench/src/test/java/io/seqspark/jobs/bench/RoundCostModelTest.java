package io.seqspark.jobs.bench;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

class RoundCostModelTest {
  // the terms the synthetic measurements are made of (seconds, bytes/s)
  static final double S0 = 0.03;
  static final double S1 = 0.002;
  static final double STAGE = 0.05;
  static final double G0 = 0.005;
  static final double RG = 5e8;
  static final double U0 = 0.002;
  static final double RU = 6e8;
  static final double A0 = 0.001;
  static final double A1 = 2e-9;
  static final double SIGMA = 1e-9;
  static final double O = 0.004;
  /** This "machine's" driver serving rate: above RG and RU (N = 1 is endpoint-bound), below twice them (N ≥ 2 is not). */
  static final double LOOP = 8e8;

  /** A round as the model says it is, except that compute stretches N/2-fold beyond two cores. */
  static RoundCostModel.Point point(String model, long p, double perStep, int n, int k) {
    double b = 4.0 * p;
    double compute = k * perStep * Math.max(1, n / 2.0);
    double get = G0 + Math.max(b / RG, n * b / LOOP);
    double put = U0 + Math.max(b / RU, n * b / LOOP);
    double average = A0 + A1 * n * p;
    double launch = S0 - 0.01 + S1 * n + STAGE * RoundCostModel.aggregateLevels(n);
    double collect = 0.01;
    double snapshot = SIGMA * p;
    double round = compute + get + put + average + launch + collect + snapshot + O;
    return new RoundCostModel.Point(model, p, n, k, 5, round, compute, get, put, average, launch, collect, snapshot,
        0, 0, 400);
  }

  static List<RoundCostModel.Point> measured() {
    List<RoundCostModel.Point> ps = new ArrayList<>();
    for (int n : new int[] {1, 2, 4, 8}) {
      ps.add(point("small", 1_000_000, 0.1, n, 4));
      ps.add(point("large", 4_000_000, 0.4, n, 1));
    }
    return ps;
  }

  @Test
  void fit_recoversEveryTermOfMeasurementsMadeFromThem() {
    RoundCostModel.Fit f = RoundCostModel.fit(measured());
    assertEquals(0.1, f.secondsPerStep().get("small"), 1e-12, "compute per step from N = 1, not the time-shared N > 2");
    assertEquals(0.4, f.secondsPerStep().get("large"), 1e-12);
    assertEquals(S0, f.s0(), 1e-9);
    assertEquals(S1, f.s1(), 1e-9);
    assertEquals(STAGE, f.stage(), 1e-9, "a stage's cost from the N = 8 rounds, where treeAggregate adds one");
    assertEquals(G0, f.g0(), 1e-9);
    assertEquals(RG, f.getRate(), RG * 1e-9);
    assertEquals(U0, f.u0(), 1e-9);
    assertEquals(RU, f.putRate(), RU * 1e-9);
    assertEquals(A0, f.a0(), 1e-9);
    assertEquals(A1, f.a1(), 1e-18);
    assertEquals(SIGMA, f.sigma(), 1e-18);
    assertEquals(O, f.o(), 1e-9);
    assertEquals(LOOP, f.loopbackRate(), LOOP * 1e-9);
  }

  @Test
  void direct_at100Executors_isTheSumOfItsTerms_andTheDriversNicDominates() {
    RoundCostModel.Fit f = RoundCostModel.fit(measured());
    RoundCostModel.Point large = measured().get(1);
    double b = 16e6;
    double nic = 100 * b / 1.25e9; // 1.28 s: 100 copies of 16 MB through a 10 Gb/s NIC, each way
    double expected = 4 * 0.4 + (S0 + S1 * 100 + STAGE) + (G0 + nic) + (U0 + nic) + (A0 + A1 * 100 * 4e6) + (SIGMA * 4e6 + O);
    RoundCostModel.Round r = RoundCostModel.direct(f, large, 100, 4, RoundCostModel.Network.TEN_GBIT);
    assertEquals(expected, r.seconds(), 1e-9);
    assertEquals(1 - 1.6 / expected, r.overhead(), 1e-12);
    assertEquals(100 * 4 * 400 / expected, r.tokensPerSecond(), 1e-6);
    assertTrue(r.get() + r.put() > r.compute(), "GET + PUT through one NIC outweigh 4 steps of compute");
  }

  @Test
  void tree_at100Executors_foldsInTwoShuffleLevels_andMovesAFewCopiesThroughTheDriver() {
    RoundCostModel.Fit f = RoundCostModel.fit(measured());
    RoundCostModel.Point large = measured().get(1);
    double b = 16e6;
    double bw = 1.25e9;
    // fan-out 8: 100 leaves → 13 reducers → 2 reducers → the driver folds 2 (double partial sums, 2·b bytes each)
    double spark = (S0 + S1 * 100) + (STAGE + S1 * 13) + (STAGE + S1 * 2);
    double get = G0 + b / RG + 7 * b / bw; // ⌈log2 101⌉ = 7 relay hops of the torrent broadcast
    double put = U0 + b / RU + (8 * b / bw + A1 * 8 * 4e6) + (8 * 2 * b / bw + A1 * 8 * 4e6) + 2 * 2 * b / bw;
    double average = A0 + A1 * 2 * 4e6;
    double expected = 4 * 0.4 + spark + get + put + average + SIGMA * 4e6 + O;
    RoundCostModel.Round t = RoundCostModel.tree(f, large, 100, 4, RoundCostModel.Network.TEN_GBIT, 8);
    assertEquals(expected, t.seconds(), 1e-9);
    RoundCostModel.Round d = RoundCostModel.direct(f, large, 100, 4, RoundCostModel.Network.TEN_GBIT);
    assertTrue(t.seconds() < d.seconds(), "tree " + t.seconds() + " s < direct " + d.seconds() + " s at N = 100");
    // with N ≤ fan-out there is no shuffle level: only the GET differs from direct's (relay hops instead of N copies)
    RoundCostModel.Round small = RoundCostModel.tree(f, large, 8, 4, RoundCostModel.Network.TEN_GBIT, 8);
    assertEquals(S0 + S1 * 8, small.spark(), 1e-12);
  }

  @Test
  void sparksTreeAggregate_addsOneLevelFromSixPartitions() {
    // scale = max(⌈√n⌉, 2); a level while n > scale + ⌈n / scale⌉: 5 > 3 + 2 is false, 6 > 3 + 2 true, 100 > 10 + 10
    assertEquals(0, RoundCostModel.aggregateLevels(4));
    assertEquals(0, RoundCostModel.aggregateLevels(5));
    assertEquals(1, RoundCostModel.aggregateLevels(6));
    assertEquals(1, RoundCostModel.aggregateLevels(8));
    assertEquals(1, RoundCostModel.aggregateLevels(100));
  }

  @Test
  void pointsSurviveTheResultLine() {
    RoundCostModel.Point p = measured().get(3);
    RoundCostModel.Point back = RoundCostModel.Point.fromMap(p.toMap());
    assertEquals(p.executors(), back.executors());
    assertEquals(p.params(), back.params());
    assertEquals(p.round(), back.round(), 1e-4);
    assertEquals(p.get(), back.get(), 1e-4);
    assertEquals(p.tokensPerStep(), back.tokensPerStep(), 0);
  }

  @Test
  void withoutAOneExecutorPoint_theFitSaysWhatIsMissing() {
    List<RoundCostModel.Point> ps = measured().subList(2, 8);
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> RoundCostModel.fit(ps));
    assertTrue(e.getMessage().contains("N = 1"), e.getMessage());
  }
}
