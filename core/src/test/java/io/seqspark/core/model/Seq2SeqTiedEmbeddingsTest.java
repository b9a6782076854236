package io.seqspark.core.model;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.seqspark.core.data.PairBatch;
import io.seqspark.core.nn.Attention;
import io.seqspark.core.nn.ParamRef;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.nd4j.linalg.api.buffer.DataType;

/**
 * {@code translate.tieEmbeddings}: the output projection reads the target embedding's rows (no weights of its own),
 * the embedding's gradient sums both uses (finite differences, double precision), and a width mismatch fails naming
 * both keys.
 */
class Seq2SeqTiedEmbeddingsTest {

  static Seq2Seq tied(boolean feed, double ratio) {
    return new Seq2Seq(new Seq2SeqSpec(Seq2SeqTest.SRC_V, Seq2SeqTest.TGT_V, 4, 4, 1, 2, "gru", true,
        Attention.Score.GENERAL, 3, feed, 0.0, 0.0, 0.5).withTiedEmbeddings(true).withTeacherForcing(ratio),
        DataType.DOUBLE, 5);
  }

  @ParameterizedTest(name = "inputFeeding={0}")
  @ValueSource(booleans = {false, true})
  void tied_gradientsMatchFiniteDifferences_paddedOnBothSides(boolean feed) {
    Seq2Seq m = tied(feed, 1.0);
    assertFalse(m.params().refs().stream().anyMatch(r -> r.name().equals("output.W")), "no projection of its own");
    PairBatch b = Seq2SeqTest.junkPadding(Seq2SeqTest.batch());
    m.params().zeroGrads();
    m.forwardBackward(b, 1.0, 1);
    Seq2SeqTest.checkEveryBlock(m, "tied feed=" + feed, () -> m.evaluate(b).lossSum(), 6);
  }

  @Test
  void tied_withScheduledSampling_gradientsMatchFiniteDifferencesOfTheFedBatch() {
    Seq2Seq m = tied(true, 0.5);
    PairBatch b = Seq2SeqTest.batch();
    m.params().zeroGrads();
    m.forwardBackward(b, 1.0, 3);
    PairBatch fb = Seq2SeqScheduledSamplingTest.feeding(b, m.fedInputs());
    Seq2SeqTest.checkEveryBlock(m, "tied, sampled", () -> m.evaluate(fb).lossSum(), 4);
  }

  @Test
  void tied_theLogitsAreTheTargetEmbeddingsRows() {
    Seq2Seq m = tied(false, 1.0);
    PairBatch b = Seq2SeqTest.batch();
    double before = m.evaluate(b).lossSum();
    ParamRef e = m.params().refs().stream().filter(r -> r.name().equals("targetEmbedding.E")).findFirst()
        .orElseThrow();
    // word 10 is no decoder input of the batch (they are <s>, 4 .. 9): its row reaches the loss only through the
    // output projection
    e.value().getRow(10).addi(0.5);
    assertTrue(Math.abs(m.evaluate(b).lossSum() - before) > 1e-6, "the output reads the embedding's rows");
  }

  @Test
  void tied_needsEmbeddingSizeEqualToHiddenSize_namingBothKeys() {
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> new Seq2SeqSpec(12, 11, 3, 4, 1,
        1, "gru", true, Attention.Score.GENERAL, 0, false, 0, 0, 0.1).withTiedEmbeddings(true));
    assertTrue(e.getMessage().startsWith("translate.tieEmbeddings = true") && e.getMessage().contains("model.embeddingSize")
        && e.getMessage().contains("model.hiddenSize"), e.getMessage());
    assertEquals(4, tied(false, 1.0).spec().embeddingSize());
  }
}
