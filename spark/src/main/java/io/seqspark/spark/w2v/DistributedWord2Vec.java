package io.seqspark.spark.w2v;

import io.seqspark.core.w2v.Corpus;
import io.seqspark.core.w2v.SkipGram;
import io.seqspark.core.w2v.SkipGramOptions;
import io.seqspark.core.w2v.Vectors;
import io.seqspark.core.w2v.Word2VecModel;
import io.seqspark.core.w2v.Word2VecTrainer;
import io.seqspark.spark.train.CachedShards;
import io.seqspark.spark.train.ParameterChannel;
import java.io.Serializable;
import java.lang.ref.Reference;
import java.util.ArrayList;
import java.util.List;
import org.apache.spark.TaskContext;
import org.apache.spark.api.java.JavaRDD;
import org.apache.spark.api.java.JavaSparkContext;
import org.apache.spark.broadcast.Broadcast;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

/**
 * Skip-gram training on Spark in rounds:
 * <pre>
 *   corpus → P slices of equal word counts (contiguous, or dealt in 10k-word runs), cached on the executors;
 *     or, from an ingest output, the shard pieces ShardPlan assigns, read by the executors ({@link ShardCorpus})
 *   per epoch, per round r of R:
 *     driver publishes the current input and output vectors on its parameter channel (spark.transport = direct;
 *       or broadcasts them with spark.transport = spark)
 *     partition p fetches them, runs the local kernel over slice r of its sentences
 *       (random stream from (seed, epoch, p, r); learning rate from the global progress of the round)
 *     and uploads, for every row it updated, the new row, its update count and its summed step contraction A_p
 *       (or returns them as its task result)
 *     driver: row ← row + φ(c·Σ A_p) · Σ_p (row_p − row) / φ(c·A_p) over the partitions that updated it (see merge)
 * </pre>
 * A partition's change is the sum of one step per occurrence of the word in its slice, so the merge weighs it by
 * those occurrences: words still moving linearly get the summed step sequential SGD would give them, words that
 * settled within the round get the mean of where the partitions settled. A partition that never saw a word adds
 * nothing, and a word seen in one partition only keeps that partition's update exactly. (Averaging the new values
 * divided the step of a word seen by every partition by the partition count; plain summing diverged for frequent
 * words; see docs/DECISIONS.md.) With P = 1 and R = 1 the run equals the local trainer with one
 * thread bit for bit (same slices, same random streams, same learning rates), on either transport.
 *
 * <p>The vectors travel as raw floats through {@link ParameterChannel}, never through Spark's RPC path: the driver
 * publishes both matrices once per round, each task GETs them and PUTs only its updated rows (ids, counts and
 * contractions packed as floats, exact below 2^24); its task result is a few counts. The merge runs on the driver:
 * memory there is the model plus the updated rows of one round (documented limit; a reduceByKey merge is the step
 * beyond).
 */
public final class DistributedWord2Vec {

  /** The default of w2v.mergeCurvature (conf/reference.conf; measured in docs/DECISIONS.md). */
  public static final double MERGE_CURVATURE = 0.25;

  /** Words per run dealt to a partition with w2v.slices = dealt: the local trainer's runs per thread. */
  static final int DEAL_WORDS = 10_000;

  private DistributedWord2Vec() {
  }

  /**
   * Settings beyond the kernel's.
   *
   * @param direct true: the vectors travel through the driver's {@link ParameterChannel} (spark.transport = direct);
   *               false: Spark's broadcast and task results (spark.transport = spark). Both give identical vectors.
   * @param port   the channel's port (spark.transportPort; 0 = any free port)
   * @param channelTimeoutSeconds how long a channel connection may sit idle before it fails
   *               (spark.channelTimeoutSeconds)
   */
  public record Options(SkipGramOptions sg, int partitions, int roundsPerEpoch, int blockRows, boolean direct, int port,
                        boolean dealt, double curvatureScale, int channelTimeoutSeconds) implements Serializable {
    public Options {
      if (partitions < 1 || roundsPerEpoch < 1) {
        throw new IllegalArgumentException("w2v.partitions and w2v.roundsPerEpoch must be >= 1, got " + partitions
            + " and " + roundsPerEpoch);
      }
    }

    /** The parameter channel on any free port, contiguous slices, the default merge curvature factor. */
    public Options(SkipGramOptions sg, int partitions, int roundsPerEpoch, int blockRows) {
      this(sg, partitions, roundsPerEpoch, blockRows, true, 0, false, MERGE_CURVATURE,
          ParameterChannel.DEFAULT_TIMEOUT_SECONDS);
    }

    /** The w2v.* and spark.transport settings of a Spark run with {@code partitions} partitions. */
    public static Options of(io.seqspark.core.config.Settings s, SkipGramOptions sg, int partitions) {
      return new Options(sg, partitions, s.getInt("w2v.roundsPerEpoch"), 0,
          !"spark".equalsIgnoreCase(s.getString("spark.transport")), s.getInt("spark.transportPort"),
          "dealt".equalsIgnoreCase(s.getString("w2v.slices")), s.getDouble("w2v.mergeCurvature"),
          s.getInt("spark.channelTimeoutSeconds"));
    }

    /** The same settings on the other transport. */
    public Options withDirect(boolean d) {
      return new Options(sg, partitions, roundsPerEpoch, blockRows, d, port, dealt, curvatureScale,
          channelTimeoutSeconds);
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

  /**
   * Everything a round's tasks need besides their data: the vectors themselves (Spark transport), or where to fetch
   * them (the channel's address and round key, and their layout).
   */
  public record RoundInput(Vectors in, Vectors out, ParameterChannel.Address channel, long key, Vectors.Layout layout,
                           int epoch, int round) implements Serializable {
    /** The vectors themselves, as the Spark transport ships them. */
    public RoundInput(Vectors in, Vectors out, int epoch, int round) {
      this(in, out, null, 0, in.layout(), epoch, round);
    }
  }

  /** A task's answer: its partition and attempt, its row updates (null when uploaded to the channel) and counts. */
  record TaskResult(int partition, int attempt, RowUpdates updates, long words, double lossSum, long lossTerms)
      implements Serializable {
  }

  /** Trains on a corpus the driver read: its sentences are cut into the partitions here and broadcast once each. */
  public static Word2VecTrainer.Result train(JavaSparkContext sc, Corpus corpus, Options o, Listener listener) {
    return train(sc, corpus, drivenParts(corpus, o), o, listener);
  }

  /** The partitions of a corpus the driver read: contiguous slices of equal word counts, or dealt runs. */
  static List<Part> drivenParts(Corpus corpus, Options o) {
    List<Part> parts = new ArrayList<>();
    if (o.dealt()) {
      List<List<int[]>> dealt = Corpus.deal(corpus.sentences(), o.partitions(), DEAL_WORDS);
      for (int p = 0; p < o.partitions(); p++) {
        parts.add(new Part(p, new ArrayList<>(dealt.get(p))));
      }
    } else {
      int[] bounds = Corpus.split(corpus.sentences(), o.partitions());
      for (int p = 0; p < o.partitions(); p++) {
        parts.add(new Part(p, new ArrayList<>(corpus.sentences().subList(bounds[p], bounds[p + 1]))));
      }
    }
    return parts;
  }

  /**
   * Trains on {@code parts} built on the driver (partition p holds part p; only the corpus' vocabulary and counts
   * are used besides): how a corpus the driver read trains, and the executors' assignment read on the driver (tests).
   */
  static Word2VecTrainer.Result train(JavaSparkContext sc, Corpus corpus, List<Part> parts, Options o,
                                     Listener listener) {
    // each partition's sentences travel once (a parallelized collection would ship them with every round's task)
    CachedShards<Part> cached = new CachedShards<>(sc, parts);
    try {
      return train(sc, corpus.vocabulary(), corpus.counts(), corpus.words(), cached.rdd(), o, listener);
    } finally {
      cached.close();
    }
  }

  /**
   * Trains on an ingest output whose shards the executors read ({@link ShardCorpus}): partition p reads its pieces
   * and keeps its sentences in memory; the driver holds the vocabulary and its counts only.
   */
  public static Word2VecTrainer.Result train(JavaSparkContext sc, ShardCorpus corpus, Options o, Listener listener) {
    if (o.dealt()) {
      throw new IllegalArgumentException("w2v.slices = dealt deals runs of the whole corpus to the partitions, which"
          + " needs the corpus on the driver; with data.train = " + corpus.dir() + " (an ingest output) the executors"
          + " read their shard pieces (token-balanced, ShardPlan). Fix: set w2v.slices = contiguous");
    }
    if (corpus.plan().size() != o.partitions()) {
      throw new IllegalArgumentException("the shard plan has " + corpus.plan().size() + " partitions, w2v.partitions"
          + " asks for " + o.partitions());
    }
    List<Integer> index = new ArrayList<>();
    for (int p = 0; p < o.partitions(); p++) {
      index.add(p);
    }
    // each partition reads its own pieces on its executor; a lost executor's partitions are read again by the
    // retried tasks (the RDD's lineage is the read)
    ShardCorpus.Reader reader = corpus.reader();
    JavaRDD<Part> read = sc.parallelize(index, o.partitions()).mapPartitions(it -> {
      List<Part> out = new ArrayList<>();
      it.forEachRemaining(p -> out.add(reader.read(p)));
      return out.iterator();
    }).persist(org.apache.spark.storage.StorageLevel.MEMORY_ONLY());
    try {
      return train(sc, corpus.vocabulary(), corpus.counts(), corpus.words(), read, o, listener);
    } finally {
      read.unpersist(false);
    }
  }

  /**
   * The rounds over partitions {@code data} (partition p holding part p); {@code words} is the trained words per
   * epoch the partitions must report (the subsampling table and the progress count on it).
   */
  private static Word2VecTrainer.Result train(JavaSparkContext sc, io.seqspark.core.data.Vocabulary vocabulary,
      long[] counts, long words, JavaRDD<Part> data, Options o, Listener listener) {
    SkipGramOptions sg = o.sg();
    Word2VecModel model = io.seqspark.core.w2v.Word2VecWarmStart.initialise(vocabulary, sg, o.blockRows());
    long floats = 2 * model.in().layout().totalFloats();
    if (o.direct() && 8 + 4 * floats > Integer.MAX_VALUE - 8) {
      throw new IllegalArgumentException("spark.transport = direct: the parameter channel moves at most 2 GB per round, "
          + "this model is 2 x " + model.in().rows() + " rows x " + sg.dim() + " dims = " + 4 * floats
          + " bytes; set spark.transport = spark (or lower w2v.dim / raise data.minCount)");
    }
    Word2VecTrainer.Tables tables = Word2VecTrainer.Tables.of(counts, words, sg.sample());
    Broadcast<Word2VecTrainer.Tables> bt = sc.broadcast(tables);
    ParameterChannel channel = o.direct()
        ? ParameterChannel.open(sc.getConf(), o.port(), o.channelTimeoutSeconds()) : null;
    long total = words * sg.epochs();
    long done = 0;
    double lossSum = 0;
    long lossTerms = 0;
    long key = 0;
    long t0 = System.nanoTime();
    try {
      for (int e = 0; e < sg.epochs(); e++) {
        for (int r = 0; r < o.roundsPerEpoch(); r++) {
          List<TaskResult> results;
          if (channel != null) {
            INDArray x = Nd4j.createFromArray(flat(model.in()));
            INDArray y = Nd4j.createFromArray(flat(model.out()));
            channel.publish(++key, x, y);
            Reference.reachabilityFence(x); // published from their native memory, as the uploads below
            Reference.reachabilityFence(y);
            RoundInput in = new RoundInput(null, null, channel.address(), key, model.in().layout(), e, r);
            results = data.map(part -> runTask(part, in, bt.value(), o)).collect();
            List<TaskResult> resolved = new ArrayList<>();
            for (TaskResult t : results) {
              float[][] up = channel.upload(t.partition(), t.attempt());
              if (up == null) {
                throw new IllegalStateException("partition " + t.partition() + " attempt " + t.attempt()
                    + " succeeded but its rows never reached the parameter channel");
              }
              resolved.add(new TaskResult(t.partition(), t.attempt(), unpack(up[0], up[1], model.in().dim(), t),
                  t.words(), t.lossSum(), t.lossTerms()));
            }
            channel.clearUploads();
            results = resolved;
          } else {
            Broadcast<RoundInput> b = sc.broadcast(new RoundInput(model.in(), model.out(), e, r));
            results = data.map(part -> runTask(part, b.value(), bt.value(), o)).collect();
            b.destroy();
          }
          List<RowUpdates> updates = new ArrayList<>();
          for (TaskResult t : results) {
            updates.add(t.updates());
            done += t.words();
            lossSum += t.lossSum();
            lossTerms += t.lossTerms();
          }
          merge(model.in(), model.out(), updates, o.curvatureScale());
          if (e == 0 && r == o.roundsPerEpoch() - 1 && done != words) {
            throw new IllegalStateException("the partitions trained " + done + " words in epoch 1, the vocabulary's"
                + " counts say " + words + ": the shards and their vocab.tsv disagree; re-run seqspark ingest");
          }
          if (listener != null) {
            listener.onRound(e, r, done, total, sg.learningRate((double) done / total),
                lossTerms == 0 ? Double.NaN : lossSum / lossTerms, (System.nanoTime() - t0) / 1e9);
          }
        }
      }
    } finally {
      if (channel != null) {
        channel.close();
      }
      bt.destroy();
    }
    return new Word2VecTrainer.Result(model, done, (System.nanoTime() - t0) / 1e9,
        lossTerms == 0 ? Double.NaN : lossSum / lossTerms);
  }

  /** A task: fetches the vectors (channel) or takes them (broadcast), trains, and uploads or returns its rows. */
  static TaskResult runTask(Part part, RoundInput in, Word2VecTrainer.Tables tables, Options o) {
    int attempt = TaskContext.get() == null ? 0 : TaskContext.get().attemptNumber();
    if (in.channel() == null) {
      RowUpdates u = trainPart(part, in, tables, o);
      return new TaskResult(part.index(), attempt, u, u.words(), u.lossSum(), u.lossTerms());
    }
    long n = in.layout().totalFloats();
    INDArray x = Nd4j.create(DataType.FLOAT, n);
    INDArray y = Nd4j.create(DataType.FLOAT, n);
    ParameterChannel.get(in.channel(), in.key(), x, y);
    RowUpdates u = train(part, unflat(x.data().asFloat(), in.layout()), unflat(y.data().asFloat(), in.layout()), in,
        tables, o);
    INDArray rowsIn = Nd4j.createFromArray(pack(u, true));
    INDArray rowsOut = Nd4j.createFromArray(pack(u, false));
    ParameterChannel.put(in.channel(), in.key(), part.index(), attempt, rowsIn, rowsOut);
    // the channel writes straight from their native memory: keep them reachable until it has (measured: without this
    // the collector freed one mid-write once in ~1,000 uploads, "IOException: Bad address")
    Reference.reachabilityFence(rowsIn);
    Reference.reachabilityFence(rowsOut);
    return new TaskResult(part.index(), attempt, null, u.words(), u.lossSum(), u.lossTerms());
  }

  /** All rows of {@code v}, row-major in one array (the channel's wire form). */
  static float[] flat(Vectors v) {
    float[] f = new float[Math.toIntExact(v.layout().totalFloats())];
    int rows = v.layout().blockRows();
    for (int b = 0; b < v.layout().blocks(); b++) {
      int first = b * rows;
      System.arraycopy(v.block(first), 0, f, first * v.dim(), v.layout().rowsInBlock(b) * v.dim());
    }
    return f;
  }

  /** The inverse of {@link #flat}. */
  static Vectors unflat(float[] f, Vectors.Layout layout) {
    Vectors v = new Vectors(layout);
    for (int b = 0; b < layout.blocks(); b++) {
      int first = b * layout.blockRows();
      System.arraycopy(f, first * layout.dim(), v.block(first), 0, layout.rowsInBlock(b) * layout.dim());
    }
    return v;
  }

  /**
   * One matrix's updated rows as floats: the row count, then per row its id, update count and contraction A_p
   * (already a float on either transport, see {@link Rows#of}), then all rows' values. Ids and counts stay below
   * 2^24, so floats hold them exactly.
   */
  static float[] pack(RowUpdates u, boolean input) {
    int[] rows = input ? u.inRows() : u.outRows();
    int[] counts = input ? u.inCounts() : u.outCounts();
    double[] curv = input ? u.inCurvature() : u.outCurvature();
    float[] values = input ? u.inValues() : u.outValues();
    float[] f = new float[1 + rows.length * 3 + values.length];
    f[0] = rows.length;
    int k = 1;
    for (int i = 0; i < rows.length; i++) {
      f[k++] = rows[i];
      f[k++] = counts[i];
      f[k++] = (float) curv[i];
    }
    System.arraycopy(values, 0, f, k, values.length);
    return f;
  }

  /** The inverse of {@link #pack} for both matrices, with the task's counts. */
  static RowUpdates unpack(float[] in, float[] out, int dim, TaskResult t) {
    Rows a = Rows.unpack(in, dim);
    Rows b = Rows.unpack(out, dim);
    return new RowUpdates(a.rows, a.counts, a.curvature, a.values, b.rows, b.counts, b.curvature, b.values, t.words(),
        t.lossSum(), t.lossTerms());
  }

  /** Runs one partition's slice of one round on copies of the round's vectors. */
  public static RowUpdates trainPart(Part part, RoundInput in, Word2VecTrainer.Tables tables, Options o) {
    return train(part, in.in().copy(), in.out().copy(), in, tables, o);
  }

  /** Runs one partition's slice of one round on {@code x} and {@code y} (changed in place). */
  private static RowUpdates train(Part part, Vectors x, Vectors y, RoundInput in, Word2VecTrainer.Tables tables,
                                  Options o) {
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
          curvature[k] = (float) curv[r]; // a float on either transport, so both merge the same values
          System.arraycopy(v.block(r), v.offset(r), values, k * v.dim(), v.dim());
          k++;
        }
      }
      return new Rows(rows, counts, curvature, values);
    }

    /** The rows {@link #pack} wrote. */
    static Rows unpack(float[] f, int dim) {
      int n = (int) f[0];
      int[] rows = new int[n];
      int[] counts = new int[n];
      double[] curvature = new double[n];
      int k = 1;
      for (int i = 0; i < n; i++) {
        rows[i] = (int) f[k++];
        counts[i] = (int) f[k++];
        curvature[i] = f[k++];
      }
      return new Rows(rows, counts, curvature, java.util.Arrays.copyOfRange(f, k, k + n * dim));
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
    merge(in, out, results, 1);
  }

  /** {@link #merge(Vectors, Vectors, List)} with every contraction multiplied by {@code scale} (w2v.mergeCurvature). */
  static void merge(Vectors in, Vectors out, List<RowUpdates> results, double scale) {
    mergeInto(in, results, true, scale);
    mergeInto(out, results, false, scale);
  }

  /** φ(a) = (1 − e^{−a}) / a: the fraction of its linear step a row with contraction a takes. */
  static double settled(double a) {
    return a < 1e-12 ? 1 : -Math.expm1(-a) / a;
  }

  private static void mergeInto(Vectors v, List<RowUpdates> results, boolean input, double scale) {
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
        float w = (float) (settled(scale * total[r]) / settled(scale * curv[k]));
        for (int d = 0; d < dim; d++) {
          b[off + d] += w * (values[k * dim + d] - base[bo + d]);
        }
      }
    }
  }
}
