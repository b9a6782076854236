package io.seqspark.core.model;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import io.seqspark.core.nn.Attention;
import io.seqspark.core.nn.Init;
import io.seqspark.core.nn.ParamStore;
import io.seqspark.core.nn.Views;
import java.util.SplittableRandom;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

/**
 * The encoder–decoder's attention kernel against {@link Attention} (the reference, with keys = values = the encoder
 * outputs): the same contexts, weights, query gradients, memory gradients (∂keys + ∂values) and parameter gradients,
 * whether the queries come as one block or one step at a time back-propagated last step first.
 */
class Seq2SeqAttentionTest {
  private static final int ROWS = 3;
  private static final int SRC = 4;
  private static final int TGT = 3;
  private static final int[] LENGTHS = {4, 1, 3};

  private static INDArray random(long rows, long cols, long seed) {
    SplittableRandom r = new SplittableRandom(seed);
    double[] v = new double[(int) (rows * cols)];
    for (int i = 0; i < v.length; i++) {
      v[i] = r.nextDouble() * 2 - 1;
    }
    return Nd4j.createFromArray(v).reshape(rows, cols);
  }

  @ParameterizedTest
  @EnumSource(Attention.Score.class)
  void matchesTheReferenceAttention_asOneBlockAndStepByStep(Attention.Score score) {
    int hq = 5;
    int e = score == Attention.Score.DOT ? 5 : 6;
    ParamStore.Builder pbRef = ParamStore.builder();
    Attention ref = new Attention(pbRef, "att", score, hq, e, 4, Init.uniform(0.7), DataType.DOUBLE);
    pbRef.add("other", Init.zeros(), 1, 1); // dot scores have no parameters, a store needs one
    ParamStore psRef = pbRef.build(DataType.DOUBLE, 9);
    INDArray memory = random((long) SRC * ROWS, e, 1);
    INDArray queries = random((long) TGT * ROWS, hq, 2);
    INDArray dCtx = random((long) TGT * ROWS, e, 3);
    psRef.zeroGrads();
    INDArray ctxRef = ref.forward(queries, memory, memory, ROWS, LENGTHS).dup();
    INDArray wRef = ref.weights();
    ref.backward(dCtx);
    INDArray dqRef = ref.queryGradient().dup();
    INDArray dMemRef = ref.keyGradient().add(ref.valueGradient());
    int[] memRows = new int[TGT * ROWS];
    for (int i = 0; i < memRows.length; i++) {
      memRows[i] = i % ROWS;
    }
    for (boolean stepwise : new boolean[] {false, true}) {
      ParamStore.Builder pb = ParamStore.builder();
      Seq2SeqAttention att = new Seq2SeqAttention(pb, "att", score, hq, e, 4, Init.uniform(0.7), DataType.DOUBLE);
      pb.add("other", Init.zeros(), 1, 1);
      ParamStore ps = pb.build(DataType.DOUBLE, 9);
      assertEquals(psRef.params(), ps.params(), "same names, shapes and seed: same parameters");
      ps.zeroGrads();
      att.memory(memory, ROWS, LENGTHS, TGT * ROWS);
      INDArray ctx = Nd4j.create(DataType.DOUBLE, TGT * ROWS, e);
      INDArray dq = Nd4j.create(DataType.DOUBLE, TGT * ROWS, hq);
      if (!stepwise) {
        ctx.assign(att.forward(queries, 0, memRows));
        dq.assign(att.backward(dCtx, 0));
      } else {
        int[] ident = {0, 1, 2};
        for (int t = 0; t < TGT; t++) {
          Views.rows(ctx, (long) t * ROWS, (long) (t + 1) * ROWS)
              .assign(att.forward(Views.rows(queries, (long) t * ROWS, (long) (t + 1) * ROWS), t * ROWS, ident));
        }
        for (int t = TGT - 1; t >= 0; t--) {
          Views.rows(dq, (long) t * ROWS, (long) (t + 1) * ROWS)
              .assign(att.backward(Views.rows(dCtx, (long) t * ROWS, (long) (t + 1) * ROWS).dup(), t * ROWS));
        }
      }
      String what = score + (stepwise ? " step by step" : " one block");
      assertClose(ctxRef, ctx, what + ": contexts");
      assertArrayEquals(wRef.data().asDouble(), att.weights(0, TGT * ROWS), 1e-12, what + ": weights");
      assertClose(dqRef, dq, what + ": ∂queries");
      assertClose(dMemRef, att.finish(), what + ": ∂memory");
      assertClose(psRef.grads(), ps.grads(), what + ": ∂θ");
    }
  }

  private static void assertClose(INDArray expected, INDArray actual, String what) {
    assertArrayEquals(expected.shape(), actual.shape(), what + ": shape");
    double diff = expected.sub(actual).norm2Number().doubleValue();
    assertEquals(0, diff, 1e-12 * Math.max(1, expected.norm2Number().doubleValue()), what);
  }
}
