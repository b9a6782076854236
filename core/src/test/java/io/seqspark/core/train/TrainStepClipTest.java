package io.seqspark.core.train;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import io.seqspark.core.data.Batch;
import io.seqspark.core.nn.Init;
import io.seqspark.core.nn.ParamStore;
import org.junit.jupiter.api.Test;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.factory.Nd4j;

/**
 * Clipping modes on a model whose gradient is fixed: layer "a" (one block) has gradient (3, 4) (norm 5), layer "b"
 * (two blocks) has (0, 12) and (0, 0, 5) (norm 13); the global norm is sqrt(25 + 169) ≈ 13.93. With plain SGD at
 * lr 1 from zero parameters, the step moves the parameters by −(clipped gradient), so the parameters show it.
 */
class TrainStepClipTest {

  private static final double[] GRAD = {3, 4, 0, 12, 0, 0, 5};

  private static Trainable<Batch> fixedGradient() {
    ParamStore.Builder b = ParamStore.builder();
    b.add("a.W", Init.zeros(), 2);
    b.add("b.W", Init.zeros(), 2);
    b.add("b.b", Init.zeros(), 3);
    ParamStore store = b.build(DataType.DOUBLE, 1);
    return new Trainable<Batch>() {
      @Override
      public ParamStore params() {
        return store;
      }

      @Override
      public StepStats forwardBackward(Batch batch, double gradScale, long stepSeed) {
        store.grads().addi(Nd4j.createFromArray(GRAD).reshape(store.grads().shape()).mul(gradScale));
        return new StepStats(1, 1, 1, 1);
      }

      @Override
      public StepStats evaluate(Batch batch) {
        return StepStats.ZERO;
      }
    };
  }

  private static double[] step(TrainStep.ClipMode mode, double clip) {
    Trainable m = fixedGradient();
    TrainStep s = new TrainStep(m, Optimizer.create("sgd", m.params().size(), DataType.DOUBLE, 0, 0, 0), clip, mode,
        TrainStep.LossScale.SEQUENCES);
    Batch one = new Batch(1, 1, new int[] {0}, new int[] {0}, new float[] {1}, new int[] {1}, new long[] {0});
    TrainStep.Result r = s.run(one, 1.0, 1, 1);
    assertEquals(Math.sqrt(194), r.gradNorm(), 1e-12, "the reported norm is the global one before clipping");
    return m.params().params().neg().data().asDouble();
  }

  @Test
  void layerModeBoundsEachLayerOnItsOwn() {
    // clip 10: layer a (norm 5) untouched, layer b (norm 13) scaled by 10/13
    double f = 10.0 / 13;
    assertArrayEquals(new double[] {3, 4, 0, 12 * f, 0, 0, 5 * f}, step(TrainStep.ClipMode.LAYER, 10), 1e-12);
    // global mode at 10 scales everything by 10/sqrt(194)
    double g = 10 / Math.sqrt(194);
    assertArrayEquals(new double[] {3 * g, 4 * g, 0, 12 * g, 0, 0, 5 * g}, step(TrainStep.ClipMode.GLOBAL, 10), 1e-12);
    // clip 4: both layers scaled to norm 4
    double fa = 4.0 / 5;
    double fb = 4.0 / 13;
    assertArrayEquals(new double[] {3 * fa, 4 * fa, 0, 12 * fb, 0, 0, 5 * fb}, step(TrainStep.ClipMode.LAYER, 4), 1e-12);
    // off
    assertArrayEquals(GRAD, step(TrainStep.ClipMode.LAYER, 0), 1e-12);
  }
}
