package io.seqspark.core.nn;

import java.util.ArrayList;
import java.util.List;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.api.ops.impl.scalar.RectifiedLinear;
import org.nd4j.linalg.api.ops.impl.scalar.RectifiedLinearDerivative;
import org.nd4j.linalg.factory.Nd4j;

/**
 * One residual block of a temporal convolutional network (Bai et al. 2018, "TemporalBlock"):
 * <pre>
 *   a1 = conv1(x)   h1 = dropout(relu(a1))   a2 = conv2(h1)   h2 = dropout(relu(a2))
 *   y  = relu(h2 + res(x))      res = x, or a 1×1 convolution when in ≠ out
 * </pre>
 * Both convolutions are causal with the block's dilation d and kernel K, normalised by weight normalization (or
 * not, see model.tcnNorm). The block sees 2·(K−1)·d + 1 inputs.
 */
public final class TcnBlock implements StatefulLayer {
  private final CausalConv1d conv1;
  private final CausalConv1d conv2;
  private final CausalConv1d down; // null when in == out
  private final Dropout drop1;
  private final Dropout drop2;
  private final Scratch scratch;
  private INDArray a1;
  private INDArray a2;
  private INDArray z;

  /**
   * @param dropoutSalt the first of two dropout stream indices this block uses (they must differ across the model)
   */
  public TcnBlock(ParamStore.Builder params, String name, int in, int out, int kernel, int dilation, boolean weightNorm,
                  double dropout, long dropoutSalt, Init init, DataType dtype) {
    conv1 = new CausalConv1d(params, name + ".conv1", in, out, kernel, dilation, weightNorm, init, dtype);
    conv2 = new CausalConv1d(params, name + ".conv2", out, out, kernel, dilation, weightNorm, init, dtype);
    down = in == out ? null : new CausalConv1d(params, name + ".down", in, out, 1, 1, false, init, dtype);
    drop1 = new Dropout(dropout, dropoutSalt, dtype);
    drop2 = new Dropout(dropout, dropoutSalt + 1, dtype);
    scratch = new Scratch(dtype);
  }

  /**
   * A stack of {@code levels} blocks with dilations 1, 2, 4, …: the first maps {@code in} to {@code channels}, the
   * rest keep {@code channels}. Blocks are named {@code name + level}; dropout salts start at {@code dropoutSalt}.
   */
  public static List<TcnBlock> stack(ParamStore.Builder params, String name, int in, int channels, int levels, int kernel,
                                     boolean weightNorm, double dropout, long dropoutSalt, Init init, DataType dtype) {
    List<TcnBlock> blocks = new ArrayList<>();
    for (int l = 0; l < levels; l++) {
      blocks.add(new TcnBlock(params, name + l, l == 0 ? in : channels, channels, kernel, 1 << l, weightNorm, dropout,
          dropoutSalt + 2L * l, init, dtype));
    }
    return blocks;
  }

  /** Receptive field of a stack: 1 + Σ (R_block − 1) = 1 + 2·(K−1)·(2^levels − 1) for dilations 1, 2, 4, …. */
  public static int receptiveField(List<TcnBlock> blocks) {
    int r = 1;
    for (TcnBlock b : blocks) {
      r += b.receptiveField() - 1;
    }
    return r;
  }

  /** Inputs one output sees: 2·(K−1)·d + 1. */
  public int receptiveField() {
    return conv1.receptiveField() + conv2.receptiveField() - 1;
  }

  public CausalConv1d conv1() {
    return conv1;
  }

  public CausalConv1d conv2() {
    return conv2;
  }

  /** The 1×1 residual convolution, or null when input and output widths agree. */
  public CausalConv1d residual() {
    return down;
  }

  @Override
  public int inputSize() {
    return conv1.inputSize();
  }

  @Override
  public int outputSize() {
    return conv1.outputSize();
  }

  @Override
  public INDArray forward(INDArray x, Seq seq) {
    long n = seq.n();
    int c = outputSize();
    a1 = conv1.forward(x, seq);
    INDArray h1 = scratch.get("H1", n, c);
    Nd4j.exec(new RectifiedLinear(a1, h1, 0.0));
    a2 = conv2.forward(drop1.forward(h1, seq), seq);
    INDArray h2 = scratch.get("H2", n, c);
    Nd4j.exec(new RectifiedLinear(a2, h2, 0.0));
    z = scratch.get("Z", n, c);
    z.assign(drop2.forward(h2, seq)).addi(down == null ? x : down.forward(x, seq));
    INDArray y = scratch.get("Y", n, c);
    Nd4j.exec(new RectifiedLinear(z, y, 0.0));
    return y;
  }

  @Override
  public INDArray backward(INDArray dy, Seq seq) {
    long n = seq.n();
    int c = outputSize();
    INDArray dz = scratch.get("dZ", n, c);
    Nd4j.exec(new RectifiedLinearDerivative(z, dy, dz));
    INDArray dres = down == null ? dz : down.backward(dz, seq);
    INDArray da2 = scratch.get("dA2", n, c);
    Nd4j.exec(new RectifiedLinearDerivative(a2, drop2.backward(dz), da2));
    INDArray dh1 = drop1.backward(conv2.backward(da2, seq));
    INDArray da1 = scratch.get("dA1", n, c);
    Nd4j.exec(new RectifiedLinearDerivative(a1, dh1, da1));
    return conv1.backward(da1, seq).addi(dres);
  }

  @Override
  public void setCarryState(boolean carry) {
    conv1.setCarryState(carry);
    conv2.setCarryState(carry);
  }

  @Override
  public void resetState() {
    conv1.resetState();
    conv2.resetState();
  }

  /** conv1's and conv2's histories (the 1×1 residual keeps none), or empty. */
  @Override
  public INDArray[] carriedState() {
    INDArray[] s1 = conv1.carriedState();
    INDArray[] s2 = conv2.carriedState();
    return s1.length == 0 || s2.length == 0 ? new INDArray[0] : new INDArray[] {s1[0], s2[0]};
  }

  @Override
  public void restoreState(INDArray[] state) {
    conv1.restoreState(state.length == 0 ? state : new INDArray[] {state[0]});
    conv2.restoreState(state.length == 0 ? state : new INDArray[] {state[1]});
  }
}
