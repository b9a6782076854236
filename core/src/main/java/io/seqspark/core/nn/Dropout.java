package io.seqspark.core.nn;

import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.api.ops.random.impl.BernoulliDistribution;
import org.nd4j.linalg.api.rng.Random;
import org.nd4j.linalg.factory.Nd4j;

/**
 * Inverted dropout on the non-recurrent connections (Zaremba et al. 2014). The mask is drawn from the step's seed
 * mixed with this layer's index, so the same (seed, step) reproduces the same masks on any machine and a resumed
 * run matches an uninterrupted one.
 */
public final class Dropout {
  private final double p;
  private final long salt;
  private final Scratch scratch;
  private INDArray mask;
  private boolean active;

  public Dropout(double p, long salt, org.nd4j.linalg.api.buffer.DataType dtype) {
    if (p < 0 || p >= 1) {
      throw new IllegalArgumentException("dropout must be in [0, 1), got " + p);
    }
    this.p = p;
    this.salt = salt;
    this.scratch = new Scratch(dtype);
  }

  private static Random rng;

  private static synchronized Random rng() {
    if (rng == null) {
      rng = Nd4j.getRandomFactory().getNewRandomInstance(0);
    }
    return rng;
  }

  public INDArray forward(INDArray x, Seq seq) {
    active = seq.training() && p > 0;
    if (!active) {
      return x;
    }
    mask = scratch.get("mask", x.size(0), x.size(1));
    Random r = rng();
    synchronized (Dropout.class) {
      r.setSeed(seq.seed() * 0x9E3779B97F4A7C15L + salt);
      Nd4j.getExecutioner().exec(new BernoulliDistribution(mask, 1.0 - p), r);
    }
    mask.muli(1.0 / (1.0 - p));
    INDArray y = scratch.get("Y", x.size(0), x.size(1));
    x.mul(mask, y);
    return y;
  }

  public INDArray backward(INDArray dy) {
    if (!active) {
      return dy;
    }
    INDArray dx = scratch.get("dX", dy.size(0), dy.size(1));
    dy.mul(mask, dx);
    return dx;
  }
}
