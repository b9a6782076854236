package io.seqspark.core.eval;

import java.io.Serializable;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * chrF (Popović, 2015) and chrF++ (Popović, 2017) exactly as sacreBLEU {@value Bleu#SACREBLEU_VERSION} computes them:
 * an F-score (recall weighted {@code beta} times as much as precision) over character n-grams of orders 1..6, and
 * for chrF++ also word n-grams of orders 1..2.
 *
 * <p><b>What is computed.</b> Characters are Unicode code points; white space is removed before character n-grams are
 * taken (unless {@link Options#whitespace()}). Per order a segment contributes its hypothesis n-gram count, its
 * reference n-gram count and their clipped overlap, taken from the reference with the best segment-level F-score.
 * These {@link Stats} add up over the corpus; the score averages precision and recall over the orders that both
 * sides have n-grams of (sacreBLEU 2's default, {@code eff:yes}) and returns their F-beta, or with
 * {@link Options#epsSmoothing()} averages the per-order F-scores with 1e-16 for empty orders (chrF++.py, Moses,
 * NLTK).
 */
public final class Chrf {
  private static final double EPS = 1e-16;
  /** ASCII punctuation, Python's {@code string.punctuation}: what chrF++ splits off the ends of words. */
  private static final String PUNCTUATION = "!\"#$%&'()*+,-./:;<=>?@[\\]^_`{|}~";

  private Chrf() {}

  /**
   * How chrF is computed; sacreBLEU's {@code CHRF(...)} arguments. {@link #defaults()} is chrF2,
   * {@link #chrfPlusPlus()} chrF2++.
   *
   * @param charOrder    the largest character n-gram order (6)
   * @param wordOrder    the largest word n-gram order (0 for chrF, 2 for chrF++)
   * @param beta         how many times more recall counts than precision (2)
   * @param lowercase    lower-case both sides first ({@code case:lc})
   * @param whitespace   keep white space inside character n-grams ({@code space:yes})
   * @param epsSmoothing average per-order F-scores with epsilon for empty orders instead of averaging precision and
   *                     recall over the orders present ({@code eff:no})
   */
  public record Options(int charOrder, int wordOrder, int beta, boolean lowercase, boolean whitespace,
                        boolean epsSmoothing) {
    /** Checks the orders and beta. */
    public Options {
      if (charOrder < 0 || wordOrder < 0 || charOrder + wordOrder == 0) {
        throw new IllegalArgumentException("chrF options: charOrder " + charOrder + " and wordOrder " + wordOrder
            + " must be >= 0 and not both 0 (sacreBLEU's chrF: 6 and 0; chrF++: 6 and 2)");
      }
      if (beta < 0) {
        throw new IllegalArgumentException("chrF options: beta " + beta + " must be >= 0 (sacreBLEU's default 2)");
      }
    }

    /** sacreBLEU's chrF defaults: character order 6, no word n-grams, beta 2, mixed case, white space removed. */
    public static Options defaults() {
      return new Options(6, 0, 2, false, false, false);
    }

    /** chrF++: {@link #defaults()} with word n-grams up to order 2. */
    public static Options chrfPlusPlus() {
      return new Options(6, 2, 2, false, false, false);
    }

    /** These options with lower-casing on or off. */
    public Options withLowercase(boolean lower) {
      return new Options(charOrder, wordOrder, beta, lower, whitespace, epsSmoothing);
    }

    /** The metric's name as sacreBLEU prints it: {@code chrF2}, or {@code chrF2++} with word order 2. */
    public String name() {
      return "chrF" + beta + "+".repeat(wordOrder);
    }

    /**
     * sacreBLEU's signature for these options, e.g.
     * {@code nrefs:1|case:mixed|eff:yes|nc:6|nw:0|space:no|version:2.6.0}.
     *
     * @param nrefs references per segment, or -1 when it varies ({@code nrefs:var})
     */
    public String signature(int nrefs) {
      return "nrefs:" + ReferenceStreams.signatureValue(nrefs) + "|case:" + (lowercase ? "lc" : "mixed") + "|eff:"
          + (epsSmoothing ? "no" : "yes") + "|nc:" + charOrder + "|nw:" + wordOrder + "|space:"
          + (whitespace ? "yes" : "no") + "|version:" + Bleu.SACREBLEU_VERSION;
    }

    int orders() {
      return charOrder + wordOrder;
    }
  }

  /**
   * chrF's sufficient statistics, summed over segments: for each order (character orders first, then word orders)
   * the triple hypothesis n-grams, reference n-grams, matched n-grams.
   *
   * @param counts {@code 3 × (charOrder + wordOrder)} counts
   */
  public record Stats(long[] counts) implements Serializable {
    /** Copies the counts; they must come in triples. */
    public Stats {
      if (counts.length == 0 || counts.length % 3 != 0) {
        throw new IllegalArgumentException("chrF statistics come in (hyp, ref, match) triples, one per order; got "
            + counts.length + " counts");
      }
      counts = counts.clone();
    }

    /** The statistics of no segment at all, for {@code orders} n-gram orders. */
    public static Stats zero(int orders) {
      return new Stats(new long[3 * orders]);
    }

    /** The sum of these and {@code other} (same orders). */
    public Stats plus(Stats other) {
      if (other.counts.length != counts.length) {
        throw new IllegalArgumentException("chrF statistics of " + counts.length / 3 + " and "
            + other.counts.length / 3 + " orders cannot be added");
      }
      long[] sum = counts.clone();
      for (int i = 0; i < sum.length; i++) {
        sum[i] += other.counts[i];
      }
      return new Stats(sum);
    }

    @Override
    public long[] counts() {
      return counts.clone();
    }

    @Override
    public boolean equals(Object o) {
      return o instanceof Stats s && Arrays.equals(s.counts, counts);
    }

    @Override
    public int hashCode() {
      return Arrays.hashCode(counts);
    }

    @Override
    public String toString() {
      return "Chrf.Stats" + Arrays.toString(counts);
    }
  }

  /**
   * A chrF score.
   *
   * @param score     chrF in [0, 100]
   * @param name      {@code chrF2} or {@code chrF2++}
   * @param signature sacreBLEU's signature of the options
   */
  public record Result(double score, String name, String signature) {
    /** sacreBLEU's one-line report, e.g. {@code chrF2|nrefs:1|...|version:2.6.0 = 87.53}. */
    public String format() {
      return name + "|" + signature + " = " + PyText.fixed(score, 2);
    }

    @Override
    public String toString() {
      return format();
    }
  }

  /** Corpus chrF with sacreBLEU's defaults. */
  public static Result corpus(List<String> hyps, List<List<String>> refs) {
    return corpus(hyps, refs, Options.defaults());
  }

  /**
   * Corpus chrF, sacreBLEU's {@code corpus_chrf}.
   *
   * @param hyps system outputs, one line per segment
   * @param refs reference streams, each with one line per hypothesis; {@code null} where a segment lacks that reference
   * @throws IllegalArgumentException when there are no hypotheses, a stream's length differs from the hypotheses', or a
   *                                  segment has no reference
   */
  public static Result corpus(List<String> hyps, List<List<String>> refs, Options options) {
    ReferenceStreams.Segments segments = ReferenceStreams.bySegment("chrF", hyps, refs);
    Stats sum = Stats.zero(options.orders());
    for (int i = 0; i < hyps.size(); i++) {
      sum = sum.plus(statistics(hyps.get(i), segments.bySegment().get(i), options));
    }
    return score(sum, options, segments.nrefs());
  }

  /** chrF of one sentence against its references ({@code null} ones skipped). */
  public static Result sentence(String hyp, List<String> refs, Options options) {
    List<String> present = ReferenceStreams.forSentence("chrF", hyp, refs);
    return score(statistics(hyp, present, options), options, present.size());
  }

  /**
   * The statistics of one segment against the reference that gives it the best F-score (the first on a tie), to be
   * summed with {@link Stats#plus} and scored with {@link #score}.
   *
   * @param refs the segment's references, at least one, none null
   */
  public static Stats statistics(String hyp, List<String> refs, Options options) {
    ReferenceStreams.checkSegment("chrF", hyp, refs);
    List<Map<String, Integer>> hypGrams = ngrams(hyp, options);
    long[] best = null;
    double bestF = -1.0;
    for (String ref : refs) {
      List<Map<String, Integer>> refGrams = ngrams(ref, options);
      long[] stats = new long[3 * options.orders()];
      for (int n = 0; n < options.orders(); n++) {
        match(hypGrams.get(n), refGrams.get(n), stats, 3 * n);
      }
      double f = fScore(stats, options);
      if (f > bestF) {
        bestF = f;
        best = stats;
      }
    }
    return new Stats(best);
  }

  /** chrF from summed statistics. */
  public static Result score(Stats stats, Options options, int nrefs) {
    if (stats.counts.length != 3 * options.orders()) {
      throw new IllegalArgumentException("chrF statistics have " + stats.counts.length / 3 + " orders but the options "
          + "ask for " + options.orders());
    }
    return new Result(fScore(stats.counts, options), options.name(), options.signature(nrefs));
  }

  /** sacreBLEU's {@code _compute_f_score} over {@code (hyp, ref, match)} triples. */
  private static double fScore(long[] stats, Options options) {
    double factor = (double) options.beta() * options.beta();
    double epsScore = 0;
    double avgPrec = 0;
    double avgRec = 0;
    int effective = 0;
    for (int n = 0; n < options.orders(); n++) {
      long nHyp = stats[3 * n];
      long nRef = stats[3 * n + 1];
      long nMatch = stats[3 * n + 2];
      double prec = nHyp > 0 ? (double) nMatch / nHyp : EPS;
      double rec = nRef > 0 ? (double) nMatch / nRef : EPS;
      double denom = factor * prec + rec;
      epsScore += denom > 0 ? (1 + factor) * prec * rec / denom : EPS;
      if (nHyp > 0 && nRef > 0) {
        avgPrec += prec;
        avgRec += rec;
        effective++;
      }
    }
    if (options.epsSmoothing()) {
      return 100 * epsScore / options.orders();
    }
    if (effective == 0) {
      return 0.0;
    }
    avgPrec /= effective;
    avgRec /= effective;
    if (avgPrec + avgRec == 0) {
      return 0.0;
    }
    return 100 * ((1 + factor) * avgPrec * avgRec / (factor * avgPrec + avgRec));
  }

  /**
   * Adds one order's triple at {@code at}: hypothesis n-grams (counted only if the reference has n-grams of this
   * order, as sacreBLEU does), reference n-grams, and clipped matches.
   */
  private static void match(Map<String, Integer> hyp, Map<String, Integer> ref, long[] stats, int at) {
    long hypCount = 0;
    long matches = 0;
    for (Map.Entry<String, Integer> e : hyp.entrySet()) {
      hypCount += e.getValue();
      Integer r = ref.get(e.getKey());
      if (r != null) {
        matches += Math.min(e.getValue(), r);
      }
    }
    long refCount = 0;
    for (int c : ref.values()) {
      refCount += c;
    }
    stats[at] = ref.isEmpty() ? 0 : hypCount;
    stats[at + 1] = refCount;
    stats[at + 2] = matches;
  }

  /** The character n-gram counts of orders 1..charOrder, then the word n-gram counts of orders 1..wordOrder. */
  private static List<Map<String, Integer>> ngrams(String line, Options options) {
    String s = options.lowercase() ? PyText.lower(line) : line;
    List<Map<String, Integer>> out = new ArrayList<>(options.orders());
    String chars = options.whitespace() ? s : PyText.removeSpace(s);
    int[] starts = PyText.codePointStarts(chars);
    int length = starts.length - 1;
    for (int n = 1; n <= options.charOrder(); n++) {
      Map<String, Integer> counts = new HashMap<>(2 * Math.max(1, length));
      for (int i = 0; i + n <= length; i++) {
        counts.merge(chars.substring(starts[i], starts[i + n]), 1, Integer::sum);
      }
      out.add(counts);
    }
    if (options.wordOrder() > 0) {
      List<String> words = splitPunctuation(s);
      for (int n = 1; n <= options.wordOrder(); n++) {
        Map<String, Integer> counts = new HashMap<>();
        for (int i = 0; i + n <= words.size(); i++) {
          counts.merge(String.join(" ", words.subList(i, i + n)), 1, Integer::sum);
        }
        out.add(counts);
      }
    }
    return out;
  }

  /**
   * chrF++'s words: white-space split, and a word of two or more characters loses one ASCII punctuation mark from
   * its end, or else from its start, as a word of its own ({@code "(hi)"} gives {@code "(hi"} and {@code ")"}, as in
   * sacreBLEU).
   */
  static List<String> splitPunctuation(String s) {
    List<String> out = new ArrayList<>();
    for (String w : PyText.split(s)) {
      int cps = w.codePointCount(0, w.length());
      if (cps == 1) {
        out.add(w);
        continue;
      }
      int last = w.codePointBefore(w.length());
      int first = w.codePointAt(0);
      if (PUNCTUATION.indexOf(last) >= 0) {
        out.add(w.substring(0, w.length() - Character.charCount(last)));
        out.add(w.substring(w.length() - Character.charCount(last)));
      } else if (PUNCTUATION.indexOf(first) >= 0) {
        out.add(w.substring(0, Character.charCount(first)));
        out.add(w.substring(Character.charCount(first)));
      } else {
        out.add(w);
      }
    }
    return out;
  }
}
