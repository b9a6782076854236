package io.seqspark.core.w2v;

import io.seqspark.core.config.Settings;
import io.seqspark.core.io.AtomicFiles;
import io.seqspark.core.io.HtmlReport;
import io.seqspark.core.io.Manifest;
import io.seqspark.core.io.MetricsLog;
import io.seqspark.core.io.Progress;
import io.seqspark.core.io.RunDirectory;
import io.seqspark.core.io.RunRecorder;
import java.io.IOException;
import java.io.PrintStream;
import java.io.UncheckedIOException;
import java.nio.file.Path;
import java.time.Clock;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * {@code w2v train}: reads the corpus, trains (locally or through an {@link Engine} such as Spark), and fills the run
 * directory: config.conf, vocab.tsv, manifest.json, metrics.jsonl (words/s, lr, loss estimate, ETA), report.html,
 * vectors.txt and vectors.bin (word2vec formats) and model.zip; evaluates on w2v.questions / w2v.wordsim if set.
 */
public final class Word2VecTraining {

  private Word2VecTraining() {
  }

  /** Progress every engine reports: words done of total, learning rate, mean loss so far, seconds. */
  public interface Listener {
    void onProgress(int epoch, long wordsDone, long totalWords, double lr, double meanLoss, double seconds);
  }

  /** How training runs: locally with threads, or on Spark (spark module). */
  public interface Engine {
    Word2VecTrainer.Result train(Corpus corpus, SkipGramOptions o, Settings s, Listener listener);

    String name();

    Engine LOCAL = new Engine() {
      @Override
      public Word2VecTrainer.Result train(Corpus corpus, SkipGramOptions o, Settings s, Listener listener) {
        return Word2VecTrainer.train(corpus, o, 0, (w, t, lr, loss, sec) -> listener.onProgress(
            (int) Math.min(o.epochs(), 1 + w * o.epochs() / Math.max(1, t)), w, t, lr, loss, sec), s.getDouble("run.logEverySeconds"));
      }

      @Override
      public String name() {
        return "local";
      }
    };
  }

  /** The outcome. */
  public record Summary(Path runDir, long vocabulary, long rawTokens, double seconds, double wordsPerSecond, double meanLoss,
                        Map<String, Object> evaluation) {
  }

  /** Word2Vec's layer of defaults for the shared keys (conf/family-w2v.conf), loaded before any preset. */
  public static final java.nio.file.Path DEFAULTS = java.nio.file.Path.of("family-w2v");

  public static SkipGramOptions options(Settings s) {
    if (s.getDouble("w2v.minAlpha") > s.getDouble("w2v.alpha")) {
      throw new IllegalArgumentException("w2v.minAlpha = " + s.getDouble("w2v.minAlpha") + " must not exceed w2v.alpha = "
          + s.getDouble("w2v.alpha") + "; lower w2v.minAlpha or raise w2v.alpha");
    }
    return new SkipGramOptions(s.getInt("w2v.dim"), s.getInt("w2v.window"), s.getInt("w2v.negative"),
        s.getDouble("w2v.sample"), s.getDouble("w2v.alpha"), s.getDouble("w2v.minAlpha"), s.getInt("train.epochs"),
        s.getInt("run.threads") > 0 ? s.getInt("run.threads") : Runtime.getRuntime().availableProcessors(), s.getLong("seed"),
        s.getBoolean("w2v.exactSigmoid"), s.getString("w2v.warmStart"));
  }

  /** Fails before any work if data.train is unset or missing (or an evaluation file is). */
  public static void corpusPathCheck(Settings s) {
    io.seqspark.core.data.DataInputs.requireFile(s, "data.train");
    for (String key : new String[] {"w2v.questions", "w2v.wordsim"}) {
      if (s.getPath(key) != null) {
        requireEvalFile(s.getPath(key), key);
      }
    }
  }

  /** The corpus of data.train: an ingest output directory or a text file. */
  public static Corpus corpus(Settings s) throws IOException {
    Path p = io.seqspark.core.data.DataInputs.requireFile(s, "data.train");
    int minCount = s.getInt("data.minCount");
    int maxLen = s.getInt("w2v.maxSentenceLength");
    Corpus c = io.seqspark.core.data.DataInputs.isShards(p) ? Corpus.fromShards(p, minCount, maxLen)
        : Corpus.fromText(p, io.seqspark.core.data.DataInputs.tokenizer(s), minCount, maxLen);
    if (c.words() == 0) {
      throw new IllegalArgumentException("data.train = " + p + ": no word occurs data.minCount = " + minCount
          + " times or more; lower data.minCount or use a bigger corpus");
    }
    return c;
  }

  public static Summary run(Settings s, RunDirectory run, List<String> commandLine, PrintStream log, Engine engine)
      throws IOException {
    return run(s, run, commandLine, log, () -> {
      Corpus corpus = corpus(s);
      return new Source() {
        @Override
        public Corpus corpus() {
          return corpus;
        }

        @Override
        public String trainer() {
          return engine.name();
        }

        @Override
        public void record(RunRecorder rec) throws IOException {
          rec.input("train", s.getPath("data.train"));
        }

        @Override
        public Word2VecTrainer.Result train(SkipGramOptions o, Listener listener) {
          return engine.train(corpus, o, s, listener);
        }
      };
    });
  }

  /**
   * What a run trains on: the corpus facts its directory records, and the training itself. The local trainer and
   * Spark over a corpus the driver read use a {@link Corpus} ({@link #run(Settings, RunDirectory, List, PrintStream,
   * Engine)}); Spark over shards the executors read answers from the ingest's manifest and vocabulary.
   */
  public interface Source {
    /** The corpus facts: trained vocabulary (reserved ids first), raw tokens, words per epoch; sentences if read here. */
    Corpus corpus();

    /** The trainer, as the manifest and log name it. */
    String trainer();

    /** Records the training input (and any facts of the source's own) in the manifest. */
    void record(RunRecorder rec) throws IOException;

    /** Trains from {@code o}'s first model ({@link Word2VecWarmStart#initialise}), reporting progress. */
    Word2VecTrainer.Result train(SkipGramOptions o, Listener listener);
  }

  /** Opens a run's {@link Source} once its directory is being recorded (reading the corpus is part of the run). */
  public interface SourceOpener {
    Source open() throws IOException;
  }

  /**
   * {@code w2v train}: opens the source, then fills the run directory (vocabulary, manifest, metrics, evaluation,
   * vectors in both word2vec formats, model.zip), whatever trains.
   */
  public static Summary run(Settings s, RunDirectory run, List<String> commandLine, PrintStream log,
                            SourceOpener opener) throws IOException {
    SkipGramOptions o = options(s);
    try (RunRecorder rec = RunRecorder.start(run, s, false, "w2v", "w2v train",
        List.of("run", "data", "train", "spark", "w2v"), commandLine, log)) {
      long t0 = System.nanoTime();
      Source source = opener.open();
      Corpus facts = source.corpus();
      io.seqspark.core.data.Vocabulary vocabulary = facts.vocabulary();
      long words = vocabulary.size() - Corpus.FIRST_WORD;
      vocabulary.save(run.dir().resolve("vocab.tsv"));
      source.record(rec);
      rec.manifest().put("vocabularySize", words).put("vocabularyHash", vocabulary.contentHash())
          .put("rawTokens", facts.rawTokens()).put("trainedWordsPerEpoch", facts.words())
          .put("trainer", source.trainer()).put("parameters", 2L * words * o.dim())
          .put("kernel", io.seqspark.core.math.FloatKernels.describe());
      Word2VecWarmStart.Summary warm = Word2VecWarmStart.check(o, vocabulary);
      if (warm != null) {
        rec.manifest().put("warmStart", warm.path()).put("warmStartWordsCarried", warm.carried())
            .put("warmStartWordsNew", warm.fresh());
        rec.print(String.format("w2v: warm start from %s: %,d words carried over, %,d new", warm.path(), warm.carried(),
            warm.fresh()));
      }
      rec.writeManifest();
      rec.print(String.format("w2v: %,d words (min count %d) from %,d tokens (%.1f s to read); %s, %d epochs; kernel %s",
          words, s.getInt("data.minCount"), facts.rawTokens(), (System.nanoTime() - t0) / 1e9, source.trainer(),
          o.epochs(), io.seqspark.core.math.FloatKernels.describe()));
      double rawPerWord = (double) facts.rawTokens() / facts.words();
      Progress progress = new Progress(run.runId(), 0, System::nanoTime).describing("words", false);
      Word2VecTrainer.Result r = source.train(o, (epoch, done, total, lr, loss, sec) -> {
        double wps = sec > 0 ? done * rawPerWord / sec : Double.NaN;
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("epoch", epoch);
        m.put("step", done);
        m.put("words_per_s", wps);
        m.put("lr", lr);
        m.put("loss", loss);
        m.put("seconds", sec);
        rec.metric(m);
        log.println(progress.line(epoch, o.epochs(), done, total, wps, loss, lr));
      });
      WordVectors wv = WordVectors.of(r.model());
      Map<String, Object> eval = evaluate(s, wv, log, run.runId());
      if (!eval.isEmpty()) {
        Map<String, Object> m = new LinkedHashMap<>(eval);
        m.put("step", r.words());
        rec.metric(m);
      }
      double wps = facts.rawTokens() * (double) o.epochs() / r.seconds();
      Word2VecFormat.writeText(run.dir().resolve("vectors.txt"), wv);
      Word2VecFormat.writeBinary(run.dir().resolve("vectors.bin"), wv);
      Map<String, Object> results = new LinkedHashMap<>();
      results.put("trainSeconds", r.seconds());
      results.put("wordsPerSecond", wps);
      results.put("meanLoss", r.meanLoss());
      results.put("evaluation", eval);
      rec.finish(r.words(), "words", wps, Map.of(), results);
      Word2VecArchive.write(run.modelFile(), s, r.model(), rec.manifest().toMap());
      return new Summary(run.dir(), words, facts.rawTokens(), r.seconds(), wps, r.meanLoss(), eval);
    }
  }

  /** Analogy and similarity scores for the files w2v.questions and w2v.wordsim name (none if empty). */
  public static Map<String, Object> evaluate(Settings s, WordVectors wv, PrintStream log, String runId) throws IOException {
    Map<String, Object> m = new LinkedHashMap<>();
    Path q = s.getPath("w2v.questions");
    if (q != null) {
      EmbeddingEvaluation.Analogy a = EmbeddingEvaluation.analogies(wv, requireEvalFile(q, "w2v.questions"), s.getInt("w2v.restrictVocab"));
      m.put("analogy_accuracy", a.accuracy());
      m.put("analogy_coverage", a.coverage());
      log.printf("[%s] analogies (3CosAdd, top %,d words): accuracy %.4f on %,d of %,d questions (coverage %.3f)%n", runId,
          s.getInt("w2v.restrictVocab"), a.accuracy(), a.answered(), a.questions(), a.coverage());
    }
    Path ws = s.getPath("w2v.wordsim");
    if (ws != null) {
      EmbeddingEvaluation.Similarity sim = EmbeddingEvaluation.similarity(wv, requireEvalFile(ws, "w2v.wordsim"));
      m.put("wordsim_spearman", sim.spearman());
      m.put("wordsim_coverage", sim.coverage());
      log.printf("[%s] word similarity: Spearman %.4f on %d of %d pairs (coverage %.3f)%n", runId, sim.spearman(), sim.used(),
          sim.pairs(), sim.coverage());
    }
    return m;
  }

  private static Path requireEvalFile(Path p, String key) {
    if (!java.nio.file.Files.isRegularFile(p)) {
      throw new IllegalArgumentException(key + " = " + p + ": no such file (looked in " + p.toAbsolutePath() + "); set "
          + key + " to an existing file or to \"\" to skip this evaluation");
    }
    return p;
  }
}
