package io.seqspark.core.w2v;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

import io.seqspark.core.data.Vocabulary;
import org.junit.jupiter.api.Test;

/** Word2Vec's vocabulary from an ingest's vocab.tsv, sorted (a fresh ingest) or grown by an incremental one. */
class CorpusTrimTest {
  private static final String[] SPECIALS = Vocabulary.SPECIALS.toArray(new String[0]);

  private static Vocabulary vocab(String[] words, long[] counts) {
    String[] t = new String[SPECIALS.length + words.length];
    long[] c = new long[t.length];
    System.arraycopy(SPECIALS, 0, t, 0, SPECIALS.length);
    System.arraycopy(words, 0, t, SPECIALS.length, words.length);
    System.arraycopy(counts, 0, c, SPECIALS.length, counts.length);
    return Vocabulary.of(t, c);
  }

  @Test
  void aSortedVocabulary_keepsItsIds_andCutsAtMinCount() {
    Corpus.Trim t = Corpus.Trim.of(vocab(new String[] {"the", "cat", "sat"}, new long[] {9, 5, 1}), 2);
    assertNull(t.ids(), "a fresh ingest's ids are the trained ids");
    assertEquals(Corpus.FIRST_WORD + 2, t.vocabulary().size());
    int[] ex = {Corpus.FIRST_WORD, Corpus.FIRST_WORD + 2};
    assertArrayEquals(ex, t.apply(ex), "the example as it is: the builder drops the cut word");
  }

  @Test
  void anExtendedVocabulary_mapsItsAppendedWordsToTheirPlaceByCount() {
    // ingest.vocabPolicy = extend appended "dog" (7) and "ant" (1) after the old words, whatever their counts
    Corpus.Trim t = Corpus.Trim.of(vocab(new String[] {"the", "cat", "dog", "ant"}, new long[] {9, 5, 7, 1}), 2);
    Vocabulary v = t.vocabulary();
    assertEquals("dog", v.token(Corpus.FIRST_WORD + 1), "sorted by descending count");
    int w = Corpus.FIRST_WORD;
    assertArrayEquals(new int[] {w, w + 2, w + 1, -1}, t.apply(new int[] {w, w + 1, w + 2, w + 3}));
    Corpus.Builder b = new Corpus.Builder(v.size(), 100);
    b.add(t.apply(new int[] {w + 3, w + 2, w, 1}));
    assertArrayEquals(new int[] {w + 1, w}, b.build(v, 4).sentences().get(0),
        "dog then the; the cut word and the reserved id are dropped");
  }
}
