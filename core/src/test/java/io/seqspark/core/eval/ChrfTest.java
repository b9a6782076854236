package io.seqspark.core.eval;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.util.List;
import org.junit.jupiter.api.Test;

/** chrF on strings small enough to count by hand. */
class ChrfTest {

  /**
   * hyp "ab", ref "abc". Order 1: hyp {a, b}, ref {a, b, c}, 2 matches. Order 2: hyp {ab}, ref {ab, bc}, 1 match.
   * Order 3: no hypothesis n-gram, ref {abc}. Orders 4..6: none on either side. Orders 1 and 2 have n-grams on both
   * sides: mean precision (1 + 1)/2 = 1, mean recall (2/3 + 1/2)/2 = 7/12, chrF2 = 5 · 1 · 7/12 / (4 · 1 + 7/12) =
   * 7/11 = 63.63...
   */
  @Test
  void corpus_matchesTheHandCount() {
    Chrf.Result r = Chrf.corpus(List.of("ab"), List.of(List.of("abc")));
    assertEquals(700.0 / 11, r.score(), 1e-10);
    assertEquals("chrF2", r.name());
    assertEquals("nrefs:1|case:mixed|eff:yes|nc:6|nw:0|space:no|version:2.6.0", r.signature());
    assertArrayEquals(new long[] {2, 3, 2, 1, 2, 1, 0, 1, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0},
        Chrf.statistics("ab", List.of("abc"), Chrf.Options.defaults()).counts());
  }

  /**
   * The same pair with epsilon smoothing: per-order F2 is 5/7 (P 1, R 2/3) and 5/9 (P 1, R 1/2); order 3 has
   * precision eps and recall 0, so F = 0; orders 4..6 add eps each. chrF = 100 (5/7 + 5/9 + 3 eps) / 6 = 21.16...
   */
  @Test
  void epsSmoothing_averagesTheOrdersFScores() {
    Chrf.Options eps = new Chrf.Options(6, 0, 2, false, false, true);
    Chrf.Result r = Chrf.corpus(List.of("ab"), List.of(List.of("abc")), eps);
    assertEquals(100 * (5.0 / 7 + 5.0 / 9) / 6, r.score(), 1e-10);
    assertEquals("nrefs:1|case:mixed|eff:no|nc:6|nw:0|space:no|version:2.6.0", r.signature());
  }

  @Test
  void whiteSpace_isRemovedBeforeCharacterNgrams_unlessKept() {
    assertEquals(100.0, Chrf.corpus(List.of("a b\u00A0c"), List.of(List.of("abc"))).score(), 1e-10);
    Chrf.Options keep = new Chrf.Options(6, 0, 2, false, true, false);
    Chrf.Result kept = Chrf.corpus(List.of("a bc"), List.of(List.of("abc")), keep);
    assertEquals(true, kept.score() < 100);
    assertEquals(true, kept.signature().contains("|space:yes|"));
  }

  /** Characters are code points: a supplementary letter is one character, as in Python. */
  @Test
  void characters_areCodePoints() {
    String bold = "\uD835\uDC00"; // U+1D400, two UTF-16 units
    // "x" + bold vs "x" + bold + "y": order 1 P 1 R 2/3, order 2 P 1 R 1/2, as in the hand count above
    assertEquals(700.0 / 11, Chrf.corpus(List.of("x" + bold), List.of(List.of("x" + bold + "y"))).score(), 1e-10);
  }

  @Test
  void multipleReferences_takeTheBestOne() {
    Chrf.Result r = Chrf.corpus(List.of("abc"), List.of(List.of("xyz"), List.of("abc")));
    assertEquals(100.0, r.score(), 1e-10);
    assertEquals("nrefs:2|case:mixed|eff:yes|nc:6|nw:0|space:no|version:2.6.0", r.signature());
  }

  @Test
  void lowercase_andNoMatch() {
    assertEquals(0.0, Chrf.corpus(List.of("abc"), List.of(List.of("xyz"))).score());
    Chrf.Result lc = Chrf.corpus(List.of("ABC"), List.of(List.of("abc")), Chrf.Options.defaults().withLowercase(true));
    assertEquals(100.0, lc.score(), 1e-10);
    assertEquals("nrefs:1|case:lc|eff:yes|nc:6|nw:0|space:no|version:2.6.0", lc.signature());
  }

  /** chrF++'s words lose one ASCII punctuation mark at the end, or else at the start, as in sacreBLEU. */
  @Test
  void chrfPlusPlus_splitsPunctuationOffWordEnds() {
    assertEquals(List.of("(hi", ")", "don't", ",", "x", "(", "(", "\"", "go"),
        Chrf.splitPunctuation("(hi) don't , x (( \"go"));
    Chrf.Result r = Chrf.corpus(List.of("the cat."), List.of(List.of("the cat .")), Chrf.Options.chrfPlusPlus());
    assertEquals(100.0, r.score(), 1e-10);
    assertEquals("chrF2++", r.name());
    assertEquals("nrefs:1|case:mixed|eff:yes|nc:6|nw:2|space:no|version:2.6.0", r.signature());
  }

  @Test
  void sentence_andSummedStatistics_agreeWithTheCorpus() {
    Chrf.Options o = Chrf.Options.defaults();
    Chrf.Stats sum = Chrf.statistics("ab", List.of("abc"), o).plus(Chrf.statistics("xyz", List.of("xy"), o));
    assertEquals(Chrf.corpus(List.of("ab", "xyz"), List.of(List.of("abc", "xy"))).score(),
        Chrf.score(sum, o, 1).score());
    assertEquals(700.0 / 11, Chrf.sentence("ab", List.of("abc"), o).score(), 1e-10);
    assertThrows(IllegalArgumentException.class, () -> new Chrf.Options(0, 0, 2, false, false, false));
    assertThrows(IllegalArgumentException.class, () -> Chrf.corpus(List.of("a"), List.of(List.of("a", "b"))));
  }
}
