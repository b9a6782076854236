package io.seqspark.core.nn;

import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

/**
 * What every gated recurrent layer shares. Per batch: the input projection of all time steps in one GEMM
 * ({@code Zx = X·Wx + b}); per step: the recurrent term {@code Zh_t = h_{t-1}·Wh} as one small GEMM on a cached view,
 * then the cell's elementwise math in Java on the heap (see {@link Host}); after the backward time loop: the
 * weight gradients as three big GEMMs. Subclasses write only the cell equations.
 *
 * <p>Off-heap buffers (BLAS operands): {@code Zx} [T*B, K], {@code H} [(T+1)*B, hidden] whose first B rows are h0
 * (so {@code H[0, T*B)} is "h(t-1)" for all t and ∂Wh is one GEMM), {@code dZx} [T*B, G], {@code dZh} [T*B, K].
 * The final state is carried into the next batch when {@link #setCarryState(boolean)} is on (truncated BPTT).
 *
 * <p><b>Late gates.</b> A cell has G = K + L gate columns. The first K ("early") take {@code h_{t-1}·Wh} in the
 * shared per-step GEMM, as above; LSTM and Elman have L = 0 and run exactly that path (no extra ND4J call or copy:
 * every late-gate branch below is skipped). The last L ("late") take {@code s_t·Ws} instead, where the cell computes
 * the gated state {@code s_t} [B, hidden] on the heap from the early activations and h_{t-1}
 * ({@link #gatedState}); for Cho et al.'s GRU s_t = r ⊙ h_{t-1} and the late block is the candidate n. With L &gt; 0
 * the base additionally keeps {@code Zl} [T*B, L] (x-part of the late columns; the input projection is then two GEMMs
 * over column views of Wx, because a GEMM may only write a contiguous block) and {@code S} [T*B, hidden] (all s_t,
 * for ∂Ws = Sᵀ·dZl), and per step does one more small GEMM forward ({@code Zl_t += s_t·Ws}) and one more backward
 * ({@code ∂s_t = dZl_t·Wsᵀ}, needed before the early gates' gradients, see {@link #lateBackward}). The late columns
 * reach the cell as pre-activations; it applies their nonlinearity itself on the heap.
 */
public abstract class Recurrent implements StatefulLayer {
  protected final int in;
  protected final int hidden;
  protected final int gates;
  /** Early gate columns (K): those whose recurrent term is h_{t-1}·Wh. */
  protected final int early;
  /** Late gate columns (L = G - K): those whose recurrent term is s_t·Ws; 0 for most cells. */
  protected final int late;
  final ParamRef wx;
  final ParamRef wh;
  final ParamRef b;
  /** [hidden, L], null when L = 0. */
  final ParamRef ws;
  protected final Scratch scratch;
  private boolean carryState;
  private double[][] carry;
  // the batch of the last forward
  private INDArray x;
  private INDArray zx;
  private INDArray h;
  private INDArray zl; // late gates only
  private INDArray sAll;
  protected int steps;
  protected int rows;
  // heap mirrors for the cell kernels
  protected double[] zBuf;
  protected double[] rBuf;
  protected double[] hs;
  protected double[] dzx;
  protected double[] dzh;
  protected double[] dhBuf;
  protected double[] dhPrev;
  // late gates only
  private double[] sBuf;
  private double[] dzl;
  private double[] dsBuf;
  // cached per-step views
  private INDArray[] hPrevViews;
  private INDArray[] zViews;
  private INDArray[][] gateViews;
  private INDArray[] dzhViews;
  private INDArray viewsFor;
  private INDArray dhRec;
  // late gates only
  private INDArray wxEarly;
  private INDArray wxLate;
  private INDArray bEarly;
  private INDArray bLate;
  private INDArray[] sViews;
  private INDArray[] zlViews;
  private INDArray[] dzlViews;
  private INDArray dsRec;

  protected Recurrent(ParamStore.Builder params, String name, int in, int hidden, int gateCount, Init init,
                      org.nd4j.linalg.api.buffer.DataType dtype) {
    this(params, name, in, hidden, gateCount, 0, init, dtype);
  }

  /**
   * @param gateCount      gate blocks in all, each {@code hidden} wide
   * @param lateGateCount  how many of them (the last ones) take s_t·Ws instead of h_{t-1}·Wh; parameters are then
   *                       {@code Wx} [in, G], {@code Wh} [hidden, K], {@code b} [1, G] and {@code Ws} [hidden, L]
   */
  protected Recurrent(ParamStore.Builder params, String name, int in, int hidden, int gateCount, int lateGateCount,
                      Init init, org.nd4j.linalg.api.buffer.DataType dtype) {
    if (lateGateCount < 0 || lateGateCount >= gateCount) {
      throw new IllegalArgumentException("late gate blocks must be in [0, " + gateCount + "), got " + lateGateCount);
    }
    this.in = in;
    this.hidden = hidden;
    this.gates = gateCount * hidden;
    this.late = lateGateCount * hidden;
    this.early = gates - late;
    this.wx = params.add(name + ".Wx", init, in, gates);
    this.wh = params.add(name + ".Wh", init, hidden, early);
    this.b = params.add(name + ".b", init, 1, gates);
    this.ws = late > 0 ? params.add(name + ".Ws", init, hidden, late) : null;
    this.scratch = new Scratch(dtype);
  }

  @Override
  public int inputSize() {
    return in;
  }

  @Override
  public int outputSize() {
    return hidden;
  }

  /**
   * Carry the final state of each batch into the next (stream regime) instead of starting from zero. Does not
   * clear a state already carried or restored; {@link #resetState()} does.
   */
  public void setCarryState(boolean carry) {
    this.carryState = carry;
  }

  /** Forget the carried state: the next batch starts from zeros. */
  public void resetState() {
    carry = null;
  }

  /** The state carried into the next batch, for checkpoints: [B, hidden] per state tensor, or empty. */
  public INDArray[] carriedState() {
    if (carry == null) {
      return new INDArray[0];
    }
    INDArray[] out = new INDArray[carry.length];
    for (int i = 0; i < carry.length; i++) {
      out[i] = Nd4j.createFromArray(carry[i]).reshape(carry[i].length / hidden, hidden);
    }
    return out;
  }

  /** Restores state saved by {@link #carriedState()}. */
  public void restoreState(INDArray[] state) {
    if (state.length == 0) {
      resetState();
      return;
    }
    carry = new double[state.length][];
    for (int i = 0; i < state.length; i++) {
      carry[i] = state[i].castTo(org.nd4j.linalg.api.buffer.DataType.DOUBLE).dup('c').data().asDouble();
    }
  }

  @Override
  public INDArray forward(INDArray x, Seq seq) {
    this.x = x;
    steps = seq.steps();
    rows = seq.rows();
    int bh = rows * hidden;
    long n = seq.n();
    prepare(n);
    boolean carried = carryState && carry != null && carry[0].length == bh;
    if (carried) {
      System.arraycopy(carry[0], 0, hs, 0, bh);
    } else {
      java.util.Arrays.fill(hs, 0, bh, 0);
    }
    startCell(carried ? carry : null);
    Host hHost = Host.of(h);
    hHost.write(0, hs, 0, bh);
    Host zlHost = null;
    Host sHost = null;
    if (late == 0) {
      Nd4j.gemm(x, wx.value(), zx, false, false, 1.0, 0.0);
      zx.addiRowVector(b.value());
    } else {
      Nd4j.gemm(x, wxEarly, zx, false, false, 1.0, 0.0);
      zx.addiRowVector(bEarly);
      Nd4j.gemm(x, wxLate, zl, false, false, 1.0, 0.0);
      zl.addiRowVector(bLate);
      zlHost = Host.of(zl);
      sHost = Host.of(sAll);
    }
    Host zHost = Host.of(zx);
    int bk = rows * early;
    int bl = rows * late;
    for (int t = 0; t < steps; t++) {
      long t0 = Phases.start();
      Nd4j.gemm(hPrevViews[t], wh.value(), zViews[t], false, false, 1.0, 1.0);
      Phases.stop("recurrent.stepGemm", t0);
      long t1 = Phases.start();
      activate(gateViews[t]);
      Phases.stop("recurrent.activations", t1);
      long t2 = Phases.start();
      zHost.read((long) t * bk, zBuf, 0, bk);
      if (late > 0) {
        gatedState(t, zBuf, hs, t * bh, sBuf);
        sHost.write((long) t * bh, sBuf, 0, bh);
        Phases.stop("recurrent.cellForward", t2);
        long t3 = Phases.start();
        Nd4j.gemm(sViews[t], ws.value(), zlViews[t], false, false, 1.0, 1.0);
        Phases.stop("recurrent.stepGemm", t3);
        t2 = Phases.start();
        zlHost.read((long) t * bl, zBuf, bk, bl);
      }
      cellForward(t, zBuf, hs, (t + 1) * bh);
      hHost.write((long) (t + 1) * bh, hs, (t + 1) * bh, bh);
      Phases.stop("recurrent.cellForward", t2);
    }
    if (carryState) {
      carry = finalState(rows);
      carry[0] = java.util.Arrays.copyOfRange(hs, steps * bh, (steps + 1) * bh);
    }
    return Views.rows(h, rows, n + rows);
  }

  private void prepare(long n) {
    int B = rows;
    INDArray z = scratch.get("Zx", n, early);
    INDArray hNew = scratch.get("H", n + B, hidden);
    int size = (int) n;
    hs = grow(hs, (size + B) * hidden);
    zBuf = grow(zBuf, B * gates);
    rBuf = grow(rBuf, B * hidden);
    if (viewsFor != hNew || z != zx || hPrevViews.length != steps || hPrevViews[0].size(0) != B) {
      hPrevViews = new INDArray[steps];
      zViews = new INDArray[steps];
      gateViews = new INDArray[steps][];
      for (int t = 0; t < steps; t++) {
        hPrevViews[t] = Views.rows(hNew, (long) t * B, (long) (t + 1) * B);
        zViews[t] = Views.rows(z, (long) t * B, (long) (t + 1) * B);
        gateViews[t] = gateViews(zViews[t]);
      }
      viewsFor = hNew;
      dzhViews = null;
    }
    zx = z;
    h = hNew;
    if (late > 0) {
      prepareLate(n);
    }
    ensureCellBuffers(steps, B);
  }

  private void prepareLate(long n) {
    int B = rows;
    INDArray l = scratch.get("Zl", n, late);
    INDArray s = scratch.get("S", n, hidden);
    if (wxEarly == null) {
      // column views of the parameters: GEMM inputs may be strided (BLAS takes the leading dimension)
      wxEarly = Views.cols(wx.value(), 0, early);
      wxLate = Views.cols(wx.value(), early, gates);
      bEarly = Views.cols(b.value(), 0, early);
      bLate = Views.cols(b.value(), early, gates);
    }
    if (l != zl || s != sAll || sViews.length != steps || sViews[0].size(0) != B) {
      sViews = new INDArray[steps];
      zlViews = new INDArray[steps];
      for (int t = 0; t < steps; t++) {
        sViews[t] = Views.rows(s, (long) t * B, (long) (t + 1) * B);
        zlViews[t] = Views.rows(l, (long) t * B, (long) (t + 1) * B);
      }
      dzlViews = null;
    }
    zl = l;
    sAll = s;
    sBuf = grow(sBuf, B * hidden);
  }

  static double[] grow(double[] a, int n) {
    return a == null || a.length < n ? new double[n] : a;
  }

  @Override
  public INDArray backward(INDArray dy, Seq seq) {
    int B = rows;
    long n = (long) steps * B;
    int bh = B * hidden;
    int bg = B * gates;
    int bk = B * early;
    int bl = B * late;
    INDArray dZx = scratch.get("dZx", n, gates);
    INDArray dZh = scratch.get("dZh", n, early);
    dhRec = scratch.get("dhRec", B, hidden);
    if (dzhViews == null || dzhViews[0].data() != dZh.data() || dzhViews.length != steps) {
      dzhViews = new INDArray[steps];
      for (int t = 0; t < steps; t++) {
        dzhViews[t] = Views.rows(dZh, (long) t * B, (long) (t + 1) * B);
      }
    }
    dzx = grow(dzx, bg);
    dzh = grow(dzh, bk);
    INDArray dZl = null;
    Host dzlHost = null;
    Host dsHost = null;
    if (late > 0) {
      dZl = scratch.get("dZl", n, late);
      dsRec = scratch.get("dsRec", B, hidden);
      if (dzlViews == null || dzlViews[0].data() != dZl.data() || dzlViews.length != steps) {
        dzlViews = new INDArray[steps];
        for (int t = 0; t < steps; t++) {
          dzlViews[t] = Views.rows(dZl, (long) t * B, (long) (t + 1) * B);
        }
      }
      dzl = grow(dzl, bl);
      dsBuf = grow(dsBuf, bh);
      dzlHost = Host.of(dZl);
      dsHost = Host.of(dsRec);
    }
    dhBuf = grow(dhBuf, bh);
    dhPrev = grow(dhPrev, bh);
    java.util.Arrays.fill(dhPrev, 0, bh, 0);
    Host dyHost = Host.of(dy);
    Host dzxHost = Host.of(dZx);
    Host dzhHost = Host.of(dZh);
    Host recHost = Host.of(dhRec);
    beginBackward();
    for (int t = steps - 1; t >= 0; t--) {
      dyHost.read((long) t * bh, dhBuf, 0, bh);
      if (t < steps - 1) {
        recHost.read(0, rBuf, 0, bh);
        for (int i = 0; i < bh; i++) {
          dhBuf[i] += rBuf[i] + dhPrev[i];
        }
      }
      java.util.Arrays.fill(dhPrev, 0, bh, 0);
      long t0 = Phases.start();
      if (late > 0) {
        lateBackward(t, dhBuf, dzl);
        dzlHost.write((long) t * bl, dzl, 0, bl);
        Phases.stop("recurrent.cellBackward", t0);
        long t3 = Phases.start();
        Nd4j.gemm(dzlViews[t], ws.value(), dsRec, false, true, 1.0, 0.0);
        Phases.stop("recurrent.stepGemm", t3);
        t0 = Phases.start();
        dsHost.read(0, dsBuf, 0, bh);
      }
      cellBackward(t, dhBuf, dzx, dzh, dhPrev, dsBuf);
      dzxHost.write((long) t * bg, dzx, 0, bg);
      dzhHost.write((long) t * bk, dzh, 0, bk);
      Phases.stop("recurrent.cellBackward", t0);
      if (t > 0) {
        long t1 = Phases.start();
        Nd4j.gemm(dzhViews[t], wh.value(), dhRec, false, true, 1.0, 0.0);
        Phases.stop("recurrent.stepGemm", t1);
      }
    }
    long t2 = Phases.start();
    Nd4j.gemm(x, dZx, wx.grad(), true, false, 1.0, 1.0);
    Nd4j.gemm(Views.rows(h, 0, n), dZh, wh.grad(), true, false, 1.0, 1.0);
    if (late > 0) {
      Nd4j.gemm(sAll, dZl, ws.grad(), true, false, 1.0, 1.0);
    }
    Nd4j.gemm(scratch.ones(n), dZx, b.grad(), false, false, 1.0, 1.0);
    INDArray dx = scratch.get("dX", n, in);
    Nd4j.gemm(dZx, wx.value(), dx, false, true, 1.0, 0.0);
    Phases.stop("recurrent.weightGemms", t2);
    return dx;
  }

  /** Sizes the cell's own heap buffers for a T x B batch. */
  protected abstract void ensureCellBuffers(int steps, int rows);

  /**
   * Sets the cell's extra initial state (e.g. c0) from {@code carried[1..]}, or to zeros when null. Cells whose
   * whole state is h (Elman, GRU) keep this default.
   */
  protected void startCell(double[][] carried) {
  }

  /** The final state to carry: index 0 is filled by the base (h); a cell with more state (LSTM: c) fills the rest. */
  protected double[][] finalState(int rows) {
    return new double[1][];
  }

  /**
   * Views of one step's early gate block [B, K] (pre-activations x_t·Wx + h_{t-1}·Wh + b) that {@link #activate}
   * turns into activations in place; built once per batch shape and cached.
   */
  protected abstract INDArray[] gateViews(INDArray zt);

  /** Applies the gate nonlinearities in place with ND4J's vectorised ops (one call per nonlinearity). */
  protected abstract void activate(INDArray[] gateViews);

  /**
   * One step. {@code a} holds the step's early gate activations [B, K] row-major, followed (cells with late gates)
   * by the late gates' pre-activations [B, L] at {@code a[B*K ..)}; h_{t-1} is at {@code hs[hOff - B*hidden ..)};
   * write h_t to {@code hs[hOff ..)}.
   */
  protected abstract void cellForward(int t, double[] a, double[] hs, int hOff);

  /**
   * Cells with late gates: the gated state s_t [B, hidden] (written to {@code s}) from the early activations
   * {@code a} [B, K] and h_{t-1} at {@code hs[hPrevOff ..)}; the base adds s_t·Ws to the late pre-activations.
   */
  protected void gatedState(int t, double[] a, double[] hs, int hPrevOff, double[] s) {
    throw new UnsupportedOperationException("no late gates");
  }

  /**
   * Cells with late gates, first half of the backward step (before {@link #cellBackward}): write ∂L/∂(late
   * pre-activations) [B, L] to {@code dzl} given the total ∂L/∂h_t {@code dh}. The base then forms
   * ∂L/∂s_t = dzl·Wsᵀ, which the early gates' gradients need.
   */
  protected void lateBackward(int t, double[] dh, double[] dzl) {
    throw new UnsupportedOperationException("no late gates");
  }

  /** Resets the cell's backward accumulators (e.g. dc). */
  protected abstract void beginBackward();

  /**
   * One backward step: {@code dh} is ∂L/∂h_t in total. Write ∂L/∂(x-part pre-activation) to {@code dzx} [B, G]
   * (late columns included), ∂L/∂(h_{t-1}·Wh) to {@code dzh} [B, K], and ADD any direct ∂L/∂h_{t-1} (not through
   * Wh) to {@code dhPrev}. Cells with late gates get ∂L/∂s_t in {@code ds} [B, hidden] (unspecified otherwise).
   */
  protected abstract void cellBackward(int t, double[] dh, double[] dzx, double[] dzh, double[] dhPrev, double[] ds);

  static double tanh(double v) {
    // tanh(v) = 2σ(2v) − 1: one exp instead of Math.tanh's slower path
    return 2.0 / (1.0 + Math.exp(-2.0 * v)) - 1.0;
  }
}
