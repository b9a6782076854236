package io.seqspark.core.eval;

import io.seqspark.core.data.Batch;
import io.seqspark.core.data.TagSet;
import io.seqspark.core.data.Vocabulary;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.function.IntPredicate;

/**
 * Token-level measures of a tagger: accuracy over all real positions, accuracy on out-of-vocabulary words, and per
 * tag precision, recall and F1 with their macro average, read from a {@link Confusion} of gold × predicted tags.
 * Counts add up across batches; measures are computed at the end.
 *
 * <p><b>Which words are OOV.</b> A position is out of vocabulary when its word id, as the model read it, is
 * {@code <unk>} (or matches the predicate given to the constructor): the word is not in the model's vocabulary.
 * With a vocabulary of every training word ({@code minCount = 1}) that is exactly "never seen in training"; with a
 * higher {@code minCount} it also covers rare training words, which the model cannot tell from unseen ones either.
 * With unknown-word classes ({@link io.seqspark.core.data.UnknownWords}) pass
 * {@link io.seqspark.core.data.TaggedCorpus.WordEncoding#outOfVocabulary}, so the class tokens count as OOV too.
 * The answer travels inside the batch, so no side table of training words is needed when evaluating.
 *
 * <p><b>Macro F1</b> averages the F1 of the tags that occur in the gold tags or the predictions of the data
 * evaluated: a tag absent from both has no F1 (0/0), and averaging zeros for the unused tags of a large tag set would
 * measure the tag set, not the tagger. {@link TagSet#UNKNOWN} (gold tags the training data never showed) is left out
 * of the macro average and the per-tag list; such tokens still count, as errors, in the accuracies.
 */
public final class TaggingMetrics {
  private final TagSet tags;
  private final IntPredicate outOfVocabulary;
  private final Confusion confusion;
  private long oovTokens;
  private long oovCorrect;

  /** Metrics over {@code tags} where a word is OOV when its id is {@link Vocabulary#UNK_ID}. */
  public TaggingMetrics(TagSet tags) {
    this(tags, id -> id == Vocabulary.UNK_ID);
  }

  /**
   * @param outOfVocabulary which word ids count as out of vocabulary (e.g. also unknown-word classes)
   */
  public TaggingMetrics(TagSet tags, IntPredicate outOfVocabulary) {
    this.tags = tags;
    this.outOfVocabulary = outOfVocabulary;
    this.confusion = new Confusion(tags.tags());
  }

  /**
   * Adds the real positions of {@code batch}: gold tags are its targets, words its inputs.
   *
   * @param predicted one tag id per position, time-major like the batch (a tagger's {@code predict}); padded
   *                  positions are ignored
   */
  public void add(Batch batch, int[] predicted) {
    int n = batch.steps() * batch.rows();
    if (predicted.length != n) {
      throw new IllegalArgumentException("predicted tags: " + predicted.length + " positions for a batch of "
          + batch.steps() + " steps × " + batch.rows() + " rows = " + n);
    }
    int m = 0;
    for (int k = 0; k < n; k++) {
      m += batch.mask()[k] != 0f ? 1 : 0;
    }
    int[] gold = new int[m];
    int[] guess = new int[m];
    int j = 0;
    for (int k = 0; k < n; k++) {
      if (batch.mask()[k] == 0f) {
        continue;
      }
      int p = predicted[k];
      if (p < 0 || p >= tags.size()) {
        throw new IllegalArgumentException("predicted tag id " + p + " at position " + k + " of " + batch
            + " is outside the tag set (size " + tags.size() + ")");
      }
      gold[j] = batch.targets()[k];
      guess[j++] = p;
      if (outOfVocabulary.test(batch.inputs()[k])) {
        oovTokens++;
        oovCorrect += p == batch.targets()[k] ? 1 : 0;
      }
    }
    confusion.add(gold, guess);
  }

  /** The gold × predicted counts (ids of the {@link TagSet}). */
  public Confusion confusion() {
    return confusion;
  }

  /** Real positions counted. */
  public long tokens() {
    return confusion.total();
  }

  /** Correct tags over all real positions; NaN before any. */
  public double accuracy() {
    return confusion.accuracy();
  }

  /** Out-of-vocabulary positions counted. */
  public long oovTokens() {
    return oovTokens;
  }

  /** Correct tags over out-of-vocabulary positions; NaN when there were none. */
  public double oovAccuracy() {
    return oovTokens == 0 ? Double.NaN : (double) oovCorrect / oovTokens;
  }

  /** Whether tag {@code id} occurs in the gold tags or the predictions so far. */
  public boolean seen(int id) {
    for (int c = 0; c < tags.size(); c++) {
      if (confusion.count(id, c) > 0 || confusion.count(c, id) > 0) {
        return true;
      }
    }
    return false;
  }

  /** Mean F1 over the seen tags other than {@code <unk>}; NaN when there are none. */
  public double macroF1() {
    double s = 0;
    int n = 0;
    for (int c = 0; c < tags.size(); c++) {
      if (c != TagSet.UNKNOWN_ID && seen(c)) {
        s += confusion.f1(c);
        n++;
      }
    }
    return n == 0 ? Double.NaN : s / n;
  }

  /**
   * {prefix_accuracy, prefix_oov_accuracy, prefix_oov_tokens, prefix_tokens, prefix_macro_f1, then prefix_f1_TAG for
   * every seen tag}, for metrics.jsonl.
   */
  public Map<String, Object> metrics(String prefix) {
    Map<String, Object> m = new LinkedHashMap<>();
    m.put(prefix + "_accuracy", accuracy());
    m.put(prefix + "_oov_accuracy", oovAccuracy());
    m.put(prefix + "_oov_tokens", oovTokens);
    m.put(prefix + "_tokens", tokens());
    m.put(prefix + "_macro_f1", macroF1());
    for (int c = 0; c < tags.size(); c++) {
      if (c != TagSet.UNKNOWN_ID && seen(c)) {
        m.put(prefix + "_f1_" + tags.tag(c), confusion.f1(c));
      }
    }
    return m;
  }
}
