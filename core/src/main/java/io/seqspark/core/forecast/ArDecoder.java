package io.seqspark.core.forecast;

import io.seqspark.core.nn.Cells;
import io.seqspark.core.nn.Init;
import io.seqspark.core.nn.ParamRef;
import io.seqspark.core.nn.ParamStore;
import io.seqspark.core.nn.Recurrent;
import io.seqspark.core.nn.RecurrentState;
import io.seqspark.core.nn.Views;
import java.util.List;
import java.util.SplittableRandom;
import org.nd4j.linalg.api.buffer.DataBuffer;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

/**
 * The autoregressive decoder of {@link Forecaster}: the factory's Elman cell ({@link Cells#recurrent}, "rnn") whose
 * input at step k is [u_k, c], the previous value u_k (its own prediction, or under teacher forcing the true one)
 * beside the encoder summary c, started from c, and a linear read-out:
 * <pre>
 *   h_0 = c;   h_k = tanh([u_k, c]·Wx + h_{k-1}·Wh + b);   ŷ_k = h_k·v + v0        (k = 1..K)
 *   u_1 = last observed target;   u_{k+1} = y_k with probability teacherForcing (training), else ŷ_k
 * </pre>
 * The loss flows back through every fed-back prediction (u_{k+1} = ŷ_k is part of the graph), so the gradient is
 * that of the decoded loss itself: training runs the cell's unrolled steps ({@link Recurrent#beginSteps}) and
 * back-propagates them one at a time, adding ∂loss/∂u_{k+1} (column 0 of step k+1's ∂input) to ∂loss/∂ŷ_k before
 * step k; ∂loss/∂c collects the other input columns of every step and the cell's initial-state gradient. Forward
 * passes without a backward use the cell's inference steps.
 */
final class ArDecoder {
  private final int d;
  private final DataType dtype;
  private final Recurrent cell;
  private final ParamRef v;
  private final ParamRef v0;
  // the last forward
  private INDArray[] hk;
  private double[][] u;
  private boolean[][] fedBack;

  /** Declares {@code name.Wx} [1+D, D], {@code name.Wh} [D, D], {@code name.b}, {@code name.v} [D, 1], {@code name.v0}. */
  ArDecoder(ParamStore.Builder pb, String name, int d, Init init, DataType dtype) {
    this.d = d;
    this.dtype = dtype;
    cell = Cells.recurrent("rnn", pb, name, 1 + d, d, init, dtype);
    v = pb.add(name + ".v", init, d, 1);
    v0 = pb.add(name + ".v0", Init.zeros(), 1, 1);
  }

  /**
   * @param context      encoder summary [B, D]
   * @param lastObserved u_1 per row
   * @param targets      B*K true values (row-major), read only under teacher forcing
   * @param record       keep what {@link #backward} needs (else inference steps, nothing recorded)
   * @return predictions [B][K]
   */
  double[][] forward(INDArray context, double[] lastObserved, float[] targets, double teacherForcing, long seed,
                     boolean record) {
    int rows = (int) context.size(0);
    int horizon = targets.length / rows;
    u = new double[rows][horizon];
    fedBack = new boolean[rows][horizon];
    hk = new INDArray[horizon];
    double[][] pred = new double[rows][horizon];
    SplittableRandom rng = new SplittableRandom(seed ^ 0x7EAC4E2L);
    INDArray x = Nd4j.create(dtype, rows, 1 + d);
    Views.cols(x, 1, 1 + d).assign(context);
    RecurrentState state = RecurrentState.of(List.of(context));
    if (record) {
      cell.beginSteps(state, horizon);
    }
    DataBuffer xData = x.data(); // fresh 'c' [B, 1+D]: u_k of row r is element r*(1+D)
    double bias = v0.value().getDouble(0);
    for (int k = 0; k < horizon; k++) {
      for (int r = 0; r < rows; r++) {
        if (k == 0) {
          u[r][0] = lastObserved[r];
        } else {
          boolean forced = teacherForcing > 0 && rng.nextDouble() < teacherForcing;
          fedBack[r][k] = !forced;
          u[r][k] = forced ? targets[r * horizon + k - 1] : pred[r][k - 1];
        }
        // element access on the buffer: per step, ND4J op calls (~10-30 µs each) are what the decoder costs
        xData.put((long) r * (1 + d), u[r][k]);
      }
      INDArray h;
      if (record) {
        h = cell.step(x);
      } else {
        state = cell.inferStep(x, state);
        h = state.h();
      }
      hk[k] = h;
      DataBuffer y = h.mmul(v.value()).data();
      for (int r = 0; r < rows; r++) {
        pred[r][k] = y.getDouble(r) + bias;
      }
    }
    return pred;
  }

  /** What was fed at each step of the last forward: [B][K]. */
  double[][] inputs() {
    double[][] out = new double[u.length][];
    for (int r = 0; r < u.length; r++) {
      out[r] = u[r].clone();
    }
    return out;
  }

  /**
   * Back-propagates ∂loss/∂ŷ [B][K] through the last (recorded) forward; ADDS parameter gradients and returns
   * ∂loss/∂context [B, D].
   */
  INDArray backward(double[][] dPred) {
    int rows = dPred.length;
    int horizon = dPred[0].length;
    double[] du = new double[rows]; // ∂loss/∂u_{k+1}, from the step after the current one
    double gV0 = 0;
    INDArray dy = Nd4j.create(dtype, rows, 1);
    DataBuffer dyData = dy.data();
    INDArray dh = Nd4j.create(dtype, rows, d);
    INDArray dContext = Nd4j.zeros(dtype, rows, d);
    for (int k = horizon - 1; k >= 0; k--) {
      for (int r = 0; r < rows; r++) {
        double g = dPred[r][k] + (k + 1 < horizon && fedBack[r][k + 1] ? du[r] : 0);
        dyData.put(r, g);
        gV0 += g;
      }
      Nd4j.gemm(hk[k], dy, v.grad(), true, false, 1.0, 1.0);
      Nd4j.gemm(dy, v.value(), dh, false, true, 1.0, 0.0);
      INDArray dx = cell.stepBackward(dh);
      DataBuffer dxData = dx.data(); // a row-major view's own buffer: ∂loss/∂u_k of row r at r*(1+D)
      for (int r = 0; r < rows; r++) {
        du[r] = dxData.getDouble((long) r * (1 + d));
      }
      dContext.addi(Views.cols(dx, 1, 1 + d));
    }
    v0.grad().addi(gV0);
    return dContext.addi(cell.initialStateGradient()[0]); // h_0 = c
  }
}
