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
    Trim trim = Trim.of(shards.vocabulary(), minCount);
    Builder b = new Builder(trim.vocabulary().size(), maxSentenceLength);
    long[] raw = {0};
    shards.forEach(ids -> {
      raw[0] += ids.length;
      b.add(trim.apply(ids));
    });
    return b.build(trim.vocabulary(), raw[0]);
  }

  /**
   * The words of an ingest's vocabulary (vocab.tsv) seen at least {@code minCount} times, as a Word2Vec vocabulary
   * (descending count, then word), and the map from the ingest's ids to its ids. A fresh ingest's vocabulary is in
   * that order already, so its ids are kept as they are ({@code ids} null); one grown by an incremental ingest
   * ({@code ingest.vocabPolicy = extend}) has its new words after the old ones whatever their counts, and the map
   * puts them in their place.
   *
   * @param ids per ingest id, the trained id (-1: not trained), or null when every kept id maps to itself
   */
  public record Trim(Vocabulary vocabulary, int[] ids) {
    public static Trim of(Vocabulary full, int minCount) {
      Vocabulary.Builder vb = Vocabulary.builder();
      for (int i = FIRST_WORD; i < full.size(); i++) {
        if (full.count(i) >= minCount) {
          vb.add(full.token(i), full.count(i));
        }
      }
      Vocabulary vocab = vb.build(1, 0);
      int[] ids = new int[full.size()];
      boolean identity = true;
      for (int i = 0; i < ids.length; i++) {
        ids[i] = i < FIRST_WORD ? i : full.count(i) >= minCount ? vocab.id(full.token(i)) : -1;
        identity &= ids[i] == i || ids[i] == -1 && i >= vocab.size();
      }
      return new Trim(vocab, identity ? null : ids);
    }

    /** An ingested example's ids as trained ids (-1 for a word not trained, which {@link Builder#add} drops). */
    public int[] apply(int[] ingestIds) {
      return apply(ids, ingestIds);
    }

    /** {@link #apply} with the map alone (what executors are sent). */
    public static int[] apply(int[] ids, int[] ingestIds) {
      if (ids == null) {
        return ingestIds;
      }
      int[] out = new int[ingestIds.length];
      for (int k = 0; k < out.length; k++) {
        int id = ingestIds[k];
        out[k] = id >= 0 && id < ids.length ? ids[id] : -1;
      }
      return out;
    }
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
