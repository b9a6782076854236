package io.seqspark.core.nn;

import java.util.Arrays;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

/**
 * LSTM with a recurrent projection (LSTMP, Sak et al. 2014), with cell and projection clipping, as ELMo's biLM
 * layers (Peters et al. 2018; bilm-tf's {@code LSTMCell(num_proj, cell_clip, proj_clip)}):
 * <pre>
 *   [i f o g] = [σ σ σ tanh](x_t·Wx + r_{t-1}·Wh + b)
 *   c_t = clip(f ⊙ c_{t-1} + i ⊙ g, ±cellClip)      m_t = o ⊙ tanh(c_t)      r_t = clip(m_t·P, ±projClip)
 * </pre>
 * The cell is {@code cell} wide, the output and the recurrent state r are {@code projection} wide (the point of the
 * projection: a big cell, a small recurrence and output). A clip of 0 means no clip. Where a clip is active the
 * value is a constant, so its gradient is zero. Gate columns are laid out [i | f | o | g].
 *
 * <p>Per batch, the input projection of all steps is one GEMM; per step, {@code r_{t-1}·Wh} and {@code m_t·P} are
 * two small GEMMs and the cell math runs on the heap in double; backward, the weight gradients are four GEMMs over
 * all steps. State is (r, c); with {@link #setCarryState(boolean)} on it is carried into the next batch (truncated
 * BPTT). Padded positions (after a row's length) are computed like the others and must be masked by the consumer.
 */
public final class LstmP implements StatefulLayer {
  private final String name;
  private final int in;
  private final int cell;
  private final int proj;
  private final double cellClip;
  private final double projClip;
  private final ParamRef wx;
  private final ParamRef wh;
  private final ParamRef b;
  private final ParamRef p;
  private final Scratch scratch;
  private boolean carryState;
  private double[][] carry;
  // the last forward
  private int steps;
  private int rows;
  private INDArray x;
  private INDArray zx;  // [T*B, 4C] pre-activations, then (per step) activations are kept on the heap
  private INDArray r;   // [(T+1)*B, P], r0 first
  private INDArray m;   // [T*B, C]
  private double[] acts; // [T*B*4C]
  private double[] cs;   // [(T+1)*B*C] clipped cell states, c0 first
  private double[] tcs;  // [T*B*C] tanh(c_t)
  private boolean[] cClipped; // [T*B*C]
  private boolean[] rClipped; // [T*B*P]
  private double[] rs;   // [(T+1)*B*P]

  /**
   * @param cell       cell width C (the gates)
   * @param projection output and recurrent width P
   * @param cellClip   |c| is clipped at this value; 0 = no clip
   * @param projClip   |r| is clipped at this value; 0 = no clip
   */
  public LstmP(ParamStore.Builder params, String name, int in, int cell, int projection, double cellClip,
               double projClip, Init init, DataType dtype) {
    if (in < 1 || cell < 1 || projection < 1) {
      throw new IllegalArgumentException("LSTMP layer " + name + " needs positive sizes, got in=" + in + " cell=" + cell
          + " projection=" + projection);
    }
    if (cellClip < 0 || projClip < 0) {
      throw new IllegalArgumentException("LSTMP layer " + name + ": clips must be >= 0 (0 = none), got cellClip="
          + cellClip + " projClip=" + projClip);
    }
    this.name = name;
    this.in = in;
    this.cell = cell;
    this.proj = projection;
    this.cellClip = cellClip;
    this.projClip = projClip;
    this.wx = params.add(name + ".Wx", init, in, 4L * cell);
    this.wh = params.add(name + ".Wh", init, projection, 4L * cell);
    this.b = params.add(name + ".b", init, 1, 4L * cell);
    this.p = params.add(name + ".P", init, cell, projection);
    this.scratch = new Scratch(dtype);
  }

  @Override
  public int inputSize() {
    return in;
  }

  @Override
  public int outputSize() {
    return proj;
  }

  /** The cell width C. */
  public int cellSize() {
    return cell;
  }

  /** Carry (r, c) from each batch into the next (stream regime). */
  @Override
  public void setCarryState(boolean carry) {
    this.carryState = carry;
  }

  @Override
  public void resetState() {
    carry = null;
  }

  /** [r, c]: [B, P] and [B, C], or empty when nothing is carried. */
  @Override
  public INDArray[] carriedState() {
    if (carry == null) {
      return new INDArray[0];
    }
    int rowsCarried = carry[0].length / proj;
    return new INDArray[] {Nd4j.createFromArray(carry[0]).reshape(rowsCarried, proj),
        Nd4j.createFromArray(carry[1]).reshape(rowsCarried, cell)};
  }

  @Override
  public void restoreState(INDArray[] state) {
    if (state.length == 0) {
      resetState();
      return;
    }
    // any shape (a Spark round ships them flat): only the lengths must fit B rows of r and c
    if (state.length != 2 || state[0].length() % proj != 0
        || state[1].length() != state[0].length() / proj * cell) {
      throw new IllegalArgumentException("LSTMP layer " + name + " restores a state of two tensors [B, " + proj
          + "] and [B, " + cell + "], got " + state.length + " tensor(s)");
    }
    carry = new double[][] {state[0].castTo(DataType.DOUBLE).dup('c').data().asDouble(),
        state[1].castTo(DataType.DOUBLE).dup('c').data().asDouble()};
  }

  private static double clip(double v, double at) {
    return at > 0 && v > at ? at : at > 0 && v < -at ? -at : v;
  }

  private static boolean clipped(double v, double at) {
    return at > 0 && Math.abs(v) > at;
  }

  private static double sigmoid(double v) {
    return 1.0 / (1.0 + Math.exp(-v));
  }

  @Override
  public INDArray forward(INDArray x, Seq seq) {
    this.x = x;
    steps = seq.steps();
    rows = seq.rows();
    int B = rows;
    int G = 4 * cell;
    long n = seq.n();
    if (x.size(0) != n || x.size(1) != in) {
      throw new IllegalArgumentException("LSTMP layer " + name + " needs input [" + n + ", " + in + "], got "
          + Arrays.toString(x.shape()));
    }
    zx = scratch.get("Zx", n, G);
    r = scratch.get("R", n + B, proj);
    m = scratch.get("M", n, cell);
    acts = Recurrent.grow(acts, (int) n * G);
    cs = Recurrent.grow(cs, (steps + 1) * B * cell);
    tcs = Recurrent.grow(tcs, (int) n * cell);
    rs = Recurrent.grow(rs, (steps + 1) * B * proj);
    if (cClipped == null || cClipped.length < n * cell) {
      cClipped = new boolean[(int) n * cell];
    }
    if (rClipped == null || rClipped.length < n * proj) {
      rClipped = new boolean[(int) n * proj];
    }
    boolean carried = carryState && carry != null && carry[0].length == B * proj;
    if (carried) {
      System.arraycopy(carry[0], 0, rs, 0, B * proj);
      System.arraycopy(carry[1], 0, cs, 0, B * cell);
    } else {
      Arrays.fill(rs, 0, B * proj, 0);
      Arrays.fill(cs, 0, B * cell, 0);
    }
    Host rHost = Host.of(r);
    Host zHost = Host.of(zx);
    Host mHost = Host.of(m);
    rHost.write(0, rs, 0, B * proj);
    Nd4j.gemm(x, wx.value(), zx, false, false, 1.0, 0.0);
    zx.addiRowVector(b.value());
    double[] mt = new double[B * cell];
    for (int t = 0; t < steps; t++) {
      INDArray zt = Views.rows(zx, (long) t * B, (long) (t + 1) * B);
      Nd4j.gemm(Views.rows(r, (long) t * B, (long) (t + 1) * B), wh.value(), zt, false, false, 1.0, 1.0);
      int aBase = t * B * G;
      zHost.read((long) aBase, acts, aBase, B * G);
      for (int bi = 0; bi < B; bi++) {
        int a = aBase + bi * G;
        for (int j = 0; j < cell; j++) {
          double i = sigmoid(acts[a + j]);
          double f = sigmoid(acts[a + cell + j]);
          double o = sigmoid(acts[a + 2 * cell + j]);
          double g = Recurrent.tanh(acts[a + 3 * cell + j]);
          acts[a + j] = i;
          acts[a + cell + j] = f;
          acts[a + 2 * cell + j] = o;
          acts[a + 3 * cell + j] = g;
          int k = bi * cell + j;
          double c = f * cs[t * B * cell + k] + i * g;
          cClipped[t * B * cell + k] = clipped(c, cellClip);
          c = clip(c, cellClip);
          cs[(t + 1) * B * cell + k] = c;
          double tc = Recurrent.tanh(c);
          tcs[t * B * cell + k] = tc;
          mt[k] = o * tc;
        }
      }
      mHost.write((long) t * B * cell, mt, 0, B * cell);
      INDArray rt = Views.rows(r, (long) (t + 1) * B, (long) (t + 2) * B);
      Nd4j.gemm(Views.rows(m, (long) t * B, (long) (t + 1) * B), p.value(), rt, false, false, 1.0, 0.0);
      int rOff = (t + 1) * B * proj;
      rHost.read(rOff, rs, rOff, B * proj);
      if (projClip > 0) {
        for (int k = 0; k < B * proj; k++) {
          double v = rs[rOff + k];
          rClipped[t * B * proj + k] = clipped(v, projClip);
          rs[rOff + k] = clip(v, projClip);
        }
        rHost.write(rOff, rs, rOff, B * proj);
      }
    }
    if (carryState) {
      carry = new double[][] {Arrays.copyOfRange(rs, steps * B * proj, (steps + 1) * B * proj),
          Arrays.copyOfRange(cs, steps * B * cell, (steps + 1) * B * cell)};
    }
    return Views.rows(r, B, n + B);
  }

  @Override
  public INDArray backward(INDArray dy, Seq seq) {
    if (x == null) {
      throw new IllegalStateException("LSTMP layer " + name + ": backward needs a forward just before it");
    }
    int B = rows;
    int G = 4 * cell;
    long n = (long) steps * B;
    INDArray dZ = scratch.get("dZ", n, G);
    INDArray dR = scratch.get("dR", n, proj);
    INDArray dM = scratch.get("dM", B, cell);
    INDArray dRec = scratch.get("dRec", B, proj);
    Host dyHost = Host.of(dy);
    Host dzHost = Host.of(dZ);
    Host drHost = Host.of(dR);
    Host dmHost = Host.of(dM);
    Host recHost = Host.of(dRec);
    double[] dr = new double[B * proj];
    double[] rec = new double[B * proj];
    double[] dm = new double[B * cell];
    double[] dc = new double[B * cell];
    double[] dz = new double[B * G];
    for (int t = steps - 1; t >= 0; t--) {
      dyHost.read((long) t * B * proj, dr, 0, B * proj);
      if (t < steps - 1) {
        recHost.read(0, rec, 0, B * proj);
        for (int k = 0; k < B * proj; k++) {
          dr[k] += rec[k];
        }
      }
      if (projClip > 0) {
        for (int k = 0; k < B * proj; k++) {
          if (rClipped[t * B * proj + k]) {
            dr[k] = 0;
          }
        }
      }
      drHost.write((long) t * B * proj, dr, 0, B * proj);
      Nd4j.gemm(Views.rows(dR, (long) t * B, (long) (t + 1) * B), p.value(), dM, false, true, 1.0, 0.0);
      dmHost.read(0, dm, 0, B * cell);
      int aBase = t * B * G;
      for (int bi = 0; bi < B; bi++) {
        int a = aBase + bi * G;
        for (int j = 0; j < cell; j++) {
          int k = bi * cell + j;
          double i = acts[a + j];
          double f = acts[a + cell + j];
          double o = acts[a + 2 * cell + j];
          double g = acts[a + 3 * cell + j];
          double tc = tcs[t * B * cell + k];
          double dcT = dc[k] + dm[k] * o * (1 - tc * tc);
          if (cClipped[t * B * cell + k]) {
            dcT = 0;
          }
          int zr = bi * G;
          dz[zr + j] = dcT * g * i * (1 - i);
          dz[zr + cell + j] = dcT * cs[t * B * cell + k] * f * (1 - f);
          dz[zr + 2 * cell + j] = dm[k] * tc * o * (1 - o);
          dz[zr + 3 * cell + j] = dcT * i * (1 - g * g);
          dc[k] = dcT * f;
        }
      }
      dzHost.write((long) t * B * G, dz, 0, B * G);
      if (t > 0) {
        Nd4j.gemm(Views.rows(dZ, (long) t * B, (long) (t + 1) * B), wh.value(), dRec, false, true, 1.0, 0.0);
      }
    }
    Nd4j.gemm(x, dZ, wx.grad(), true, false, 1.0, 1.0);
    Nd4j.gemm(Views.rows(r, 0, n), dZ, wh.grad(), true, false, 1.0, 1.0);
    Nd4j.gemm(scratch.ones(n), dZ, b.grad(), false, false, 1.0, 1.0);
    Nd4j.gemm(m, dR, p.grad(), true, false, 1.0, 1.0);
    INDArray dx = scratch.get("dX", n, in);
    Nd4j.gemm(dZ, wx.value(), dx, false, true, 1.0, 0.0);
    return dx;
  }

  /** How many cell values and projection values the last forward clipped (for tests and diagnostics). */
  public int[] clipCounts() {
    int n = steps * rows;
    int c = 0;
    int q = 0;
    for (int k = 0; k < n * cell; k++) {
      c += cClipped[k] ? 1 : 0;
    }
    if (projClip > 0) {
      for (int k = 0; k < n * proj; k++) {
        q += rClipped[k] ? 1 : 0;
      }
    }
    return new int[] {c, q};
  }
}
