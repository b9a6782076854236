package io.seqspark.core.w2v;

import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * Words and their vectors, most frequent first (the order word2vec files and our models keep): word i is row
 * {@code firstRow + i} of {@code vectors}. What the formats read and write and what evaluation scores, whether the
 * vectors came from a seqspark model or another tool's file.
 */
public record WordVectors(List<String> words, Vectors vectors, int firstRow) {

  /** A trained model's input vectors, reserved rows left out. */
  public static WordVectors of(Word2VecModel m) {
    List<String> words = new java.util.ArrayList<>(m.vocabulary().size() - Corpus.FIRST_WORD);
    for (int i = Corpus.FIRST_WORD; i < m.vocabulary().size(); i++) {
      words.add(m.vocabulary().token(i));
    }
    return new WordVectors(List.copyOf(words), m.in(), Corpus.FIRST_WORD);
  }

  public int size() {
    return words.size();
  }

  public int dim() {
    return vectors.dim();
  }

  public float[] vector(int i) {
    return vectors.row(firstRow + i);
  }

  /** Word → index; with {@code lowercase}, the first (most frequent) word of each lower-cased spelling wins. */
  public Map<String, Integer> index(boolean lowercase, int limit) {
    Map<String, Integer> m = new HashMap<>();
    for (int i = 0; i < Math.min(limit, words.size()); i++) {
      m.putIfAbsent(lowercase ? words.get(i).toLowerCase(Locale.ROOT) : words.get(i), i);
    }
    return m;
  }
}
