package io.seqspark.core.w2v;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicReferenceArray;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;

/**
 * Local skip-gram training: {@code threads} workers, each dealt every threads-th run of about 10k words of the
 * sentences ({@link Corpus#deal}), run every epoch over their share, updating the shared vectors without locks. Worker t's learning rate
 * follows its own progress (epoch + its share done) / epochs, so a single worker is fully deterministic for a seed.
 */
public final class Word2VecTrainer {

  /** Progress callback, called on the calling thread about every {@code everySeconds}. */
  public interface Listener {
    void onProgress(long wordsDone, long totalWords, double lr, double meanLoss, double seconds);
  }

  /** Words per run dealt to a worker (see {@link Corpus#deal}): small against a corpus, large against a sentence. */
  static final int CHUNK_WORDS = 10_000;

  private Word2VecTrainer() {
  }

  /** What a training run did. */
  public record Result(Word2VecModel model, long words, double seconds, double meanLoss) {
  }

  /** Everything the workers share: sampler and subsampling thresholds, built once from the corpus counts. */
  public record Tables(NegativeSampler sampler, long[] keep) implements java.io.Serializable {
    public static Tables of(long[] counts, long totalWords, double sample) {
      return new Tables(new NegativeSampler(counts, Corpus.FIRST_WORD, 0.75), SkipGram.keepThresholds(counts, totalWords, sample));
    }
  }

  public static Result train(Corpus corpus, SkipGramOptions o, int blockRows, Listener listener, double everySeconds) {
    Word2VecModel model = Word2VecWarmStart.initialise(corpus.vocabulary(), o, blockRows);
    return train(model, corpus, o, listener, everySeconds);
  }

  /** Trains {@code model} (in place) on {@code corpus}. */
  public static Result train(Word2VecModel model, Corpus corpus, SkipGramOptions o, Listener listener, double everySeconds) {
    long[] counts = corpus.counts();
    Tables tables = Tables.of(counts, corpus.words(), o.sample());
    List<int[]> sentences = corpus.sentences();
    List<List<int[]>> parts = Corpus.deal(sentences, o.threads(), CHUNK_WORDS);
    // each worker builds its kernel on its own thread: its hot fields (random state, loss sums) and scratch arrays then
    // come from that thread's allocation buffer, far from the other workers'. Built here, one after another, they
    // shared cache lines, and every pair's writes bounced the line between cores: 2 threads ran 1.19x one thread.
    AtomicReferenceArray<SkipGram> workers = new AtomicReferenceArray<>(o.threads());
    long total = corpus.words() * o.epochs();
    long t0 = System.nanoTime();
    ExecutorService pool = Executors.newFixedThreadPool(o.threads(), r -> {
      Thread th = new Thread(r, "w2v-worker");
      th.setDaemon(true);
      return th;
    });
    try {
      List<Future<?>> futures = new ArrayList<>();
      for (int t = 0; t < o.threads(); t++) {
        int worker = t;
        futures.add(pool.submit(() -> {
          SkipGram kernel = new SkipGram(model.in(), model.out(), tables.sampler(), tables.keep(), o, false);
          workers.set(worker, kernel);
          for (int e = 0; e < o.epochs(); e++) {
            List<int[]> part = parts.get(worker);
            kernel.train(part, 0, part.size(), SkipGram.unitSeed(o.seed(), e, worker, 0),
                (double) e / o.epochs(), 1.0 / o.epochs());
          }
          return null;
        }));
      }
      for (Future<?> f : futures) {
        while (true) {
          try {
            f.get(listener == null ? Long.MAX_VALUE : (long) (everySeconds * 1000), TimeUnit.MILLISECONDS);
            break;
          } catch (java.util.concurrent.TimeoutException timeout) {
            report(workers, total, o, listener, t0);
          }
        }
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException("interrupted while training", e);
    } catch (java.util.concurrent.ExecutionException e) {
      throw e.getCause() instanceof RuntimeException r ? r : new IllegalStateException(e.getCause());
    } finally {
      pool.shutdownNow();
    }
    double seconds = (System.nanoTime() - t0) / 1e9;
    double[] loss = report(workers, total, o, listener, t0);
    return new Result(model, total, seconds, loss[1]);
  }

  /** Sums the workers' published progress and calls the listener; returns {words, mean loss}. */
  private static double[] report(AtomicReferenceArray<SkipGram> workers, long total, SkipGramOptions o, Listener listener,
                                 long t0) {
    long words = 0;
    double loss = 0;
    long terms = 0;
    for (int i = 0; i < workers.length(); i++) {
      SkipGram w = workers.get(i);
      if (w == null) {
        continue;
      }
      words += w.wordsPublished();
      loss += w.lossPublished();
      terms += w.termsPublished();
    }
    double mean = terms == 0 ? Double.NaN : loss / terms;
    if (listener != null) {
      listener.onProgress(words, total, o.learningRate((double) words / total), mean, (System.nanoTime() - t0) / 1e9);
    }
    return new double[] {words, mean};
  }
}
