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
 *
 * <p><b>Three ways to run the same kernels.</b> (1) {@link #forward(INDArray, Seq)}: the whole sequence, from zeros
 * or the carried state, or ({@link #forward(INDArray, Seq, RecurrentState)}) from a given initial state whose
 * gradient {@link #backward} then also yields ({@link #initialStateGradient()}), so a decoder started from an
 * encoder through a learned bridge passes its gradient back. (2) {@link #beginSteps} + {@link #step}: the same pass
 * unrolled one step at a time, for a decoder whose next input depends on its previous output (fed-back predictions,
 * scheduled sampling); {@link #stepBackward} then runs the backward time loop one step at a time, in reverse, and
 * returns ∂L/∂x_t, so the caller can add that step's contribution to ∂L/∂h_{t-1} before back-propagating step t-1.
 * Each step projects its own input (one small GEMM instead of a slice of the big one); otherwise both are the same
 * code and agree to rounding. (3) {@link #inferStep}: one step from a {@link RecurrentState} to the next, nothing
 * recorded, for greedy and beam decoding. Any forward in any mode replaces what the previous one recorded.
 *
 * <p>Over 400 lines because the three modes share one forward step, one backward step and one weight-gradient
 * epilogue; splitting them across classes would expose the per-batch buffers they share.
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
  private final String name;
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
  // what the last forward left for a backward pass, and the hosts of the pass under way
  private Recorded recorded = Recorded.NONE;
  /** The recorded pass started from an explicit state: its backward also yields ∂L/∂(initial state). */
  private boolean stateGrad;
  private double[][] dInitial;
  private Host zHost;
  private Host hHost;
  private Host zlHost;
  private Host sHost;
  private Host dzxHost;
  private Host dzhHost;
  private Host recHost;
  private Host dzlHost;
  private Host dsHost;
  private INDArray dZxPass;
  private INDArray dZhPass;
  private INDArray dZlPass;
  // unrolled passes only
  private int taken;
  private int backStep;
  private INDArray xs;
  private INDArray[] xViews;
  private INDArray dXPass;

  /** What the last forward recorded for a backward pass. */
  private enum Recorded { NONE, SEQUENCE, STEPS }

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
    this.name = name;
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

  /** How many tensors this layer's state has: 1 (h), or 2 (h, c) for the LSTM. */
  public int stateSize() {
    return 1;
  }

  /** A zero state for {@code rows} rows: what a pass without a given or carried state starts from. */
  public RecurrentState zeroState(int rows) {
    return new RecurrentState(new double[stateSize()][rows * hidden], rows, hidden, scratch.dtype());
  }

  /**
   * The state after the last step of the last forward (whole sequence, unrolled or inference step): a new value.
   * For padded rows of a whole-sequence forward it is the state after their padding.
   */
  public RecurrentState state() {
    if (hs == null) {
      throw new IllegalStateException("layer " + name + " has run no forward yet: there is no state");
    }
    return stateAfter(recorded == Recorded.STEPS ? taken : steps);
  }

  private RecurrentState stateAfter(int t) {
    int bh = rows * hidden;
    double[][] s = cellState(t);
    s[0] = java.util.Arrays.copyOfRange(hs, t * bh, (t + 1) * bh);
    return new RecurrentState(s, rows, hidden, scratch.dtype());
  }

  /** Whole sequence from zeros, or from the carried state when carrying is on (see {@link #setCarryState}). */
  @Override
  public INDArray forward(INDArray x, Seq seq) {
    return run(x, seq, null);
  }

  /**
   * Whole sequence from {@code initial} (h0 and, for the LSTM, c0; [B, hidden] each) instead of zeros or the carried
   * state. The following {@link #backward} also computes ∂L/∂(initial state): {@link #initialStateGradient()}. With
   * carrying on, the final state is still carried.
   */
  public INDArray forward(INDArray x, Seq seq, RecurrentState initial) {
    requireState(initial, seq.rows());
    return run(x, seq, initial.parts);
  }

  private INDArray run(INDArray x, Seq seq, double[][] initial) {
    this.x = x;
    steps = seq.steps();
    rows = seq.rows();
    int bh = rows * hidden;
    long n = seq.n();
    prepare(n);
    boolean carried = initial == null && carryState && carry != null && carry[0].length == bh;
    begin(initial != null ? initial : carried ? carry : null);
    project(x, zx, zl);
    for (int t = 0; t < steps; t++) {
      forwardStep(t);
    }
    if (carryState) {
      carry = cellState(steps);
      carry[0] = java.util.Arrays.copyOfRange(hs, steps * bh, (steps + 1) * bh);
    }
    recorded = Recorded.SEQUENCE;
    stateGrad = initial != null;
    dInitial = null;
    return Views.rows(h, rows, n + rows);
  }

  /**
   * Starts an unrolled pass of at most {@code maxSteps} steps from {@code initial} (e.g. {@link #zeroState}); feed
   * it with {@link #step}, then back-propagate with {@link #stepBackward}. The carried state is neither read nor
   * written.
   */
  public void beginSteps(RecurrentState initial, int maxSteps) {
    if (maxSteps < 1) {
      throw new IllegalArgumentException("an unrolled pass of layer " + name + " needs maxSteps >= 1, got "
          + maxSteps);
    }
    requireState(initial, initial.rows());
    rows = initial.rows();
    steps = maxSteps;
    long n = (long) steps * rows;
    prepare(n);
    INDArray buf = scratch.get("Xs", n, in);
    if (buf != xs || xViews.length != steps || xViews[0].size(0) != rows) {
      xViews = new INDArray[steps];
      for (int t = 0; t < steps; t++) {
        xViews[t] = Views.rows(buf, (long) t * rows, (long) (t + 1) * rows);
      }
      xs = buf;
    }
    begin(initial.parts);
    taken = 0;
    backStep = -1;
    recorded = Recorded.STEPS;
    stateGrad = true;
    dInitial = null;
  }

  /**
   * One step of the pass {@link #beginSteps} started: x_t [B, in] (copied) → h_t [B, hidden], a view owned by the
   * layer and valid until its next forward. Step t reads the h_{t-1} (and cell state) the previous step left.
   */
  public INDArray step(INDArray xt) {
    if (recorded != Recorded.STEPS || backStep >= 0) {
      throw new IllegalStateException("layer " + name + ": call beginSteps before step (and after a stepBackward,"
          + " begin a new pass)");
    }
    if (taken == steps) {
      throw new IllegalStateException("layer " + name + ": all " + steps + " steps of this unrolled pass are taken;"
          + " ask beginSteps for more");
    }
    requireStepInput(xt);
    int t = taken;
    xViews[t].assign(xt);
    project(xViews[t], zViews[t], late > 0 ? zlViews[t] : null);
    forwardStep(t);
    taken++;
    return Views.rows(h, (long) (t + 1) * rows, (long) (t + 2) * rows);
  }

  /**
   * Back-propagates one step of the unrolled pass, last step first: {@code dh} [B, hidden] is ∂L/∂h_t from
   * outside the layer (its own recurrence is added here). ADDS parameter gradients once the first step is done, and
   * returns ∂L/∂x_t [B, in], a view valid until the next backward. After step 0, {@link #initialStateGradient()}.
   */
  public INDArray stepBackward(INDArray dh) {
    if (recorded != Recorded.STEPS || taken == 0) {
      throw new IllegalStateException("layer " + name + ": no unrolled steps to back-propagate; call beginSteps and"
          + " step first (each pass is back-propagated once)");
    }
    if (dh.rank() != 2 || dh.size(0) != rows || dh.size(1) != hidden) {
      throw new IllegalArgumentException("layer " + name + ": ∂L/∂h_t must be [" + rows + ", " + hidden + "], got "
          + java.util.Arrays.toString(dh.shape()));
    }
    if (backStep < 0) {
      steps = taken;
      x = Views.rows(xs, 0, (long) steps * rows);
      beginBackwardPass();
      dXPass = scratch.get("dX", (long) steps * rows, in);
      backStep = steps - 1;
    }
    int t = backStep;
    INDArray dhc = dh.dataType() == scratch.dtype() && isRowMajor(dh) ? dh : dh.castTo(scratch.dtype()).dup('c');
    backwardStep(t, Host.of(dhc), 0);
    INDArray dxt = Views.rows(dXPass, (long) t * rows, (long) (t + 1) * rows);
    Nd4j.gemm(Views.rows(dZxPass, (long) t * rows, (long) (t + 1) * rows), wx.value(), dxt, false, true, 1.0, 0.0);
    backStep--;
    if (t == 0) {
      weightGradients();
      recorded = Recorded.NONE;
    }
    return dxt;
  }

  /**
   * One step from {@code state} with input x_t [B, in]: the next state (its {@link RecurrentState#h()} is h_t).
   * Records nothing for a backward pass; the state given is left as it was, so beam search can branch from it.
   */
  public RecurrentState inferStep(INDArray xt, RecurrentState state) {
    requireState(state, state.rows());
    rows = state.rows();
    steps = 1;
    prepare(rows);
    requireStepInput(xt);
    begin(state.parts);
    project(xt.dataType() == scratch.dtype() ? xt : xt.castTo(scratch.dtype()), zViews[0],
        late > 0 ? zlViews[0] : null);
    forwardStep(0);
    recorded = Recorded.NONE;
    return stateAfter(1);
  }

  /**
   * ∂L/∂(initial state) [B, hidden] per state tensor (h0, and c0 for the LSTM), from the last backward of a pass
   * that started from an explicit state ({@link #forward(INDArray, Seq, RecurrentState)} or {@link #beginSteps}).
   */
  public INDArray[] initialStateGradient() {
    if (dInitial == null) {
      throw new IllegalStateException("layer " + name + ": no initial-state gradient; it exists after the backward"
          + " of a pass started from an explicit state (forward with a RecurrentState, or beginSteps)");
    }
    INDArray[] out = new INDArray[dInitial.length];
    for (int i = 0; i < out.length; i++) {
      out[i] = Nd4j.createFromArray(dInitial[i]).reshape('c', rows, hidden).castTo(scratch.dtype());
    }
    return out;
  }

  private void requireState(RecurrentState s, int expectRows) {
    if (s.size() != stateSize() || s.hidden() != hidden || s.rows() != expectRows) {
      throw new IllegalArgumentException("layer " + name + " needs a state of " + stateSize() + " tensor(s) [" + expectRows
          + ", " + hidden + "] (h" + (stateSize() > 1 ? ", c" : "") + "), got " + s.size() + " of [" + s.rows() + ", "
          + s.hidden() + "]");
    }
  }

  private void requireStepInput(INDArray xt) {
    if (xt.rank() != 2 || xt.size(0) != rows || xt.size(1) != in) {
      throw new IllegalArgumentException("layer " + name + ": a step's input must be [" + rows + ", " + in + "], got "
          + java.util.Arrays.toString(xt.shape()));
    }
  }

  private static boolean isRowMajor(INDArray a) {
    return a.ordering() == 'c' && a.stride(1) == 1 && a.stride(0) == a.size(1);
  }

  /** h0 (and the cell's extra state) from {@code start}, or zeros; binds the forward hosts. */
  private void begin(double[][] start) {
    int bh = rows * hidden;
    if (start != null) {
      System.arraycopy(start[0], 0, hs, 0, bh);
    } else {
      java.util.Arrays.fill(hs, 0, bh, 0);
    }
    startCell(start);
    hHost = Host.of(h);
    hHost.write(0, hs, 0, bh);
    zHost = Host.of(zx);
    if (late > 0) {
      zlHost = Host.of(zl);
      sHost = Host.of(sAll);
    }
  }

  /** The input projection x·Wx + b of the rows of {@code x} into {@code z} (early) and {@code l} (late columns). */
  private void project(INDArray x, INDArray z, INDArray l) {
    if (late == 0) {
      Nd4j.gemm(x, wx.value(), z, false, false, 1.0, 0.0);
      z.addiRowVector(b.value());
    } else {
      Nd4j.gemm(x, wxEarly, z, false, false, 1.0, 0.0);
      z.addiRowVector(bEarly);
      Nd4j.gemm(x, wxLate, l, false, false, 1.0, 0.0);
      l.addiRowVector(bLate);
    }
  }

  /** Step t of a forward whose projection Zx_t (and Zl_t) is in place: h_t into {@code hs} and {@code H}. */
  private void forwardStep(int t) {
    int bh = rows * hidden;
    int bk = rows * early;
    int bl = rows * late;
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

  /**
   * The backward of a whole-sequence forward. After a forward from an explicit state, also computes
   * {@link #initialStateGradient()}.
   */
  @Override
  public INDArray backward(INDArray dy, Seq seq) {
    if (recorded != Recorded.SEQUENCE) {
      throw new IllegalStateException("layer " + name + ": backward needs a whole-sequence forward just before it"
          + (recorded == Recorded.STEPS ? "; an unrolled pass is back-propagated with stepBackward" : ""));
    }
    beginBackwardPass();
    long n = (long) steps * rows;
    int bh = rows * hidden;
    Host dyHost = Host.of(dy);
    for (int t = steps - 1; t >= 0; t--) {
      backwardStep(t, dyHost, (long) t * bh);
    }
    long t2 = Phases.start();
    weightGradients();
    INDArray dx = scratch.get("dX", n, in);
    Nd4j.gemm(dZxPass, wx.value(), dx, false, true, 1.0, 0.0);
    Phases.stop("recurrent.weightGemms", t2);
    return dx;
  }

  /** Buffers, cached views and hosts of a backward time loop over {@code steps} x {@code rows}. */
  private void beginBackwardPass() {
    int B = rows;
    long n = (long) steps * B;
    int bh = B * hidden;
    INDArray dZx = scratch.get("dZx", n, gates);
    INDArray dZh = scratch.get("dZh", n, early);
    dhRec = scratch.get("dhRec", B, hidden);
    if (dzhViews == null || dzhViews[0].data() != dZh.data() || dzhViews.length != steps) {
      dzhViews = new INDArray[steps];
      for (int t = 0; t < steps; t++) {
        dzhViews[t] = Views.rows(dZh, (long) t * B, (long) (t + 1) * B);
      }
    }
    dzx = grow(dzx, B * gates);
    dzh = grow(dzh, B * early);
    if (late > 0) {
      INDArray dZl = scratch.get("dZl", n, late);
      dsRec = scratch.get("dsRec", B, hidden);
      if (dzlViews == null || dzlViews[0].data() != dZl.data() || dzlViews.length != steps) {
        dzlViews = new INDArray[steps];
        for (int t = 0; t < steps; t++) {
          dzlViews[t] = Views.rows(dZl, (long) t * B, (long) (t + 1) * B);
        }
      }
      dzl = grow(dzl, B * late);
      dsBuf = grow(dsBuf, bh);
      dzlHost = Host.of(dZl);
      dsHost = Host.of(dsRec);
      dZlPass = dZl;
    }
    dhBuf = grow(dhBuf, bh);
    dhPrev = grow(dhPrev, bh);
    java.util.Arrays.fill(dhPrev, 0, bh, 0);
    dZxPass = dZx;
    dZhPass = dZh;
    dzxHost = Host.of(dZx);
    dzhHost = Host.of(dZh);
    recHost = Host.of(dhRec);
    dInitial = null;
    beginBackward();
  }

  /**
   * Backward step t: ∂L/∂h_t from outside is read from {@code dy} at {@code dyOff}; the recurrent part from step t+1
   * is added. Leaves ∂L/∂h_{t-1} through Wh in {@code dhRec} (and the direct part in {@code dhPrev}) for step t-1.
   */
  private void backwardStep(int t, Host dy, long dyOff) {
    int bh = rows * hidden;
    int bg = rows * gates;
    int bk = rows * early;
    int bl = rows * late;
    dy.read(dyOff, dhBuf, 0, bh);
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
    if (t > 0 || stateGrad) {
      long t1 = Phases.start();
      Nd4j.gemm(dzhViews[t], wh.value(), dhRec, false, true, 1.0, 0.0);
      Phases.stop("recurrent.stepGemm", t1);
    }
    if (t == 0 && stateGrad) {
      // ∂L/∂h0 = (through Wh) + (direct, e.g. the GRU's u ⊙ dh and r ⊙ ∂s); the cell adds ∂L/∂c0
      dInitial = new double[stateSize()][];
      dInitial[0] = new double[bh];
      recHost.read(0, dInitial[0], 0, bh);
      for (int i = 0; i < bh; i++) {
        dInitial[0][i] += dhPrev[i];
      }
      cellStateGradient(dInitial);
    }
  }

  /** ADDS ∂Wx, ∂Wh, ∂Ws and ∂b of the pass as big GEMMs over all its steps. */
  private void weightGradients() {
    long n = (long) steps * rows;
    Nd4j.gemm(x, dZxPass, wx.grad(), true, false, 1.0, 1.0);
    Nd4j.gemm(Views.rows(h, 0, n), dZhPass, wh.grad(), true, false, 1.0, 1.0);
    if (late > 0) {
      // an unrolled pass may stop short of the steps it reserved
      Nd4j.gemm(sAll.size(0) == n ? sAll : Views.rows(sAll, 0, n), dZlPass, ws.grad(), true, false, 1.0, 1.0);
    }
    Nd4j.gemm(scratch.ones(n), dZxPass, b.grad(), false, false, 1.0, 1.0);
  }

  /** Sizes the cell's own heap buffers for a T x B batch. */
  protected abstract void ensureCellBuffers(int steps, int rows);

  /**
   * Sets the cell's extra initial state (e.g. c0) from {@code start[1..]} (carried or given), or to zeros when null.
   * Cells whose whole state is h (Elman, GRU) keep this default.
   */
  protected void startCell(double[][] carried) {
  }

  /**
   * The state after {@code t} steps, for carrying and {@link #state()}: index 0 is filled by the base (h); a cell with
   * more state (LSTM: c) fills the rest.
   */
  protected double[][] cellState(int t) {
    return new double[1][];
  }

  /**
   * After the backward step t = 0 of a pass from an explicit state: write ∂L/∂(the cell's extra initial state)
   * (LSTM: ∂L/∂c0, [B*hidden]) to {@code out[1..]}; the base has filled {@code out[0]} (∂L/∂h0).
   */
  protected void cellStateGradient(double[][] out) {
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
