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
    // the columns this batch touches (sampled classes and targets), each once: W is never copied whole
    java.util.Map<Integer, Integer> slot = new java.util.LinkedHashMap<>();
    int[] sampleCol = new int[s];
    for (int q = 0; q < s; q++) {
      if (samples[q] < 0 || samples[q] >= classes) {
        throw new IllegalArgumentException("sampled class " + samples[q] + " is outside [0, " + classes + ")");
      }
      sampleCol[q] = slot.computeIfAbsent(samples[q], c -> slot.size());
    }
    int[] targetCol = new int[m];
    for (int k = 0; k < m; k++) {
      targetCol[k] = slot.computeIfAbsent(targets[real[k]], c -> slot.size());
    }
    int u = slot.size();
    int[] cols = new int[u];
    slot.forEach((c, i) -> cols[i] = c);
    Host wh = Host.of(w.value());
    Host bh = Host.of(b.value());
    double[] wt = new double[in * u];
    double[] bt = new double[u];
    double[] one = new double[1];
    for (int j = 0; j < u; j++) {
      bh.read(cols[j], bt, j, 1);
      for (int i = 0; i < in; i++) {
        wh.read((long) i * classes + cols[j], one, 0, 1);
        wt[i * u + j] = one[0];
      }
    }
    double[] h = new double[n * in];
    Host.of(hidden.dup('c')).read(0, h, 0, n * in);
    double[] hRows = new double[m * in];
    for (int k = 0; k < m; k++) {
      System.arraycopy(h, real[k] * in, hRows, k * in, in);
    }
    // logits of every real row over the touched columns: one GEMM [m, in]·[in, U]
    INDArray hm = scratch.get("H", Math.max(1, m), in);
    Host.of(hm).write(0, hRows, 0, hRows.length);
    INDArray wtm = scratch.get("Wt", in, u);
    Host.of(wtm).write(0, wt, 0, wt.length);
    INDArray om = scratch.get("O", Math.max(1, m), u);
    if (m > 0) {
      Nd4j.gemm(hm, wtm, om, false, false, 1.0, 0.0);
    }
    double[] o = new double[m * u];
    Host.of(om).read(0, o, 0, m * u);
    double[] logExpected = new double[s];
    for (int q = 0; q < s; q++) {
      logExpected[q] = Math.log(s * sampler.probability(samples[q]));
    }
    double loss = 0;
    double[] dO = new double[m * u];
    double[] a = new double[s];
    for (int k = 0; k < m; k++) {
      int y = targets[real[k]];
      double oy = o[k * u + targetCol[k]] + bt[targetCol[k]];
      double max = oy;
      for (int q = 0; q < s; q++) {
        if (samples[q] != y) {
          max = Math.max(max, o[k * u + sampleCol[q]] + bt[sampleCol[q]] - logExpected[q]);
        }
      }
      double ay = Math.exp(oy - max);
      double z = ay;
      for (int q = 0; q < s; q++) {
        a[q] = samples[q] == y ? 0 : Math.exp(o[k * u + sampleCol[q]] + bt[sampleCol[q]] - logExpected[q] - max);
        z += a[q];
      }
      loss += -oy + max + Math.log(z);
      for (int q = 0; q < s; q++) {
        dO[k * u + sampleCol[q]] += gradScale * a[q] / z;
      }
      dO[k * u + targetCol[k]] += gradScale * (ay / z - 1);
    }
    if (gradScale != 0) {
      backward(n, m, u, real, cols, dO);
    }
    return loss;
  }

  /** ∂W[:, cols] += Hᵀ·∂O, ∂b[cols] += 1ᵀ·∂O and ∂H = ∂O·Wtᵀ (scattered back to the unmasked rows). */
  private void backward(int n, int m, int u, int[] real, int[] cols, double[] dO) {
    double[] dh = new double[n * in];
    if (m > 0) {
      INDArray dOm = scratch.get("dO", m, u);
      Host.of(dOm).write(0, dO, 0, m * u);
      INDArray dWt = scratch.get("dWt", in, u);
      Nd4j.gemm(scratch.get("H", m, in), dOm, dWt, true, false, 1.0, 0.0);
      INDArray dHm = scratch.get("dHm", m, in);
      Nd4j.gemm(dOm, scratch.get("Wt", in, u), dHm, false, true, 1.0, 0.0);
      double[] dwt = new double[in * u];
      Host.of(dWt).read(0, dwt, 0, dwt.length);
      double[] dhm = new double[m * in];
      Host.of(dHm).read(0, dhm, 0, dhm.length);
      double[] db = new double[u];
      for (int k = 0; k < m; k++) {
        System.arraycopy(dhm, k * in, dh, real[k] * in, in);
        for (int j = 0; j < u; j++) {
          db[j] += dO[k * u + j];
        }
      }
      Host wg = Host.of(w.grad());
      Host bg = Host.of(b.grad());
      for (int j = 0; j < u; j++) {
        bg.add(cols[j], db, j, 1);
        for (int i = 0; i < in; i++) {
          wg.add((long) i * classes + cols[j], dwt, i * u + j, 1);
        }
      }
    }
    inputGrad = scratch.get("dH", n, in);
    Host.of(inputGrad).write(0, dh, 0, dh.length);
  }

  /** ∂(gradScale · loss sum)/∂hidden from the last {@link #lossSum} with a non-zero scale, [n, in]. */
  public INDArray inputGradient() {
    return inputGrad;
  }
}
