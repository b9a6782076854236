package io.seqspark.core.nn;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import java.util.SplittableRandom;
import java.util.function.DoubleSupplier;
import org.junit.jupiter.api.Test;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

/**
 * The layers of the ELMo biLM, checked in double precision: finite-difference gradients of the character token
 * encoder, LSTMP (with and without active clips), residual connections, the sampled softmax and the scalar mix; the
 * sampled softmax also against its definition and its expectation.
 */
class ElmoLayersTest {
  private static final DataType D = DataType.DOUBLE;

  private static double dot(INDArray out, INDArray r) {
    return out.mul(r).sumNumber().doubleValue();
  }

  private static INDArray rand(long rows, long cols, double scale) {
    return Nd4j.rand(D, rows, cols).subi(0.5).muli(2 * scale);
  }

  @Test
  void charTokenEncoder_gradientsMatchFiniteDifferences_forCnnHighwaysAndProjection() {
    ParamStore.Builder pb = ParamStore.builder();
    CharTokenEncoder enc = new CharTokenEncoder(pb, "chars", 9, 3, new int[] {1, 2, 3}, new int[] {2, 3, 2}, 2, 4,
        Init.uniform(0.6), D);
    ParamStore store = pb.build(D, 11);
    store.params().addi(0.03); // biases (and the highway gates) off their constants
    // three words, max 5 characters; the second is shorter than the widest filter, the third is padded
    int[] chars = {1, 4, 5, 2, 8, 3, 7, 0, 0, 0, 6, 6, 2, 0, 0};
    int[] lengths = {5, 2, 3};
    Nd4j.getRandom().setSeed(3);
    INDArray r = rand(3, 4, 0.5);
    store.zeroGrads();
    enc.forward(chars, 3, 5, lengths);
    enc.backward(r);
    INDArray grads = store.grads().dup();
    GradientCheck.check("char encoder", store.params(), grads, () -> dot(enc.forward(chars, 3, 5, lengths), r), 1);
  }

  @Test
  void charTokenEncoder_wordAlone_equalsWordInAPaddedBatch() {
    ParamStore.Builder pb = ParamStore.builder();
    CharTokenEncoder enc = new CharTokenEncoder(pb, "chars", 9, 3, new int[] {1, 2}, new int[] {2, 3}, 1, 4,
        Init.uniform(0.6), D);
    pb.build(D, 2);
    INDArray alone = enc.forward(new int[] {6, 6, 2}, 1, 3, new int[] {3}).dup();
    INDArray batch = enc.forward(new int[] {1, 4, 5, 2, 8, 6, 6, 2, 0, 0}, 2, 5, new int[] {5, 3});
    assertEquals(0.0, alone.sub(batch.getRow(1, true)).norm2Number().doubleValue(), 1e-12);
  }

  private static LstmP lstmp(ParamStore.Builder pb, String name, int in, double cellClip, double projClip) {
    return new LstmP(pb, name, in, 5, 3, cellClip, projClip, Init.uniform(0.5), D);
  }

  /** Two carried batches; the loss is over the second, so r0 and c0 are non-zero (truncated at the boundary). */
  private static void checkCarried(String what, StatefulLayer layer, ParamStore store, int in, int out) {
    int T = 4, B = 2;
    Nd4j.getRandom().setSeed(5);
    INDArray x1 = rand((long) T * B, in, 1.0);
    INDArray x2 = rand((long) T * B, in, 1.0);
    INDArray r = rand((long) T * B, out, 0.5);
    Seq seq = new Seq(T, B, null, true, 0);
    layer.setCarryState(true);
    layer.forward(x1, seq);
    INDArray[] start = layer.carriedState();
    assertTrue(start[0].norm2Number().doubleValue() > 0.05, "r0 must be non-trivial");
    store.zeroGrads();
    layer.restoreState(start);
    layer.forward(x2, seq);
    INDArray dx = layer.backward(r, seq).dup();
    INDArray grads = store.grads().dup();
    DoubleSupplier loss = () -> {
      layer.restoreState(start);
      return dot(layer.forward(x2, seq), r);
    };
    GradientCheck.check(what + " params", store.params(), grads, loss, 1);
    GradientCheck.check(what + " input", x2, dx, loss, 1);
  }

  @Test
  void lstmp_gradientsMatchFiniteDifferences_whereNoClipIsActive() {
    ParamStore.Builder pb = ParamStore.builder();
    LstmP layer = lstmp(pb, "l", 4, 50, 50);
    ParamStore store = pb.build(D, 7);
    store.params().addi(0.05);
    checkCarried("lstmp", layer, store, 4, 3);
    assertEquals(0, layer.clipCounts()[0]);
    assertEquals(0, layer.clipCounts()[1]);
  }

  @Test
  void lstmp_withSomeClipsActive_gradientsStillMatch_andClippedValuesStayInBounds() {
    ParamStore.Builder pb = ParamStore.builder();
    LstmP layer = lstmp(pb, "l", 4, 0.2, 0.05);
    ParamStore store = pb.build(D, 7);
    store.params().addi(0.05);
    checkCarried("lstmp clipped", layer, store, 4, 3);
    int[] counts = layer.clipCounts();
    assertTrue(counts[0] > 0 && counts[0] < 4 * 2 * 5, "some but not all cells clip: " + counts[0]);
    assertTrue(counts[1] > 0 && counts[1] < 4 * 2 * 3, "some but not all projections clip: " + counts[1]);
    Seq seq = new Seq(4, 2, null, false, 0);
    INDArray out = layer.forward(rand(8, 4, 1.0), seq);
    assertTrue(out.amaxNumber().doubleValue() <= 0.05 + 1e-15);
  }

  @Test
  void lstmp_whenEveryProjectionIsClipped_theGradientIsExactlyZero() {
    ParamStore.Builder pb = ParamStore.builder();
    LstmP layer = new LstmP(pb, "l", 4, 5, 3, 0, 1e-4, Init.uniform(3.0), D);
    ParamStore store = pb.build(D, 7);
    Nd4j.getRandom().setSeed(8);
    INDArray x = rand(8, 4, 2.0);
    Seq seq = new Seq(4, 2, null, true, 0);
    store.zeroGrads();
    layer.forward(x, seq);
    assertEquals(8 * 3, layer.clipCounts()[1], "this point must clip every projection");
    INDArray dx = layer.backward(rand(8, 3, 1.0), seq);
    assertEquals(0.0, store.grads().amaxNumber().doubleValue(), 0.0);
    assertEquals(0.0, dx.amaxNumber().doubleValue(), 0.0);
  }

  @Test
  void lstmp_whenEveryCellIsClipped_noGradientReachesTheCellPath() {
    // with c clipped everywhere, c_t = ±clip is constant: only the output gate o carries gradient to x and Wx
    ParamStore.Builder pb = ParamStore.builder();
    LstmP layer = new LstmP(pb, "l", 4, 5, 3, 1e-7, 0, Init.uniform(4.0), D);
    ParamStore store = pb.build(D, 7);
    Nd4j.getRandom().setSeed(8);
    INDArray x = rand(8, 4, 2.0);
    Seq seq = new Seq(4, 2, null, true, 0);
    store.zeroGrads();
    layer.forward(x, seq);
    assertEquals(8 * 5, layer.clipCounts()[0], "this point must clip every cell");
    layer.backward(rand(8, 3, 1.0), seq);
    INDArray dWx = store.refs().get(0).grad();
    for (int gate : new int[] {0, 1, 3}) { // i, f, g
      assertEquals(0.0, dWx.get(org.nd4j.linalg.indexing.NDArrayIndex.all(),
          org.nd4j.linalg.indexing.NDArrayIndex.interval(gate * 5, gate * 5 + 5)).amaxNumber().doubleValue(), 0.0);
    }
    assertTrue(dWx.get(org.nd4j.linalg.indexing.NDArrayIndex.all(),
        org.nd4j.linalg.indexing.NDArrayIndex.interval(10, 15)).amaxNumber().doubleValue() > 0, "o still learns");
  }

  @Test
  void residualLstmp_gradientsMatchFiniteDifferences() {
    ParamStore.Builder pb = ParamStore.builder();
    Residual layer = new Residual(lstmp(pb, "l", 3, 3, 3), D);
    ParamStore store = pb.build(D, 4);
    store.params().addi(0.05);
    checkCarried("residual", layer, store, 3, 3);
  }

  @Test
  void residual_addsItsInput() {
    ParamStore.Builder pb = ParamStore.builder();
    LstmP inner = lstmp(pb, "l", 3, 3, 3);
    Residual layer = new Residual(inner, D);
    pb.build(D, 4);
    INDArray x = rand(6, 3, 1.0);
    Seq seq = new Seq(3, 2, null, false, 0);
    INDArray plain = inner.forward(x, seq).dup();
    assertEquals(0.0, layer.forward(x, seq).sub(plain.add(x)).norm2Number().doubleValue(), 1e-14);
  }

  // ---- sampled softmax

  private static final int V = 12;

  /** The loss straight from its definition, position by position. */
  private static double definition(double[][] w, double[] b, double[][] h, int[] targets, float[] mask, int[] samples,
                                   LogUniformSampler q) {
    double total = 0;
    for (int k = 0; k < targets.length; k++) {
      if (mask[k] == 0) {
        continue;
      }
      double[] o = new double[V];
      for (int j = 0; j < V; j++) {
        o[j] = b[j];
        for (int i = 0; i < h[k].length; i++) {
          o[j] += h[k][i] * w[i][j];
        }
      }
      int y = targets[k];
      double sum = Math.exp(o[y]);
      for (int c : samples) {
        if (c != y) {
          sum += Math.exp(o[c]) / (samples.length * q.probability(c));
        }
      }
      total += -o[y] + Math.log(sum);
    }
    return total;
  }

  @Test
  void sampledSoftmax_lossEqualsItsDefinition_andGradientsMatchFiniteDifferences() {
    ParamStore.Builder pb = ParamStore.builder();
    SoftmaxOutput full = new SoftmaxOutput(pb, "out", 4, V, Init.uniform(0.8));
    ParamStore store = pb.build(D, 6);
    store.params().addi(0.02);
    SampledSoftmax sampled = new SampledSoftmax(store.refs().get(0), store.refs().get(1));
    int[] samples = sampled.sampler().sample(6, new SplittableRandom(3));
    int[] targets = {samples[0], 4, 7, 0, 1}; // the first is an accidental hit
    float[] mask = {1, 1, 1, 0, 1};
    Nd4j.getRandom().setSeed(2);
    INDArray h = rand(5, 4, 1.0);
    double[][] w = store.refs().get(0).value().toDoubleMatrix();
    double[] b = store.refs().get(1).value().toDoubleVector();
    double expected = definition(w, b, h.toDoubleMatrix(), targets, mask, samples, sampled.sampler());
    store.zeroGrads();
    double scale = 0.7;
    double loss = sampled.lossSum(h, targets, mask, scale, samples);
    assertEquals(expected, loss, 1e-12);
    INDArray grads = store.grads().div(scale);
    INDArray dh = sampled.inputGradient().div(scale);
    DoubleSupplier f = () -> sampled.lossSum(h, targets, mask, 0, samples);
    GradientCheck.check("sampled softmax params", store.params(), grads, f, 1);
    GradientCheck.check("sampled softmax input", h, dh, f, 1);
    assertEquals(0.0, dh.getRow(3).norm2Number().doubleValue(), 0.0, "a masked position gets no gradient");
    assertTrue(full.classes() == V);
  }

  @Test
  void logUniformSampler_drawsEachClassWithItsProbability() {
    LogUniformSampler q = new LogUniformSampler(V);
    double total = 0;
    for (int k = 0; k < V; k++) {
      total += q.probability(k);
    }
    assertEquals(1.0, total, 1e-12);
    int n = 200_000;
    int[] counts = new int[V];
    SplittableRandom rng = new SplittableRandom(1);
    for (int i = 0; i < n; i++) {
      counts[q.sample(rng)]++;
    }
    for (int k = 0; k < V; k++) {
      double p = q.probability(k);
      double sd = Math.sqrt(n * p * (1 - p));
      assertEquals(n * p, counts[k], 5 * sd, "class " + k);
    }
  }

  @Test
  void sampledSoftmax_normaliserEstimate_isUnbiased_andTheLossTendsToTheFullLoss() {
    ParamStore.Builder pb = ParamStore.builder();
    SoftmaxOutput full = new SoftmaxOutput(pb, "out", 4, V, Init.uniform(0.8));
    ParamStore store = pb.build(D, 6);
    SampledSoftmax sampled = new SampledSoftmax(store.refs().get(0), store.refs().get(1));
    Nd4j.getRandom().setSeed(9);
    INDArray h = rand(1, 4, 1.0);
    int[] y = {5};
    float[] mask = {1};
    double fullLoss = full.lossSum(h, y, mask, 0);
    double[] o = h.mmul(store.refs().get(0).value()).addRowVector(store.refs().get(1).value()).toDoubleVector();
    double exactRest = 0;
    for (int j = 0; j < V; j++) {
      exactRest += j == 5 ? 0 : Math.exp(o[j]);
    }
    // the loss is −o_y + log(e^{o_y} + estimate), so the estimate is exp(loss + o_y) − e^{o_y}
    SplittableRandom rng = new SplittableRandom(4);
    int draws = 20_000;
    double mean = 0;
    double meanSq = 0;
    for (int i = 0; i < draws; i++) {
      double l = sampled.lossSum(h, y, mask, 0, sampled.sampler().sample(3, rng));
      double est = Math.exp(l + o[5]) - Math.exp(o[5]);
      mean += est / draws;
      meanSq += est * est / draws;
    }
    double se = Math.sqrt((meanSq - mean * mean) / draws);
    assertEquals(exactRest, mean, 4 * se, "E[estimate] = Σ_{j≠y} e^{o_j}");
    double big = sampled.lossSum(h, y, mask, 0, sampled.sampler().sample(200_000, new SplittableRandom(5)));
    assertEquals(fullLoss, big, 0.01);
  }

  // ---- scalar mix

  @Test
  void scalarMix_gradientsMatchFiniteDifferences_withAndWithoutLayerNorm() {
    for (boolean norm : new boolean[] {false, true}) {
      ParamStore.Builder pb = ParamStore.builder();
      ScalarMix mix = new ScalarMix(pb, "mix", 3, 4, norm, D);
      ParamStore store = pb.build(D, 1);
      store.params().assign(Nd4j.createFromArray(0.3, -0.2, 0.5, 1.4).reshape(1, 4));
      Nd4j.getRandom().setSeed(12);
      List<INDArray> layers = List.of(rand(5, 4, 1.0), rand(5, 4, 2.0), rand(5, 4, 0.5));
      INDArray r = rand(5, 4, 0.5);
      store.zeroGrads();
      mix.forward(layers);
      INDArray[] dh = mix.backward(r);
      INDArray grads = store.grads().dup();
      DoubleSupplier f = () -> dot(mix.forward(layers), r);
      GradientCheck.check("scalar mix params (norm " + norm + ")", store.params(), grads, f, 1);
      for (int j = 0; j < 3; j++) {
        GradientCheck.check("scalar mix layer " + j + " (norm " + norm + ")", layers.get(j), dh[j], f, 1);
      }
    }
  }

  @Test
  void scalarMix_isGammaTimesTheSoftmaxWeightedSum() {
    ParamStore.Builder pb = ParamStore.builder();
    ScalarMix mix = new ScalarMix(pb, "mix", 2, 3, false, D);
    ParamStore store = pb.build(D, 1);
    store.params().assign(Nd4j.createFromArray(0.0, Math.log(3), 2.0).reshape(1, 3)); // s = (1/4, 3/4), γ = 2
    INDArray a = Nd4j.createFromArray(new double[][] {{1, 2, 3}});
    INDArray c = Nd4j.createFromArray(new double[][] {{5, 6, 7}});
    INDArray y = mix.forward(List.of(a, c));
    assertEquals(0.0, y.sub(a.mul(0.5).add(c.mul(1.5))).norm2Number().doubleValue(), 1e-12);
  }

  @Test
  void scalarMix_startsAtEqualWeights_andGammaOneOrTheGivenScale() {
    INDArray a = Nd4j.createFromArray(new double[][] {{1, 2, 3}});
    INDArray c = Nd4j.createFromArray(new double[][] {{5, 6, 7}});
    for (double scale : new double[] {1.0, 0.125}) {
      ParamStore.Builder pb = ParamStore.builder();
      ScalarMix mix = scale == 1.0 ? new ScalarMix(pb, "mix", 2, 3, false, D)
          : new ScalarMix(pb, "mix", 2, 3, false, scale, D);
      pb.build(D, 1);
      INDArray y = mix.forward(List.of(a, c)); // s = (1/2, 1/2): γ times the mean of the layers
      assertEquals(0.0, y.sub(a.add(c).mul(scale / 2)).norm2Number().doubleValue(), 1e-12, "scale " + scale);
    }
  }
}
