package io.seqspark.core.eval;

import java.io.Serializable;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * BLEU (Papineni et al., 2002) exactly as sacreBLEU {@value #SACREBLEU_VERSION} computes it, so the number and its
 * signature can be reported as "sacreBLEU": corpus BLEU over one or more reference streams, sentence BLEU with
 * effective order, the {@code 13a}, {@code intl} and {@code none} tokenizers and the four smoothing methods.
 *
 * <p><b>What is computed.</b> Each line is lower-cased (if asked), stripped of trailing white space, tokenized and
 * split into words. For n = 1..4 a segment contributes its hypothesis n-gram count and the count of those n-grams
 * found in a reference, each clipped to the most times it occurs in any one reference; the reference length is that
 * of the reference closest in length to the hypothesis (the shorter one on a tie). These {@link Stats} add up over
 * the corpus (and across machines), and only the sums are turned into the score: the geometric mean of the four
 * precisions times the brevity penalty {@code exp(1 - refLen / sysLen)} when the system output is shorter.
 *
 * <p><b>Why our own code.</b> There is no Java implementation of sacreBLEU; the behaviour that moves scores by whole
 * points (the tokenizers, Python's idea of white space, the clipping, the smoothing of zero counts) is reproduced from
 * sacreBLEU's algorithm and checked against its outputs in {@code BleuGoldenTest} (scores to 1e-6, counts and
 * signatures exactly).
 */
public final class Bleu {
  /** The sacreBLEU release whose numbers and signatures these reproduce; the {@code version:} signature field. */
  public static final String SACREBLEU_VERSION = "2.6.0";
  /** The largest n-gram order counted (sacreBLEU's default, the one every published BLEU uses). */
  public static final int MAX_ORDER = 4;

  private Bleu() {}

  /**
   * How BLEU is computed; sacreBLEU's {@code BLEU(...)} arguments. {@link #defaults()} is {@code corpus_bleu}'s
   * default, {@link #sentenceDefaults()} that of {@code sentence_bleu}.
   *
   * @param lowercase      lower-case hypotheses and references first ({@code case:lc})
   * @param tokenizer      how lines become words
   * @param smoothing      how an order without matches counts
   * @param smoothValue    the parameter of {@link BleuSmoothing#FLOOR} or {@link BleuSmoothing#ADD_K}; NaN means the
   *                       method's default, and it must be NaN for the methods without a parameter
   * @param effectiveOrder average only the orders up to the highest one the hypothesis has n-grams of (for short
   *                       sentences; {@code eff:yes})
   */
  public record Options(boolean lowercase, BleuTokenizer tokenizer, BleuSmoothing smoothing, double smoothValue,
                        boolean effectiveOrder) {
    /** Checks the smoothing parameter and fills in its default. */
    public Options {
      if (tokenizer == null || smoothing == null) {
        throw new IllegalArgumentException("BLEU options: tokenizer and smoothing must be given (sacreBLEU's "
            + "defaults are 13a and exp; see Options.defaults())");
      }
      if (!smoothing.takesValue() && !Double.isNaN(smoothValue)) {
        throw new IllegalArgumentException("smoothValue " + smoothValue + " cannot be combined with smoothing "
            + smoothing.sacrebleuName() + ", which takes no value; leave it unset or use floor or add-k");
      }
      if (smoothing.takesValue()) {
        if (Double.isNaN(smoothValue)) {
          smoothValue = smoothing.defaultValue();
        } else if (!(smoothValue >= 0) || Double.isInfinite(smoothValue)) {
          throw new IllegalArgumentException("smoothValue " + smoothValue + " for smoothing "
              + smoothing.sacrebleuName() + " must be a finite number >= 0 (default " + smoothing.defaultValue()
              + ")");
        }
      }
    }

    /** sacreBLEU's corpus defaults: mixed case, {@code 13a}, {@code exp} smoothing, no effective order. */
    public static Options defaults() {
      return new Options(false, BleuTokenizer.V13A, BleuSmoothing.EXP, Double.NaN, false);
    }

    /** sacreBLEU's {@code sentence_bleu} defaults: {@link #defaults()} with effective order. */
    public static Options sentenceDefaults() {
      return defaults().withEffectiveOrder(true);
    }

    /** These options with lower-casing on or off. */
    public Options withLowercase(boolean lower) {
      return new Options(lower, tokenizer, smoothing, smoothValue, effectiveOrder);
    }

    /** These options with another tokenizer. */
    public Options withTokenizer(BleuTokenizer t) {
      return new Options(lowercase, t, smoothing, smoothValue, effectiveOrder);
    }

    /** These options with another smoothing method and its default parameter. */
    public Options withSmoothing(BleuSmoothing s) {
      return new Options(lowercase, tokenizer, s, Double.NaN, effectiveOrder);
    }

    /** These options with {@link BleuSmoothing#FLOOR} or {@link BleuSmoothing#ADD_K} and the given parameter. */
    public Options withSmoothing(BleuSmoothing s, double value) {
      return new Options(lowercase, tokenizer, s, value, effectiveOrder);
    }

    /** These options with effective order on or off. */
    public Options withEffectiveOrder(boolean effective) {
      return new Options(lowercase, tokenizer, smoothing, smoothValue, effective);
    }

    /**
     * sacreBLEU's signature for these options, e.g. {@code nrefs:1|case:mixed|eff:no|tok:13a|smooth:exp|version:2.6.0}.
     *
     * @param nrefs references per segment, or -1 when it varies ({@code nrefs:var})
     */
    public String signature(int nrefs) {
      String smooth = smoothing.sacrebleuName();
      if (smoothing.takesValue()) {
        smooth += "[" + PyText.fixed(smoothValue, 2) + "]";
      }
      return "nrefs:" + ReferenceStreams.signatureValue(nrefs) + "|case:" + (lowercase ? "lc" : "mixed")
          + "|eff:" + (effectiveOrder ? "yes" : "no") + "|tok:" + tokenizer.sacrebleuName() + "|smooth:" + smooth
          + "|version:" + SACREBLEU_VERSION;
    }

    /** The words BLEU counts in {@code line}: lower-cased if asked, trailing white space dropped, tokenized. */
    String[] words(String line) {
      return tokenizer.tokens(PyText.rstrip(lowercase ? PyText.lower(line) : line));
    }
  }

  /**
   * BLEU's sufficient statistics: sums over segments, which add up across batches and machines; the score is computed
   * from the totals only.
   *
   * @param sysLen  hypothesis words
   * @param refLen  words of the reference closest in length to each hypothesis
   * @param correct per order 1..4, hypothesis n-grams found in a reference (clipped)
   * @param total   per order 1..4, hypothesis n-grams
   */
  public record Stats(long sysLen, long refLen, long[] correct, long[] total) implements Serializable {
    /** Checks that both arrays have one entry per order. */
    public Stats {
      if (correct.length != MAX_ORDER || total.length != MAX_ORDER) {
        throw new IllegalArgumentException("BLEU statistics need " + MAX_ORDER + " counts per array, got "
            + correct.length + " correct and " + total.length + " total");
      }
      correct = correct.clone();
      total = total.clone();
    }

    /** The statistics of no segment at all. */
    public static Stats zero() {
      return new Stats(0, 0, new long[MAX_ORDER], new long[MAX_ORDER]);
    }

    /** The sum of these and {@code other}. */
    public Stats plus(Stats other) {
      long[] c = new long[MAX_ORDER];
      long[] t = new long[MAX_ORDER];
      for (int n = 0; n < MAX_ORDER; n++) {
        c[n] = correct[n] + other.correct[n];
        t[n] = total[n] + other.total[n];
      }
      return new Stats(sysLen + other.sysLen, refLen + other.refLen, c, t);
    }

    @Override
    public long[] correct() {
      return correct.clone();
    }

    @Override
    public long[] total() {
      return total.clone();
    }

    @Override
    public boolean equals(Object o) {
      return o instanceof Stats s && s.sysLen == sysLen && s.refLen == refLen && Arrays.equals(s.correct, correct)
          && Arrays.equals(s.total, total);
    }

    @Override
    public int hashCode() {
      return Long.hashCode(sysLen) * 31 + Long.hashCode(refLen) * 17 + Arrays.hashCode(correct) * 7
          + Arrays.hashCode(total);
    }

    @Override
    public String toString() {
      return "Bleu.Stats[sysLen=" + sysLen + ", refLen=" + refLen + ", correct=" + Arrays.toString(correct)
          + ", total=" + Arrays.toString(total) + "]";
    }
  }

  /**
   * A BLEU score with sacreBLEU's breakdown.
   *
   * @param score      BLEU in [0, 100]
   * @param precisions per order 1..4, the (smoothed) n-gram precision in percent; 0 for orders not reached
   * @param bp         the brevity penalty
   * @param sysLen     hypothesis words
   * @param refLen     reference words (closest reference per segment)
   * @param counts     per order, matched hypothesis n-grams (before any add-k)
   * @param totals     per order, hypothesis n-grams (before any add-k)
   * @param signature  sacreBLEU's signature of the options, e.g.
   *                   {@code nrefs:1|case:mixed|eff:no|tok:13a|smooth:exp|version:2.6.0}
   */
  public record Result(double score, double[] precisions, double bp, long sysLen, long refLen, long[] counts,
                       long[] totals, String signature) {
    /** Copies the arrays, so a result cannot change after it is made. */
    public Result {
      precisions = precisions.clone();
      counts = counts.clone();
      totals = totals.clone();
    }

    @Override
    public double[] precisions() {
      return precisions.clone();
    }

    @Override
    public long[] counts() {
      return counts.clone();
    }

    @Override
    public long[] totals() {
      return totals.clone();
    }

    /** Hypothesis length over reference length; 0 when the references are empty. */
    public double ratio() {
      return refLen == 0 ? 0 : (double) sysLen / refLen;
    }

    /**
     * sacreBLEU's one-line report, e.g. {@code BLEU|nrefs:1|...|version:2.6.0 = 79.04 100.0/91.9/84.2/77.1 (BP = 0.899
     * ratio = 0.904 hyp_len = 12013 ref_len = 13289)}, rounded as Python rounds.
     */
    public String format() {
      StringBuilder b = new StringBuilder("BLEU|").append(signature).append(" = ").append(PyText.fixed(score, 2))
          .append(' ');
      for (int n = 0; n < precisions.length; n++) {
        b.append(n == 0 ? "" : "/").append(PyText.fixed(precisions[n], 1));
      }
      return b.append(" (BP = ").append(PyText.fixed(bp, 3)).append(" ratio = ").append(PyText.fixed(ratio(), 3))
          .append(" hyp_len = ").append(sysLen).append(" ref_len = ").append(refLen).append(')').toString();
    }

    @Override
    public String toString() {
      return format();
    }
  }

  /** Corpus BLEU with sacreBLEU's defaults ({@link Options#defaults()}). */
  public static Result corpus(List<String> hyps, List<List<String>> refs) {
    return corpus(hyps, refs, Options.defaults());
  }

  /**
   * Corpus BLEU, sacreBLEU's {@code corpus_bleu}.
   *
   * @param hyps    system outputs, one line per segment ({@code ""} for an empty output)
   * @param refs    reference streams: one list per reference translation, each with one line per hypothesis; a
   *                {@code null} line means that segment lacks this reference (the signature then says
   *                {@code nrefs:var})
   * @param options tokenizer, case, smoothing; {@link Options#defaults()} is sacreBLEU's
   * @throws IllegalArgumentException when there are no hypotheses, a stream's length differs from the hypotheses', or a
   *                                  segment has no reference
   */
  public static Result corpus(List<String> hyps, List<List<String>> refs, Options options) {
    ReferenceStreams.Segments segments = ReferenceStreams.bySegment("BLEU", hyps, refs);
    Stats sum = Stats.zero();
    for (int i = 0; i < hyps.size(); i++) {
      sum = sum.plus(statistics(hyps.get(i), segments.bySegment().get(i), options));
    }
    return score(sum, options, segments.nrefs());
  }

  /** Sentence BLEU with sacreBLEU's {@code sentence_bleu} defaults ({@link Options#sentenceDefaults()}). */
  public static Result sentence(String hyp, List<String> refs) {
    return sentence(hyp, refs, Options.sentenceDefaults());
  }

  /**
   * BLEU of one sentence against its references ({@code null} ones skipped), sacreBLEU's {@code sentence_score}; use
   * options with effective order ({@link Options#sentenceDefaults()}), or most short sentences score 0.
   */
  public static Result sentence(String hyp, List<String> refs, Options options) {
    List<String> present = ReferenceStreams.forSentence("BLEU", hyp, refs);
    return score(statistics(hyp, present, options), options, present.size());
  }

  /**
   * The statistics of one segment, to be summed with {@link Stats#plus} and scored with {@link #score}: how a corpus
   * split across machines gets the same BLEU as in one piece.
   *
   * @param refs the segment's references, at least one, none null
   */
  public static Stats statistics(String hyp, List<String> refs, Options options) {
    ReferenceStreams.checkSegment("BLEU", hyp, refs);
    List<Map<String, Integer>> refMax = new ArrayList<>(MAX_ORDER);
    int[] refLens = new int[refs.size()];
    for (int r = 0; r < refs.size(); r++) {
      String[] words = options.words(refs.get(r));
      refLens[r] = words.length;
      List<Map<String, Integer>> counts = ngrams(words);
      if (r == 0) {
        refMax.addAll(counts);
      } else {
        for (int n = 0; n < MAX_ORDER; n++) {
          Map<String, Integer> max = refMax.get(n);
          counts.get(n).forEach((g, c) -> max.merge(g, c, Math::max));
        }
      }
    }
    String[] hypWords = options.words(hyp);
    List<Map<String, Integer>> hypCounts = ngrams(hypWords);
    long[] correct = new long[MAX_ORDER];
    long[] total = new long[MAX_ORDER];
    for (int n = 0; n < MAX_ORDER; n++) {
      Map<String, Integer> ref = refMax.get(n);
      for (Map.Entry<String, Integer> e : hypCounts.get(n).entrySet()) {
        total[n] += e.getValue();
        Integer inRef = ref.get(e.getKey());
        if (inRef != null) {
          correct[n] += Math.min(e.getValue(), inRef);
        }
      }
    }
    return new Stats(hypWords.length, closestLength(hypWords.length, refLens), correct, total);
  }

  /**
   * BLEU from summed statistics, sacreBLEU's {@code compute_bleu}.
   *
   * @param nrefs references per segment for the signature, or -1 when it varies
   */
  public static Result score(Stats stats, Options options, int nrefs) {
    long sysLen = stats.sysLen();
    long refLen = stats.refLen();
    double bp = 1.0;
    if (sysLen < refLen) {
      bp = sysLen > 0 ? Math.exp(1 - (double) refLen / sysLen) : 0.0;
    }
    double[] precisions = new double[MAX_ORDER];
    String signature = options.signature(nrefs);
    long[] counts = stats.correct();
    long[] totals = stats.total();
    boolean anyMatch = false;
    for (long c : counts) {
      anyMatch |= c != 0;
    }
    if (!anyMatch) {
      return new Result(0.0, precisions, bp, sysLen, refLen, counts, totals, signature);
    }
    BleuSmoothing smoothing = options.smoothing();
    double value = options.smoothValue();
    double mteval = 1.0;
    int order = MAX_ORDER;
    for (int n = 1; n <= MAX_ORDER; n++) {
      double correct = counts[n - 1];
      double total = totals[n - 1];
      if (smoothing == BleuSmoothing.ADD_K && n > 1) {
        correct += value;
        total += value;
      }
      if (total == 0) {
        break;
      }
      if (options.effectiveOrder()) {
        order = n;
      }
      if (correct == 0) {
        if (smoothing == BleuSmoothing.EXP) {
          mteval *= 2;
          precisions[n - 1] = 100.0 / (mteval * total);
        } else if (smoothing == BleuSmoothing.FLOOR) {
          precisions[n - 1] = 100.0 * value / total;
        }
      } else {
        precisions[n - 1] = 100.0 * correct / total;
      }
    }
    double logSum = 0;
    for (int n = 0; n < order; n++) {
      logSum += precisions[n] == 0.0 ? -9999999999.0 : Math.log(precisions[n]);
    }
    double score = bp * Math.exp(logSum / order);
    return new Result(score, precisions, bp, sysLen, refLen, counts, totals, signature);
  }

  /**
   * The reference length BLEU compares a hypothesis of {@code hypLen} words with: the closest, the shorter on a tie.
   */
  static int closestLength(int hypLen, int[] refLens) {
    int best = refLens[0];
    for (int len : refLens) {
      int diff = Math.abs(hypLen - len);
      int bestDiff = Math.abs(hypLen - best);
      if (diff < bestDiff || (diff == bestDiff && len < best)) {
        best = len;
      }
    }
    return best;
  }

  /** Per order 1..4, the count of each n-gram of {@code words}, keyed by its words joined with single spaces. */
  private static List<Map<String, Integer>> ngrams(String[] words) {
    List<Map<String, Integer>> out = new ArrayList<>(MAX_ORDER);
    // keys[i] holds the (n-1)-gram starting at word i, so each n-gram is one concatenation away
    String[] keys = words.clone();
    for (int n = 1; n <= MAX_ORDER; n++) {
      Map<String, Integer> counts = new HashMap<>(2 * Math.max(1, words.length));
      for (int i = 0; i + n <= words.length; i++) {
        if (n > 1) {
          keys[i] = keys[i] + " " + words[i + n - 1];
        }
        counts.merge(keys[i], 1, Integer::sum);
      }
      out.add(counts);
    }
    return out;
  }
}
