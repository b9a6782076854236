package io.seqspark.core.eval;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.Test;

/** BLEU on sentences small enough to count by hand. */
class BleuTest {
  private static final String HYP = "the cat sat on the mat";
  private static final String REF = "the cat is on the mat";

  /**
   * hyp "the cat sat on the mat", ref "the cat is on the mat", 6 words each (BP = 1):
   * 1-grams the×2 cat on mat match, sat does not: 5/6; 2-grams "the cat" "on the" "the mat": 3/5;
   * 3-grams only "on the mat": 1/4; 4-grams none of 3. exp smoothing: the first empty order gets 1/(2 × 3).
   * BLEU = (5/6 · 3/5 · 1/4 · 1/6)^(1/4) = (1/48)^(1/4) = 37.9918...
   */
  @Test
  void corpus_oneSentence_matchesTheHandCount() {
    Bleu.Result r = Bleu.corpus(List.of(HYP), List.of(List.of(REF)));
    assertArrayEquals(new long[] {5, 3, 1, 0}, r.counts());
    assertArrayEquals(new long[] {6, 5, 4, 3}, r.totals());
    assertArrayEquals(new double[] {500.0 / 6, 60, 25, 100.0 / 6}, r.precisions(), 1e-12);
    assertEquals(1.0, r.bp());
    assertEquals(6, r.sysLen());
    assertEquals(6, r.refLen());
    assertEquals(100 * Math.pow(1.0 / 48, 0.25), r.score(), 1e-10);
    assertEquals("nrefs:1|case:mixed|eff:no|tok:13a|smooth:exp|version:2.6.0", r.signature());
  }

  /**
   * The same counts under the other smoothings. floor 0.1: 4-gram precision 0.1/3, BLEU = (1/240)^(1/4);
   * add-k 1: orders 2..4 become 4/6, 2/5, 1/4, BLEU = (5/6 · 4/6 · 2/5 · 1/4)^(1/4) = (1/18)^(1/4);
   * none: log 0 is taken as -9999999999, so BLEU is 0.
   */
  @Test
  void smoothingMethods_matchTheHandCount() {
    Bleu.Options floor = Bleu.Options.defaults().withSmoothing(BleuSmoothing.FLOOR);
    Bleu.Result f = Bleu.corpus(List.of(HYP), List.of(List.of(REF)), floor);
    assertEquals(100 * Math.pow(1.0 / 240, 0.25), f.score(), 1e-10);
    assertEquals("nrefs:1|case:mixed|eff:no|tok:13a|smooth:floor[0.10]|version:2.6.0", f.signature());

    Bleu.Options addK = Bleu.Options.defaults().withSmoothing(BleuSmoothing.ADD_K);
    Bleu.Result k = Bleu.corpus(List.of(HYP), List.of(List.of(REF)), addK);
    assertEquals(100 * Math.pow(1.0 / 18, 0.25), k.score(), 1e-10);
    assertArrayEquals(new long[] {5, 3, 1, 0}, k.counts(), "counts are reported before adding k");
    assertTrue(k.signature().contains("|smooth:add-k[1.00]|"), k.signature());

    Bleu.Options none = Bleu.Options.defaults().withSmoothing(BleuSmoothing.NONE);
    Bleu.Result n = Bleu.corpus(List.of(HYP), List.of(List.of(REF)), none);
    assertEquals(0.0, n.score());
    assertEquals(0.0, n.precisions()[3], "none leaves an order without matches at 0");
  }

  /**
   * hyp "the the the the", refs "the cat" (2 words) and "the the dog" (3 words). "the" is clipped to its largest count
   * in one reference, 2: 2/4; "the the" occurs once in the second: 1/3; 3-grams 0/2 and 4-grams 0/1 get exp smoothing
   * 1/(2·2) and 1/(4·1). The closest reference length to 4 is 3, shorter than the hypothesis, so BP = 1.
   * BLEU = (1/2 · 1/3 · 1/4 · 1/4)^(1/4) = (1/96)^(1/4) = 31.947...
   */
  @Test
  void multipleReferences_clipToTheBestReference_andUseTheClosestLength() {
    Bleu.Result r = Bleu.corpus(List.of("the the the the"), List.of(List.of("the cat"), List.of("the the dog")));
    assertArrayEquals(new long[] {2, 1, 0, 0}, r.counts());
    assertEquals(3, r.refLen());
    assertEquals(100 * Math.pow(1.0 / 96, 0.25), r.score(), 1e-10);
    assertTrue(r.signature().startsWith("nrefs:2|"), r.signature());
  }

  @Test
  void closestLength_prefersTheShorterReferenceOnATie() {
    assertEquals(3, Bleu.closestLength(4, new int[] {5, 3}));
    assertEquals(5, Bleu.closestLength(5, new int[] {3, 5, 6}));
    assertEquals(6, Bleu.closestLength(9, new int[] {2, 6}));
  }

  /**
   * hyp "the cat" against "the cat sat": 1-grams 2/2, 2-grams 1/1, no 3-grams, so effective order 2 and
   * BLEU = BP = exp(1 - 3/2) = 60.65...; without effective order the empty 3- and 4-gram precisions make it 0.
   */
  @Test
  void sentence_usesEffectiveOrder() {
    Bleu.Result s = Bleu.sentence("the cat", List.of("the cat sat"));
    assertEquals(100 * Math.exp(-0.5), s.score(), 1e-10);
    assertEquals("nrefs:1|case:mixed|eff:yes|tok:13a|smooth:exp|version:2.6.0", s.signature());
    assertEquals(0.0, Bleu.sentence("the cat", List.of("the cat sat"), Bleu.Options.defaults()).score());
    assertEquals(0.0, Bleu.sentence("", List.of("the cat sat")).score(), "an empty output scores 0");
  }

  @Test
  void lowercase_changesMatchesAndTheSignature() {
    Bleu.Options lc = Bleu.Options.defaults().withLowercase(true);
    assertEquals(100.0, Bleu.corpus(List.of("The Cat sat ."), List.of(List.of("the cat Sat.")), lc).score(), 1e-10);
    assertTrue(Bleu.corpus(List.of("The Cat sat ."), List.of(List.of("the cat Sat."))).score() < 50);
    assertTrue(Bleu.corpus(List.of("a"), List.of(List.of("a")), lc).signature().contains("|case:lc|"));
  }

  /** The statistics add up: a corpus scored in two halves and summed gives the one-piece result. */
  @Test
  void statistics_summedOverParts_giveTheCorpusScore() {
    List<String> hyps = List.of(HYP, "a dog runs .", "", "the the the the", "it is 3,000.50 $ today");
    List<String> refs = List.of(REF, "a dog ran .", "nothing here", "the cat", "it is $3,000.50 today");
    Bleu.Options o = Bleu.Options.defaults();
    Bleu.Stats first = Bleu.Stats.zero();
    Bleu.Stats second = Bleu.Stats.zero();
    for (int i = 0; i < hyps.size(); i++) {
      Bleu.Stats s = Bleu.statistics(hyps.get(i), List.of(refs.get(i)), o);
      if (i < 2) {
        first = first.plus(s);
      } else {
        second = second.plus(s);
      }
    }
    Bleu.Result whole = Bleu.corpus(hyps, List.of(refs), o);
    Bleu.Result parts = Bleu.score(first.plus(second), o, 1);
    assertEquals(whole.score(), parts.score());
    assertEquals(whole.refLen(), parts.refLen());
    assertArrayEquals(whole.counts(), parts.counts());
  }

  @Test
  void nullReferences_makeTheCountVariable() {
    List<String> second = new ArrayList<>(Arrays.asList("the cat", null));
    Bleu.Result r = Bleu.corpus(List.of("the cat", "a dog"), List.of(List.of("the cat", "a dog"), second));
    assertTrue(r.signature().startsWith("nrefs:var|"), r.signature());
  }

  @Test
  void badInput_failsWithTheRuleAndTheFix() {
    IllegalArgumentException lengths = assertThrows(IllegalArgumentException.class,
        () -> Bleu.corpus(List.of("a", "b"), List.of(List.of("a"))));
    assertTrue(lengths.getMessage().contains("reference stream 0 has 1 lines but there are 2 hypotheses"),
        lengths.getMessage());
    assertThrows(IllegalArgumentException.class, () -> Bleu.corpus(List.of(), List.of(List.of())));
    assertThrows(IllegalArgumentException.class, () -> Bleu.corpus(List.of("a"), List.of()));
    IllegalArgumentException value = assertThrows(IllegalArgumentException.class,
        () -> Bleu.Options.defaults().withSmoothing(BleuSmoothing.EXP, 0.2));
    assertTrue(value.getMessage().contains("takes no value"), value.getMessage());
    assertThrows(IllegalArgumentException.class, () -> BleuSmoothing.named("laplace"));
    assertThrows(IllegalArgumentException.class,
        () -> Bleu.Options.defaults().withSmoothing(BleuSmoothing.FLOOR, -1));
  }

  @Test
  void signature_formatsTheSmoothingValueAsPythonDoes() {
    assertEquals("nrefs:3|case:lc|eff:yes|tok:intl|smooth:floor[0.12]|version:2.6.0",
        new Bleu.Options(true, BleuTokenizer.INTL, BleuSmoothing.FLOOR, 0.125, true).signature(3));
    assertEquals("nrefs:var|case:mixed|eff:no|tok:none|smooth:none|version:2.6.0",
        Bleu.Options.defaults().withTokenizer(BleuTokenizer.NONE).withSmoothing(BleuSmoothing.NONE).signature(-1));
  }

  /** The numbers of the golden file's first case, printed as sacreBLEU prints them. */
  @Test
  void format_isSacrebleusReportLine() {
    Bleu.Result r = new Bleu.Result(79.03519294501426,
        new double[] {100.0, 91.93563051186472, 84.1862794191287, 77.1040017835247}, 0.8992283578835115, 12013,
        13289, new long[4], new long[4], "nrefs:1|case:mixed|eff:no|tok:13a|smooth:exp|version:2.6.0");
    assertEquals("BLEU|nrefs:1|case:mixed|eff:no|tok:13a|smooth:exp|version:2.6.0 = 79.04 100.0/91.9/84.2/77.1 "
        + "(BP = 0.899 ratio = 0.904 hyp_len = 12013 ref_len = 13289)", r.format());
  }
}
