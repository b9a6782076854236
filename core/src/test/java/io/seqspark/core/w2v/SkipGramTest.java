package io.seqspark.core.w2v;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

class SkipGramTest {

  @Test
  void oneThread_sameSeed_isBitForBitReproducible_andSeedMatters() {
    Corpus c = W2vFixtures.topics(300, 1);
    Word2VecModel a = Word2VecTrainer.train(c, W2vFixtures.options(1), 0, null, 1).model();
    Word2VecModel b = Word2VecTrainer.train(c, W2vFixtures.options(1), 0, null, 1).model();
    assertTrue(a.in().sameValues(b.in()) && a.out().sameValues(b.out()));
    SkipGramOptions other = new SkipGramOptions(8, 3, 3, 0, 0.05, 1e-4, 2, 1, 8, false);
    assertFalse(a.in().sameValues(Word2VecTrainer.train(c, other, 0, null, 1).model().in()));
  }

  @Test
  void tinyBlocks_giveTheSameResultAsOneBlock_bitForBit() {
    Corpus c = W2vFixtures.topics(300, 2);
    Word2VecModel one = Word2VecTrainer.train(c, W2vFixtures.options(1), 0, null, 1).model();
    Word2VecModel tiny = Word2VecTrainer.train(c, W2vFixtures.options(1), 2, null, 1).model();
    assertEquals(1, one.in().layout().blocks());
    // 24 rows in blocks of 2 rows: every pair of rows crosses into another array
    assertEquals((c.vocabulary().size() + 1) / 2, tiny.in().layout().blocks());
    assertTrue(one.in().sameValues(tiny.in()), "input vectors differ between block layouts");
    assertTrue(one.out().sameValues(tiny.out()), "output vectors differ between block layouts");
  }

  @Test
  void layout_beyondOneJavaArray_isComputedInLongsWithoutAllocating() {
    // 10M words x 300 dims = 3e9 floats > Integer.MAX_VALUE
    Vectors.Layout l = Vectors.Layout.of(10_000_000L, 300);
    assertEquals(3_000_000_000L, l.totalFloats());
    assertTrue(l.totalFloats() > Integer.MAX_VALUE);
    // default block: largest power of two with blockRows * 300 <= 2^26 floats
    assertEquals(131_072, l.blockRows());
    assertTrue((long) l.blockRows() * 300 <= Vectors.DEFAULT_BLOCK_FLOATS);
    assertEquals((10_000_000 + 131_071) / 131_072, l.blocks());
    long sum = 0;
    for (int b = 0; b < l.blocks(); b++) {
      sum += l.rowsInBlock(b);
    }
    assertEquals(10_000_000L, sum);
    assertEquals(10_000_000 - 76L * 131_072, l.rowsInBlock(l.blocks() - 1));
    // 2M x 300, the example, also spans several blocks
    assertEquals(16, Vectors.Layout.of(2_000_000, 300).blocks());
    assertThrows(IllegalArgumentException.class, () -> new Vectors.Layout(10, 3, 6));
  }

  @Test
  void training_putsWordsOfOneTopicCloserThanWordsOfTheOther() {
    Corpus c = W2vFixtures.topics(600, 3);
    SkipGramOptions o = new SkipGramOptions(8, 3, 3, 0, 0.05, 1e-4, 3, 2, 7, false);
    Word2VecTrainer.Result r = Word2VecTrainer.train(c, o, 0, null, 1);
    WordVectors wv = WordVectors.of(r.model());
    var index = wv.index(false, wv.size());
    double same = 0;
    double cross = 0;
    for (int i = 0; i < W2vFixtures.TOPIC_WORDS; i++) {
      for (int j = 0; j < W2vFixtures.TOPIC_WORDS; j++) {
        if (i != j) {
          same += EmbeddingEvaluation.cosine(wv.vector(index.get("a" + i)), wv.vector(index.get("a" + j)));
        }
        cross += EmbeddingEvaluation.cosine(wv.vector(index.get("a" + i)), wv.vector(index.get("b" + j)));
      }
    }
    same /= W2vFixtures.TOPIC_WORDS * (W2vFixtures.TOPIC_WORDS - 1);
    cross /= W2vFixtures.TOPIC_WORDS * W2vFixtures.TOPIC_WORDS;
    assertTrue(same > cross + 0.5, "mean cosine within a topic " + same + ", across " + cross);
    // the loss estimate is below the untrained value: at x.y = 0 each term is log 2
    assertTrue(r.meanLoss() < Math.log(2), "loss " + r.meanLoss());
  }

  @Test
  void negativeSampler_drawsProportionalToCountPowerThreeQuarters() {
    long[] counts = {0, 0, 0, 0, 1000, 100, 10, 0, 1};
    NegativeSampler s = new NegativeSampler(counts, 4, 0.75);
    int[] hist = new int[counts.length];
    long state = 99;
    int n = 2_000_000;
    for (int i = 0; i < n; i++) {
      state += 0x9E3779B97F4A7C15L;
      hist[s.sample(SkipGram.mix(state))]++;
    }
    double z = Math.pow(1000, .75) + Math.pow(100, .75) + Math.pow(10, .75) + 1;
    for (int w = 0; w < counts.length; w++) {
      double p = counts[w] == 0 ? 0 : Math.pow(counts[w], .75) / z;
      // 5 binomial standard deviations
      double tol = 5 * Math.sqrt(n * p * (1 - p)) + 1e-9;
      assertEquals(n * p, hist[w], tol, "word " + w);
    }
  }

  @Test
  void subsampling_followsWord2vecsFormula() {
    long total = 1_000_000;
    long[] keep = SkipGram.keepThresholds(new long[] {0, 100_000, 1_000, 10}, total, 1e-3);
    // count 100,000 of 1e6 with t = 1e-3: (sqrt(0.1/0.001) + 1) * 0.001 / 0.1 = 11 * 0.01 = 0.11
    assertEquals(0.11, keep[1] / 4294967296.0, 1e-9);
    // rarer words are always kept: (sqrt(1) + 1) * 1 = 2 >= 1
    assertEquals(1L << 32, keep[2]);
    assertEquals(1L << 32, keep[3]);
  }
}
