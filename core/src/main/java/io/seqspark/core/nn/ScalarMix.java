package io.seqspark.core.nn;

import java.util.List;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * A learned mix of K layer representations (Peters et al. 2018, Eq. 1): {@code y = γ · Σ_j s_j · n(h_j)} with
 * {@code s = softmax(w)}, where n is the identity or (with {@code layerNorm}) a per-position layer normalisation
 * without parameters, {@code n(h) = (h − mean(h)) / sqrt(var(h) + ε)} over the features of each row. {@code w}
 * starts at 0 (equal weights) and γ at 1 (or a given initial scale). Parameters: {@code <name>.w} [1, K] and {@code <name>.gamma} [1, 1].
 * Each row is mixed on its own, so padding never changes a real position's output.
 */
public final class ScalarMix {
  /** ε of the layer normalisation. */
  public static final double EPSILON = 1e-6;

  private final int count;
  private final int dim;
  private final boolean layerNorm;
  private final ParamRef w;
  private final ParamRef gamma;
  private final Scratch scratch;
  // the last forward
  private int rows;
  private double[][] normed;
  private double[][] invStd;
  private double[] s;
  private double g;

  /**
   * @param count     K, the layers mixed
   * @param dim       their width
   * @param layerNorm normalise each layer per position before mixing
   */
  public ScalarMix(ParamStore.Builder pb, String name, int count, int dim, boolean layerNorm, DataType dtype) {
    this(pb, name, count, dim, layerNorm, 1.0, dtype);
  }

  /** As above, with γ starting at {@code gamma} instead of 1. */
  public ScalarMix(ParamStore.Builder pb, String name, int count, int dim, boolean layerNorm, double gamma,
                   DataType dtype) {
    if (count < 1 || dim < 1) {
      throw new IllegalArgumentException("scalar mix " + name + " needs at least one layer and width, got " + count
          + " layers of width " + dim);
    }
    this.count = count;
    this.dim = dim;
    this.layerNorm = layerNorm;
    this.w = pb.add(name + ".w", Init.zeros(), 1, count);
    this.gamma = pb.add(name + ".gamma", Init.constant(gamma), 1, 1);
    this.scratch = new Scratch(dtype);
  }

  /** The current weights s = softmax(w). */
  public double[] weights() {
    double[] wv = new double[count];
    Host.of(w.value()).read(0, wv, 0, count);
    double max = Double.NEGATIVE_INFINITY;
    for (double v : wv) {
      max = Math.max(max, v);
    }
    double z = 0;
    for (int j = 0; j < count; j++) {
      wv[j] = Math.exp(wv[j] - max);
      z += wv[j];
    }
    for (int j = 0; j < count; j++) {
      wv[j] /= z;
    }
    return wv;
  }

  /** Mixes {@code layers} (K tensors [n, dim]) into [n, dim] (a buffer owned by this layer). */
  public INDArray forward(List<INDArray> layers) {
    if (layers.size() != count) {
      throw new IllegalArgumentException("scalar mix over " + count + " layers got " + layers.size());
    }
    rows = (int) layers.get(0).size(0);
    s = weights();
    g = gamma.value().getDouble(0);
    normed = new double[count][];
    invStd = new double[count][];
    double[] y = new double[rows * dim];
    for (int j = 0; j < count; j++) {
      INDArray h = layers.get(j);
      if (h.size(0) != rows || h.size(1) != dim) {
        throw new IllegalArgumentException("scalar mix layer " + j + " is " + java.util.Arrays.toString(h.shape())
            + ", expected [" + rows + ", " + dim + "]");
      }
      double[] v = new double[rows * dim];
      Host.of(h.dup('c')).read(0, v, 0, v.length);
      if (layerNorm) {
        invStd[j] = new double[rows];
        for (int r = 0; r < rows; r++) {
          double mean = 0;
          for (int k = 0; k < dim; k++) {
            mean += v[r * dim + k];
          }
          mean /= dim;
          double var = 0;
          for (int k = 0; k < dim; k++) {
            double c = v[r * dim + k] - mean;
            var += c * c;
          }
          var /= dim;
          double inv = 1.0 / Math.sqrt(var + EPSILON);
          invStd[j][r] = inv;
          for (int k = 0; k < dim; k++) {
            v[r * dim + k] = (v[r * dim + k] - mean) * inv;
          }
        }
      }
      normed[j] = v;
      for (int i = 0; i < v.length; i++) {
        y[i] += g * s[j] * v[i];
      }
    }
    INDArray out = scratch.get("Y", rows, dim);
    Host.of(out).write(0, y, 0, y.length);
    return out;
  }

  /**
   * Adds ∂w and ∂γ for ∂L/∂y {@code dy} [n, dim] of the last forward and returns ∂L/∂h_j for each layer (new arrays).
   * With s = softmax(w): ∂L/∂w_j = γ·s_j·(e_j − Σ_k s_k e_k), where e_j = Σ dy ⊙ n(h_j).
   */
  public INDArray[] backward(INDArray dy) {
    double[] d = new double[rows * dim];
    Host.of(dy.dup('c')).read(0, d, 0, d.length);
    double[] e = new double[count];
    for (int j = 0; j < count; j++) {
      for (int i = 0; i < d.length; i++) {
        e[j] += d[i] * normed[j][i];
      }
    }
    double mixed = 0;
    for (int j = 0; j < count; j++) {
      mixed += s[j] * e[j];
    }
    double[] dw = new double[count];
    for (int j = 0; j < count; j++) {
      dw[j] = g * s[j] * (e[j] - mixed);
    }
    Host.of(w.grad()).add(0, dw, 0, count);
    Host.of(gamma.grad()).add(0, new double[] {mixed}, 0, 1);
    INDArray[] out = new INDArray[count];
    for (int j = 0; j < count; j++) {
      double[] dh = new double[rows * dim];
      double scale = g * s[j];
      for (int r = 0; r < rows; r++) {
        if (!layerNorm) {
          for (int k = 0; k < dim; k++) {
            dh[r * dim + k] = scale * d[r * dim + k];
          }
          continue;
        }
        // ∂h = inv·(∂n − mean(∂n) − n·mean(∂n ⊙ n)) with ∂n = γ·s_j·dy
        double meanD = 0;
        double meanDn = 0;
        for (int k = 0; k < dim; k++) {
          double dn = scale * d[r * dim + k];
          meanD += dn;
          meanDn += dn * normed[j][r * dim + k];
        }
        meanD /= dim;
        meanDn /= dim;
        for (int k = 0; k < dim; k++) {
          double dn = scale * d[r * dim + k];
          dh[r * dim + k] = invStd[j][r] * (dn - meanD - normed[j][r * dim + k] * meanDn);
        }
      }
      INDArray a = org.nd4j.linalg.factory.Nd4j.create(scratch.dtype(), rows, dim);
      Host.of(a).write(0, dh, 0, dh.length);
      out[j] = a;
    }
    return out;
  }
}
