package io.seqspark.core.model;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.seqspark.core.data.Vocabulary;
import io.seqspark.core.nn.GradientCheck;
import io.seqspark.core.nn.ParamStore;
import io.seqspark.core.nn.Seq;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

/** ELMo features downstream: the mix of a frozen biLM's layers, its gradients, and padding. */
class ElmoFeaturesTest {
  private static final DataType D = DataType.DOUBLE;

  private static Vocabulary vocabulary() {
    Vocabulary.Builder vb = Vocabulary.builder();
    for (String w : new String[] {"the", "cat", "sat", "a", "dog"}) {
      vb.add(w, 3);
    }
    return vb.build(1, 0);
  }

  /** A 2-layer biLM with projection 3 (features of width 6) over {@code v}, seed 5. */
  private static BiLm tinyBiLm(Vocabulary v) {
    List<String> words = new ArrayList<>();
    for (int i = 0; i < v.size(); i++) {
      words.add(v.token(i));
    }
    return new BiLm(new BiLmSpec(v.size(), 8, 3, new int[] {1, 2}, new int[] {2, 3}, 1, 3, 4, 2, 3, 3, true, 0,
        0.4, 0), words, D, 5);
  }

  /** Features of {@code lm} with layer norm, mix parameters (0.2, -0.4, 0.1; γ 1.3) and {@code cache}. */
  private static ElmoFeatures features(BiLm lm, Vocabulary v, SentenceFeatureCache cache) {
    ParamStore.Builder pb = ParamStore.builder();
    ElmoFeatures f = new ElmoFeatures(lm, v, new int[] {Vocabulary.EOS_ID, Vocabulary.EOS_ID}, pb, "elmo", true, 0, 1,
        cache, false, D);
    pb.build(D, 1).params().assign(Nd4j.createFromArray(0.2, -0.4, 0.1, 1.3).reshape(1, 4));
    return f;
  }

  @Test
  void cachedFeatures_areTheValuesOfTheFirstBatch_andKeptWithinTheBudget() {
    Vocabulary v = vocabulary();
    BiLm lm = tinyBiLm(v);
    List<String> a = List.of("the", "cat", "sat");
    List<String> b = List.of("a", "zebra");
    List<String> c = List.of("dog", "the", "cat", "sat", "a");
    INDArray plain = features(lm, v, null).forward(List.of(a, b, c), 5);
    SentenceFeatureCache big = new SentenceFeatureCache(1L << 30);
    ElmoFeatures cached = features(lm, v, big);
    cached.keep(List.of(a, b, c)); // as the training loops do with epoch 1's batches
    assertEquals(3, big.size());
    assertEquals(plain, cached.forward(List.of(a, b, c), 5), "a kept batch reads what it would compute itself");
    INDArray ca = cached.forward(List.of(c, a), 6);
    for (int k = 0; k < 6; k++) {
      for (int t = 0; t < 3; t++) {
        assertEquals(plain.getDouble(t * 3, k), ca.getDouble(t * 2 + 1, k), 0.0, "a, kept from [a, b, c]: step " + t);
      }
      for (int t = 0; t < 5; t++) {
        assertEquals(plain.getDouble(t * 3 + 2, k), ca.getDouble(t * 2, k), 0.0, "c, kept from [a, b, c]: step " + t);
      }
    }
    // a budget of exactly a's entry keeps a; b finds no room and is computed with its batch, as without a cache
    List<float[][][]> ab = lm.embed(List.of(a, b), v, Vocabulary.EOS_ID, Vocabulary.EOS_ID);
    SentenceFeatureCache one = new SentenceFeatureCache(SentenceFeatureCache.bytes(ab.get(0), a.size()));
    ElmoFeatures small = features(lm, v, one);
    INDArray first = small.forward(List.of(a, b), 3);
    assertEquals(features(lm, v, null).forward(List.of(a, b), 3), first);
    assertEquals(first, small.forward(List.of(a, b), 3), "the same again, a read back and b computed");
    assertEquals(1, one.size());
    assertEquals(one.budget(), one.bytes());
    // b was offered twice and found no room both times; the log line says so and how much would have kept it
    assertEquals(2, one.declined());
    long both = SentenceFeatureCache.bytes(ab.get(0), a.size()) + 2 * SentenceFeatureCache.bytes(ab.get(1), b.size());
    assertTrue(one.summary().startsWith("the biLM's layers of 1 sentences kept (0 MB of 0)"), one.summary());
    assertTrue(one.summary().endsWith("; 2 did not fit and are computed with their batch every epoch (slower, the same"
        + " values): model.contextualCacheMb = " + ((both >> 20) + 1) + " would keep them too"), one.summary());
    assertEquals("the biLM's layers of 3 sentences kept (0 MB of 1,024)", big.summary());
    assertTrue(new SentenceFeatureCache(0).offer(a, ab.get(0)) == ab.get(0), "no room: the layers given back");
  }

  @Test
  void features_areTheMixOfTheEmbedLayers_onlyTheMixLearns_andPaddingIsZero() {
    Vocabulary v = vocabulary();
    BiLm lm = tinyBiLm(v);
    ParamStore.Builder pb = ParamStore.builder();
    ElmoFeatures f = new ElmoFeatures(lm, v, new int[] {Vocabulary.EOS_ID, Vocabulary.EOS_ID}, pb, "elmo", false, D);
    ParamStore store = pb.build(D, 1);
    store.params().assign(Nd4j.createFromArray(0.2, -0.4, 0.1, 1.3).reshape(1, 4));
    List<List<String>> s = List.of(List.of("the", "cat", "sat"), List.of("a", "zebra"));
    INDArray y = f.forward(s, 4);
    double[] w = f.mix().weights();
    List<float[][][]> e = lm.embed(s, v, Vocabulary.EOS_ID, Vocabulary.EOS_ID);
    for (int r = 0; r < 2; r++) {
      for (int t = 0; t < 4; t++) {
        for (int k = 0; k < 6; k++) {
          double expected = 0;
          if (t < s.get(r).size()) {
            for (int l = 0; l < 3; l++) {
              expected += 1.3 * w[l] * e.get(r)[l][t][k];
            }
          }
          assertEquals(expected, y.getDouble(t * 2 + r, k), 1e-6, "row " + r + " step " + t);
        }
      }
    }
    Nd4j.getRandom().setSeed(3);
    INDArray g = Nd4j.rand(D, 8, 6).subi(0.5);
    double lmBefore = lm.params().grads().amaxNumber().doubleValue();
    store.zeroGrads();
    f.forward(s, 4);
    f.backward(g);
    INDArray grads = store.grads().dup();
    GradientCheck.check("elmo mix", store.params(), grads, () -> f.forward(s, 4).mul(g).sumNumber().doubleValue(), 1);
    assertEquals(lmBefore, lm.params().grads().amaxNumber().doubleValue(), 0.0, "the biLM is frozen");
  }

  @Test
  void dropout_zeroesOrScalesFeatures_inTrainingOnly_andItsGradientMatchesFiniteDifferences() {
    Vocabulary v = vocabulary();
    BiLm lm = tinyBiLm(v);
    double p = 0.4;
    ParamStore.Builder pb = ParamStore.builder();
    ElmoFeatures f = new ElmoFeatures(lm, v, new int[] {Vocabulary.EOS_ID, Vocabulary.EOS_ID}, pb, "elmo", true, p,
        1, null, false, D);
    ParamStore store = pb.build(D, 1);
    store.params().assign(Nd4j.createFromArray(0.2, -0.4, 0.1, 1.3).reshape(1, 4));
    List<List<String>> s = List.of(List.of("the", "cat", "sat"), List.of("a", "zebra"));
    INDArray plain = f.forward(s, 4).dup();
    Seq training = new Seq(4, 2, new int[] {3, 2}, true, 17);
    Seq evaluation = new Seq(4, 2, new int[] {3, 2}, false, 17);
    assertEquals(plain, f.forward(s, evaluation), "no dropout outside training");
    INDArray dropped = f.forward(s, training).dup();
    assertEquals(dropped, f.forward(s, training), "the mask is the step's: the same seed, the same mask");
    int zeroed = 0;
    int kept = 0;
    for (int i = 0; i < plain.size(0); i++) {
      for (int k = 0; k < plain.size(1); k++) {
        double y = dropped.getDouble(i, k);
        if (y == 0 && plain.getDouble(i, k) != 0) {
          zeroed++;
        } else if (plain.getDouble(i, k) != 0) {
          assertEquals(plain.getDouble(i, k) / (1 - p), y, 1e-12, "a kept feature is scaled by 1 / (1 - p)");
          kept++;
        }
      }
    }
    assertTrue(zeroed > 0 && kept > 0, zeroed + " zeroed, " + kept + " kept");
    Nd4j.getRandom().setSeed(4);
    INDArray g = Nd4j.rand(D, 8, 6).subi(0.5);
    store.zeroGrads();
    f.forward(s, training);
    f.backward(g);
    INDArray grads = store.grads().dup();
    GradientCheck.check("elmo mix with dropout and layer norm", store.params(), grads,
        () -> f.forward(s, training).mul(g).sumNumber().doubleValue(), 1);
    // the steps overload gives the features without dropout whatever ran before it, and so does its backward
    store.zeroGrads();
    f.forward(s, evaluation);
    f.backward(g);
    INDArray undropped = store.grads().dup();
    f.forward(s, training);
    store.zeroGrads();
    assertEquals(plain, f.forward(s, 4), "no dropout from the steps overload");
    f.backward(g);
    assertEquals(undropped, store.grads(), "no training mask in the backward of an undropped forward");
    assertTrue(undropped.amaxNumber().doubleValue() > 0, "the mix has gradients to compare");
  }
}
