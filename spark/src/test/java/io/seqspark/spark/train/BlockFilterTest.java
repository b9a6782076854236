package io.seqspark.spark.train;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

/** The driver's block-momentum filter against hand-computed rounds (dyadic values: exact in float32). */
class BlockFilterTest {

  @Test
  void classic_followsVEqualsEtaVPlusZetaDelta_andThetaMinusV() {
    BlockFilter f = new BlockFilter(0.5, 1, false);
    float[] theta = {1f, 2f};
    float[] start = f.start(theta);
    assertSame(theta, start, "classic: the partitions start from θ");
    // Δ = (0.5, −0.5), v = Δ, θ = θ − v = the mean
    float[] t1 = f.apply(theta, start, new float[] {0.5f, 2.5f});
    assertArrayEquals(new float[] {0.5f, 2.5f}, t1);
    assertArrayEquals(new double[] {0.5, -0.5}, f.velocity());
    // Δ = (0.25, −0.25), v = 0.5·(0.5, −0.5) + Δ = (0.5, −0.5), θ = (0.5, 2.5) − v = (0, 3): past the mean
    float[] t2 = f.apply(t1, f.start(t1), new float[] {0.25f, 2.75f});
    assertArrayEquals(new float[] {0f, 3f}, t2);
    assertArrayEquals(new double[] {0.5, -0.5}, f.velocity());
  }

  @Test
  void blockLearningRate_scalesTheRoundsUpdate() {
    BlockFilter f = new BlockFilter(0.25, 2, false);
    float[] theta = {1f, 2f};
    // v = 2·(0.5, −0.5) = (1, −1), θ = (0, 3)
    float[] t1 = f.apply(theta, f.start(theta), new float[] {0.5f, 2.5f});
    assertArrayEquals(new float[] {0f, 3f}, t1);
    // Δ = (0, 3) − (0.5, 2.5) = (−0.5, 0.5), v = 0.25·(1, −1) + 2·Δ = (−0.75, 0.75), θ = (0.75, 2.25)
    float[] t2 = f.apply(t1, f.start(t1), new float[] {0.5f, 2.5f});
    assertArrayEquals(new double[] {-0.75, 0.75}, f.velocity());
    assertArrayEquals(new float[] {0.75f, 2.25f}, t2);
  }

  @Test
  void nesterov_startsFromTheLookAheadPoint_andMeasuresDeltaFromThere() {
    BlockFilter f = new BlockFilter(0.5, 1, true);
    float[] theta = {1f, 2f};
    float[] s1 = f.start(theta);
    assertArrayEquals(theta, s1, "no velocity yet: the look-ahead point is θ");
    float[] t1 = f.apply(theta, s1, new float[] {0.5f, 2.5f});
    assertArrayEquals(new float[] {0.5f, 2.5f}, t1);
    assertArrayEquals(new double[] {0.5, -0.5}, f.velocity());
    // look-ahead θ − η·v = (0.25, 2.75)
    float[] s2 = f.start(t1);
    assertArrayEquals(new float[] {0.25f, 2.75f}, s2);
    // Δ = s2 − avg = (0.125, −0.125), v = 0.5·(0.5, −0.5) + Δ = (0.375, −0.375), θ = t1 − v = (0.125, 2.875): with
    // ζ = 1 the Nesterov model is the partitions' mean, and they start the next round ahead of it
    float[] t2 = f.apply(t1, s2, new float[] {0.125f, 2.875f});
    assertArrayEquals(new double[] {0.375, -0.375}, f.velocity());
    assertArrayEquals(new float[] {0.125f, 2.875f}, t2);
    assertArrayEquals(new float[] {-0.0625f, 3.0625f}, f.start(t2));
  }

  @Test
  void identityFilter_returnsTheMeansBits_overManyRounds_andExtremeValues() {
    for (boolean nesterov : new boolean[] {false, true}) {
      BlockFilter f = new BlockFilter(0, 1, nesterov);
      SplittableRandom r = new SplittableRandom(7);
      float[] theta = new float[64];
      for (int i = 0; i < theta.length; i++) {
        theta[i] = (float) r.nextGaussian();
      }
      for (int round = 0; round < 20; round++) {
        float[] avg = new float[theta.length];
        for (int i = 0; i < avg.length; i++) {
          // a mix of ordinary moves, huge and tiny magnitudes (no exact double difference), zeros of both signs
          avg[i] = switch (i % 6) {
            case 0 -> theta[i] + (float) (0.01 * r.nextGaussian());
            case 1 -> (float) (1e-30 * r.nextGaussian());
            case 2 -> (float) (1e30 * r.nextGaussian());
            case 3 -> -0.0f;
            case 4 -> Float.MIN_VALUE;
            default -> theta[i];
          };
        }
        float[] start = f.start(theta);
        assertSame(theta, start);
        float[] out = f.apply(theta, start, avg);
        for (int i = 0; i < avg.length; i++) {
          assertEquals(Float.floatToRawIntBits(avg[i]), Float.floatToRawIntBits(out[i]), "round " + round + " parameter " + i);
        }
        theta = out;
      }
      assertTrue(f.velocity().length == 64, "the velocity is kept (it is the last Δ)");
    }
  }

  @Test
  void restoredVelocity_continuesExactlyAsTheUninterruptedFilter() {
    BlockFilter a = new BlockFilter(0.75, 1, true);
    BlockFilter b = null;
    SplittableRandom r = new SplittableRandom(3);
    float[] ta = new float[16];
    float[] tb = null;
    for (int round = 0; round < 6; round++) {
      if (round == 3) {
        b = new BlockFilter(0.75, 1, true);
        b.setVelocity(a.velocity());
        tb = ta.clone();
      }
      float[] sa = a.start(ta);
      float[] avg = new float[ta.length];
      for (int i = 0; i < avg.length; i++) {
        avg[i] = sa[i] - (float) (0.1 * r.nextGaussian());
      }
      if (b != null) {
        float[] sb = b.start(tb);
        assertArrayEquals(sa, sb, "round " + round + " start");
        tb = b.apply(tb, sb, avg);
      }
      ta = a.apply(ta, sa, avg);
      if (b != null) {
        assertArrayEquals(ta, tb, "round " + round);
      }
    }
  }

  @Test
  void spec_derivesOneMinusOneOverN_andRejectsBadValuesNamingTheKey() {
    BlockFilter.Spec derived = new BlockFilter.Spec(-1, 1, false);
    assertEquals(0.75, derived.momentumFor(4), 0.0);
    assertEquals(0.0, derived.momentumFor(1), 0.0, "one partition: identity, so one worker = the local trainer");
    assertEquals(0.3, new BlockFilter.Spec(0.3, 1, false).momentumFor(8), 0.0);
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> new BlockFilter.Spec(-0.5, 1, false));
    assertTrue(e.getMessage().contains("spark.blockMomentum = -0.5"), e.getMessage());
    assertThrows(IllegalArgumentException.class, () -> new BlockFilter.Spec(1, 1, false));
    e = assertThrows(IllegalArgumentException.class, () -> new BlockFilter.Spec(0.5, 0, false));
    assertTrue(e.getMessage().contains("spark.blockLearningRate = 0"), e.getMessage());
  }
}
