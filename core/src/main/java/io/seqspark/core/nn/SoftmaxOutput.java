package io.seqspark.core.nn;

import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.api.ops.impl.transforms.custom.SoftMax;
import org.nd4j.linalg.factory.Nd4j;

/**
 * Time-distributed dense projection to the vocabulary plus softmax cross-entropy. The loss is returned as a SUM
 * over unmasked positions (fairseq style: divide after aggregation). Masked positions are dropped before the big
 * GEMMs, so padding costs no softmax work. The gradient is {@code gradScale · ∂(sum)/∂θ}, with the scale folded
 * into the GEMMs' alpha instead of an extra pass. A tied output ({@link #tied}) reads its weights from an embedding
 * table [classes, in] (transposed in the GEMMs) and adds its weight gradient into that table's gradient.
 */
public final class SoftmaxOutput {
  private final ParamRef w;
  private final ParamRef b;
  private final int in;
  private final int classes;
  /** W is an embedding table [classes, in], used transposed (weight tying). */
  private final boolean tied;

  public SoftmaxOutput(ParamStore.Builder params, String name, int in, int classes, Init init) {
    this.w = params.add(name + ".W", init, in, classes);
    this.b = params.add(name + ".b", Init.zeros(), 1, classes);
    this.in = in;
    this.classes = classes;
    this.tied = false;
  }

  private SoftmaxOutput(ParamStore.Builder params, String name, Embedding table) {
    long[] shape = table.table().shape();
    this.w = table.table();
    this.b = params.add(name + ".b", Init.zeros(), 1, shape[0]);
    this.in = (int) shape[1];
    this.classes = (int) shape[0];
    this.tied = true;
  }

  /**
   * An output whose weights are {@code embedding}'s table, transposed (Press &amp; Wolf 2017): logits = h·Eᵀ + b, so
   * it reads inputs as wide as the embedding and has only its bias of its own.
   */
  public static SoftmaxOutput tied(ParamStore.Builder params, String name, Embedding embedding) {
    return new SoftmaxOutput(params, name, embedding);
  }

  private Scratch scratch;

  private Scratch scratch() {
    if (scratch == null) {
      scratch = new Scratch(w.value().dataType());
    }
    return scratch;
  }

  /** Per-row probabilities [n, classes] for the rows of {@code hidden} (decoding). */
  public INDArray probabilities(INDArray hidden) {
    long t0 = Phases.start();
    INDArray logits = scratch().get("L", hidden.size(0), classes);
    Nd4j.gemm(hidden, w.value(), logits, false, tied, 1.0, 0.0);
    logits.addiRowVector(b.value());
    Phases.stop("softmax.logitsGemm", t0);
    INDArray p = scratch().get("P", hidden.size(0), classes);
    long t1 = Phases.start();
    Nd4j.exec(new SoftMax(logits, p, 1));
    Phases.stop("softmax.op", t1);
    return p;
  }

  /**
   * Loss sum over positions with mask 1, and (when {@code dHidden} is wanted) gradients.
   *
   * @param hidden    [n, in] inputs
   * @param targets   n class ids
   * @param mask      n weights in {0, 1}, or null for all 1
   * @param gradScale factor on the gradient of the sum; 0 means forward only (no gradients written)
   * @return the loss sum; {@link #inputGradient()} holds ∂/∂hidden afterwards when gradScale != 0
   */
  public double lossSum(INDArray hidden, int[] targets, float[] mask, double gradScale) {
    return lossSum(hidden, targets, mask, gradScale, 0.0);
  }

  /**
   * {@link #lossSum(INDArray, int[], float[], double)} against label-smoothed targets (Szegedy et al. 2016): the
   * target distribution puts 1 − ε on the reference class and ε/V on every class, so a position's loss is
   * {@code −(1 − ε)·log p_y − (ε/V)·Σ_j log p_j} and its logit gradient p − q. ε = 0 is the plain negative
   * log-likelihood, computed exactly as without smoothing.
   *
   * @param smoothing ε in [0, 1)
   */
  public double lossSum(INDArray hidden, int[] targets, float[] mask, double gradScale, double smoothing) {
    if (!(smoothing >= 0 && smoothing < 1)) {
      throw new IllegalArgumentException("label smoothing must be in [0, 1), got " + smoothing);
    }
    int n = targets.length;
    int[] real = realRows(mask, n);
    INDArray h = hidden;
    int[] tg = targets;
    if (real != null) {
      h = scratch().get("Hc", real.length, in);
      Nd4j.pullRows(hidden, h, 1, real);
      tg = new int[real.length];
      for (int k = 0; k < real.length; k++) {
        tg[k] = targets[real[k]];
      }
    }
    int m = tg.length;
    double loss = 0;
    INDArray dh = null;
    if (m > 0) {
      long t0 = Phases.start();
      INDArray p = probabilities(h);
      Phases.stop("softmax.forward", t0);
      long t1 = Phases.start();
      INDArray logits = scratch().get("L", m, classes);
      double[] logSums = smoothing > 0 ? sumLogProbabilities(logits, m) : null;
      double onTarget = 1.0 - smoothing;
      for (int k = 0; k < m; k++) {
        int y = tg[k];
        if (y < 0 || y >= classes) {
          throw new IllegalArgumentException("target id " + y + " is outside [0, " + classes + ")");
        }
        double py = p.getDouble(k, y);
        double nll = py > 1e-30 ? -Math.log(py) : exactLogProb(logits, k, y);
        if (logSums == null) {
          loss += nll;
          if (gradScale != 0) {
            p.putScalar(k, y, py - 1.0);
          }
        } else {
          loss += onTarget * nll - smoothing / classes * logSums[k];
          if (gradScale != 0) {
            p.putScalar(k, y, py - onTarget);
          }
        }
      }
      if (logSums != null && gradScale != 0) {
        p.subi(smoothing / classes); // p − q: the uniform part of q
      }
      Phases.stop("softmax.loss", t1);
      if (gradScale != 0) {
        long t2 = Phases.start();
        if (tied) {
          Nd4j.gemm(p, h, w.grad(), true, false, gradScale, 1.0); // ∂E [classes, in] = pᵀ·h
        } else {
          Nd4j.gemm(h, p, w.grad(), true, false, gradScale, 1.0);
        }
        Nd4j.gemm(scratch().ones(m), p, b.grad(), false, false, gradScale, 1.0);
        dh = scratch().get("dHc", m, in);
        Nd4j.gemm(p, w.value(), dh, false, !tied, gradScale, 0.0);
        Phases.stop("softmax.backward", t2);
      }
    }
    if (gradScale != 0) {
      if (real == null) {
        inputGrad = dh;
      } else {
        inputGrad = scratch().zeros("dH", n, in);
        if (m > 0) {
          Ops.scatterAddRows(inputGrad, real, dh);
        }
      }
    }
    return loss;
  }

  private INDArray inputGrad;

  /** ∂(gradScale · loss sum)/∂hidden from the last {@link #lossSum} call, [n, in]. */
  public INDArray inputGradient() {
    return inputGrad;
  }

  /** Per row of the first {@code m} rows of {@code logits}: Σ_j log softmax(logits)_j (one log-softmax op). */
  private double[] sumLogProbabilities(INDArray logits, int m) {
    INDArray ls = scratch().get("LS", m, classes);
    Nd4j.exec(new org.nd4j.linalg.api.ops.impl.transforms.custom.LogSoftMax(logits, ls));
    return ls.sum(1).castTo(org.nd4j.linalg.api.buffer.DataType.DOUBLE).toDoubleVector();
  }

  /**
   * −log p(y) from the logits row, for probabilities too small for float: logsumexp(logits) − logit_y. (Before label
   * smoothing was added the caller subtracted this value, so a position with p(y) &lt; 1e-30 lowered the loss.)
   */
  private static double exactLogProb(INDArray logits, int row, int y) {
    INDArray r = logits.getRow(row);
    double max = r.maxNumber().doubleValue();
    double s = 0;
    for (long j = 0; j < r.length(); j++) {
      s += Math.exp(r.getDouble(j) - max);
    }
    return -(r.getDouble(y) - max - Math.log(s));
  }

  /** Indices of rows with mask != 0, or null when there is no masked row. */
  private static int[] realRows(float[] mask, int n) {
    if (mask == null) {
      return null;
    }
    int count = 0;
    for (int k = 0; k < n; k++) {
      if (mask[k] != 0f) {
        count++;
      }
    }
    if (count == n) {
      return null;
    }
    int[] idx = new int[count];
    int j = 0;
    for (int k = 0; k < n; k++) {
      if (mask[k] != 0f) {
        idx[j++] = k;
      }
    }
    return idx;
  }

  public int classes() {
    return classes;
  }
}
