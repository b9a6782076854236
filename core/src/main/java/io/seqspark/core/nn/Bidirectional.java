package io.seqspark.core.nn;

import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * A forward and a backward recurrent layer over the same input, outputs concatenated ([fwd | bwd], 2H wide) or
 * summed (H wide). The backward layer reads each row REVERSED WITHIN ITS OWN LENGTH: row b's real steps
 * {@code 0 .. len-1} are fed as {@code len-1 .. 0}, padded steps stay where they are. So the backward direction starts
 * at each sequence's own last real step, never at padding, and a padded batch gives every sequence exactly the
 * outputs it gets alone (DL4J's wrapper reverses the whole padded length instead). Reversal is a row permutation of
 * the time-major [T*B, F] matrix (its own inverse); it is applied to the input and to the backward layer's output,
 * and backward mirrors both.
 */
public final class Bidirectional implements SeqLayer {
  /** How the two directions' outputs are combined. */
  public enum Merge { CONCAT, SUM }

  private final SeqLayer forwardLayer;
  private final SeqLayer backwardLayer;
  private final Merge merge;
  private final int hidden;
  private final Scratch scratch;
  private int[] perm;

  /** Both layers must have the same input and output sizes. */
  public Bidirectional(SeqLayer forwardLayer, SeqLayer backwardLayer, Merge merge, org.nd4j.linalg.api.buffer.DataType dtype) {
    if (forwardLayer.inputSize() != backwardLayer.inputSize() || forwardLayer.outputSize() != backwardLayer.outputSize()) {
      throw new IllegalArgumentException("forward and backward layers must have equal sizes, got " + forwardLayer.inputSize()
          + "->" + forwardLayer.outputSize() + " and " + backwardLayer.inputSize() + "->" + backwardLayer.outputSize());
    }
    this.forwardLayer = forwardLayer;
    this.backwardLayer = backwardLayer;
    this.merge = merge;
    this.hidden = forwardLayer.outputSize();
    this.scratch = new Scratch(dtype);
  }

  public SeqLayer forwardLayer() {
    return forwardLayer;
  }

  public SeqLayer backwardLayer() {
    return backwardLayer;
  }

  @Override
  public int inputSize() {
    return forwardLayer.inputSize();
  }

  @Override
  public int outputSize() {
    return merge == Merge.CONCAT ? 2 * hidden : hidden;
  }

  /**
   * The row permutation that reverses every row within its length: position (t, b) ↔ (len_b − 1 − t, b) for
   * t &lt; len_b, padded positions fixed. Its own inverse.
   */
  public static int[] reversal(int steps, int rows, int[] lengths) {
    int[] p = new int[steps * rows];
    for (int b = 0; b < rows; b++) {
      int len = lengths == null ? steps : lengths[b];
      for (int t = 0; t < steps; t++) {
        int src = t < len ? len - 1 - t : t;
        p[t * rows + b] = src * rows + b;
      }
    }
    return p;
  }

  /** {@code dst[k, :] = src[perm[k], :]}; both 'c'-contiguous with equal widths. */
  static void permuteRows(INDArray src, INDArray dst, int[] perm) {
    int cols = (int) src.size(1);
    double[] a = new double[perm.length * cols];
    double[] out = new double[a.length];
    Host.of(src).read(0, a, 0, a.length);
    for (int k = 0; k < perm.length; k++) {
      System.arraycopy(a, perm[k] * cols, out, k * cols, cols);
    }
    Host.of(dst).write(0, out, 0, out.length);
  }

  @Override
  public INDArray forward(INDArray x, Seq seq) {
    long n = seq.n();
    perm = reversal(seq.steps(), seq.rows(), seq.lengths());
    INDArray yf = forwardLayer.forward(x, seq);
    INDArray xr = scratch.get("Xr", n, inputSize());
    permuteRows(x, xr, perm);
    INDArray ybr = backwardLayer.forward(xr, seq);
    INDArray yb = scratch.get("Yb", n, hidden);
    permuteRows(ybr, yb, perm);
    if (merge == Merge.SUM) {
      INDArray y = scratch.get("Y", n, hidden);
      yf.add(yb, y);
      return y;
    }
    INDArray y = scratch.get("Y", n, 2L * hidden);
    Views.cols(y, 0, hidden).assign(yf);
    Views.cols(y, hidden, 2L * hidden).assign(yb);
    return y;
  }

  @Override
  public INDArray backward(INDArray dy, Seq seq) {
    long n = seq.n();
    INDArray dyf = dy;
    INDArray dyb = dy;
    if (merge == Merge.CONCAT) {
      dyf = scratch.get("dYf", n, hidden);
      dyf.assign(Views.cols(dy, 0, hidden));
      dyb = scratch.get("dYb", n, hidden);
      dyb.assign(Views.cols(dy, hidden, 2L * hidden));
    }
    INDArray dybr = scratch.get("dYbr", n, hidden);
    permuteRows(dyb, dybr, perm);
    INDArray dx = scratch.get("dX", n, inputSize());
    dx.assign(forwardLayer.backward(dyf, seq));
    INDArray dxr = backwardLayer.backward(dybr, seq);
    INDArray dxb = scratch.get("dXb", n, inputSize());
    permuteRows(dxr, dxb, perm);
    dx.addi(dxb);
    return dx;
  }
}
