package io.seqspark.spark.w2v;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.seqspark.core.data.Vocabulary;
import io.seqspark.core.w2v.Corpus;
import io.seqspark.core.w2v.SkipGramOptions;
import io.seqspark.core.w2v.Vectors;
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
    return corpus(200, (s, i) -> s < 100 && i == 5 ? "only0" : "w" + r.nextInt(20));
  }

  /** {@code sentences} sentences of 10 words, word i of sentence s from {@code word}; vocabulary from the same words. */
  static Corpus corpus(int sentences, java.util.function.BiFunction<Integer, Integer, String> word) {
    List<String[]> lines = new ArrayList<>();
    Vocabulary.Builder vb = Vocabulary.builder();
    for (int s = 0; s < sentences; s++) {
      String[] line = new String[10];
      for (int i = 0; i < line.length; i++) {
        line[i] = word.apply(s, i);
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

  /** Through the parameter channel (the default transport of these options), so the channel moves the floats exactly. */
  @Test
  void onePartition_equalsTheLocalTrainerWithOneThread_bitForBit() {
    Corpus c = corpus();
    Word2VecModel local = Word2VecTrainer.train(c, options(), 0, null, 1).model();
    Word2VecTrainer.Result dist = DistributedWord2Vec.train(sc, c, new DistributedWord2Vec.Options(options(), 1, 1, 0), null);
    assertTrue(local.in().sameValues(dist.model().in()), "input vectors differ");
    assertTrue(local.out().sameValues(dist.model().out()), "output vectors differ");
    assertEquals(c.words() * 2, dist.words());
  }

  /**
   * The parameter channel (spark.transport = direct) and Spark's broadcast/collect move the same floats: several
   * partitions and rounds, so rows travel both ways many times and the merge combines changes of several partitions.
   */
  @Test
  void bothTransports_giveIdenticalVectors() {
    Corpus c = corpus();
    DistributedWord2Vec.Options direct = new DistributedWord2Vec.Options(options(), 3, 4, 0);
    Word2VecModel viaChannel = DistributedWord2Vec.train(sc, c, direct, null).model();
    Word2VecModel viaSpark = DistributedWord2Vec.train(sc, c, direct.withDirect(false), null).model();
    assertTrue(viaChannel.in().sameValues(viaSpark.in()), "input vectors differ between transports");
    assertTrue(viaChannel.out().sameValues(viaSpark.out()), "output vectors differ between transports");
    Word2VecModel start = Word2VecModel.initialise(c.vocabulary(), options().dim(), options().seed(), 0);
    assertFalse(start.in().sameValues(viaChannel.in()), "training moved the vectors");
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

  /**
   * Rows with no contraction (A = 0: still moving linearly) get the sum of the partitions' changes; rows that settled
   * (A = 50 in each partition: φ(100) / φ(50) = 0.5 to double precision, e^{−50} being below its resolution) get
   * their mean; rows one partition touched get its value.
   */
  @Test
  void merge_sumsLinearChanges_averagesSettledOnes() {
    Vectors in = new Vectors(Vectors.Layout.of(3, 2));
    Vectors out = new Vectors(Vectors.Layout.of(3, 2));
    float[][] base = {{1f, 2f}, {3f, 4f}, {5f, 6f}};
    for (int r = 0; r < 3; r++) {
      in.setRow(r, base[r]);
      out.setRow(r, base[r]);
    }
    // partition 0 changed rows 0 and 1, partition 1 rows 1 and 2; input rows linear, output rows settled
    float[] v0 = {1.5f, 2.5f, 3.25f, 4f};
    float[] v1 = {2.5f, 4.5f, 5f, 7f};
    DistributedWord2Vec.RowUpdates p0 = new DistributedWord2Vec.RowUpdates(new int[] {0, 1}, new int[] {3, 1},
        new double[] {0, 0}, v0, new int[] {0, 1}, new int[] {3, 1}, new double[] {50, 50}, v0, 0, 0, 0);
    DistributedWord2Vec.RowUpdates p1 = new DistributedWord2Vec.RowUpdates(new int[] {1, 2}, new int[] {2, 7},
        new double[] {0, 0}, v1, new int[] {1, 2}, new int[] {2, 7}, new double[] {50, 50}, v1, 0, 0, 0);
    DistributedWord2Vec.merge(in, out, List.of(p0, p1));
    assertArrayEquals(new float[] {1.5f, 2.5f}, in.row(0), 0f, "row seen by partition 0 only: its value");
    // changes (+0.25, 0) and (-0.5, +0.5)
    assertArrayEquals(new float[] {2.75f, 4.5f}, in.row(1), 0f, "linear row seen by both: the sum of both changes");
    assertArrayEquals(new float[] {5f, 7f}, in.row(2), 0f, "row seen by partition 1 only: its value");
    assertArrayEquals(new float[] {2.875f, 4.25f}, out.row(1), 0f, "settled row seen by both: the mean change");
    assertArrayEquals(new float[] {5f, 7f}, out.row(2), 0f);
  }

  /**
   * w2v.mergeCurvature scales every contraction before the merge weighs: with factor 0.02, rows that reported A = 50
   * in each of two partitions count as A = 1 each, 2 together, so each change enters with φ(2) / φ(1) = 0.6839
   * (between the sum, 1, and the mean, 0.5, they got at factor 1); factor 0 sums every row's changes.
   */
  @Test
  void mergeCurvature_scalesTheContractionBetweenSumAndMean() {
    float[][] base = {{1f, 2f}, {3f, 4f}};
    float[] v0 = {1.5f, 2.5f, 3.25f, 4f};
    float[] v1 = {1f, 2f, 5f, 7f};
    for (double scale : new double[] {0.02, 0}) {
      Vectors in = new Vectors(Vectors.Layout.of(2, 2));
      Vectors out = new Vectors(Vectors.Layout.of(2, 2));
      for (int r = 0; r < 2; r++) {
        in.setRow(r, base[r]);
        out.setRow(r, base[r]);
      }
      DistributedWord2Vec.RowUpdates p0 = new DistributedWord2Vec.RowUpdates(new int[] {0, 1}, new int[] {1, 1},
          new double[] {50, 50}, v0, new int[0], new int[0], new double[0], new float[0], 0, 0, 0);
      DistributedWord2Vec.RowUpdates p1 = new DistributedWord2Vec.RowUpdates(new int[] {0, 1}, new int[] {1, 1},
          new double[] {50, 50}, v1, new int[0], new int[0], new double[0], new float[0], 0, 0, 0);
      DistributedWord2Vec.merge(in, out, List.of(p0, p1), scale);
      double w = scale == 0 ? 1 : (-Math.expm1(-2) / 2) / -Math.expm1(-1);
      // row 1: changes (+0.25, 0) and (+2, +3)
      assertArrayEquals(new float[] {(float) (3 + w * 2.25), (float) (4 + w * 3)}, in.row(1), 1e-6f, "scale " + scale);
    }
  }

  /**
   * Words w0..w19 in 4 topics of 5; every sentence draws its 10 words from one topic, so after training words of
   * the same topic are more similar than words of different topics. One epoch at a small learning rate is early
   * training, where that separation grows with the total step each word received. Every word occurs in every
   * partition, so averaging the partitions' new values (the old merge) gives each word 1/P of the step sequential
   * SGD gives it, and about 1/P of the 1-partition separation (measured: 0.24 of it at P = 4). The merge, which in
   * this linear regime (small steps, A ≪ 1) sums the changes, gives the sequential step from vectors at most one
   * round stale, so about the 1-partition separation (measured: 0.95 of it with 4 rounds, 0.48 with 1 round, where
   * the output vectors every partition starts from are still zero). The bound is halfway between the two
   * predictions, (1 + 1/P) / 2 of the 1-partition separation, at 4 rounds per epoch.
   */
  @Test
  void fourPartitions_keepTheTopicStructureOfOnePartition() {
    Random rnd = new Random(11);
    int[] topic = {0};
    Corpus c = corpus(400, (s, i) -> {
      if (i == 0) {
        topic[0] = rnd.nextInt(4); // one topic per sentence, drawn before its first word as before
      }
      return "w" + (topic[0] * 5 + rnd.nextInt(5));
    });
    Vocabulary vocab = c.vocabulary();
    SkipGramOptions o = new SkipGramOptions(16, 3, 3, 0, 0.005, 1e-4, 1, 1, 7, false);
    int partitions = 4;
    double one = topicSeparation(DistributedWord2Vec.train(sc, c, new DistributedWord2Vec.Options(o, 1, 1, 0), null).model(), vocab);
    double many = topicSeparation(
        DistributedWord2Vec.train(sc, c, new DistributedWord2Vec.Options(o, partitions, 4, 0), null).model(), vocab);
    double bound = (1 + 1.0 / partitions) / 2;
    assertTrue(one > 0, "one partition learns the topics at all: separation " + one);
    assertTrue(many >= bound * one, partitions + " partitions: separation " + many + " < " + bound + " x " + one);
  }

  /** Mean cosine of input vectors of same-topic word pairs minus that of different-topic pairs. */
  static double topicSeparation(Word2VecModel m, Vocabulary vocab) {
    double same = 0;
    double diff = 0;
    int ns = 0;
    int nd = 0;
    for (int a = 0; a < 20; a++) {
      for (int b = a + 1; b < 20; b++) {
        double cos = cosine(m.in().row(vocab.id("w" + a)), m.in().row(vocab.id("w" + b)));
        if (a / 5 == b / 5) {
          same += cos;
          ns++;
        } else {
          diff += cos;
          nd++;
        }
      }
    }
    return same / ns - diff / nd;
  }

  static double cosine(float[] x, float[] y) {
    double xy = 0;
    double xx = 0;
    double yy = 0;
    for (int i = 0; i < x.length; i++) {
      xy += x[i] * y[i];
      xx += x[i] * x[i];
      yy += y[i] * y[i];
    }
    return xy / Math.sqrt(xx * yy);
  }
}
