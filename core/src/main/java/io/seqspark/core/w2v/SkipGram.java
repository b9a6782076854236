package io.seqspark.core.w2v;

import static io.seqspark.core.math.FloatKernels.axpy;
import static io.seqspark.core.math.FloatKernels.dot;

/**
 * The skip-gram negative-sampling kernel of one worker (a thread, or a Spark partition): SGD over a run of sentences,
 * writing straight into the shared {@link Vectors} without locks (Hogwild, as word2vec and gensim do).
 *
 * <p>For each kept center word w and each context word c within its drawn window, with x = in[c]:
 * for the target w (label 1) and {@code negative} drawn words n ≠ w (label 0), y = out[target],
 * g = lr · (label − σ(x·y)); e += g·y; y += g·x; then x += e. This is the gradient step on
 * −log σ(x·out[w]) − Σ log σ(−x·out[n]) (see SkipGramGradientTest). The dot products and axpys run in {@link
 * io.seqspark.core.math.FloatKernels} (Vector API where the JVM has it) over the rows in place; nothing is allocated
 * per word.
 *
 * <p>Randomness (subsampling, window, negatives) comes from one SplitMix64 stream per work unit, derived from the
 * seed and (epoch, worker, round) only, so one worker is bit-for-bit reproducible and the same unit trained locally
 * or in a Spark partition sees the same draws.
 */
public final class SkipGram {

  static final int TABLE_SIZE = 1000;
  static final float MAX_EXP = 6f;
  private static final float[] SIGMOID = new float[TABLE_SIZE + 1];
  private static final float[] LOG_SIGMOID = new float[TABLE_SIZE + 1];

  static {
    for (int i = 0; i <= TABLE_SIZE; i++) {
      double x = (i / (double) TABLE_SIZE * 2 - 1) * MAX_EXP;
      SIGMOID[i] = (float) (1 / (1 + Math.exp(-x)));
      LOG_SIGMOID[i] = (float) -Math.log1p(Math.exp(-x));
    }
  }

  private final Vectors in;
  private final Vectors out;
  private final NegativeSampler sampler;
  /** Keep a word when the unsigned 32-bit coin is below this (2^32 = always). */
  private final long[] keep;
  private final SkipGramOptions o;
  private final float[] neu1e;
  private int[] buffer = new int[0];
  private long state;
  /** Per-row update counts of this worker (for the occurrence-weighted merge); null = not counted. */
  private final int[] inUpdates;
  private final int[] outUpdates;
  /**
   * Per-row sums, over this worker's steps on the row, of lr · σ'(z) · |other vector|² (the step's contraction
   * along the row's own curvature); the Spark merge uses them to tell rows still moving linearly from rows that
   * settled within the round. Null unless counting.
   */
  private final double[] inCurvature;
  private final double[] outCurvature;
  private double lossSum;
  private long lossTerms;
  /** Published once per sentence for progress monitors on other threads. */
  private volatile long wordsPublished;
  private volatile double lossPublished;
  private volatile long termsPublished;

  /**
   * @param keepThreshold from {@link #keepThresholds}
   * @param countUpdates  count updates per row (Spark partitions need them for the merge)
   */
  public SkipGram(Vectors in, Vectors out, NegativeSampler sampler, long[] keepThreshold, SkipGramOptions options,
                  boolean countUpdates) {
    this.in = in;
    this.out = out;
    this.sampler = sampler;
    this.keep = keepThreshold;
    this.o = options;
    this.neu1e = new float[in.dim()];
    this.inUpdates = countUpdates ? new int[in.rows()] : null;
    this.outUpdates = countUpdates ? new int[in.rows()] : null;
    this.inCurvature = countUpdates ? new double[in.rows()] : null;
    this.outCurvature = countUpdates ? new double[in.rows()] : null;
  }

  /**
   * word2vec's subsampling: a word with count c out of {@code total} words is kept with probability
   * min(1, (sqrt(c / (t·total)) + 1) · t·total / c), as an unsigned 32-bit threshold; t = 0 keeps all.
   */
  public static long[] keepThresholds(long[] counts, long total, double sample) {
    long[] k = new long[counts.length];
    for (int i = 0; i < counts.length; i++) {
      if (sample <= 0 || counts[i] == 0) {
        k[i] = 1L << 32;
        continue;
      }
      double tn = sample * total;
      double p = (Math.sqrt(counts[i] / tn) + 1) * tn / counts[i];
      k[i] = p >= 1 ? 1L << 32 : (long) (p * 4294967296.0);
    }
    return k;
  }

  /** The random stream of one work unit. */
  public static long unitSeed(long seed, int epoch, int worker, int round) {
    long z = seed;
    z = mix(z + 0x9E3779B97F4A7C15L * (epoch + 1));
    z = mix(z + 0x9E3779B97F4A7C15L * (worker + 1));
    return mix(z + 0x9E3779B97F4A7C15L * (round + 1));
  }

  static long mix(long z) {
    z = (z ^ (z >>> 30)) * 0xBF58476D1CE4E5B9L;
    z = (z ^ (z >>> 27)) * 0x94D049BB133111EBL;
    return z ^ (z >>> 31);
  }

  private long next() {
    state += 0x9E3779B97F4A7C15L;
    return mix(state);
  }

  /**
   * Trains sentences {@code [from, to)} of {@code sentences} once. The learning rate at a sentence start is
   * {@code options.learningRate(progressStart + progressSpan · wordsDone / unitWords)}.
   *
   * @return the in-vocabulary words processed (before subsampling)
   */
  public long train(java.util.List<int[]> sentences, int from, int to, long unitSeed, double progressStart,
                    double progressSpan) {
    state = unitSeed;
    long unitWords = 0;
    for (int i = from; i < to; i++) {
      unitWords += sentences.get(i).length;
    }
    long done = 0;
    for (int i = from; i < to; i++) {
      double progress = progressStart + (unitWords == 0 ? 0 : progressSpan * done / unitWords);
      int[] s = sentences.get(i);
      trainSentence(s, (float) o.learningRate(progress));
      done += s.length;
      wordsPublished += s.length;
      lossPublished = lossSum;
      termsPublished = lossTerms;
    }
    return done;
  }

  /** One sentence: subsample, then every (center, context) pair within each center's drawn window. */
  void trainSentence(int[] sentence, float lr) {
    if (buffer.length < sentence.length) {
      buffer = new int[sentence.length];
    }
    int n = 0;
    for (int w : sentence) {
      if ((next() & 0xFFFFFFFFL) < keep[w]) {
        buffer[n++] = w;
      }
    }
    int window = o.window();
    for (int i = 0; i < n; i++) {
      int b = (int) (((next() >>> 32) * window) >>> 32);
      int lo = Math.max(0, i - window + b);
      int hi = Math.min(n - 1, i + window - b);
      for (int j = lo; j <= hi; j++) {
        if (j != i) {
          pair(buffer[i], buffer[j], lr);
        }
      }
    }
  }

  /** One SGD step: context word {@code context}'s input vector predicts {@code center} against negatives. */
  void pair(int center, int context, float lr) {
    int dim = in.dim;
    float[] xb = in.block(context);
    int xo = in.offset(context);
    float[] e = neu1e;
    java.util.Arrays.fill(e, 0f);
    boolean curv = inCurvature != null;
    float xx = curv ? dot(xb, xo, xb, xo, dim) : 0f;
    double inCurv = 0;
    for (int d = 0; d <= o.negative(); d++) {
      int target;
      float label;
      if (d == 0) {
        target = center;
        label = 1f;
      } else {
        target = sampler.sample(next());
        if (target == center) {
          continue;
        }
        label = 0f;
      }
      float[] yb = out.block(target);
      int yo = out.offset(target);
      float f = dot(xb, xo, yb, yo, dim);
      float sg = sigmoid(f, label);
      float g = (label - sg) * lr;
      if (curv) {
        double h = (double) lr * sg * (1 - sg);
        outCurvature[target] += h * xx;
        inCurv += h * dot(yb, yo, yb, yo, dim);
      }
      axpy(g, yb, yo, e, 0, dim);
      axpy(g, xb, xo, yb, yo, dim);
      if (outUpdates != null) {
        outUpdates[target]++;
      }
    }
    axpy(1f, e, 0, xb, xo, dim);
    if (inUpdates != null) {
      inUpdates[context]++;
      inCurvature[context] += inCurv;
    }
  }

  /** σ(f), from the table (saturating beyond ±6 like word2vec) or exact; also adds the pair's loss term. */
  private float sigmoid(float f, float label) {
    if (o.exactSigmoid()) {
      double s = 1 / (1 + Math.exp(-f));
      lossSum -= label > 0 ? Math.log(s) : Math.log1p(-s);
      lossTerms++;
      return (float) s;
    }
    int idx;
    if (f >= MAX_EXP) {
      idx = TABLE_SIZE;
    } else if (f <= -MAX_EXP) {
      idx = 0;
    } else {
      idx = (int) ((f + MAX_EXP) * (TABLE_SIZE / MAX_EXP / 2));
    }
    // log σ(-x) is log σ(x) mirrored: index TABLE_SIZE - idx
    lossSum -= label > 0 ? LOG_SIGMOID[idx] : LOG_SIGMOID[TABLE_SIZE - idx];
    lossTerms++;
    if (f >= MAX_EXP) {
      return 1f;
    }
    if (f <= -MAX_EXP) {
      return 0f;
    }
    return SIGMOID[idx];
  }

  /** Mean loss per (pair, target) term since the last call, nats; NaN if none. Resets the sum. */
  public double takeMeanLoss() {
    double m = lossTerms == 0 ? Double.NaN : lossSum / lossTerms;
    lossSum = 0;
    lossTerms = 0;
    return m;
  }

  /** Words this worker has processed over all its calls, as of its last finished sentence (any thread may read). */
  public long wordsPublished() {
    return wordsPublished;
  }

  /** Loss sum as of the last finished sentence (any thread may read). */
  public double lossPublished() {
    return lossPublished;
  }

  public long termsPublished() {
    return termsPublished;
  }

  /** Loss sum and term count since the last {@link #takeMeanLoss}, without resetting. */
  public double lossSum() {
    return lossSum;
  }

  public long lossTerms() {
    return lossTerms;
  }

  /** Updates of each input row by this worker (null unless counting). */
  public int[] inUpdates() {
    return inUpdates;
  }

  public int[] outUpdates() {
    return outUpdates;
  }

  /** Summed step contraction of each input row by this worker (null unless counting). */
  public double[] inCurvature() {
    return inCurvature;
  }

  public double[] outCurvature() {
    return outCurvature;
  }
}
