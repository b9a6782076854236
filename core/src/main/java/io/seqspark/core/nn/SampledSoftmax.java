package io.seqspark.core.nn;

import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

/**
 * Sampled softmax cross-entropy over the weights of a full softmax ({@code W} [in, V], {@code b} [1, V]), for
 * training over vocabularies too big for the full normaliser; evaluation keeps using the full softmax over the same
 * weights. One set of S classes c_1..c_S is drawn per batch from a proposal Q ({@link LogUniformSampler}, with
 * replacement), and each position's loss is the importance-sampling estimate of the full loss (Bengio &amp; Senécal
 * 2008; Jean et al. 2015):
 * <pre>
 *   ℓ = −o_y + log( e^{o_y} + Σ_{s: c_s ≠ y} e^{o_{c_s}} / (S·Q(c_s)) )          o = h·W + b
 * </pre>
 * Since E[Σ_s e^{o_{c_s}}·[c_s ≠ y] / (S·Q(c_s))] = Σ_{j ≠ y} e^{o_j}, the sum inside the log is an unbiased estimate
 * of the full softmax normaliser, and ℓ tends to the full loss as S grows. A sample equal to the target (an
 * "accidental hit") is dropped, as the target's exact term is already there. Like {@link SoftmaxOutput}, the loss is
 * a SUM over unmasked positions and the gradient is {@code gradScale · ∂(sum)/∂θ}.
 */
public final class SampledSoftmax {
  private final ParamRef w;
  private final ParamRef b;
  private final int in;
  private final int classes;
  private final LogUniformSampler sampler;
  private final Scratch scratch;
  private INDArray inputGrad;

  /**
   * @param w the full softmax's weights [in, V]
   * @param b its bias [1, V]
   */
  public SampledSoftmax(ParamRef w, ParamRef b) {
    if (w.shape().length != 2 || b.shape()[b.shape().length - 1] != w.shape()[1]) {
      throw new IllegalArgumentException("sampled softmax needs W [in, V] and b [1, V], got "
          + java.util.Arrays.toString(w.shape()) + " and " + java.util.Arrays.toString(b.shape()));
    }
    this.w = w;
    this.b = b;
    this.in = (int) w.shape()[0];
    this.classes = (int) w.shape()[1];
    this.sampler = new LogUniformSampler(classes);
    this.scratch = new Scratch(w.value().dataType());
  }

  /** The proposal distribution Q. */
  public LogUniformSampler sampler() {
    return sampler;
  }

  /**
   * Loss sum over positions with mask 1 against the sampled classes {@code samples} (e.g. from {@link #sampler()}),
   * and, when {@code gradScale != 0}, parameter gradients and {@link #inputGradient()}.
   *
   * @param hidden  [n, in]
   * @param targets n class ids
   * @param mask    n weights in {0, 1}, or null for all 1
   * @param samples the S sampled classes
   */
  public double lossSum(INDArray hidden, int[] targets, float[] mask, double gradScale, int[] samples) {
    int n = targets.length;
    int s = samples.length;
    if (s < 1) {
      throw new IllegalArgumentException("sampled softmax needs at least one sampled class");
    }
    int m = 0;
    int[] real = new int[n];
    for (int k = 0; k < n; k++) {
      if (mask == null || mask[k] != 0f) {
        if (targets[k] < 0 || targets[k] >= classes) {
          throw new IllegalArgumentException("target id " + targets[k] + " is outside [0, " + classes + ")");
        }
        real[m++] = k;
      }
    }
    for (int c : samples) {
      if (c < 0 || c >= classes) {
        throw new IllegalArgumentException("sampled class " + c + " is outside [0, " + classes + ")");
      }
    }
    double[] h = new double[n * in];
    Host.of(hidden.dup('c')).read(0, h, 0, n * in);
    double[] wv = new double[in * classes];
    Host.of(w.value()).read(0, wv, 0, wv.length);
    double[] bv = new double[classes];
    Host.of(b.value()).read(0, bv, 0, classes);
    double[] wc = new double[in * s];
    for (int i = 0; i < in; i++) {
      for (int q = 0; q < s; q++) {
        wc[i * s + q] = wv[i * classes + samples[q]];
      }
    }
    // o_s for every real row and sampled class: one GEMM [m, in]·[in, S]
    INDArray hm = scratch.get("H", Math.max(1, m), in);
    double[] hRows = new double[m * in];
    for (int k = 0; k < m; k++) {
      System.arraycopy(h, real[k] * in, hRows, k * in, in);
    }
    Host.of(hm).write(0, hRows, 0, hRows.length);
    INDArray wcm = scratch.get("Wc", in, s);
    Host.of(wcm).write(0, wc, 0, wc.length);
    INDArray om = scratch.get("O", Math.max(1, m), s);
    if (m > 0) {
      Nd4j.gemm(hm, wcm, om, false, false, 1.0, 0.0);
    }
    double[] o = new double[m * s];
    Host.of(om).read(0, o, 0, m * s);
    double[] logExpected = new double[s];
    for (int q = 0; q < s; q++) {
      logExpected[q] = Math.log(s * sampler.probability(samples[q]));
    }
    double loss = 0;
    double[] dO = new double[m * s];
    double[] dOy = new double[m];
    double[] a = new double[s];
    for (int k = 0; k < m; k++) {
      int y = targets[real[k]];
      double oy = bv[y];
      for (int i = 0; i < in; i++) {
        oy += hRows[k * in + i] * wv[i * classes + y];
      }
      double max = oy;
      for (int q = 0; q < s; q++) {
        if (samples[q] != y) {
          max = Math.max(max, o[k * s + q] + bv[samples[q]] - logExpected[q]);
        }
      }
      double ay = Math.exp(oy - max);
      double z = ay;
      for (int q = 0; q < s; q++) {
        a[q] = samples[q] == y ? 0 : Math.exp(o[k * s + q] + bv[samples[q]] - logExpected[q] - max);
        z += a[q];
      }
      loss += -oy + max + Math.log(z);
      for (int q = 0; q < s; q++) {
        dO[k * s + q] = gradScale * a[q] / z;
      }
      dOy[k] = gradScale * (ay / z - 1);
    }
    if (gradScale != 0) {
      backward(n, m, s, real, targets, samples, hRows, wv, dO, dOy);
    }
    return loss;
  }

  private void backward(int n, int m, int s, int[] real, int[] targets, int[] samples, double[] hRows, double[] wv,
                        double[] dO, double[] dOy) {
    double[] dw = new double[in * classes];
    double[] db = new double[classes];
    double[] dh = new double[n * in];
    for (int k = 0; k < m; k++) {
      int y = targets[real[k]];
      db[y] += dOy[k];
      for (int i = 0; i < in; i++) {
        dw[i * classes + y] += hRows[k * in + i] * dOy[k];
        dh[real[k] * in + i] += dOy[k] * wv[i * classes + y];
      }
    }
    if (m > 0) {
      // the sampled columns: ∂Wc = Hᵀ·∂O and ∂H += ∂O·Wcᵀ as two GEMMs, then scattered onto W's columns
      INDArray dOm = scratch.get("dO", m, s);
      Host.of(dOm).write(0, dO, 0, m * s);
      INDArray dWc = scratch.get("dWc", in, s);
      Nd4j.gemm(scratch.get("H", m, in), dOm, dWc, true, false, 1.0, 0.0);
      INDArray dHs = scratch.get("dHs", m, in);
      Nd4j.gemm(dOm, scratch.get("Wc", in, s), dHs, false, true, 1.0, 0.0);
      double[] dwc = new double[in * s];
      Host.of(dWc).read(0, dwc, 0, dwc.length);
      double[] dhs = new double[m * in];
      Host.of(dHs).read(0, dhs, 0, dhs.length);
      for (int i = 0; i < in; i++) {
        for (int q = 0; q < s; q++) {
          dw[i * classes + samples[q]] += dwc[i * s + q];
        }
      }
      for (int k = 0; k < m; k++) {
        for (int i = 0; i < in; i++) {
          dh[real[k] * in + i] += dhs[k * in + i];
        }
        for (int q = 0; q < s; q++) {
          db[samples[q]] += dO[k * s + q];
        }
      }
    }
    Host.of(w.grad()).add(0, dw, 0, dw.length);
    Host.of(b.grad()).add(0, db, 0, db.length);
    inputGrad = scratch.get("dH", n, in);
    Host.of(inputGrad).write(0, dh, 0, dh.length);
  }

  /** ∂(gradScale · loss sum)/∂hidden from the last {@link #lossSum} with a non-zero scale, [n, in]. */
  public INDArray inputGradient() {
    return inputGrad;
  }
}
