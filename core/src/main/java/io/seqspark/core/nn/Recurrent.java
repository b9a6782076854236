package io.seqspark.core.nn;

import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

/**
 * What every gated recurrent layer shares: the input projection of all time steps in one GEMM
 * ({@code Z = X·Wx + b}), the per-step recurrence delegated to the cell, the weight gradients as three big GEMMs
 * after the backward time loop, and the hidden state carried across batches for truncated BPTT.
 *
 * <p>Buffers: {@code Z} pre-activations [T*B, G], {@code A} activations [T*B, G], {@code H} outputs
 * [(T+1)*B, hidden] whose first B rows are the initial state h0, so {@code H[0 .. T*B)} is "h(t-1)" for every
 * step and the recurrent weight gradient is a single GEMM.
 */
public abstract class Recurrent implements SeqLayer {
  protected final int in;
  protected final int hidden;
  protected final int gates;
  protected final ParamRef wx;
  protected final ParamRef wh;
  protected final ParamRef b;
  protected Scratch scratch;
  private boolean carryState;
  private INDArray[] carry;
  // the batch of the last forward
  protected INDArray x;
  protected INDArray z;
  protected INDArray a;
  protected INDArray h;
  protected int steps;
  protected int rows;

  protected Recurrent(ParamStore.Builder params, String name, int in, int hidden, int gateCount, Init init) {
    this.in = in;
    this.hidden = hidden;
    this.gates = gateCount * hidden;
    this.wx = params.add(name + ".Wx", init, in, gates);
    this.wh = params.add(name + ".Wh", init, hidden, gates);
    this.b = params.add(name + ".b", init, 1, gates);
  }

  @Override
  public int inputSize() {
    return in;
  }

  @Override
  public int outputSize() {
    return hidden;
  }

  /** Carry the final state of each batch into the next (stream regime) instead of starting from zero. */
  public void setCarryState(boolean carry) {
    this.carryState = carry;
    resetState();
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
      out[i] = carry[i].dup();
    }
    return out;
  }

  /** Restores state saved by {@link #carriedState()}. */
  public void restoreState(INDArray[] state) {
    if (state.length == 0) {
      resetState();
      return;
    }
    carry = new INDArray[state.length];
    for (int i = 0; i < state.length; i++) {
      carry[i] = state[i].castTo(wx.value().dataType()).dup();
    }
  }

  @Override
  public INDArray forward(INDArray x, Seq seq) {
    this.x = x;
    this.steps = seq.steps();
    this.rows = seq.rows();
    int B = rows;
    long n = seq.n();
    ensureBuffers(steps, B);
    INDArray[] starts = startStates(steps, B);
    boolean carried = carryState && carry != null && carry[0].size(0) == B;
    for (int i = 0; i < starts.length; i++) {
      if (carried) {
        starts[i].assign(carry[i]);
      } else {
        starts[i].assign(0);
      }
    }
    z = scratch.get("Z", n, gates);
    a = scratch.get("A", n, gates);
    Nd4j.gemm(x, wx.value(), z, false, false, 1.0, 0.0);
    z.addiRowVector(b.value());
    for (int t = 0; t < steps; t++) {
      stepForward(t);
    }
    if (carryState) {
      INDArray[] finals = finalStates();
      if (carry == null || carry[0].size(0) != B) {
        carry = new INDArray[finals.length];
        for (int i = 0; i < finals.length; i++) {
          carry[i] = Nd4j.create(finals[i].dataType(), B, hidden);
        }
      }
      for (int i = 0; i < finals.length; i++) {
        carry[i].assign(finals[i]);
      }
    }
    return Views.rows(h, B, n + B);
  }

  @Override
  public INDArray backward(INDArray dy, Seq seq) {
    int B = rows;
    long n = (long) steps * B;
    INDArray dz = scratch.get("dZ", n, gates);
    beginBackward(B);
    for (int t = steps - 1; t >= 0; t--) {
      stepBackward(t, Views.rows(dy, (long) t * B, (long) (t + 1) * B), Views.rows(dz, (long) t * B, (long) (t + 1) * B));
    }
    Nd4j.gemm(x, dz, wx.grad(), true, false, 1.0, 1.0);
    Nd4j.gemm(Views.rows(h, 0, n), dz, wh.grad(), true, false, 1.0, 1.0);
    Nd4j.gemm(scratch.ones(n), dz, b.grad(), false, false, 1.0, 1.0);
    INDArray dx = scratch.get("dX", n, in);
    Nd4j.gemm(dz, wx.value(), dx, false, true, 1.0, 0.0);
    return dx;
  }

  /** Allocates or resizes the cell's buffers for a T x B batch; must set {@link #h} and {@link #scratch}. */
  protected abstract void ensureBuffers(int steps, int rows);

  /** Views of the initial-state rows (h0, and c0 for an LSTM) of the current buffers, to be filled before step 0. */
  protected abstract INDArray[] startStates(int steps, int rows);

  /** Views of the final-state rows of the last forward. */
  protected abstract INDArray[] finalStates();

  /** One step: Z_t already holds X_t·Wx + b; add the recurrent term, apply the cell, write h_t. */
  protected abstract void stepForward(int t);

  /** Resets recurrent gradient accumulators before the backward time loop. */
  protected abstract void beginBackward(int rows);

  /** One backward step: dy_t is the gradient from above for step t; write dZ_t and propagate to step t-1. */
  protected abstract void stepBackward(int t, INDArray dyT, INDArray dzT);
}
