package io.seqspark.core.model;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.seqspark.core.data.Batch;
import io.seqspark.core.data.TokenStreamBatcher;
import io.seqspark.core.data.Vocabulary;
import io.seqspark.core.nn.GradientCheck;
import io.seqspark.core.nn.ParamRef;
import io.seqspark.core.train.StepStats;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * The biLM as a whole, in double precision: gradients against finite differences (full and sampled softmax), the
 * backward direction against the forward machinery on reversed text, padding invariance, carried state across
 * batches, and out-of-vocabulary words in {@code embed}.
 */
class BiLmTest {
  private static final DataType D = DataType.DOUBLE;
  private static final Vocabulary VOCAB = vocabulary();

  private static Vocabulary vocabulary() {
    Vocabulary.Builder b = Vocabulary.builder();
    String[] words = {"the", "cat", "sat", "on", "mat", "a", "dog", "ran"};
    for (int i = 0; i < words.length; i++) {
      b.add(words[i], 100 - i);
    }
    return b.build(1, 0);
  }

  private static List<String> words() {
    List<String> w = new ArrayList<>();
    for (int i = 0; i < VOCAB.size(); i++) {
      w.add(VOCAB.token(i));
    }
    return w;
  }

  private static BiLmSpec spec(double dropout, int sampled, boolean residual, int layers) {
    return new BiLmSpec(VOCAB.size(), 8, 3, new int[] {1, 2, 3}, new int[] {2, 3, 3}, 1, 4, 5, layers, 3.0, 3.0,
        residual, dropout, 0.4, sampled);
  }

  private static BiLm model(BiLmSpec spec) {
    return new BiLm(spec, words(), D, 17);
  }

  private static int[] ids(String... w) {
    return VOCAB.encode(List.of(w));
  }

  /** A sentence-regime LM batch: inputs = <s> w…, targets = w… </s>. */
  private static Batch sentences(int[]... s) {
    int[][] in = new int[s.length][];
    int[][] tg = new int[s.length][];
    long[] idsOut = new long[s.length];
    for (int r = 0; r < s.length; r++) {
      in[r] = new int[s[r].length + 1];
      tg[r] = new int[s[r].length + 1];
      in[r][0] = Vocabulary.BOS_ID;
      System.arraycopy(s[r], 0, in[r], 1, s[r].length);
      System.arraycopy(s[r], 0, tg[r], 0, s[r].length);
      tg[r][s[r].length] = Vocabulary.EOS_ID;
      idsOut[r] = r;
    }
    return Batch.padded(in, tg, idsOut);
  }

  private static BiLmBatch bi(Batch b) {
    return new BiLmBatch(b, BiLmBatch.reversed(b));
  }

  @Test
  void reversedBatch_readsEachSentenceFromItsEnd() {
    Batch b = sentences(ids("the", "cat", "sat"), ids("a", "dog"));
    Batch r = BiLmBatch.reversed(b);
    // row 0: </s> sat cat the → targets sat cat the <s>
    int[] in0 = new int[4];
    int[] tg0 = new int[4];
    for (int t = 0; t < 4; t++) {
      in0[t] = r.inputs()[t * 2];
      tg0[t] = r.targets()[t * 2];
    }
    assertEquals(List.of(Vocabulary.EOS_ID, VOCAB.id("sat"), VOCAB.id("cat"), VOCAB.id("the")), box(in0));
    assertEquals(List.of(VOCAB.id("sat"), VOCAB.id("cat"), VOCAB.id("the"), Vocabulary.BOS_ID), box(tg0));
    assertEquals(0f, r.mask()[3 * 2 + 1]); // row 1 is padded at step 3 in both directions
  }

  private static List<Integer> box(int[] a) {
    List<Integer> l = new ArrayList<>();
    for (int v : a) {
      l.add(v);
    }
    return l;
  }

  @Test
  void gradientsMatchFiniteDifferences_fullSoftmax_withResiduals() {
    checkGradients(spec(0, 0, true, 2));
  }

  @Test
  void gradientsMatchFiniteDifferences_sampledSoftmax() {
    checkGradients(spec(0, 5, false, 1));
  }

  /**
   * Checks about three entries of every parameter block (the whole model at once would take minutes): of the
   * character table, the rows of characters the batch uses.
   */
  private static void checkGradients(BiLmSpec spec) {
    BiLm m = model(spec);
    m.params().params().addi(0.01);
    BiLmBatch batch = bi(sentences(ids("the", "cat", "sat"), ids("a", "dog"), ids("mat")));
    long seed = 42;
    m.params().zeroGrads();
    double scale = 0.5;
    double loss = m.forwardBackward(batch, scale, seed).lossSum();
    INDArray grads = m.params().grads().div(scale);
    java.util.function.DoubleSupplier f = () -> m.forwardBackward(batch, 0, seed).lossSum();
    assertEquals(loss, f.getAsDouble(), 1e-12, "same step seed, same samples");
    for (ParamRef r : m.params().refs()) {
      long from = r.offset();
      long len = r.length();
      if (r.name().equals("token.cnn.E")) {
        int d = spec.charEmbeddingSize();
        from += (long) ('t' + 1) * d; // a character of "the", "cat", "sat", "mat"
        len = d;
      }
      INDArray value = m.params().params().get(org.nd4j.linalg.indexing.NDArrayIndex.point(0),
          org.nd4j.linalg.indexing.NDArrayIndex.interval(from, from + len));
      INDArray analytic = grads.get(org.nd4j.linalg.indexing.NDArrayIndex.point(0),
          org.nd4j.linalg.indexing.NDArrayIndex.interval(from, from + len));
      GradientCheck.check("biLM " + r.name(), value, analytic, f, (int) Math.max(1, len / 3));
    }
  }

  /** The model with its forward stack's weights replaced by its backward stack's. */
  private static BiLm forwardFromBackward(BiLm m, BiLmSpec spec) {
    BiLm copy = model(spec);
    copy.params().setParams(m.params().params());
    for (ParamRef r : copy.params().refs()) {
      if (r.name().startsWith("fwd")) {
        ParamRef src = find(m, "bwd" + r.name().substring(3));
        r.value().assign(src.value());
      }
    }
    return copy;
  }

  private static ParamRef find(BiLm m, String name) {
    return m.params().refs().stream().filter(r -> r.name().equals(name)).findFirst().orElseThrow();
  }

  @Test
  void backwardDirection_onASentence_equalsForwardMachinery_onTheReversedSentence() {
    BiLmSpec spec = spec(0, 0, true, 2);
    BiLm m = model(spec);
    BiLm mirrored = forwardFromBackward(m, spec);
    List<String> s = List.of("the", "cat", "sat", "on", "mat");
    List<String> rev = new ArrayList<>(s);
    Collections.reverse(rev);
    float[][][] e = m.embed(List.of(s), VOCAB, Vocabulary.EOS_ID, Vocabulary.EOS_ID).get(0);
    float[][][] er = mirrored.embed(List.of(rev), VOCAB, Vocabulary.EOS_ID, Vocabulary.EOS_ID).get(0);
    int n = s.size();
    int p = spec.projectionSize();
    for (int l = 1; l <= spec.layers(); l++) {
      for (int i = 0; i < n; i++) {
        for (int k = 0; k < p; k++) {
          assertEquals(er[l][n - 1 - i][k], e[l][i][p + k], 1e-6, "layer " + l + " token " + i);
        }
      }
    }
    // and the losses: the backward LM's loss on a batch is the (mirrored) forward LM's on the reversed batch
    Batch b = sentences(ids("the", "cat", "sat"), ids("a", "dog"));
    StepStats[] own = m.evaluateDirections(bi(b));
    StepStats[] viaForward = mirrored.evaluateDirections(new BiLmBatch(BiLmBatch.reversed(b), b));
    assertEquals(own[1].lossSum(), viaForward[0].lossSum(), 1e-12);
    assertTrue(Math.abs(own[0].lossSum() - own[1].lossSum()) > 1e-6, "the two directions are different models");
  }

  @Test
  void paddedBatch_givesEachSentenceItsOwnLossGradientsAndEmbeddings() {
    BiLmSpec spec = spec(0, 0, true, 2);
    BiLm m = model(spec);
    int[][] s = {ids("the", "cat", "sat", "on", "the", "mat"), ids("a", "dog"), ids("ran")};
    m.params().zeroGrads();
    double padded = m.forwardBackward(bi(sentences(s)), 1.0, 3).lossSum();
    INDArray gPadded = m.params().grads().dup();
    m.params().zeroGrads();
    double alone = 0;
    for (int[] one : s) {
      alone += m.forwardBackward(bi(sentences(one)), 1.0, 3).lossSum();
    }
    assertEquals(alone, padded, 1e-10);
    assertEquals(0.0, gPadded.sub(m.params().grads()).amaxNumber().doubleValue(), 1e-10);
    List<List<String>> text = List.of(List.of("the", "cat", "sat", "on", "the", "mat"), List.of("a", "dog"));
    List<float[][][]> together = m.embed(text, VOCAB, Vocabulary.EOS_ID, Vocabulary.EOS_ID);
    for (int r = 0; r < text.size(); r++) {
      float[][][] own = m.embed(List.of(text.get(r)), VOCAB, Vocabulary.EOS_ID, Vocabulary.EOS_ID).get(0);
      for (int l = 0; l <= spec.layers(); l++) {
        for (int i = 0; i < text.get(r).size(); i++) {
          for (int k = 0; k < own[l][i].length; k++) {
            assertEquals(own[l][i][k], together.get(r)[l][i][k], 1e-6);
          }
        }
      }
    }
  }

  @Test
  void carriedState_twoHalvesOfAStream_equalOnePass_inBothDirections() {
    BiLmSpec spec = spec(0, 0, true, 2);
    BiLm m = model(spec);
    int[] stream = new int[2 * 9];
    for (int i = 0; i < stream.length; i++) {
      stream[i] = 4 + (i * 5 + i / 3) % (VOCAB.size() - 4);
    }
    int[] reversed = new int[stream.length];
    for (int i = 0; i < stream.length; i++) {
      reversed[i] = stream[stream.length - 1 - i];
    }
    m.setCarryState(true);
    m.resetState();
    TokenStreamBatcher f8 = new TokenStreamBatcher(stream, 2, 8);
    TokenStreamBatcher b8 = new TokenStreamBatcher(reversed, 2, 8);
    assertEquals(1, f8.numBatches());
    StepStats[] one = m.evaluateDirections(new BiLmBatch(f8.batch(0), b8.batch(0)));
    m.resetState();
    TokenStreamBatcher f4 = new TokenStreamBatcher(stream, 2, 4);
    TokenStreamBatcher b4 = new TokenStreamBatcher(reversed, 2, 4);
    assertEquals(2, f4.numBatches());
    StepStats[] first = m.evaluateDirections(new BiLmBatch(f4.batch(0), b4.batch(0)));
    List<INDArray> state = m.state();
    assertEquals(2 * 2 * 2, state.size(), "r and c per layer per direction");
    m.resetState();
    m.restoreState(state); // a checkpoint boundary between the halves
    StepStats[] second = m.evaluateDirections(new BiLmBatch(f4.batch(1), b4.batch(1)));
    for (int d = 0; d < 2; d++) {
      assertEquals(one[d].lossSum(), first[d].lossSum() + second[d].lossSum(), 1e-10, "direction " + d);
      assertEquals(one[d].tokens(), first[d].tokens() + second[d].tokens());
    }
    m.resetState();
    m.evaluateDirections(new BiLmBatch(f4.batch(0), b4.batch(0)));
    m.resetState(); // without the carried state the second half differs
    double cold = m.evaluateDirections(new BiLmBatch(f4.batch(1), b4.batch(1)))[0].lossSum();
    assertTrue(Math.abs(cold - second[0].lossSum()) > 1e-6);
  }

  @Test
  void wordOutsideTheVocabulary_getsTheCharacterEncodersVector_likeAKnownWordWouldFromItsCharacters() {
    BiLmSpec spec = spec(0, 0, true, 1);
    BiLm m = model(spec);
    float[][][] e = m.embed(List.of(List.of("the", "cats", "sat")), VOCAB, Vocabulary.EOS_ID, Vocabulary.EOS_ID).get(0);
    INDArray v = m.tokenVectors(List.of("cats", "sat"));
    int p = spec.projectionSize();
    for (int k = 0; k < p; k++) {
      assertEquals(v.getDouble(0, k), e[0][1][k], 1e-6, "the unknown word");
      assertEquals(v.getDouble(0, k), e[0][1][p + k], 1e-6);
      assertEquals(v.getDouble(1, k), e[0][2][k], 1e-6, "the known word");
    }
    assertEquals(spec.layers() + 1, e.length);
    assertEquals(2 * p, e[0][0].length);
  }

  @Test
  void dropoutChangesTrainingLossOnly_andIsReproducibleFromTheStepSeed() {
    BiLm m = model(spec(0.3, 0, true, 2));
    BiLmBatch b = bi(sentences(ids("the", "cat", "sat"), ids("a", "dog")));
    double a1 = m.forwardBackward(b, 0, 5).lossSum();
    double a2 = m.forwardBackward(b, 0, 5).lossSum();
    double c = m.forwardBackward(b, 0, 6).lossSum();
    double eval = m.evaluate(b).lossSum();
    assertEquals(a1, a2, 0.0);
    assertTrue(Math.abs(a1 - c) > 1e-9);
    assertTrue(Math.abs(a1 - eval) > 1e-9);
  }
}
