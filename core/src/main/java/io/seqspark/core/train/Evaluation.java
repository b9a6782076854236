package io.seqspark.core.train;

/** Forward-only loss over a whole {@link BatchSource} (epoch 0's batches), e.g. validation perplexity. */
public final class Evaluation {
  private Evaluation() {
  }

  public static <B extends io.seqspark.core.data.Minibatch> StepStats run(Trainable<B> model, BatchSource<B> data) {
    model.setCarryState(data.carriesState());
    model.resetState();
    StepStats total = StepStats.ZERO;
    for (int k = 0; k < data.numBatches(0); k++) {
      total = total.plus(model.evaluate(data.batch(0, k)));
    }
    model.resetState();
    return total;
  }
}
