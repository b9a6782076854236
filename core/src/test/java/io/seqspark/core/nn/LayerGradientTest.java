package io.seqspark.core.nn;

import static org.junit.jupiter.api.Assertions.assertEquals;

import org.junit.jupiter.api.Test;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

/** Gradient checks for the non-recurrent layers; recurrent cells are checked in RecurrentCellsTest. */
class LayerGradientTest {
  private static final DataType D = DataType.DOUBLE;

  /** loss = Σ out ⊙ R for a fixed random R, so ∂loss/∂out = R. */
  private static double dot(INDArray out, INDArray r) {
    return out.mul(r).sumNumber().doubleValue();
  }

  @Test
  void dense_gradientsMatchFiniteDifferences_forBothActivations() {
    for (Dense.Activation act : Dense.Activation.values()) {
      ParamStore.Builder pb = ParamStore.builder();
      Dense dense = new Dense(pb, "d", 3, 5, act, Init.uniform(0.7), D);
      ParamStore store = pb.build(D, 9);
      store.params().addi(0.1); // a non-zero bias, so its gradient path is exercised off zero
      Nd4j.getRandom().setSeed(4);
      INDArray x = Nd4j.rand(D, 8, 3).subi(0.5);
      INDArray r = Nd4j.rand(D, 8, 5).subi(0.5);
      Seq seq = new Seq(4, 2, null, false, 0);
      store.zeroGrads();
      dense.forward(x, seq);
      INDArray dx = dense.backward(r, seq).dup();
      INDArray grads = store.grads().dup();
      java.util.function.DoubleSupplier loss = () -> dot(dense.forward(x, seq), r);
      GradientCheck.check("dense " + act + " params", store.params(), grads, loss, 1);
      GradientCheck.check("dense " + act + " input", x, dx, loss, 1);
    }
  }

  @Test
  void embeddingAndSoftmax_gradientsMatchFiniteDifferences_withMask() {
    int vocab = 7, dim = 3, n = 6;
    ParamStore.Builder pb = ParamStore.builder();
    Embedding emb = new Embedding(pb, "e", vocab, dim, Init.uniform(0.5), D);
    SoftmaxOutput out = new SoftmaxOutput(pb, "o", dim, vocab, Init.uniform(0.5));
    ParamStore store = pb.build(D, 5);
    // repeated ids exercise the scatter-add; a masked position must contribute nothing
    int[] ids = {1, 4, 4, 0, 6, 1};
    int[] targets = {2, 3, 0, 5, 1, 6};
    float[] mask = {1, 1, 1, 0, 1, 1};
    java.util.function.DoubleSupplier loss = () -> out.lossSum(emb.forward(ids), targets, mask, 0);
    store.zeroGrads();
    double scale = 0.37;
    double l = out.lossSum(emb.forward(ids), targets, mask, scale);
    emb.backward(out.inputGradient());
    INDArray grads = store.grads().div(scale);
    assertEquals(l, loss.getAsDouble(), 1e-12);
    GradientCheck.check("embedding+softmax", store.params(), grads, loss, 1);
    // the masked row's embedding (id 0 appears only there) gets no gradient
    assertEquals(0.0, emb.table().grad().getRow(0).norm2Number().doubleValue(), 0.0);
  }
}
