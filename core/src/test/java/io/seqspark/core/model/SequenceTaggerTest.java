package io.seqspark.core.model;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.seqspark.core.data.Batch;
import io.seqspark.core.data.LengthBucketing;
import io.seqspark.core.data.SentenceBatcher;
import io.seqspark.core.data.TagSet;
import io.seqspark.core.data.Tagged;
import io.seqspark.core.eval.TaggingMetrics;
import io.seqspark.core.nn.Bidirectional;
import io.seqspark.core.nn.GradientCheck;
import io.seqspark.core.train.Optimizer;
import io.seqspark.core.train.StepStats;
import io.seqspark.core.train.TrainStep;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * The whole tagger: gradients through every layer of a padded batch, padding invariance of loss, gradients and
 * predictions, and that it learns a tag rule that needs both directions.
 */
class SequenceTaggerTest {
  /** Rows of lengths 4, 2 and 1 with a tag per word. */
  private static Batch batch() {
    int[][] in = {{5, 6, 7, 8}, {9, 5}, {7}};
    int[][] tg = {{1, 2, 3, 4}, {4, 1}, {2}};
    return Batch.padded(in, tg, new long[] {0, 1, 2});
  }

  private static SequenceTagger model(String cell, int layers, double dropout) {
    return new SequenceTagger(new SequenceTaggerSpec(10, 5, 3, 2, layers, cell, true, Bidirectional.Merge.CONCAT,
        dropout, 0.5), DataType.DOUBLE, 5);
  }

  /** The batch with junk ids at its padded positions: they must not matter. */
  private static Batch junkPadding(Batch b) {
    int[] inputs = b.inputs().clone();
    int[] targets = b.targets().clone();
    for (int k = 0; k < inputs.length; k++) {
      if (b.mask()[k] == 0) {
        inputs[k] = 9;
        targets[k] = 3;
      }
    }
    return new Batch(b.steps(), b.rows(), inputs, targets, b.mask(), b.lengths(), b.exampleIds());
  }

  @ParameterizedTest(name = "{0}")
  @ValueSource(strings = {"lstm", "gru"})
  void gradientsMatchFiniteDifferences_twoBidirectionalLayers_paddedBatch(String cell) {
    SequenceTagger m = model(cell, 2, 0.0);
    Batch b = junkPadding(batch());
    m.params().zeroGrads();
    double scale = 0.25;
    StepStats stats = m.forwardBackward(b, scale, 1);
    assertEquals(7, stats.tokens(), "tokens are real positions");
    assertEquals(12, stats.positions());
    INDArray grads = m.params().grads().div(scale);
    assertEquals(stats.lossSum(), m.evaluate(b).lossSum(), 1e-12, "dropout 0: training and evaluation forward agree");
    GradientCheck.check(cell + " tagger", m.params().params(), grads, () -> m.evaluate(b).lossSum(), 1);
  }

  @ParameterizedTest(name = "{0}")
  @ValueSource(strings = {"lstm", "gru"})
  void aPaddedBatchGivesEachSentenceTheLossGradientsAndTagsItGetsAlone(String cell) {
    SequenceTagger m = model(cell, 2, 0.0);
    Batch b = junkPadding(batch());
    m.params().zeroGrads();
    double together = m.forwardBackward(b, 1.0, 1).lossSum();
    INDArray gradTogether = m.params().grads().dup();
    int[] tagsTogether = m.predict(b);
    double sum = 0;
    INDArray gradSum = gradTogether.like();
    for (int r = 0; r < b.rows(); r++) {
      int len = b.lengths()[r];
      int[] tg = new int[len];
      for (int t = 0; t < len; t++) {
        tg[t] = b.targets()[t * b.rows() + r];
      }
      Batch alone = Batch.padded(new int[][] {b.rowInputs(r)}, new int[][] {tg}, new long[] {r});
      m.params().zeroGrads();
      sum += m.forwardBackward(alone, 1.0, 1).lossSum();
      gradSum.addi(m.params().grads());
      int[] tagsAlone = m.predict(alone);
      for (int t = 0; t < b.steps(); t++) {
        assertEquals(t < len ? tagsAlone[t] : -1, tagsTogether[t * b.rows() + r], "row " + r + " step " + t);
      }
    }
    assertEquals(sum, together, 1e-12);
    assertEquals(0, gradTogether.sub(gradSum).norm2Number().doubleValue(), 1e-12 * gradSum.norm2Number().doubleValue());
    assertTrue(gradSum.norm2Number().doubleValue() > 0);
  }

  @Test
  void dropoutChangesTheTrainingLossButNotEvaluation() {
    SequenceTagger m = model("lstm", 1, 0.5);
    Batch b = batch();
    double eval = m.evaluate(b).lossSum();
    assertEquals(eval, m.evaluate(b).lossSum(), 0);
    m.params().zeroGrads();
    assertNotEquals(eval, m.forwardBackward(b, 1.0, 1).lossSum());
  }

  @Test
  void spec_rejectsBadValuesNamingTheKey() {
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
        () -> new SequenceTaggerSpec(10, 5, 3, 2, 1, "tcn", true, Bidirectional.Merge.CONCAT, 0, 0.1));
    assertTrue(e.getMessage().startsWith("model.cell = tcn"), e.getMessage());
    e = assertThrows(IllegalArgumentException.class,
        () -> new SequenceTaggerSpec(10, 1, 3, 2, 1, "gru", true, Bidirectional.Merge.CONCAT, 0, 0.1));
    assertTrue(e.getMessage().startsWith("tags = 1"), e.getMessage());
    assertEquals(4, new SequenceTaggerSpec(10, 5, 3, 2, 1, "gru", true, Bidirectional.Merge.CONCAT, 0, 0.1).featureSize());
  }

  /**
   * Words 4..23; a word is "odd" or "even" by id. The tag of word t is 1 + 2·odd(w_t) + odd(w_{t+1}) (no next word:
   * even), so the right tag needs the word AND its right neighbour: a forward-only stack cannot do better than ~75 %.
   */
  private static List<int[]> synthetic(int count, long seed) {
    SplittableRandom random = new SplittableRandom(seed);
    List<int[]> out = new ArrayList<>();
    for (int i = 0; i < count; i++) {
      int n = random.nextInt(2, 12);
      int[] w = new int[n];
      int[] t = new int[n];
      for (int j = 0; j < n; j++) {
        w[j] = 4 + random.nextInt(20);
      }
      for (int j = 0; j < n; j++) {
        t[j] = 1 + 2 * (w[j] % 2) + (j + 1 < n ? w[j + 1] % 2 : 0);
      }
      out.add(Tagged.encode(w, t));
    }
    return out;
  }

  @Test
  void learnsATagRuleThatNeedsTheRightContext() {
    SentenceBatcher.Options options = new SentenceBatcher.Options(0, SentenceBatcher.OverLength.FAIL,
        new LengthBucketing.Options(240, 0, false, 0), 11);
    SentenceBatcher train = new SentenceBatcher(synthetic(600, 1), options, SentenceBatcher.Layout.TAGGING);
    SentenceBatcher test = new SentenceBatcher(synthetic(200, 2), options, SentenceBatcher.Layout.TAGGING);
    SequenceTagger m = new SequenceTagger(new SequenceTaggerSpec(24, 5, 16, 24, 1, "gru", true,
        Bidirectional.Merge.CONCAT, 0.0, 0.1), DataType.FLOAT, 3);
    TrainStep step = new TrainStep(m, Optimizer.create("adam", m.params().size(), DataType.FLOAT, 0.9, 0.999, 1e-8),
        5.0, TrainStep.LossScale.TOKENS);
    long s = 0;
    for (int epoch = 0; epoch < 8; epoch++) {
      for (int k = 0; k < train.numBatches(epoch); k++) {
        step.run(train.batch(epoch, k), 0.02, ++s, 7);
      }
    }
    TaggingMetrics metrics = new TaggingMetrics(TagSet.ofSaved(List.of(TagSet.UNKNOWN, "a", "b", "c", "d")));
    for (int k = 0; k < test.numBatches(0); k++) {
      Batch b = test.batch(0, k);
      metrics.add(b, m.predict(b));
    }
    assertTrue(metrics.accuracy() > 0.95, "held-out token accuracy " + metrics.accuracy() + " after " + s + " steps");
  }

  @Test
  void predict_padsWithMinusOne() {
    SequenceTagger m = model("gru", 1, 0.0);
    int[] tags = m.predict(batch());
    assertArrayEquals(new int[] {-1, -1}, new int[] {tags[2 * 3 + 2], tags[3 * 3 + 1]});
  }
}
