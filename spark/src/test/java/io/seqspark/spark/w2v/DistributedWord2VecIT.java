package io.seqspark.spark.w2v;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.seqspark.core.data.Vocabulary;
import io.seqspark.core.w2v.Corpus;
import io.seqspark.core.w2v.SkipGramOptions;
import io.seqspark.core.w2v.Word2VecModel;
import io.seqspark.core.w2v.Word2VecTrainer;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import org.apache.spark.SparkConf;
import org.apache.spark.api.java.JavaSparkContext;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** Distributed skip-gram in Spark local[2] against the local trainer. */
class DistributedWord2VecIT {
  static JavaSparkContext sc;

  @BeforeAll
  static void spark() {
    sc = new JavaSparkContext(new SparkConf().setMaster("local[2]").setAppName("DistributedWord2VecIT")
        .set("spark.ui.enabled", "false").set("spark.driver.host", "127.0.0.1"));
  }

  @AfterAll
  static void stop() {
    sc.stop();
  }

  /** Sentences over words w0..w19; the word "only0" occurs in the first half of the corpus only. */
  static Corpus corpus() {
    Random r = new Random(3);
    List<String[]> lines = new ArrayList<>();
    Vocabulary.Builder vb = Vocabulary.builder();
    for (int s = 0; s < 200; s++) {
      String[] line = new String[10];
      for (int i = 0; i < line.length; i++) {
        line[i] = s < 100 && i == 5 ? "only0" : "w" + r.nextInt(20);
        vb.add(line[i]);
      }
      lines.add(line);
    }
    Vocabulary vocab = vb.build(1, 0);
    Corpus.Builder cb = new Corpus.Builder(vocab.size(), 1000);
    for (String[] l : lines) {
      cb.add(vocab.encode(List.of(l)));
    }
    return cb.build(vocab, 2000);
  }

  static SkipGramOptions options() {
    return new SkipGramOptions(8, 3, 3, 1e-2, 0.05, 1e-4, 2, 1, 5, false);
  }

  @Test
  void onePartition_equalsTheLocalTrainerWithOneThread_bitForBit() {
    Corpus c = corpus();
    Word2VecModel local = Word2VecTrainer.train(c, options(), 0, null, 1).model();
    Word2VecTrainer.Result dist = DistributedWord2Vec.train(sc, c, new DistributedWord2Vec.Options(options(), 1, 1, 0), null);
    assertTrue(local.in().sameValues(dist.model().in()), "input vectors differ");
    assertTrue(local.out().sameValues(dist.model().out()), "output vectors differ");
    assertEquals(c.words() * 2, dist.words());
  }

  @Test
  void aWordUnseenByOnePartition_keepsTheOtherPartitionsUpdate() {
    Corpus c = corpus();
    SkipGramOptions one = options().withEpochs(1);
    DistributedWord2Vec.Options o = new DistributedWord2Vec.Options(one, 2, 1, 0);
    Word2VecModel merged = DistributedWord2Vec.train(sc, c, o, null).model();
    // partition 0 alone, from the same start, with the same random stream as in the Spark task
    Word2VecModel start = Word2VecModel.initialise(c.vocabulary(), one.dim(), one.seed(), 0);
    int[] bounds = Corpus.split(c.sentences(), 2);
    DistributedWord2Vec.Part p0 = new DistributedWord2Vec.Part(0, c.sentences().subList(bounds[0], bounds[1]));
    DistributedWord2Vec.RowUpdates u0 = DistributedWord2Vec.trainPart(p0,
        new DistributedWord2Vec.RoundInput(start.in(), start.out(), 0, 0),
        Word2VecTrainer.Tables.of(c.counts(), c.words(), one.sample()), o);
    int only0 = c.vocabulary().id("only0");
    int k = java.util.Arrays.binarySearch(u0.inRows(), only0);
    assertTrue(k >= 0, "partition 0 updated only0");
    float[] expected = java.util.Arrays.copyOfRange(u0.inValues(), k * one.dim(), (k + 1) * one.dim());
    assertArrayEquals(expected, merged.in().row(only0), 0f);
    // and that update is a real move away from the start (an unweighted mean with partition 1 would halve it)
    assertFalse(java.util.Arrays.equals(start.in().row(only0), expected));
  }
}
