package io.seqspark.core.model;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.seqspark.core.data.Batch;
import io.seqspark.core.data.PairBatch;
import io.seqspark.core.nn.Attention;
import io.seqspark.core.train.StepStats;
import java.nio.ByteBuffer;
import java.security.MessageDigest;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * Scheduled sampling ({@code translate.teacherForcing} &lt; 1): the fed tokens are the model's own arg max, the
 * gradient is the teacher-forced gradient of the batch that feeds them (finite differences, double precision), a ratio
 * near 0 feeds exactly what greedy decoding writes, and ratio 1 is the teacher-forced model bit for bit.
 */
class Seq2SeqScheduledSamplingTest {

  static Seq2Seq model(String cell, Attention.Score score, boolean feed, double ratio, double dropout,
                       DataType dtype) {
    return new Seq2Seq(new Seq2SeqSpec(Seq2SeqTest.SRC_V, Seq2SeqTest.TGT_V, 3, 4, 2, 2, cell,
        score != Attention.Score.DOT, score, 3, feed, dropout, 0.0, 0.5).withTeacherForcing(ratio), dtype, 5);
  }

  /** {@code b} with the decoder inputs replaced by {@code inputs} (time-major, as {@link Seq2Seq#fedInputs()}). */
  static PairBatch feeding(PairBatch b, int[] inputs) {
    Batch t = b.target();
    return new PairBatch(b.source(), new Batch(t.steps(), t.rows(), inputs, t.targets(), t.mask(), t.lengths(),
        t.exampleIds()));
  }

  static Stream<Arguments> configurations() {
    List<Arguments> out = new ArrayList<>();
    out.add(Arguments.of("gru", Attention.Score.GENERAL, false));
    out.add(Arguments.of("lstm", Attention.Score.DOT, false));
    out.add(Arguments.of("lstm", Attention.Score.GENERAL, true));
    return out.stream();
  }

  @ParameterizedTest(name = "{0} {1} inputFeeding={2}")
  @MethodSource("configurations")
  void sampledInputs_gradientsMatchFiniteDifferencesOfTheBatchFeedingThem(String cell, Attention.Score score,
                                                                        boolean feed) {
    Seq2Seq m = model(cell, score, feed, 0.4, 0.0, DataType.DOUBLE);
    PairBatch b = Seq2SeqTest.junkPadding(Seq2SeqTest.batch());
    m.params().zeroGrads();
    StepStats st = m.forwardBackward(b, 1.0, 3);
    int[] fed = m.fedInputs();
    int[] ref = b.target().inputs();
    int rows = b.rows();
    int replaced = 0;
    for (int i = 0; i < fed.length; i++) {
      int t = i / rows;
      int r = i % rows;
      if (t == 0 || t >= b.target().lengths()[r]) {
        assertEquals(ref[i], fed[i], "the first step and padded positions keep their inputs: (" + t + ", " + r + ")");
      } else if (fed[i] != ref[i]) {
        replaced++;
      }
    }
    assertTrue(replaced > 0, "step seed 3 feeds at least one prediction that differs from the reference");
    PairBatch fb = feeding(b, fed);
    assertEquals(st.lossSum(), m.evaluate(fb).lossSum(), 1e-12,
        "the sampled pass's loss is the teacher-forced loss of the fed tokens");
    double[] lp = m.logProbabilities(fb);
    int v = Seq2SeqTest.TGT_V;
    for (int i = rows; i < fed.length; i++) {
      if (fed[i] != ref[i]) {
        assertEquals(argmax(lp, i - rows, v), fed[i], "a replaced input is the arg max of the previous prediction");
      }
    }
    // the fed tokens are constants: finite differences of the teacher-forced loss of the batch that feeds them
    Seq2SeqTest.checkEveryBlock(m, "sampled " + cell + " " + score + " feed=" + feed, () -> m.evaluate(fb).lossSum(), 4);
  }

  private static int argmax(double[] lp, int row, int v) {
    int best = 0;
    for (int j = 1; j < v; j++) {
      if (lp[row * v + j] > lp[row * v + best]) {
        best = j;
      }
    }
    return best;
  }

  @ParameterizedTest(name = "inputFeeding={0}")
  @org.junit.jupiter.params.provider.ValueSource(booleans = {false, true})
  void aRatioNearZero_feedsWhatGreedyDecodingWrites(boolean feed) {
    Seq2Seq m = model("gru", Attention.Score.GENERAL, feed, 1e-12, 0.0, DataType.DOUBLE);
    PairBatch b = Seq2SeqTest.batch();
    m.params().zeroGrads();
    m.forwardBackward(b, 1.0, 9);
    int[] fed = m.fedInputs();
    int rows = b.rows();
    int[][] sources = {{5, 6, 7, 3}, {8, 3}, {9, 10, 3}};
    Seq2Seq.DecoderState s = m.startDecoding(List.of(sources));
    int[] tokens = {io.seqspark.core.data.Vocabulary.BOS_ID, io.seqspark.core.data.Vocabulary.BOS_ID,
        io.seqspark.core.data.Vocabulary.BOS_ID};
    for (int t = 1; t < b.target().steps(); t++) {
      Seq2Seq.Step step = m.decodeStep(s, tokens);
      s = step.next();
      for (int r = 0; r < rows; r++) {
        tokens[r] = argmax(step.logProbabilities(), r, Seq2SeqTest.TGT_V);
        if (t < b.target().lengths()[r]) {
          assertEquals(tokens[r], fed[t * rows + r], "step " + t + " row " + r + " is fed the greedy token");
        }
      }
    }
  }

  @Test
  void ratioOne_isTheTeacherForcedModelBitForBit_withDropout() {
    PairBatch b = Seq2SeqTest.batch();
    for (boolean feed : new boolean[] {false, true}) {
      Seq2Seq plain = new Seq2Seq(new Seq2SeqSpec(Seq2SeqTest.SRC_V, Seq2SeqTest.TGT_V, 3, 4, 2, 2, "gru", true,
          Attention.Score.GENERAL, 3, feed, 0.3, 0.1, 0.5), DataType.FLOAT, 5);
      Seq2Seq one = new Seq2Seq(plain.spec().withTeacherForcing(1.0), DataType.FLOAT, 5);
      plain.params().zeroGrads();
      one.params().zeroGrads();
      assertEquals(plain.forwardBackward(b, 0.5, 4).lossSum(), one.forwardBackward(b, 0.5, 4).lossSum(), 0.0);
      assertArrayEquals(plain.params().grads().data().asFloat(), one.params().grads().data().asFloat(), 0f);
      assertNull(one.fedInputs(), "ratio 1 runs the teacher-forced code: nothing sampled");
    }
  }

  /**
   * The teacher-forced training step's loss and gradient bits, pinned before scheduled sampling existed (FLOAT,
   * dropout 0.3, label smoothing 0.1, with and without input feeding): ratio 1 must not move a bit.
   */
  @Test
  void ratioOne_reproducesTheLossAndGradientsPinnedBeforeScheduledSampling() throws Exception {
    MessageDigest md = MessageDigest.getInstance("SHA-256");
    PairBatch b = Seq2SeqTest.junkPadding(Seq2SeqTest.batch());
    for (boolean feed : new boolean[] {false, true}) {
      Seq2Seq m = new Seq2Seq(new Seq2SeqSpec(Seq2SeqTest.SRC_V, Seq2SeqTest.TGT_V, 3, 4, 2, 2, "lstm", true,
          Attention.Score.ADDITIVE, 3, feed, 0.3, 0.1, 0.5), DataType.FLOAT, 5);
      m.params().zeroGrads();
      double loss = m.forwardBackward(b, 0.25, 17).lossSum();
      md.update(ByteBuffer.allocate(8).putDouble(loss).array());
      INDArray g = m.params().grads();
      for (float f : g.data().asFloat()) {
        md.update(ByteBuffer.allocate(4).putFloat(f).array());
      }
    }
    assertEquals(PINNED, HexFormat.of().formatHex(md.digest()));
  }

  static final String PINNED = "7e317a8296e2a54d2624c6de7915da91c33a9255c1db1dccbdf3408289e74a08";

  @Test
  void spec_rejectsARatioOutsideTheUnitIntervalNamingTheKey() {
    Seq2SeqSpec s = new Seq2SeqSpec(12, 11, 3, 4, 1, 1, "gru", true, Attention.Score.GENERAL, 0, false, 0, 0, 0.1);
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> s.withTeacherForcing(0));
    assertTrue(e.getMessage().startsWith("translate.teacherForcing = 0.0: must be in (0, 1]"), e.getMessage());
    assertThrows(IllegalArgumentException.class, () -> s.withTeacherForcing(1.5));
  }
}
