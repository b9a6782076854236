package io.seqspark.core.data;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

class SentenceBatcherTest {

  private static final int FIRST_WORD = Vocabulary.SPECIALS.size();

  /** Sentence i holds the ids FIRST_WORD + i*1000 + j, so every token names its sentence and position. */
  private static List<int[]> sentences(int count, long seed) {
    SplittableRandom random = new SplittableRandom(seed);
    List<int[]> out = new ArrayList<>();
    for (int i = 0; i < count; i++) {
      int n = random.nextInt(0, 40);
      int[] s = new int[n];
      for (int j = 0; j < n; j++) {
        s[j] = FIRST_WORD + i * 1000 + j;
      }
      out.add(s);
    }
    return out;
  }

  private static SentenceBatcher.Options options(int maxLength, SentenceBatcher.OverLength policy) {
    return new SentenceBatcher.Options(maxLength, policy, new LengthBucketing.Options(200, 0, false, 0), 5);
  }

  @Test
  void batch_rowsAreBosSentenceAndSentenceEos_andEverySentenceAppearsOncePerEpoch() {
    List<int[]> sents = sentences(300, 1);
    SentenceBatcher batcher = new SentenceBatcher(sents, options(0, SentenceBatcher.OverLength.FAIL));
    for (int epoch = 0; epoch < 3; epoch++) {
      int[] seen = new int[sents.size()];
      for (int k = 0; k < batcher.numBatches(epoch); k++) {
        Batch b = batcher.batch(epoch, k);
        assertTrue((long) b.steps() * b.rows() <= 200, "token budget");
        for (int r = 0; r < b.rows(); r++) {
          int id = (int) b.exampleIds()[r];
          seen[id]++;
          int[] words = sents.get(id);
          int[] expectedIn = new int[words.length + 1];
          expectedIn[0] = Vocabulary.BOS_ID;
          System.arraycopy(words, 0, expectedIn, 1, words.length);
          int[] expectedTarget = Arrays.copyOf(words, words.length + 1);
          expectedTarget[words.length] = Vocabulary.EOS_ID;
          assertArrayEquals(expectedIn, b.rowInputs(r));
          for (int t = 0; t < b.steps(); t++) {
            int target = b.targets()[t * b.rows() + r];
            assertEquals(t < expectedTarget.length ? expectedTarget[t] : 0, target);
          }
        }
      }
      for (int count : seen) {
        assertEquals(1, count);
      }
    }
  }

  @Test
  void batches_areDeterministicRandomAccess_andEpochsDiffer() {
    List<int[]> sents = sentences(300, 2);
    SentenceBatcher a = new SentenceBatcher(sents, options(0, SentenceBatcher.OverLength.FAIL));
    SentenceBatcher b = new SentenceBatcher(sents, options(0, SentenceBatcher.OverLength.FAIL));
    int last = b.numBatches(1) - 1;
    Batch jumped = b.batch(1, last); // a resumed run jumps straight to epoch 1, batch `last`
    a.batch(0, 0);
    assertArrayEquals(jumped.inputs(), a.batch(1, last).inputs());
    assertArrayEquals(jumped.exampleIds(), a.batch(1, last).exampleIds());
    assertNotEquals(Arrays.toString(a.batch(0, 0).exampleIds()), Arrays.toString(a.batch(1, 0).exampleIds()));
    assertEquals(5 * 1_000_003L + 1, a.epochSeed(1));
  }

  @Test
  void overLength_truncate_keepsFirstMaxLengthPositionsWithoutEos() {
    List<int[]> sents = List.of(new int[] {10, 11, 12, 13, 14}, new int[] {20});
    SentenceBatcher batcher = new SentenceBatcher(sents, options(3, SentenceBatcher.OverLength.TRUNCATE));
    for (int k = 0; k < batcher.numBatches(0); k++) {
      Batch b = batcher.batch(0, k);
      for (int r = 0; r < b.rows(); r++) {
        if (b.exampleIds()[r] == 0) {
          assertArrayEquals(new int[] {Vocabulary.BOS_ID, 10, 11}, b.rowInputs(r));
          assertEquals(12, b.targets()[2 * b.rows() + r], "last target continues the sentence");
        } else {
          assertArrayEquals(new int[] {Vocabulary.BOS_ID, 20}, b.rowInputs(r));
        }
      }
    }
  }

  @Test
  void overLength_skipAndFail() {
    List<int[]> sents = List.of(new int[] {10}, new int[] {10, 11, 12, 13}, new int[] {10, 11});
    SentenceBatcher skipping = new SentenceBatcher(sents, options(3, SentenceBatcher.OverLength.SKIP));
    assertEquals(List.of(1), skipping.skipped());
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
        () -> new SentenceBatcher(sents, options(3, SentenceBatcher.OverLength.FAIL)));
    // sentence 1 has 4 words -> example length 5 with <s>
    for (String part : List.of("example 1", "length 5", "data.maxLength=3", "data.overLength")) {
      assertTrue(e.getMessage().contains(part), e.getMessage());
    }
    assertEquals(SentenceBatcher.OverLength.SKIP, SentenceBatcher.OverLength.parse("skip"));
    assertThrows(IllegalArgumentException.class, () -> SentenceBatcher.OverLength.parse("drop"));
  }

  @Test
  void paddingRatio_matchesTheBatchesItDescribes() {
    SentenceBatcher batcher = new SentenceBatcher(sentences(200, 3), options(0, SentenceBatcher.OverLength.FAIL));
    long padded = 0;
    long real = 0;
    for (int k = 0; k < batcher.numBatches(2); k++) {
      Batch b = batcher.batch(2, k);
      padded += (long) b.steps() * b.rows();
      real += b.tokens();
    }
    assertEquals((double) (padded - real) / real, batcher.paddingRatio(2), 1e-12);
  }
}
