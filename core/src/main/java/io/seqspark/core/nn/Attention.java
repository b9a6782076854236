package io.seqspark.core.nn;

import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

/**
 * Attention of queries over a source sequence, masked to each row's real source steps. Queries are time-major
 * [Tq*B, Hq] (a decoder's one step is Tq = 1, i.e. [B, Hq]); keys [Ts*B, Hk] and values [Ts*B, Hv] are the
 * encoder's, with per-row source lengths. Query row {@code tq*B + b} attends to source rows {@code ts*B + b} for
 * {@code ts < len_b} only; padded source steps get weight exactly 0. Scores (Luong et al. 2015; Bahdanau et al. 2015):
 * <pre>
 *   DOT       s = q · k                       (Hq = Hk)
 *   GENERAL   s = (q·W) · k                   W [Hq, Hk]
 *   ADDITIVE  s = v · tanh(q·Wq + k·Wk + b)   Wq [Hq, A], Wk [Hk, A], b, v [1, A]
 * </pre>
 * α = softmax over the real source steps; context = Σ α v. Projections are GEMMs over all rows at once; the
 * per-pair score and softmax arithmetic runs on the heap. {@link #backward} adds parameter gradients and leaves
 * ∂L/∂queries, ∂L/∂keys and ∂L/∂values in {@link #queryGradient()}, {@link #keyGradient()}, {@link #valueGradient()}.
 */
public final class Attention {
  /** The score function. */
  public enum Score { DOT, GENERAL, ADDITIVE }

  private final Score score;
  private final int hq;
  private final int hk;
  private final int a;
  private final ParamRef w;
  private final ParamRef wq;
  private final ParamRef wk;
  private final ParamRef b;
  private final ParamRef v;
  private final Scratch scratch;
  // the last forward
  private INDArray queries;
  private INDArray keys;
  private int nq;
  private int rows;
  private int srcSteps;
  private int hv;
  private int[] lengths;
  private double[] qp; // DOT/GENERAL: projected queries [nq, Hk]; ADDITIVE: q·Wq [nq, A]
  private double[] kp; // ADDITIVE: k·Wk [ns, A]; else the keys [ns, Hk]
  private double[] vs; // values [ns, Hv]
  private double[] alpha; // [nq, Ts]
  private INDArray dq;
  private INDArray dk;
  private INDArray dv;

  /**
   * @param attentionSize A, used by ADDITIVE only
   */
  public Attention(ParamStore.Builder params, String name, Score score, int querySize, int keySize, int attentionSize,
                   Init init, DataType dtype) {
    if (score == Score.DOT && querySize != keySize) {
      throw new IllegalArgumentException("dot attention needs query size = key size, got " + querySize + " and " + keySize
          + ": use general or additive scores");
    }
    this.score = score;
    this.hq = querySize;
    this.hk = keySize;
    this.a = attentionSize;
    this.w = score == Score.GENERAL ? params.add(name + ".W", init, querySize, keySize) : null;
    this.wq = score == Score.ADDITIVE ? params.add(name + ".Wq", init, querySize, attentionSize) : null;
    this.wk = score == Score.ADDITIVE ? params.add(name + ".Wk", init, keySize, attentionSize) : null;
    this.b = score == Score.ADDITIVE ? params.add(name + ".b", Init.zeros(), 1, attentionSize) : null;
    this.v = score == Score.ADDITIVE ? params.add(name + ".v", init, 1, attentionSize) : null;
    this.scratch = new Scratch(dtype);
  }

  private double[] heap(INDArray m) {
    double[] out = new double[(int) m.length()];
    Host.of(m).read(0, out, 0, out.length);
    return out;
  }

  private INDArray nd(String key, double[] data, long r, long c) {
    INDArray m = scratch.get(key, r, c);
    Host.of(m).write(0, data, 0, (int) (r * c));
    return m;
  }

  /**
   * Context vectors [Tq*B, Hv] (a buffer owned by this layer).
   *
   * @param queries    [Tq*B, Hq], time-major
   * @param keys       [Ts*B, Hk], time-major
   * @param values     [Ts*B, Hv], time-major (may be the same matrix as keys)
   * @param rows       B
   * @param srcLengths real source length of each row, each in 1..Ts (null = all Ts)
   */
  public INDArray forward(INDArray queries, INDArray keys, INDArray values, int rows, int[] srcLengths) {
    this.queries = queries;
    this.keys = keys;
    this.rows = rows;
    this.nq = (int) queries.size(0);
    int ns = (int) keys.size(0);
    this.srcSteps = ns / rows;
    this.hv = (int) values.size(1);
    this.lengths = srcLengths;
    if (nq % rows != 0 || ns % rows != 0 || values.size(0) != ns) {
      throw new IllegalArgumentException("queries (" + nq + " rows), keys (" + ns + ") and values (" + values.size(0)
          + ") must be time-major with " + rows + " rows per step");
    }
    switch (score) {
      case DOT -> qp = heap(queries);
      case GENERAL -> {
        INDArray p = scratch.get("Qp", nq, hk);
        Nd4j.gemm(queries, w.value(), p, false, false, 1.0, 0.0);
        qp = heap(p);
      }
      default -> {
        INDArray p = scratch.get("Qp", nq, a);
        Nd4j.gemm(queries, wq.value(), p, false, false, 1.0, 0.0);
        p.addiRowVector(b.value());
        qp = heap(p);
        INDArray kpm = scratch.get("Kp", ns, a);
        Nd4j.gemm(keys, wk.value(), kpm, false, false, 1.0, 0.0);
        kp = heap(kpm);
      }
    }
    if (score != Score.ADDITIVE) {
      kp = heap(keys);
    }
    vs = heap(values);
    double[] vv = score == Score.ADDITIVE ? heap(v.value()) : null;
    alpha = new double[nq * srcSteps];
    double[] ctx = new double[nq * hv];
    int width = score == Score.ADDITIVE ? a : hk;
    for (int i = 0; i < nq; i++) {
      int row = i % rows;
      int len = length(row);
      double max = Double.NEGATIVE_INFINITY;
      for (int ts = 0; ts < len; ts++) {
        int j = ts * rows + row;
        double s = 0;
        for (int c = 0; c < width; c++) {
          s += score == Score.ADDITIVE ? vv[c] * Math.tanh(qp[i * a + c] + kp[j * a + c]) : qp[i * hk + c] * kp[j * hk + c];
        }
        alpha[i * srcSteps + ts] = s;
        max = Math.max(max, s);
      }
      double z = 0;
      for (int ts = 0; ts < len; ts++) {
        double e = Math.exp(alpha[i * srcSteps + ts] - max);
        alpha[i * srcSteps + ts] = e;
        z += e;
      }
      for (int ts = 0; ts < len; ts++) {
        double al = alpha[i * srcSteps + ts] / z;
        alpha[i * srcSteps + ts] = al;
        int j = ts * rows + row;
        for (int c = 0; c < hv; c++) {
          ctx[i * hv + c] += al * vs[j * hv + c];
        }
      }
    }
    return nd("C", ctx, nq, hv);
  }

  private int length(int row) {
    return lengths == null ? srcSteps : lengths[row];
  }

  /** The attention weights of the last forward, [Tq*B, Ts] (0 beyond each row's source length). */
  public INDArray weights() {
    return Nd4j.createFromArray(alpha).reshape(nq, srcSteps);
  }

  /** Adds parameter gradients; ∂L/∂queries, keys and values are then in the three accessors. */
  public void backward(INDArray dContext) {
    double[] dc = heap(dContext);
    int ns = srcSteps * rows;
    int width = score == Score.ADDITIVE ? a : hk;
    double[] dqp = new double[nq * width];
    double[] dkp = new double[ns * width];
    double[] dvs = new double[ns * hv];
    double[] vv = score == Score.ADDITIVE ? heap(v.value()) : null;
    double[] dvv = score == Score.ADDITIVE ? new double[a] : null;
    double[] db = score == Score.ADDITIVE ? new double[a] : null;
    double[] dAlpha = new double[srcSteps];
    for (int i = 0; i < nq; i++) {
      int row = i % rows;
      int len = length(row);
      double dot = 0;
      for (int ts = 0; ts < len; ts++) {
        int j = ts * rows + row;
        double al = alpha[i * srcSteps + ts];
        double s = 0;
        for (int c = 0; c < hv; c++) {
          s += dc[i * hv + c] * vs[j * hv + c];
          dvs[j * hv + c] += al * dc[i * hv + c];
        }
        dAlpha[ts] = s;
        dot += al * s;
      }
      for (int ts = 0; ts < len; ts++) {
        int j = ts * rows + row;
        double ds = alpha[i * srcSteps + ts] * (dAlpha[ts] - dot);
        for (int c = 0; c < width; c++) {
          if (score == Score.ADDITIVE) {
            double th = Math.tanh(qp[i * a + c] + kp[j * a + c]);
            dvv[c] += ds * th;
            double e = ds * vv[c] * (1 - th * th);
            dqp[i * a + c] += e;
            dkp[j * a + c] += e;
            db[c] += e;
          } else {
            dqp[i * hk + c] += ds * kp[j * hk + c];
            dkp[j * hk + c] += ds * qp[i * hk + c];
          }
        }
      }
    }
    dv = nd("dV", dvs, ns, hv);
    switch (score) {
      case DOT -> {
        dq = nd("dQ", dqp, nq, hq);
        dk = nd("dK", dkp, ns, hk);
      }
      case GENERAL -> {
        INDArray dP = nd("dQp", dqp, nq, hk);
        Nd4j.gemm(queries, dP, w.grad(), true, false, 1.0, 1.0);
        dq = scratch.get("dQ", nq, hq);
        Nd4j.gemm(dP, w.value(), dq, false, true, 1.0, 0.0);
        dk = nd("dK", dkp, ns, hk);
      }
      default -> {
        INDArray dP = nd("dQp", dqp, nq, a);
        INDArray dKp = nd("dKp", dkp, ns, a);
        Nd4j.gemm(queries, dP, wq.grad(), true, false, 1.0, 1.0);
        Nd4j.gemm(keys, dKp, wk.grad(), true, false, 1.0, 1.0);
        Host.of(b.grad()).add(0, db, 0, a);
        Host.of(v.grad()).add(0, dvv, 0, a);
        dq = scratch.get("dQ", nq, hq);
        Nd4j.gemm(dP, wq.value(), dq, false, true, 1.0, 0.0);
        dk = scratch.get("dK", ns, hk);
        Nd4j.gemm(dKp, wk.value(), dk, false, true, 1.0, 0.0);
      }
    }
  }

  public INDArray queryGradient() {
    return dq;
  }

  public INDArray keyGradient() {
    return dk;
  }

  public INDArray valueGradient() {
    return dv;
  }
}
