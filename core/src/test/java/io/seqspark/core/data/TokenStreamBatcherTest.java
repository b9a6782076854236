package io.seqspark.core.data;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.stream.IntStream;
import org.junit.jupiter.api.Test;

class TokenStreamBatcherTest {

  @Test
  void batch_onStream0ToN_placesExactlyTheExpectedIds() {
    // N = 23, rows = 3 -> row length L = 7 (tail token 21, 22 dropped); rows are 0..6, 7..13, 14..20.
    // bptt = 4 -> L - 1 = 6 predicted steps per row -> batches of 4 and 2 steps.
    int[] stream = IntStream.range(0, 23).toArray();
    TokenStreamBatcher b = new TokenStreamBatcher(stream, 3, 4);
    assertEquals(7, b.rowLength());
    assertEquals(2, b.numBatches());
    assertEquals(3 * 6, b.tokensPerEpoch());

    Batch first = b.batch(0);
    assertEquals(4, first.steps());
    // time-major: index t*rows + r holds row r's token at step t.
    assertArrayEquals(new int[] {0, 7, 14, 1, 8, 15, 2, 9, 16, 3, 10, 17}, first.inputs());
    assertArrayEquals(new int[] {1, 8, 15, 2, 9, 16, 3, 10, 17, 4, 11, 18}, first.targets());
    assertArrayEquals(new int[] {4, 4, 4}, first.lengths());
    assertArrayEquals(new long[] {0, 1, 2}, first.exampleIds());

    Batch last = b.batch(1);
    assertEquals(2, last.steps());
    assertArrayEquals(new int[] {4, 11, 18, 5, 12, 19}, last.inputs());
    assertArrayEquals(new int[] {5, 12, 19, 6, 13, 20}, last.targets());
    for (float m : last.mask()) {
      assertEquals(1f, m);
    }
  }

  @Test
  void everyTargetIsTheNextStreamToken_andEachIsPredictedOnce() {
    for (int n : new int[] {10, 101, 1000}) {
      for (int rows : new int[] {1, 2, 5}) {
        for (int bptt : new int[] {1, 3, 35}) {
          int[] stream = IntStream.range(0, n).map(i -> i * 7 + 3).toArray(); // distinct, not equal to index
          TokenStreamBatcher b = new TokenStreamBatcher(stream, rows, bptt);
          int rowLength = n / rows;
          int[] predicted = new int[n];
          long total = 0;
          for (int k = 0; k < b.numBatches(); k++) {
            Batch batch = b.batch(k);
            for (int i = 0; i < batch.inputs().length; i++) {
              int pos = (batch.inputs()[i] - 3) / 7;
              assertEquals(stream[pos + 1], batch.targets()[i]);
              predicted[pos + 1]++;
            }
            total += batch.tokens();
          }
          assertEquals((long) rows * (rowLength - 1), total);
          assertEquals(b.tokensPerEpoch(), total);
          for (int pos = 0; pos < n; pos++) {
            boolean inRow = pos < rows * rowLength;
            boolean rowStart = pos % rowLength == 0;
            assertEquals(inRow && !rowStart ? 1 : 0, predicted[pos], "n=" + n + " rows=" + rows + " pos=" + pos);
          }
        }
      }
    }
  }

  @Test
  void tooShortStream_failsClearly() {
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
        () -> new TokenStreamBatcher(new int[5], 3, 4));
    assertTrue(e.getMessage().contains("5 tokens") && e.getMessage().contains("rows=3"), e.getMessage());
    assertThrows(IllegalArgumentException.class, () -> new TokenStreamBatcher(new int[10], 1, 4).batch(3));
  }
}
