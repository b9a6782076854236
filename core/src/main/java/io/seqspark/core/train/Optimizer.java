package io.seqspark.core.train;

import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.learning.GradientUpdater;
import org.nd4j.linalg.learning.config.Adam;

/**
 * An update rule over the flat parameter vector. Its state is one flat vector too, so a checkpoint saves it and
 * Spark averages it exactly like the parameters.
 */
public abstract class Optimizer {

  /** Applies one update; {@code grads} may be modified. {@code step} counts from 1. */
  public abstract void update(INDArray params, INDArray grads, double lr, long step);

  /** The flat state ([1, 0] when stateless). */
  public abstract INDArray state();

  public void setState(INDArray values) {
    INDArray s = state();
    if (s.length() != values.length()) {
      throw new IllegalArgumentException("optimizer state has " + values.length() + " values, expected " + s.length()
          + " (was the checkpoint written with another optimizer?)");
    }
    if (s.length() > 0) {
      s.assign(values.reshape(s.shape()).castTo(s.dataType()));
    }
  }

  public abstract String name();

  /** {@code sgd} or {@code adam} over {@code size} parameters. */
  public static Optimizer create(String name, long size, DataType dtype, double beta1, double beta2, double epsilon) {
    return switch (name) {
      case "sgd" -> new Sgd(dtype);
      case "adam" -> new AdamOpt(size, dtype, beta1, beta2, epsilon);
      default -> throw new IllegalArgumentException("train.optimizer = " + name + ": must be one of sgd, adam");
    };
  }

  /** Plain SGD: θ ← θ − lr·g (one BLAS axpy). */
  static final class Sgd extends Optimizer {
    private final INDArray empty;

    Sgd(DataType dtype) {
      empty = Nd4j.create(dtype, 1, 0);
    }

    @Override
    public void update(INDArray params, INDArray grads, double lr, long step) {
      Nd4j.getBlasWrapper().level1().axpy(params.length(), -lr, grads, params);
    }

    @Override
    public INDArray state() {
      return empty;
    }

    @Override
    public String name() {
      return "sgd";
    }
  }

  /** Adam (Kingma &amp; Ba 2015) through libnd4j's fused updater; state = [m | v] in one flat vector. */
  static final class AdamOpt extends Optimizer {
    private final INDArray state;
    private final Adam config;
    private final GradientUpdater<?> updater;

    AdamOpt(long size, DataType dtype, double beta1, double beta2, double epsilon) {
      state = Nd4j.create(dtype, 1, 2 * size);
      config = new Adam(1e-3, beta1, beta2, epsilon);
      updater = config.instantiate(state, true);
    }

    @Override
    public void update(INDArray params, INDArray grads, double lr, long step) {
      config.setLearningRate(lr);
      updater.applyUpdater(grads, (int) (step - 1), 0);
      params.subi(grads);
    }

    @Override
    public INDArray state() {
      return state;
    }

    @Override
    public String name() {
      return "adam";
    }
  }
}
