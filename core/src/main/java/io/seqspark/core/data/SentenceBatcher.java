package io.seqspark.core.data;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;

/**
 * Language-model batches of independent sentences (state resets per sentence), bucketed by length.
 *
 * <p>Sentence {@code w1..wn} becomes inputs {@code <s> w1..wn} and targets {@code w1..wn </s>}, length n+1.
 * An example longer than {@code maxLength} is handled by {@link OverLength}: {@code truncate} keeps its first
 * {@code maxLength} positions (inputs {@code <s> w1..w(L-1)}, targets {@code w1..wL}: no {@code </s>}, since the
 * sentence does not end there), {@code skip} leaves it out, {@code fail} stops with an error.
 *
 * <p>Epoch e is bucketed by {@link LengthBucketing} with seed {@code seed * 1_000_003 + e} (a prime multiplier so
 * nearby seeds do not give overlapping epoch seeds). Batches are random access and deterministic: the bucketing of
 * the most recent epoch is cached, any other is recomputed.
 */
public final class SentenceBatcher {

  /** What to do with an example longer than {@code data.maxLength}. */
  public enum OverLength {
    TRUNCATE, SKIP, FAIL;

    /** Parses the config value {@code truncate|skip|fail}. */
    public static OverLength parse(String value) {
      for (OverLength o : values()) {
        if (o.name().toLowerCase(Locale.ROOT).equals(value)) {
          return o;
        }
      }
      throw new IllegalArgumentException("data.overLength '" + value + "' is not supported; allowed values: "
          + "truncate, skip, fail");
    }
  }

  /**
   * @param maxLength   longest example (n + 1 positions for n words), 0 = no limit
   * @param overLength  policy for longer examples
   * @param bucketing   token budget and pool; {@code skipOversized} applies to examples over the budget
   * @param seed        base seed; epoch e uses {@code seed * 1_000_003 + e}
   */
  public record Options(int maxLength, OverLength overLength, LengthBucketing.Options bucketing, long seed) {
    public Options {
      if (maxLength < 0) {
        throw new IllegalArgumentException("data.maxLength must be >= 0 (0 = no limit), got " + maxLength);
      }
      if (overLength == null || bucketing == null) {
        throw new IllegalArgumentException("data.overLength and the bucketing options are required");
      }
    }
  }

  /**
   * What a row of a batch is. {@code LANGUAGE_MODEL}: as above. {@code CLASSIFICATION}: each example is
   * {@link Labelled#encode tokens followed by its class id}; inputs are the tokens (no {@code <s>}), and the target
   * is the class id at the row's LAST real step (0 elsewhere): how labels travel in a {@link Batch}. {@code TAGGING}:
   * each example is {@link Tagged#encode words followed by their tags}; inputs are the words and targets the tags at
   * the same positions (no {@code <s>}, no shift); truncation keeps the first {@code maxLength} word/tag pairs.
   */
  public enum Layout { LANGUAGE_MODEL, CLASSIFICATION, TAGGING }

  private record Epoch(int epoch, LengthBucketing.Result result) {
  }

  private final List<int[]> sentences;
  private final Options options;
  private final Layout layout;
  /** Sentence index of each kept example. */
  private final int[] source;
  /** Example length (positions) of each kept example, after truncation. */
  private final int[] lengths;
  private final List<Integer> skipped;
  private volatile Epoch cached;

  /**
   * @param sentences token ids without {@code <s>}/{@code </s>} (not copied; do not modify them afterwards)
   */
  public SentenceBatcher(List<int[]> sentences, Options options) {
    this(sentences, options, Layout.LANGUAGE_MODEL);
  }

  /**
   * @param sentences token ids without {@code <s>}/{@code </s>}, or (classification) {@link Labelled} examples, or
   *                  (tagging) {@link Tagged} examples
   */
  public SentenceBatcher(List<int[]> sentences, Options options, Layout layout) {
    this.sentences = sentences;
    this.options = options;
    this.layout = layout;
    int limit = options.maxLength() == 0 ? Integer.MAX_VALUE : options.maxLength();
    int[] src = new int[sentences.size()];
    int[] len = new int[sentences.size()];
    List<Integer> skip = new ArrayList<>();
    int n = 0;
    for (int i = 0; i < sentences.size(); i++) {
      int length = switch (layout) {
        case LANGUAGE_MODEL -> sentences.get(i).length + 1;
        case CLASSIFICATION -> Labelled.length(sentences.get(i));
        case TAGGING -> Tagged.length(sentences.get(i));
      };
      if (length > limit) {
        switch (options.overLength()) {
          case FAIL -> throw new IllegalArgumentException("example " + i + " has length " + length
              + (layout == Layout.LANGUAGE_MODEL ? " (with <s>)" : "") + ", over "
              + "data.maxLength=" + limit + "; raise data.maxLength or set data.overLength = truncate or skip");
          case SKIP -> {
            skip.add(i);
            continue;
          }
          case TRUNCATE -> length = limit;
        }
      }
      src[n] = i;
      len[n++] = length;
    }
    this.source = Arrays.copyOf(src, n);
    this.lengths = Arrays.copyOf(len, n);
    // Bucketing epoch 0 now validates the budget before any training starts and finds over-budget examples.
    Epoch first = new Epoch(0, LengthBucketing.batches(lengths, options.bucketing(), epochSeed(0)));
    for (int k : first.result().skipped()) {
      skip.add(source[k]);
    }
    skip.sort(null);
    this.skipped = List.copyOf(skip);
    this.cached = first;
  }

  /** The seed epoch {@code epoch} is bucketed with. */
  public long epochSeed(int epoch) {
    return options.seed() * 1_000_003L + epoch;
  }

  /** Sentence indices left out by {@code overLength = skip} or {@code skipOversized}, ascending. */
  public List<Integer> skipped() {
    return skipped;
  }

  public int numBatches(int epoch) {
    return result(epoch).batches().size();
  }

  /** Padded positions over real positions in {@code epoch}. */
  public double paddingRatio(int epoch) {
    return LengthBucketing.paddingRatio(lengths, result(epoch).batches());
  }

  /** Batch {@code k} of {@code epoch}; example ids are sentence indices. */
  public Batch batch(int epoch, int k) {
    List<int[]> batches = result(epoch).batches();
    if (k < 0 || k >= batches.size()) {
      throw new IllegalArgumentException("batch " + k + " is out of range 0.." + (batches.size() - 1)
          + " for epoch " + epoch);
    }
    int[] members = batches.get(k);
    int[][] in = new int[members.length][];
    int[][] tg = new int[members.length][];
    long[] ids = new long[members.length];
    for (int r = 0; r < members.length; r++) {
      int[] words = sentences.get(source[members[r]]);
      int length = lengths[members[r]];
      in[r] = new int[length];
      tg[r] = new int[length];
      ids[r] = source[members[r]];
      if (layout == Layout.CLASSIFICATION) {
        System.arraycopy(words, 0, in[r], 0, length);
        tg[r][length - 1] = Labelled.label(words);
        continue;
      }
      if (layout == Layout.TAGGING) {
        System.arraycopy(words, 0, in[r], 0, length);
        System.arraycopy(words, Tagged.length(words), tg[r], 0, length);
        continue;
      }
      in[r][0] = Vocabulary.BOS_ID;
      System.arraycopy(words, 0, in[r], 1, length - 1);
      System.arraycopy(words, 0, tg[r], 0, Math.min(length, words.length));
      if (length == words.length + 1) {
        tg[r][length - 1] = Vocabulary.EOS_ID;
      }
    }
    return Batch.padded(in, tg, ids);
  }

  private LengthBucketing.Result result(int epoch) {
    if (epoch < 0) {
      throw new IllegalArgumentException("epoch must be >= 0, got " + epoch);
    }
    Epoch e = cached;
    if (e.epoch() != epoch) {
      e = new Epoch(epoch, LengthBucketing.batches(lengths, options.bucketing(), epochSeed(epoch)));
      cached = e;
    }
    return e.result();
  }
}
