package io.seqspark.core.eval;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.seqspark.core.data.Batch;
import io.seqspark.core.data.TagSet;
import io.seqspark.core.data.Vocabulary;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** Tagging measures on a batch small enough to count by hand. */
class TaggingMetricsTest {
  private static final int UNK = Vocabulary.UNK_ID;
  /** ids: {@code <unk>}=0, a=1, b=2, c=3, d=4 (d never occurs). */
  private static final TagSet TAGS = TagSet.of(List.of("a", "b", "c", "d"));

  /**
   * Row 0: words (5, UNK, 6), gold (a, b, c), predicted (a, b, b). Row 1: words (UNK, 7), gold (b, {@code <unk>}),
   * predicted (a, a), then one padded position predicted -1.
   */
  private static TaggingMetrics example() {
    Batch b = Batch.padded(new int[][] {{5, UNK, 6}, {UNK, 7}}, new int[][] {{1, 2, 3}, {2, 0}}, new long[] {0, 1});
    // time-major: (t, r) at t * 2 + r
    int[] predicted = {1, 1, 2, 1, 2, -1};
    TaggingMetrics m = new TaggingMetrics(TAGS);
    m.add(b, predicted);
    return m;
  }

  @Test
  void accuracyOovAccuracyAndPerTagScores_matchTheHandCount() {
    TaggingMetrics m = example();
    assertEquals(5, m.tokens(), "the padded position is not counted");
    assertEquals(2.0 / 5, m.accuracy(), 1e-15, "right: (0,0) a and (1,0) b");
    assertEquals(2, m.oovTokens());
    assertEquals(0.5, m.oovAccuracy(), 1e-15, "UNK at (1,0) right, at (0,1) wrong");
    Confusion c = m.confusion();
    // a: predicted 3 times, right once, gold once → P 1/3, R 1, F1 0.5
    assertEquals(1.0 / 3, c.precision(1), 1e-15);
    assertEquals(1.0, c.recall(1), 1e-15);
    assertEquals(0.5, c.f1(1), 1e-15);
    // b: predicted twice, gold twice, right once → F1 0.5; c: gold once, never predicted → F1 0
    assertEquals(0.5, c.f1(2), 1e-15);
    assertEquals(0.0, c.f1(3), 1e-15);
    assertTrue(m.seen(TagSet.UNKNOWN_ID));
    assertFalse(m.seen(4), "d occurs nowhere");
    assertEquals((0.5 + 0.5 + 0.0) / 3, m.macroF1(), 1e-15, "over a, b, c: not d (unseen), not <unk>");
  }

  @Test
  void metrics_listTheSeenTagsUnderThePrefix() {
    Map<String, Object> m = example().metrics("valid");
    assertEquals(List.of("valid_accuracy", "valid_oov_accuracy", "valid_oov_tokens", "valid_tokens", "valid_macro_f1",
        "valid_f1_a", "valid_f1_b", "valid_f1_c"), List.copyOf(m.keySet()));
    assertEquals(0.4, (double) m.get("valid_accuracy"), 1e-15);
    assertEquals(2L, m.get("valid_oov_tokens"));
  }

  @Test
  void aCustomPredicateDecidesWhichWordsAreOov_andEmptyMetricsAreNaN() {
    Batch b = Batch.padded(new int[][] {{5, 6}}, new int[][] {{1, 1}}, new long[] {0});
    TaggingMetrics m = new TaggingMetrics(TAGS, id -> id >= 6);
    assertTrue(Double.isNaN(m.accuracy()) && Double.isNaN(m.oovAccuracy()) && Double.isNaN(m.macroF1()));
    m.add(b, new int[] {1, 2});
    assertEquals(1, m.oovTokens());
    assertEquals(0.0, m.oovAccuracy(), 0);
  }

  @Test
  void add_rejectsPredictionsOfTheWrongShapeOrOutsideTheTagSet() {
    Batch b = Batch.padded(new int[][] {{5, 6}}, new int[][] {{1, 1}}, new long[] {0});
    TaggingMetrics m = new TaggingMetrics(TAGS);
    assertThrows(IllegalArgumentException.class, () -> m.add(b, new int[] {1}));
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> m.add(b, new int[] {1, 5}));
    assertTrue(e.getMessage().contains("tag id 5"), e.getMessage());
  }
}
