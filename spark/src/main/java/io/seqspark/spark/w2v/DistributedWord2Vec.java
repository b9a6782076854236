package io.seqspark.spark.w2v;

import io.seqspark.core.w2v.Corpus;
import io.seqspark.core.w2v.SkipGram;
import io.seqspark.core.w2v.SkipGramOptions;
import io.seqspark.core.w2v.Vectors;
import io.seqspark.core.w2v.Word2VecModel;
import io.seqspark.core.w2v.Word2VecTrainer;
import io.seqspark.spark.train.CachedShards;
import java.io.Serializable;
import java.util.ArrayList;
import java.util.List;
import org.apache.spark.api.java.JavaRDD;
import org.apache.spark.api.java.JavaSparkContext;
import org.apache.spark.broadcast.Broadcast;

/**
 * Skip-gram training on Spark in rounds:
 * <pre>
 *   corpus → P contiguous slices of equal word counts, cached on the executors as int arrays
 *   per epoch, per round r of R:
 *     broadcast the current input and output vectors
 *     partition p copies them, runs the local kernel over slice r of its sentences
 *       (random stream from (seed, epoch, p, r); learning rate from the global progress of the round)
 *     returns, for every row it updated, the new row, its update count and its summed step contraction A_p
 *     driver: row ← row + φ(Σ A_p) · Σ_p (row_p − row) / φ(A_p) over the partitions that updated it (see merge)
 * </pre>
 * A partition's change is the sum of one step per occurrence of the word in its slice, so the merge weighs it by
 * those occurrences: words still moving linearly get the summed step sequential SGD would give them, words that
 * settled within the round get the mean of where the partitions settled. A partition that never saw a word adds
 * nothing, and a word seen in one partition only keeps that partition's update exactly. (Averaging the new values
 * divided the step of a word seen by every partition by the partition count; plain summing diverged for frequent
 * words; see docs/DECISIONS.md.) With P = 1 and R = 1 the run equals the local trainer with one
 * thread bit for bit (same slices, same random streams, same learning rates).
 *
 * <p>The merge runs on the driver from the collected rows of all partitions: memory there is the model plus the
 * updated rows of one round (documented limit; a reduceByKey merge is the step beyond).
 */
public final class DistributedWord2Vec {

  private DistributedWord2Vec() {
  }

  /** Settings beyond the kernel's. */
  public record Options(SkipGramOptions sg, int partitions, int roundsPerEpoch, int blockRows) implements Serializable {
    public Options {
      if (partitions < 1 || roundsPerEpoch < 1) {
        throw new IllegalArgumentException("w2v.partitions and w2v.roundsPerEpoch must be >= 1, got " + partitions
            + " and " + roundsPerEpoch);
      }
    }
  }

  /** Called on the driver after each round. */
  public interface Listener {
    void onRound(int epoch, int round, long wordsDone, long totalWords, double lr, double meanLoss, double seconds);
  }

  /** One partition's sentences. */
  public record Part(int index, List<int[]> sentences) implements Serializable {
  }

  /** What a partition sends back after a round: updated rows of both matrices with their update counts. */
  public record RowUpdates(int[] inRows, int[] inCounts, double[] inCurvature, float[] inValues, int[] outRows,
                           int[] outCounts, double[] outCurvature, float[] outValues, long words, double lossSum,
                           long lossTerms) implements Serializable {
  }

  /** Everything a round's tasks need besides their data. */
  public record RoundInput(Vectors in, Vectors out, int epoch, int round) implements Serializable {
  }

  public static Word2VecTrainer.Result train(JavaSparkContext sc, Corpus corpus, Options o, Listener listener) {
    SkipGramOptions sg = o.sg();
    Word2VecModel model = Word2VecModel.initialise(corpus.vocabulary(), sg.dim(), sg.seed(), o.blockRows());
    Word2VecTrainer.Tables tables = Word2VecTrainer.Tables.of(corpus.counts(), corpus.words(), sg.sample());
    int[] bounds = Corpus.split(corpus.sentences(), o.partitions());
    List<Part> parts = new ArrayList<>();
    for (int p = 0; p < o.partitions(); p++) {
      parts.add(new Part(p, new ArrayList<>(corpus.sentences().subList(bounds[p], bounds[p + 1]))));
    }
    // each partition's sentences travel once (a parallelized collection would ship them with every round's task)
    CachedShards<Part> cached = new CachedShards<>(sc, parts);
    JavaRDD<Part> data = cached.rdd();
    Broadcast<Word2VecTrainer.Tables> bt = sc.broadcast(tables);
    long total = corpus.words() * sg.epochs();
    long done = 0;
    double lossSum = 0;
    long lossTerms = 0;
    long t0 = System.nanoTime();
    try {
      for (int e = 0; e < sg.epochs(); e++) {
        for (int r = 0; r < o.roundsPerEpoch(); r++) {
          Broadcast<RoundInput> b = sc.broadcast(new RoundInput(model.in(), model.out(), e, r));
          List<RowUpdates> results = data.map(part -> trainPart(part, b.value(), bt.value(), o)).collect();
          b.destroy();
          merge(model.in(), model.out(), results);
          for (RowUpdates u : results) {
            done += u.words();
            lossSum += u.lossSum();
            lossTerms += u.lossTerms();
          }
          if (listener != null) {
            listener.onRound(e, r, done, total, sg.learningRate((double) done / total),
                lossTerms == 0 ? Double.NaN : lossSum / lossTerms, (System.nanoTime() - t0) / 1e9);
          }
        }
      }
    } finally {
      bt.destroy();
      cached.close();
    }
    return new Word2VecTrainer.Result(model, done, (System.nanoTime() - t0) / 1e9,
        lossTerms == 0 ? Double.NaN : lossSum / lossTerms);
  }

  /** Runs one partition's slice of one round on copies of the broadcast vectors. */
  public static RowUpdates trainPart(Part part, RoundInput in, Word2VecTrainer.Tables tables, Options o) {
    Vectors x = in.in().copy();
    Vectors y = in.out().copy();
    SkipGramOptions sg = o.sg();
    SkipGram k = new SkipGram(x, y, tables.sampler(), tables.keep(), sg, true);
    int[] slice = Corpus.split(part.sentences(), o.roundsPerEpoch());
    int r = in.round();
    long words = k.train(part.sentences(), slice[r], slice[r + 1], SkipGram.unitSeed(sg.seed(), in.epoch(), part.index(), r),
        (in.epoch() + (double) r / o.roundsPerEpoch()) / sg.epochs(), 1.0 / (o.roundsPerEpoch() * sg.epochs()));
    Rows ri = Rows.of(x, k.inUpdates(), k.inCurvature());
    Rows ro = Rows.of(y, k.outUpdates(), k.outCurvature());
    return new RowUpdates(ri.rows, ri.counts, ri.curvature, ri.values, ro.rows, ro.counts, ro.curvature, ro.values, words,
        k.lossSum(), k.lossTerms());
  }

  /** The updated rows of one matrix, packed. */
  private record Rows(int[] rows, int[] counts, double[] curvature, float[] values) {
    static Rows of(Vectors v, int[] updates, double[] curv) {
      int n = 0;
      for (int c : updates) {
        n += c > 0 ? 1 : 0;
      }
      int[] rows = new int[n];
      int[] counts = new int[n];
      double[] curvature = new double[n];
      float[] values = new float[n * v.dim()];
      int k = 0;
      for (int r = 0; r < updates.length; r++) {
        if (updates[r] > 0) {
          rows[k] = r;
          counts[k] = updates[r];
          curvature[k] = curv[r];
          System.arraycopy(v.block(r), v.offset(r), values, k * v.dim(), v.dim());
          k++;
        }
      }
      return new Rows(rows, counts, curvature, values);
    }
  }

  /**
   * Combines the partitions' changes of every row they updated. Each partition reports, per row, its change Δ_p and
   * A_p, the sum over its steps on the row of lr · σ'(z) · |other vector|², the contraction those steps applied along
   * the row's curvature. Model each row's loss as locally quadratic with that curvature: steps of total contraction
   * A move a row the fraction 1 − e^{−A} of its distance to the optimum, which is φ(A) = (1 − e^{−A}) / A times the
   * linear step (all gradients taken at the start). So a partition's linear step is s_p = Δ_p / φ(A_p), the linear
   * steps of the partitions add up, and sequential SGD over all of them moves φ(A) · Σ_p s_p with A = Σ_p A_p:
   * <pre>
   *   row ← row + φ(A) · Σ_p Δ_p / φ(A_p),   φ(a) = (1 − e^{−a}) / a, φ(0) = 1
   * </pre>
   * For rows still moving linearly (A ≪ 1, rare words) that is the sum of the changes, the step sequential SGD
   * gives; for rows that settled within the round (A ≫ 1, frequent words, whose every partition already reached its
   * optimum) it is the A-weighted mean of the changes, since summing those would overshoot P-fold and diverge. A
   * partition that never touched a row adds nothing; a row touched by one partition gets its value exactly (copied,
   * so one partition equals the local trainer bit for bit).
   */
  static void merge(Vectors in, Vectors out, List<RowUpdates> results) {
    mergeInto(in, results, true);
    mergeInto(out, results, false);
  }

  /** φ(a) = (1 − e^{−a}) / a: the fraction of its linear step a row with contraction a takes. */
  static double settled(double a) {
    return a < 1e-12 ? 1 : -Math.expm1(-a) / a;
  }

  private static void mergeInto(Vectors v, List<RowUpdates> results, boolean input) {
    int[] touches = new int[v.rows()];
    double[] total = new double[v.rows()];
    for (RowUpdates u : results) {
      int[] rows = input ? u.inRows() : u.outRows();
      double[] curv = input ? u.inCurvature() : u.outCurvature();
      for (int k = 0; k < rows.length; k++) {
        touches[rows[k]]++;
        total[rows[k]] += curv[k];
      }
    }
    // the broadcast value of every row more than one partition changed (the base their changes are taken from)
    int[] slot = new int[v.rows()];
    int shared = 0;
    for (int r = 0; r < slot.length; r++) {
      slot[r] = touches[r] > 1 ? shared++ : -1;
    }
    int dim = v.dim();
    float[] base = new float[Math.multiplyExact(shared, dim)];
    for (int r = 0; r < slot.length; r++) {
      if (slot[r] >= 0) {
        System.arraycopy(v.block(r), v.offset(r), base, slot[r] * dim, dim);
      }
    }
    for (RowUpdates u : results) {
      int[] rows = input ? u.inRows() : u.outRows();
      double[] curv = input ? u.inCurvature() : u.outCurvature();
      float[] values = input ? u.inValues() : u.outValues();
      for (int k = 0; k < rows.length; k++) {
        int r = rows[k];
        float[] b = v.block(r);
        int off = v.offset(r);
        if (slot[r] < 0) {
          System.arraycopy(values, k * dim, b, off, dim);
          continue;
        }
        int bo = slot[r] * dim;
        float w = (float) (settled(total[r]) / settled(curv[k]));
        for (int d = 0; d < dim; d++) {
          b[off + d] += w * (values[k * dim + d] - base[bo + d]);
        }
      }
    }
  }
}
