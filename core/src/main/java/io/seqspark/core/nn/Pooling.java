package io.seqspark.core.nn;

import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * Masked global pooling over time: a time-major [T*B, F] sequence becomes one [B, F] vector per row, reading only
 * the row's real steps {@code 0 .. len-1} (padding never reaches the output, so a padded batch pools each sequence as
 * it would alone). {@code MAX} takes the per-feature maximum (the gradient goes to the first arg-max step),
 * {@code MEAN} the average over real steps, {@code LAST} the last real step (the many-to-one read-out of a causal
 * stack). No parameters.
 */
public final class Pooling {
  /** The reduction over real steps. */
  public enum Mode { MAX, MEAN, LAST }

  private final Mode mode;
  private final Scratch scratch;
  private int[] argmax;
  private int features;

  public Pooling(Mode mode, org.nd4j.linalg.api.buffer.DataType dtype) {
    this.mode = mode;
    this.scratch = new Scratch(dtype);
  }

  public Mode mode() {
    return mode;
  }

  /** [B, F] pooled features (a buffer owned by this layer, valid until the next forward). */
  public INDArray forward(INDArray x, Seq seq) {
    int rows = seq.rows();
    int f = (int) x.size(1);
    features = f;
    double[] in = new double[(int) seq.n() * f];
    Host.of(x).read(0, in, 0, in.length);
    double[] out = new double[rows * f];
    if (mode == Mode.MAX) {
      argmax = argmax == null || argmax.length < rows * f ? new int[rows * f] : argmax;
    }
    for (int b = 0; b < rows; b++) {
      int len = length(seq, b);
      for (int j = 0; j < f; j++) {
        double acc = mode == Mode.MAX ? Double.NEGATIVE_INFINITY : 0;
        int best = 0;
        for (int t = mode == Mode.LAST ? len - 1 : 0; t < len; t++) {
          double v = in[(t * rows + b) * f + j];
          if (mode != Mode.MAX) {
            acc += v;
          } else if (v > acc) {
            acc = v;
            best = t;
          }
        }
        out[b * f + j] = mode == Mode.MEAN ? acc / len : acc;
        if (mode == Mode.MAX) {
          argmax[b * f + j] = best;
        }
      }
    }
    INDArray y = scratch.get("Y", rows, f);
    Host.of(y).write(0, out, 0, out.length);
    return y;
  }

  /** ∂L/∂x [T*B, F] from ∂L/∂y [B, F]; zero at padded positions. */
  public INDArray backward(INDArray dy, Seq seq) {
    int rows = seq.rows();
    int f = features;
    double[] g = new double[rows * f];
    Host.of(dy).read(0, g, 0, g.length);
    double[] dx = new double[(int) seq.n() * f];
    for (int b = 0; b < rows; b++) {
      int len = length(seq, b);
      for (int j = 0; j < f; j++) {
        double d = g[b * f + j];
        switch (mode) {
          case MAX -> dx[(argmax[b * f + j] * rows + b) * f + j] = d;
          case LAST -> dx[((len - 1) * rows + b) * f + j] = d;
          case MEAN -> {
            for (int t = 0; t < len; t++) {
              dx[(t * rows + b) * f + j] = d / len;
            }
          }
          default -> throw new IllegalStateException(mode.name());
        }
      }
    }
    INDArray out = scratch.get("dX", seq.n(), f);
    Host.of(out).write(0, dx, 0, dx.length);
    return out;
  }

  static int length(Seq seq, int b) {
    return seq.lengths() == null ? seq.steps() : seq.lengths()[b];
  }
}
