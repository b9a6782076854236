package io.seqspark.core.model;

import io.seqspark.core.nn.Attention;
import io.seqspark.core.nn.Init;
import io.seqspark.core.nn.ParamRef;
import io.seqspark.core.nn.ParamStore;
import io.seqspark.core.nn.Scratch;
import java.nio.DoubleBuffer;
import java.nio.FloatBuffer;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

/**
 * The encoder–decoder's attention: the scores of {@link Attention} (dot, general, additive; same parameter names and
 * shapes, so the two agree on the same values — Seq2SeqAttentionTest checks it), built for a decoder that asks in
 * blocks of queries — all target steps at once, or one step at a time with input feeding and in beam search — against
 * one memory of encoder outputs per batch.
 *
 * <p>What differs from {@link Attention}: the memory is prepared once per batch ({@link #memory}): copied to the heap
 * batch-major (row b's source steps contiguous) and, for general and additive scores, projected once — general
 * scores {@code (q·W)·k} are computed as {@code q·(k·Wᵀ)}, so a block of queries needs no GEMM at all and the weight
 * gradient is one GEMM per batch ({@code ∂W = ∂(K·Wᵀ)ᵀ·K}). Each query names the memory row it reads, so beam search
 * reorders hypotheses without copying encoder outputs. A training pass records every block; {@link #backward} runs
 * block by block in any order (the unrolled decoder goes last step first) and {@link #finish} turns the accumulated
 * ∂memory into one time-major gradient with the projection GEMMs over all steps. Scores, the masked softmax and the
 * weighted sums run on the heap over contiguous runs (at batch 64, 16 × 16 steps, width 256 that is ~25 M multiply-adds
 * per training step, a few milliseconds).
 *
 * <p>Over 400 lines because the three scores share one forward, one backward and one epilogue over the same per-pass
 * records, and because it carries its own heap copies to and from ND4J ({@link #read}, {@link #write}: the model
 * package cannot reach {@code nn}'s package-private Host).
 */
final class Seq2SeqAttention {
  private final Attention.Score score;
  private final int hq;
  private final int e;
  private final int a;
  private final ParamRef w;
  private final ParamRef wq;
  private final ParamRef wk;
  private final ParamRef b;
  private final ParamRef v;
  private final Scratch scratch;
  /** Width of the key rows the scores read: hq (dot, general) or a (additive). */
  private final int kw;
  // the current pass
  private Memory mem;
  private INDArray batchMajor;
  private int[] toTimeMajor;
  private double[] alpha;
  private double[] qRec;
  private double[] qpRec;
  private int[] memRowRec;
  private int recorded;
  private double[] dKeys;
  private double[] dValues;
  private double[] dQpRec;
  private double[] dvParam;
  private double[] vv;
  private double[] dAlpha;

  /**
   * A batch of encoder outputs as the scores read them, on the heap: values batch-major [B][S][E] and keys [B][S][kw]
   * (dot: the values; general: values·Wᵀ; additive: values·Wk). Immutable once built; decoders share it.
   */
  static final class Memory {
    final int rows;
    final int steps;
    final int[] lengths;
    final double[] values;
    final double[] keys;

    private Memory(int rows, int steps, int[] lengths, double[] values, double[] keys) {
      this.rows = rows;
      this.steps = steps;
      this.lengths = lengths;
      this.values = values;
      this.keys = keys;
    }
  }

  Seq2SeqAttention(ParamStore.Builder params, String name, Attention.Score score, int querySize, int memorySize,
                   int attentionSize, Init init, DataType dtype) {
    if (score == Attention.Score.DOT && querySize != memorySize) {
      throw new IllegalArgumentException("dot attention needs query size = key size, got " + querySize + " and "
          + memorySize + ": use general or additive scores");
    }
    this.score = score;
    this.hq = querySize;
    this.e = memorySize;
    this.a = attentionSize;
    this.w = score == Attention.Score.GENERAL ? params.add(name + ".W", init, querySize, memorySize) : null;
    boolean add = score == Attention.Score.ADDITIVE;
    this.wq = add ? params.add(name + ".Wq", init, querySize, attentionSize) : null;
    this.wk = add ? params.add(name + ".Wk", init, memorySize, attentionSize) : null;
    this.b = add ? params.add(name + ".b", Init.zeros(), 1, attentionSize) : null;
    this.v = add ? params.add(name + ".v", init, 1, attentionSize) : null;
    this.kw = add ? attentionSize : querySize;
    this.scratch = new Scratch(dtype);
  }

  /**
   * Prepares the memory of one batch and starts a pass of at most {@code maxQueries} queries.
   *
   * @param encoded time-major [S*B, E] encoder outputs
   * @param lengths real source length of each of the B rows
   */
  Memory memory(INDArray encoded, int rows, int[] lengths, int maxQueries) {
    int steps = (int) (encoded.size(0) / rows);
    int ns = steps * rows;
    int[] perm = new int[ns];
    toTimeMajor = new int[ns];
    for (int r = 0; r < rows; r++) {
      for (int s = 0; s < steps; s++) {
        perm[r * steps + s] = s * rows + r;
        toTimeMajor[s * rows + r] = r * steps + s;
      }
    }
    batchMajor = scratch.get("M", ns, e);
    Nd4j.pullRows(encoded, batchMajor, 1, perm);
    double[] values = read(batchMajor, new double[ns * e]);
    double[] keys = values;
    if (score != Attention.Score.DOT) {
      INDArray kp = scratch.get("Kp", ns, kw);
      if (score == Attention.Score.GENERAL) {
        Nd4j.gemm(batchMajor, w.value(), kp, false, true, 1.0, 0.0);
      } else {
        Nd4j.gemm(batchMajor, wk.value(), kp, false, false, 1.0, 0.0);
      }
      keys = read(kp, new double[ns * kw]);
    }
    mem = new Memory(rows, steps, lengths.clone(), values, keys);
    begin(mem, maxQueries);
    return mem;
  }

  /** Starts a pass over {@code memory} (made earlier, perhaps for another pass) of at most {@code maxQueries}. */
  void begin(Memory memory, int maxQueries) {
    mem = memory;
    int s = memory.steps;
    alpha = grow(alpha, maxQueries * s);
    memRowRec = memRowRec == null || memRowRec.length < maxQueries ? new int[maxQueries] : memRowRec;
    qRec = grow(qRec, maxQueries * hq);
    if (score == Attention.Score.ADDITIVE) {
      qpRec = grow(qpRec, maxQueries * a);
      dQpRec = grow(dQpRec, maxQueries * a);
      vv = read(v.value(), new double[a]);
      dvParam = new double[a];
    }
    dAlpha = grow(dAlpha, s);
    recorded = 0;
    dKeys = null;
    dValues = null;
  }

  /**
   * Context vectors [n, E] (a buffer owned by this layer) for the block of queries [n, Hq] numbered
   * {@code first .. first+n-1} in this pass; query k reads memory row {@code memRows[k]}.
   */
  INDArray forward(INDArray queries, int first, int[] memRows) {
    int n = (int) queries.size(0);
    int s = mem.steps;
    double[] q = new double[n * hq];
    read(queries, q);
    System.arraycopy(q, 0, qRec, first * hq, n * hq);
    double[] qp = null;
    if (score == Attention.Score.ADDITIVE) {
      INDArray p = scratch.get("Qp", n, a);
      Nd4j.gemm(queries, wq.value(), p, false, false, 1.0, 0.0);
      p.addiRowVector(b.value());
      qp = read(p, new double[n * a]);
      System.arraycopy(qp, 0, qpRec, first * a, n * a);
    }
    double[] keys = mem.keys;
    double[] values = mem.values;
    double[] ctx = new double[n * e];
    for (int k = 0; k < n; k++) {
      int i = first + k;
      int m = memRows[k];
      memRowRec[i] = m;
      int len = mem.lengths[m];
      int al = i * s;
      double max = Double.NEGATIVE_INFINITY;
      for (int j = 0; j < len; j++) {
        int kj = (m * s + j) * kw;
        double sc;
        if (qp == null) {
          sc = dot(q, k * hq, keys, kj, hq);
        } else {
          sc = 0;
          int qo = k * a;
          for (int c = 0; c < a; c++) {
            sc += vv[c] * tanh(qp[qo + c] + keys[kj + c]);
          }
        }
        alpha[al + j] = sc;
        max = Math.max(max, sc);
      }
      double z = 0;
      for (int j = 0; j < len; j++) {
        double ex = Math.exp(alpha[al + j] - max);
        alpha[al + j] = ex;
        z += ex;
      }
      for (int j = 0; j < s; j++) {
        alpha[al + j] = j < len ? alpha[al + j] / z : 0;
      }
      for (int j = 0; j < len; j++) {
        axpy(alpha[al + j], values, (m * s + j) * e, ctx, k * e, e);
      }
    }
    recorded = Math.max(recorded, first + n);
    INDArray out = scratch.get("C", n, e);
    write(ctx, out);
    return out;
  }

  /** The attention weights of queries {@code first .. first+n-1}: row-major [n, S], 0 beyond each source length. */
  double[] weights(int first, int n) {
    int s = mem.steps;
    return java.util.Arrays.copyOfRange(alpha, first * s, (first + n) * s);
  }

  /**
   * Back-propagates the block of queries {@code first .. first+n-1} (recorded by {@link #forward}): ∂L/∂context
   * [n, E] in, ∂L/∂queries [n, Hq] out (a buffer owned by this layer). Accumulates ∂memory and parameter gradients
   * until {@link #finish}.
   */
  INDArray backward(INDArray dContext, int first) {
    int n = (int) dContext.size(0);
    int s = mem.steps;
    int ns = mem.rows * s;
    if (dKeys == null) {
      dKeys = new double[ns * kw];
      dValues = new double[ns * e];
    }
    double[] dc = read(dContext, new double[n * e]);
    int width = score == Attention.Score.ADDITIVE ? a : hq;
    double[] dq = new double[n * width];
    double[] keys = mem.keys;
    double[] values = mem.values;
    for (int k = 0; k < n; k++) {
      int i = first + k;
      int m = memRowRec[i];
      int len = mem.lengths[m];
      int al = i * s;
      double sum = 0;
      for (int j = 0; j < len; j++) {
        int vj = (m * s + j) * e;
        double da = dot(dc, k * e, values, vj, e);
        axpy(alpha[al + j], dc, k * e, dValues, vj, e);
        dAlpha[j] = da;
        sum += alpha[al + j] * da;
      }
      for (int j = 0; j < len; j++) {
        double ds = alpha[al + j] * (dAlpha[j] - sum);
        int kj = (m * s + j) * kw;
        if (score != Attention.Score.ADDITIVE) {
          axpy(ds, keys, kj, dq, k * hq, hq);
          axpy(ds, qRec, i * hq, dKeys, kj, hq);
        } else {
          int qo = i * a;
          int dqo = k * a;
          for (int c = 0; c < a; c++) {
            double th = tanh(qpRec[qo + c] + keys[kj + c]);
            dvParam[c] += ds * th;
            double g = ds * vv[c] * (1 - th * th);
            dq[dqo + c] += g;
            dKeys[kj + c] += g;
          }
        }
      }
    }
    INDArray out = scratch.get("dQ", n, hq);
    if (score != Attention.Score.ADDITIVE) {
      write(dq, out);
    } else {
      System.arraycopy(dq, 0, dQpRec, first * a, n * a);
      INDArray dqp = scratch.get("dQp", n, a);
      write(dq, dqp);
      Nd4j.gemm(dqp, wq.value(), out, false, true, 1.0, 0.0);
    }
    return out;
  }

  /**
   * Ends the backward pass: ADDS the parameter gradients that span all blocks and returns ∂L/∂(encoder outputs),
   * time-major [S*B, E] (a buffer owned by this layer; zero where nothing attended).
   */
  INDArray finish() {
    int s = mem.steps;
    int ns = mem.rows * s;
    if (dKeys == null) {
      dKeys = new double[ns * kw];
      dValues = new double[ns * e];
    }
    INDArray dMem = scratch.get("dMbm", ns, e);
    switch (score) {
      case DOT -> {
        for (int k = 0; k < dValues.length; k++) {
          dValues[k] += dKeys[k];
        }
        write(dValues, dMem);
      }
      case GENERAL -> {
        // keys = M·Wᵀ: ∂W += ∂Kᵀ·M, ∂M += ∂K·W
        INDArray dk = scratch.get("dKp", ns, kw);
        write(dKeys, dk);
        write(dValues, dMem);
        Nd4j.gemm(dk, batchMajor, w.grad(), true, false, 1.0, 1.0);
        Nd4j.gemm(dk, w.value(), dMem, false, false, 1.0, 1.0);
      }
      default -> {
        // keys = M·Wk: ∂Wk += Mᵀ·∂K, ∂M += ∂K·Wkᵀ; queries: ∂Wq += Qᵀ·∂Qp, ∂b += 1ᵀ·∂Qp
        INDArray dk = scratch.get("dKp", ns, kw);
        write(dKeys, dk);
        write(dValues, dMem);
        Nd4j.gemm(batchMajor, dk, wk.grad(), true, false, 1.0, 1.0);
        Nd4j.gemm(dk, wk.value(), dMem, false, true, 1.0, 1.0);
        if (recorded > 0) {
          INDArray q = scratch.get("Qall", recorded, hq);
          write(java.util.Arrays.copyOf(qRec, recorded * hq), q);
          INDArray dqp = scratch.get("dQpAll", recorded, a);
          write(java.util.Arrays.copyOf(dQpRec, recorded * a), dqp);
          Nd4j.gemm(q, dqp, wq.grad(), true, false, 1.0, 1.0);
          Nd4j.gemm(scratch.ones(recorded), dqp, b.grad(), false, false, 1.0, 1.0);
        }
        double[] g = read(v.grad(), new double[a]);
        for (int c = 0; c < a; c++) {
          g[c] += dvParam[c];
        }
        write(g, v.grad());
      }
    }
    INDArray out = scratch.get("dM", ns, e);
    Nd4j.pullRows(dMem, out, 1, toTimeMajor);
    dKeys = null;
    dValues = null;
    return out;
  }

  private static double[] grow(double[] x, int n) {
    return x == null || x.length < n ? new double[n] : x;
  }

  /** Σ x[xo+c]·y[yo+c] over n, with four partial sums so the multiply-adds overlap. */
  static double dot(double[] x, int xo, double[] y, int yo, int n) {
    double s0 = 0;
    double s1 = 0;
    double s2 = 0;
    double s3 = 0;
    int c = 0;
    for (; c + 4 <= n; c += 4) {
      s0 += x[xo + c] * y[yo + c];
      s1 += x[xo + c + 1] * y[yo + c + 1];
      s2 += x[xo + c + 2] * y[yo + c + 2];
      s3 += x[xo + c + 3] * y[yo + c + 3];
    }
    for (; c < n; c++) {
      s0 += x[xo + c] * y[yo + c];
    }
    return (s0 + s1) + (s2 + s3);
  }

  /** y[yo+c] += g·x[xo+c] over n. */
  static void axpy(double g, double[] x, int xo, double[] y, int yo, int n) {
    for (int c = 0; c < n; c++) {
      y[yo + c] += g * x[xo + c];
    }
  }

  private static double tanh(double x) {
    return 2.0 / (1.0 + Math.exp(-2.0 * x)) - 1.0;
  }

  /**
   * Copies a row-major matrix (rows may be strided: stride(0) &gt;= columns, stride(1) = 1) into {@code dst},
   * row-major and dense; returns {@code dst}.
   */
  static double[] read(INDArray m, double[] dst) {
    long rows = m.rank() == 1 ? 1 : m.size(0);
    int cols = (int) (m.rank() == 1 ? m.length() : m.size(1));
    if (!rowMajor(m)) {
      m = m.dup('c');
    }
    long ld = m.rank() == 1 || rows == 1 ? cols : m.stride(0);
    int base = (int) m.offset();
    if (m.dataType() == DataType.FLOAT) {
      FloatBuffer fb = m.data().asNioFloat();
      for (int r = 0; r < rows; r++) {
        int o = base + (int) (r * ld);
        int d = r * cols;
        for (int c = 0; c < cols; c++) {
          dst[d + c] = fb.get(o + c);
        }
      }
    } else if (m.dataType() == DataType.DOUBLE) {
      DoubleBuffer db = m.data().asNioDouble();
      for (int r = 0; r < rows; r++) {
        db.get(base + (int) (r * ld), dst, r * cols, cols);
      }
    } else {
      throw new IllegalArgumentException("unsupported data type " + m.dataType() + ": use FLOAT or DOUBLE");
    }
    return dst;
  }

  /** Writes dense row-major {@code src} into a row-major matrix (rows may be strided, as {@link #read}). */
  static void write(double[] src, INDArray m) {
    if (!rowMajor(m)) {
      throw new IllegalArgumentException("write needs a row-major matrix, got strides "
          + java.util.Arrays.toString(m.stride()));
    }
    long rows = m.rank() == 1 ? 1 : m.size(0);
    int cols = (int) (m.rank() == 1 ? m.length() : m.size(1));
    long ld = m.rank() == 1 || rows == 1 ? cols : m.stride(0);
    int base = (int) m.offset();
    if (m.dataType() == DataType.FLOAT) {
      FloatBuffer fb = m.data().asNioFloat();
      for (int r = 0; r < rows; r++) {
        int o = base + (int) (r * ld);
        int s = r * cols;
        for (int c = 0; c < cols; c++) {
          fb.put(o + c, (float) src[s + c]);
        }
      }
    } else if (m.dataType() == DataType.DOUBLE) {
      DoubleBuffer db = m.data().asNioDouble();
      for (int r = 0; r < rows; r++) {
        db.put(base + (int) (r * ld), src, r * cols, cols);
      }
    } else {
      throw new IllegalArgumentException("unsupported data type " + m.dataType() + ": use FLOAT or DOUBLE");
    }
  }

  private static boolean rowMajor(INDArray m) {
    if (m.rank() == 1) {
      return m.elementWiseStride() == 1;
    }
    return m.rank() == 2 && (m.size(1) == 1 || m.stride(1) == 1) && (m.size(0) == 1 || m.stride(0) >= m.size(1));
  }
}
