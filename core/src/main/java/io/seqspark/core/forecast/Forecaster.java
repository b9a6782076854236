package io.seqspark.core.forecast;

import io.seqspark.core.nn.Cells;
import io.seqspark.core.nn.Dense;
import io.seqspark.core.nn.Init;
import io.seqspark.core.nn.ParamStore;
import io.seqspark.core.nn.RegressionOutput;
import io.seqspark.core.nn.Scratch;
import io.seqspark.core.nn.Seq;
import io.seqspark.core.nn.SeqLayer;
import io.seqspark.core.nn.TcnBlock;
import io.seqspark.core.nn.Views;
import io.seqspark.core.train.StepStats;
import io.seqspark.core.train.Trainable;
import java.util.ArrayList;
import java.util.List;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

/**
 * A multi-step forecaster: a stack of sequence layers (LSTM, GRU or TCN blocks) encodes the history window (every input step
 * holds the target and its covariates, scaled), and its state at the last step feeds either
 * <ul>
 *   <li>a <b>direct</b> head: one affine map to all K horizon values at once (non-autoregressive), or</li>
 *   <li>an <b>autoregressive</b> decoder ({@link ArDecoder}): an Elman cell of the recurrent factory, started from
 *   the encoder's last state, that emits one value per step and reads its own previous prediction (beside that state)
 *   as the next input (during training, the true previous value instead with probability {@code teacherForcing},
 *   drawn from the step seed).</li>
 * </ul>
 * The loss is {@link RegressionOutput}'s SUM of squared errors over rows and horizon steps (scaled units);
 * {@link StepStats} count B·K values, so {@code meanLoss()} is the MSE.
 * Batches are {@link SeriesBatch}es: inputs T·B·F, targets B·K.
 */
public final class Forecaster implements Trainable<SeriesBatch> {
  private final ForecasterSpec spec;
  private final ParamStore params;
  private final List<SeqLayer> encoder = new ArrayList<>();
  private final Dense head;
  private final ArDecoder decoder;
  private final DataType dtype;
  private final Scratch scratch;
  private double[][] lastDecoderInputs;

  public Forecaster(ForecasterSpec spec, DataType dtype, long seed) {
    this.spec = spec;
    this.dtype = dtype;
    this.scratch = new Scratch(dtype);
    Init init = Init.uniform(spec.initScale());
    ParamStore.Builder pb = ParamStore.builder();
    int in = spec.features();
    if (spec.encoder().equals("tcn")) {
      // residual blocks with dilations 1, 2, 4, ...; no dropout (forecasters train without it)
      encoder.addAll(TcnBlock.stack(pb, "tcn", in, spec.hidden(), spec.layers(), spec.tcnKernel(), false, 0.0, 1, init,
          dtype));
    } else {
      for (int l = 0; l < spec.layers(); l++) {
        encoder.add(Cells.recurrent(spec.encoder(), pb, spec.encoder() + l, in, spec.hidden(), init, dtype));
        in = spec.hidden();
      }
    }
    if (spec.decoder() == ForecasterSpec.Decoder.DIRECT) {
      head = new Dense(pb, "head", spec.hidden(), spec.horizon(), Dense.Activation.IDENTITY, init, dtype);
      decoder = null;
    } else {
      head = null;
      decoder = new ArDecoder(pb, "decoder", spec.hidden(), init, dtype);
    }
    params = pb.build(dtype, seed);
  }

  public ForecasterSpec spec() {
    return spec;
  }

  @Override
  public ParamStore params() {
    return params;
  }

  @Override
  public StepStats forwardBackward(SeriesBatch batch, double gradScale, long stepSeed) {
    return run(batch, gradScale, stepSeed, true, null);
  }

  @Override
  public StepStats evaluate(SeriesBatch batch) {
    return run(batch, 0, 0, false, null);
  }

  /** The training-mode loss sum (teacher forcing drawn from {@code stepSeed}) without a backward pass: gradient checks. */
  double trainingLoss(SeriesBatch batch, long stepSeed) {
    return run(batch, 0, stepSeed, true, null).lossSum();
  }

  /** Forecasts (scaled units) for every row of {@code batch}: [B][K]; targets in the batch are not read. */
  public double[][] predict(SeriesBatch batch) {
    double[][] out = new double[batch.rows()][spec.horizon()];
    run(batch, 0, 0, false, out);
    return out;
  }

  /**
   * What the autoregressive decoder read at each step of the last forward: [B][K], column 0 the last observed
   * target value, column k the value fed before predicting step k (the model's own prediction k-1 unless teacher
   * forced). Null for a direct forecaster.
   */
  public double[][] lastDecoderInputs() {
    return lastDecoderInputs;
  }

  private StepStats run(SeriesBatch v, double gradScale, long stepSeed, boolean training, double[][] predictions) {
    if (v.features() != spec.features() || v.outputs() != spec.horizon()) {
      throw new IllegalArgumentException("a forecaster with " + spec.features() + " features and horizon "
          + spec.horizon() + " needs windows of that shape, got " + v.features() + " features, " + v.outputs()
          + " outputs");
    }
    SeriesBatch batch = v;
    int steps = batch.steps();
    int rows = batch.rows();
    int horizon = spec.horizon();
    Seq seq = new Seq(steps, rows, null, training, stepSeed);
    INDArray h = Nd4j.createFromArray(v.inputs()).reshape('c', (long) steps * rows, spec.features()).castTo(dtype);
    for (SeqLayer layer : encoder) {
      h = layer.forward(h, seq);
    }
    INDArray last = Views.rows(h, (long) (steps - 1) * rows, (long) steps * rows);
    double[][] pred;
    Seq one = new Seq(1, rows, null, training, stepSeed);
    if (head != null) {
      INDArray out = head.forward(last, one);
      pred = new double[rows][horizon];
      for (int r = 0; r < rows; r++) {
        for (int k = 0; k < horizon; k++) {
          pred[r][k] = out.getDouble(r, k);
        }
      }
    } else {
      double[] lastObserved = new double[rows];
      for (int r = 0; r < rows; r++) {
        lastObserved[r] = v.inputs()[((steps - 1) * rows + r) * spec.features()];
      }
      double ratio = training ? spec.teacherForcing() : 0;
      pred = decoder.forward(last, lastObserved, v.targets(), ratio, stepSeed, gradScale != 0);
      lastDecoderInputs = decoder.inputs();
    }
    double[] flat = new double[rows * horizon];
    for (int r = 0; r < rows; r++) {
      System.arraycopy(pred[r], 0, flat, r * horizon, horizon);
    }
    double[] dFlat = new double[flat.length];
    double loss = RegressionOutput.lossSum(flat, v.targets(), null, gradScale, dFlat);
    double[][] dPred = new double[rows][horizon];
    for (int r = 0; r < rows; r++) {
      System.arraycopy(dFlat, r * horizon, dPred[r], 0, horizon);
    }
    if (predictions != null) {
      for (int r = 0; r < rows; r++) {
        System.arraycopy(pred[r], 0, predictions[r], 0, horizon);
      }
    }
    if (gradScale != 0) {
      INDArray dLast;
      if (head != null) {
        dLast = head.backward(Nd4j.createFromArray(dPred).castTo(dtype), one);
      } else {
        dLast = decoder.backward(dPred);
      }
      INDArray d = scratch.zeros("dH", (long) steps * rows, spec.hidden());
      Views.rows(d, (long) (steps - 1) * rows, (long) steps * rows).assign(dLast);
      for (int l = encoder.size() - 1; l >= 0; l--) {
        d = encoder.get(l).backward(d, seq);
      }
    }
    return new StepStats(loss, (long) rows * horizon, rows);
  }
}
