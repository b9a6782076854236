package io.seqspark.core.w2v;

/**
 * Hyperparameters of skip-gram with negative sampling (the {@code w2v.*} config keys), validated here.
 *
 * @param dim         vector width
 * @param window      largest distance between center and context; each center draws its own window in [1, window]
 * @param negative    negative samples per (center, context) pair
 * @param sample      subsampling threshold t: a word of frequency f is kept with probability (sqrt(f/t) + 1) t / f
 *                    (word2vec's formula); 0 = keep every word
 * @param alpha       starting learning rate, decayed linearly over all epochs' words to {@code minAlpha}
 * @param epochs      passes over the corpus
 * @param threads     local worker threads (Hogwild: lock-free updates of shared rows)
 * @param seed        drives initialisation and every thread's random stream
 * @param exactSigmoid compute 1/(1+e^-x) exactly instead of from word2vec's 1000-entry table over [-6, 6]
 * @param warmStart   a previous w2v run directory or model.zip whose rows start the words it shares with this
 *                    vocabulary ({@link Word2VecWarmStart}); "" = every row starts fresh
 */
public record SkipGramOptions(int dim, int window, int negative, double sample, double alpha, double minAlpha,
                              int epochs, int threads, long seed, boolean exactSigmoid, String warmStart)
    implements java.io.Serializable {

  /** Without a warm start. */
  public SkipGramOptions(int dim, int window, int negative, double sample, double alpha, double minAlpha, int epochs,
                         int threads, long seed, boolean exactSigmoid) {
    this(dim, window, negative, sample, alpha, minAlpha, epochs, threads, seed, exactSigmoid, "");
  }

  public SkipGramOptions {
    check(dim >= 1, "dim", dim, ">= 1");
    check(window >= 1, "window", window, ">= 1");
    check(negative >= 1, "negative", negative, ">= 1");
    check(sample >= 0, "sample", sample, ">= 0");
    check(alpha > 0, "alpha", alpha, "> 0");
    check(minAlpha >= 0 && minAlpha <= alpha, "minAlpha", minAlpha, "in [0, alpha]");
    check(epochs >= 1, "epochs", epochs, ">= 1");
    check(threads >= 1, "threads", threads, ">= 1");
    warmStart = warmStart == null ? "" : warmStart;
  }

  private static void check(boolean ok, String key, Object value, String rule) {
    if (!ok) {
      throw new IllegalArgumentException("w2v." + key + " = " + value + " must be " + rule);
    }
  }

  /** word2vec's and gensim's skip-gram defaults: dim 100, window 5, negative 5, sample 1e-3, alpha 0.025 → 1e-4. */
  public static SkipGramOptions defaults() {
    return new SkipGramOptions(100, 5, 5, 1e-3, 0.025, 1e-4, 5, 2, 42, false);
  }

  public SkipGramOptions withThreads(int t) {
    return new SkipGramOptions(dim, window, negative, sample, alpha, minAlpha, epochs, t, seed, exactSigmoid, warmStart);
  }

  public SkipGramOptions withEpochs(int e) {
    return new SkipGramOptions(dim, window, negative, sample, alpha, minAlpha, e, threads, seed, exactSigmoid, warmStart);
  }

  public SkipGramOptions withWarmStart(String path) {
    return new SkipGramOptions(dim, window, negative, sample, alpha, minAlpha, epochs, threads, seed, exactSigmoid, path);
  }

  /** The learning rate at {@code progress} in [0, 1] of all training (all epochs' words). */
  public double learningRate(double progress) {
    return Math.max(minAlpha, alpha - (alpha - minAlpha) * progress);
  }
}
