package io.seqspark.core.task;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.seqspark.core.data.Batch;
import io.seqspark.core.data.PairBatch;
import io.seqspark.core.data.Vocabulary;
import io.seqspark.core.model.Seq2Seq;
import io.seqspark.core.model.Seq2SeqSpec;
import io.seqspark.core.nn.Attention;
import io.seqspark.core.train.Optimizer;
import io.seqspark.core.train.TrainStep;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.SplittableRandom;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.nd4j.linalg.api.buffer.DataType;

/**
 * N-best translation and unknown-word replacement. The trained case is a copy task whose vocabularies lack words: the
 * source knows a..h, the target only a..f, and training sources also hold rare words (q0..q9) that neither knows. The
 * model learns to copy, writing {@code <unk>} for g, h and every rare word; with replacement its output must be the
 * source sentence itself, word for word, for held-out sentences with unknown words nobody saw.
 */
class TranslationsTest {
  private static final List<String> SOURCE_WORDS = List.of("a", "b", "c", "d", "e", "f", "g", "h");
  private static Vocabulary src;
  private static Vocabulary tgt;
  private static Seq2Seq model;

  private static Vocabulary vocabulary(List<String> words) {
    String[] tokens = new String[4 + words.size()];
    long[] counts = new long[tokens.length];
    for (int i = 0; i < 4; i++) {
      tokens[i] = Vocabulary.SPECIALS.get(i);
    }
    for (int i = 0; i < words.size(); i++) {
      tokens[4 + i] = words.get(i);
      counts[4 + i] = 1;
    }
    return Vocabulary.ofRanked(tokens, counts);
  }

  /** 3 to 6 words: mostly a..h, one in eight a rare word q0..q9. */
  private static List<String> sentence(SplittableRandom r) {
    List<String> w = new ArrayList<>();
    for (int i = r.nextInt(3, 7); i > 0; i--) {
      w.add(r.nextInt(8) == 0 ? "q" + r.nextInt(10) : SOURCE_WORDS.get(r.nextInt(8)));
    }
    return w;
  }

  private static int[] withEos(int[] w) {
    int[] s = Arrays.copyOf(w, w.length + 1);
    s[w.length] = Vocabulary.EOS_ID;
    return s;
  }

  private static PairBatch pairs(int[][] sources, int[][] targets) {
    int rows = sources.length;
    int[][] zeros = new int[rows][];
    int[][] tin = new int[rows][];
    int[][] tout = new int[rows][];
    long[] ids = new long[rows];
    for (int r = 0; r < rows; r++) {
      zeros[r] = new int[sources[r].length];
      int n = targets[r].length;
      tin[r] = new int[n + 1];
      tout[r] = new int[n + 1];
      tin[r][0] = Vocabulary.BOS_ID;
      System.arraycopy(targets[r], 0, tin[r], 1, n);
      System.arraycopy(targets[r], 0, tout[r], 0, n);
      tout[r][n] = Vocabulary.EOS_ID;
      ids[r] = r;
    }
    return new PairBatch(Batch.padded(sources, zeros, ids), Batch.padded(tin, tout, ids));
  }

  @BeforeAll
  static void train() {
    src = vocabulary(SOURCE_WORDS);
    tgt = vocabulary(SOURCE_WORDS.subList(0, 6));
    model = new Seq2Seq(new Seq2SeqSpec(src.size(), tgt.size(), 16, 32, 1, 1, "gru", true, Attention.Score.GENERAL, 0,
        false, 0.0, 0.0, 0.1), DataType.FLOAT, 1);
    TrainStep<PairBatch> step = new TrainStep<>(model, Optimizer.create("adam", model.params().size(), DataType.FLOAT,
        0.9, 0.999, 1e-8), 5.0, TrainStep.LossScale.TOKENS);
    SplittableRandom rng = new SplittableRandom(5);
    for (int s = 1; s <= 300; s++) {
      int[][] in = new int[32][];
      int[][] out = new int[32][];
      for (int r = 0; r < 32; r++) {
        List<String> w = sentence(rng);
        in[r] = withEos(src.encode(w));
        out[r] = tgt.encode(w);
      }
      step.run(pairs(in, out), 0.01, s, 7);
    }
  }

  private static List<List<String>> heldOut() {
    List<List<String>> out = new ArrayList<>();
    out.add(List.of("a", "zebra", "c"));
    out.add(List.of("h", "b", "g", "b", "oslo"));
    out.add(List.of("kant", "d", "e", "hegel"));
    SplittableRandom r = new SplittableRandom(77);
    for (int i = 0; i < 40; i++) {
      out.add(sentence(r));
    }
    return out;
  }

  @Test
  void replaceUnknown_copiesTheSourceWordsTheModelCouldNotWrite() {
    List<List<String>> sentences = heldOut();
    for (int beam : new int[] {1, 3}) {
      TranslateFamily.Decoding d = new TranslateFamily.Decoding(beam, 0.6, 1.5, 10);
      List<List<Translations.Hypothesis>> plain = Translations.translate(model, src, tgt, sentences, d, 1, false, 16);
      List<List<Translations.Hypothesis>> replaced = Translations.translate(model, src, tgt, sentences, d, 1, true, 16);
      for (int i = 0; i < sentences.size(); i++) {
        List<String> expectedPlain = new ArrayList<>();
        for (String w : sentences.get(i)) {
          expectedPlain.add(tgt.contains(w) ? w : "<unk>");
        }
        assertEquals(expectedPlain, plain.get(i).get(0).tokens(), "beam " + beam + ": the copy without replacement");
        assertEquals(sentences.get(i), replaced.get(i).get(0).tokens(), "beam " + beam + ": the copy with replacement");
        assertEquals(plain.get(i).get(0).logProbability(), replaced.get(i).get(0).logProbability(), 0,
            "replacement changes words, not the search");
      }
    }
  }

  @Test
  void nBest_listsDistinctHypothesesBestFirst_theFirstBeingTheOneBestTranslation() {
    List<List<String>> sentences = heldOut().subList(0, 8);
    TranslateFamily.Decoding d = new TranslateFamily.Decoding(5, 0.6, 1.5, 10);
    List<List<Translations.Hypothesis>> five = Translations.translate(model, src, tgt, sentences, d, 5, false, 3);
    List<List<Translations.Hypothesis>> one = Translations.translate(model, src, tgt, sentences, d, 1, false, 8);
    List<TranslateFamily.Translation> reference = TranslateFamily.translate(model, src, tgt, sentences, d, 8);
    for (int i = 0; i < sentences.size(); i++) {
      List<Translations.Hypothesis> hs = five.get(i);
      assertEquals(5, hs.size(), "a beam of 5 finishes at least 5 hypotheses");
      assertEquals(reference.get(i).tokens(), hs.get(0).tokens(), "the first is what translate writes");
      assertEquals(one.get(i).get(0).tokens(), hs.get(0).tokens());
      for (int k = 0; k < hs.size(); k++) {
        Translations.Hypothesis h = hs.get(k);
        assertEquals(h.logProbability() / Math.pow((5.0 + h.tokens().size() + 1) / 6, 0.6), h.score(), 1e-12,
            "the score is the length-penalised log-probability");
        assertEquals(h.tokens().size() + 1, h.attention().length, "a row per word and one for </s>");
        assertEquals(sentences.get(i).size() + 1, h.attention()[0].length, "over the source words and its </s>");
        if (k > 0) {
          assertTrue(hs.get(k - 1).score() >= h.score(), "best first");
          for (int j = 0; j < k; j++) {
            assertTrue(!hs.get(j).tokens().equals(h.tokens()), "distinct hypotheses");
          }
        }
      }
      assertEquals(String.format(java.util.Locale.ROOT, "%d\t%.4f\t%.4f\t%s", 7, hs.get(1).score(),
          hs.get(1).logProbability(), String.join(" ", hs.get(1).tokens())), Translations.nBestLine(7, hs.get(1)));
    }
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
        () -> Translations.translate(model, src, tgt, sentences, d, 6, false, 8));
    assertTrue(e.getMessage().contains("nbest = 6 with beam 5"), e.getMessage());
  }

  @Test
  void replaceUnknown_takesTheArgmaxOverRealSourceWords_byHand() {
    double[][] att = {
        {0.1, 0.7, 0.2, 0.0},   // <unk> -> "y" (position 1)
        {0.5, 0.1, 0.1, 0.3},   // a known word: kept
        {0.2, 0.1, 0.3, 0.4},   // <unk>: </s> (position 3) weighs most but is no word -> "z" (position 2)
        {0.4, 0.4, 0.1, 0.1}};  // <unk>: a tie -> the first, "x"
    assertEquals(List.of("y", "b", "z", "x"),
        Translations.replaceUnknown(List.of("<unk>", "b", "<unk>", "<unk>"), List.of("x", "y", "z"), att));
    assertEquals(List.of("<unk>"), Translations.replaceUnknown(List.of("<unk>"), List.of(), new double[][] {{1.0}}),
        "an empty source has no word to copy");
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
        () -> Translations.replaceUnknown(List.of("a", "<unk>"), List.of("x"), new double[][] {{1, 0}}));
    assertTrue(e.getMessage().contains("output word 1"), e.getMessage());
  }

  @Test
  void emptySentence_hasOneEmptyHypothesis() {
    List<List<Translations.Hypothesis>> t = Translations.translate(model, src, tgt, List.of(List.of(), List.of("a")),
        new TranslateFamily.Decoding(3, 0.6, 1.5, 10), 2, true, 8);
    assertEquals(1, t.get(0).size());
    assertEquals(List.of(), t.get(0).get(0).tokens());
    assertEquals(2, t.get(1).size());
  }
}
