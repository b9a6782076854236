package io.seqspark.core.w2v;

import io.seqspark.core.data.TextCorpus;
import io.seqspark.core.data.TokenShards;
import io.seqspark.core.data.Tokenizer;
import io.seqspark.core.data.Vocabulary;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * A training corpus for Word2Vec: the vocabulary (a frozen {@link Vocabulary}; ids 0..3 are its reserved tokens and
 * are never trained) and the sentences as id arrays holding only trained words (out-of-vocabulary tokens are dropped,
 * as word2vec and gensim drop them), each at most {@code maxSentenceLength} long (longer lines are cut, as gensim
 * cuts at 10,000: a context window never crosses a sentence).
 *
 * @param rawTokens every token read, out-of-vocabulary ones included (what words/s counts, like gensim)
 */
public record Corpus(Vocabulary vocabulary, List<int[]> sentences, long rawTokens, long words) {

  /** First trained row: the vocabulary's reserved tokens come before it. */
  public static final int FIRST_WORD = Vocabulary.SPECIALS.size();

  /** Reads one text file (plain or .gz), counts words and keeps those seen at least {@code minCount} times. */
  public static Corpus fromText(Path file, Tokenizer tokenizer, int minCount, int maxSentenceLength) throws IOException {
    List<List<String>> lines = TextCorpus.readLines(file, tokenizer);
    Vocabulary vocab = TextCorpus.buildVocabulary(lines, minCount, 0);
    Builder b = new Builder(vocab.size(), maxSentenceLength);
    long raw = 0;
    for (List<String> line : lines) {
      raw += line.size();
      b.add(vocab.encode(line));
    }
    return b.build(vocab, raw);
  }

  /**
   * Reads the output of {@code seqspark ingest}. Its vocabulary is sorted by descending count, so the words kept by
   * {@code minCount} are a prefix of it and keep their ids; rarer ids (and {@code <unk>}) are dropped.
   */
  public static Corpus fromShards(Path ingestDir, int minCount, int maxSentenceLength) throws IOException {
    TokenShards shards = TokenShards.open(ingestDir);
    Vocabulary full = shards.vocabulary();
    Vocabulary.Builder vb = Vocabulary.builder();
    int keep = FIRST_WORD;
    while (keep < full.size() && full.count(keep) >= minCount) {
      vb.add(full.token(keep), full.count(keep));
      keep++;
    }
    Vocabulary vocab = vb.build(1, 0);
    for (int i = FIRST_WORD; i < keep; i++) {
      if (vocab.id(full.token(i)) != i) {
        throw new IllegalArgumentException(ingestDir + ": vocab.tsv is not sorted by descending count (token '"
            + full.token(i) + "' at line " + (i + 1) + "); re-run seqspark ingest");
      }
    }
    Builder b = new Builder(vocab.size(), maxSentenceLength);
    long[] raw = {0};
    shards.forEach(ids -> {
      raw[0] += ids.length;
      b.add(ids);
    });
    return b.build(vocab, raw[0]);
  }

  /** Collects sentences, dropping ids outside [FIRST_WORD, vocabSize) and cutting long ones. */
  public static final class Builder {
    private final int vocabSize;
    private final int maxLength;
    private final List<int[]> sentences = new ArrayList<>();
    private long words;

    public Builder(int vocabSize, int maxSentenceLength) {
      if (maxSentenceLength < 1) {
        throw new IllegalArgumentException("maxSentenceLength must be >= 1, got " + maxSentenceLength);
      }
      this.vocabSize = vocabSize;
      this.maxLength = maxSentenceLength;
    }

    public Builder add(int[] ids) {
      int[] kept = new int[ids.length];
      int n = 0;
      for (int id : ids) {
        if (id >= FIRST_WORD && id < vocabSize) {
          kept[n++] = id;
        }
      }
      for (int from = 0; from < n; from += maxLength) {
        int to = Math.min(n, from + maxLength);
        int[] s = new int[to - from];
        System.arraycopy(kept, from, s, 0, s.length);
        sentences.add(s);
      }
      words += n;
      return this;
    }

    public Corpus build(Vocabulary vocab, long rawTokens) {
      return new Corpus(vocab, List.copyOf(sentences), rawTokens, words);
    }
  }

  /** Word counts by id, as the sampler and subsampling need them (reserved ids: 0). */
  public long[] counts() {
    long[] c = new long[vocabulary.size()];
    for (int i = FIRST_WORD; i < c.length; i++) {
      c[i] = vocabulary.count(i);
    }
    return c;
  }

  /**
   * Deals {@code sentences} to {@code parts} workers in runs of at least {@code chunkWords} words: run c goes to
   * worker c mod parts, order kept within each worker. Every worker then sees every region of the corpus (a corpus
   * of short sentences followed by long ones no longer leaves one thread idle while the other finishes), and one
   * part is the whole list in order.
   */
  public static List<List<int[]>> deal(List<int[]> sentences, int parts, int chunkWords) {
    List<List<int[]>> out = new java.util.ArrayList<>();
    for (int k = 0; k < parts; k++) {
      out.add(new java.util.ArrayList<>());
    }
    int chunk = 0;
    long inChunk = 0;
    for (int[] sentence : sentences) {
      out.get(chunk % parts).add(sentence);
      inChunk += sentence.length;
      if (inChunk >= chunkWords) {
        chunk++;
        inChunk = 0;
      }
    }
    return out;
  }

  /**
   * Cuts {@code sentences} into {@code parts} contiguous slices of about equal word counts (order kept); slice k is
   * [bounds[k], bounds[k+1]).
   */
  public static int[] split(List<int[]> sentences, int parts) {
    long total = 0;
    for (int[] s : sentences) {
      total += s.length;
    }
    int[] bounds = new int[parts + 1];
    long acc = 0;
    int k = 1;
    for (int i = 0; i < sentences.size() && k < parts; i++) {
      acc += sentences.get(i).length;
      while (k < parts && acc * parts >= total * k) {
        bounds[k++] = i + 1;
      }
    }
    while (k <= parts) {
      bounds[k++] = sentences.size();
    }
    return bounds;
  }
}
