package io.seqspark.spark.w2v;

import io.seqspark.core.config.Settings;
import io.seqspark.core.io.Manifest;
import io.seqspark.core.io.Progress;
import io.seqspark.core.io.RunDirectory;
import io.seqspark.core.io.RunRecorder;
import io.seqspark.core.task.TrainingRun;
import io.seqspark.core.w2v.Corpus;
import io.seqspark.core.w2v.SkipGramOptions;
import io.seqspark.core.w2v.Word2VecArchive;
import io.seqspark.core.w2v.Word2VecFormat;
import io.seqspark.core.w2v.Word2VecTrainer;
import io.seqspark.core.w2v.Word2VecTraining;
import io.seqspark.core.w2v.WordVectors;
import io.seqspark.spark.train.HadoopShards;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.apache.spark.api.java.JavaSparkContext;

/**
 * {@code w2v train --master} with data.train an ingest output: the executors read their shard pieces
 * ({@link ShardCorpus}); the driver reads the manifest and vocab.tsv only. The run directory is the one
 * {@link Word2VecTraining#run} fills (same files, manifest keys and metrics); this class repeats its steps with the
 * corpus replaced because Word2VecTraining reads the corpus itself and core/w2v was not to change in this round. The
 * one hook that removes the copy: {@code Word2VecTraining.run} taking the {@link Corpus} facts (vocabulary, raw
 * tokens, words) from its engine, so that a Spark engine could answer from the manifest.
 */
public final class Word2VecShardTraining {
  private Word2VecShardTraining() {
  }

  /**
   * With {@code --master} and data.train a text file: fails before any work when it is over data.driverMaxMB (the
   * driver would read it into its heap), with the {@code seqspark ingest} command whose output the executors read.
   */
  public static void checkDriverText(Settings s) {
    Path p = s.getPath("data.train");
    long limit = s.getInt("data.driverMaxMB") * (1L << 20);
    if (p == null || !java.nio.file.Files.isRegularFile(p) || p.toFile().length() <= limit) {
      return;
    }
    throw new io.seqspark.core.config.ConfigException(List.of(String.format(java.util.Locale.ROOT,
        "data.train = %s is %.1f MB, over data.driverMaxMB = %d: with --master the driver would read it into its own"
            + " heap. Fix: ingest it once and train from the shards, which the executors read themselves: bin/seqspark"
            + " ingest --input %s --out %s.shards%s, then --set data.train=%s.shards; or raise data.driverMaxMB (and"
            + " the driver heap, SEQSPARK_JAVA_OPTS=-Xmx...)", p, p.toFile().length() / 1048576.0,
        s.getInt("data.driverMaxMB"), p, p, tokenizerSets(s), p)));
  }

  /** The --set flags of the tokenizer keys and data.minCount that differ from the defaults: ingest keeps the same words. */
  private static String tokenizerSets(Settings s) {
    StringBuilder b = new StringBuilder();
    Settings d = Settings.defaults();
    for (String k : List.of("data.tokenizer", "data.lowercase", "data.splitPunctuation", "data.minCount")) {
      if (!s.getString(k).equals(d.getString(k))) {
        b.append(" --set ").append(k).append('=').append(s.getString(k));
      }
    }
    return b.toString();
  }

  /** Trains on the shards of data.train in {@code partitions} partitions (w2v.partitions, or the default parallelism). */
  public static Word2VecTraining.Summary run(JavaSparkContext sc, Settings s, RunDirectory run,
      List<String> commandLine, PrintStream log, int partitions) throws IOException {
    SkipGramOptions o = Word2VecTraining.options(s);
    DistributedWord2Vec.Options options = DistributedWord2Vec.Options.of(s, o, partitions);
    String engine = "spark " + sc.master() + " (" + sc.defaultParallelism() + " default parallelism), executors read "
        + "the shards";
    try (RunRecorder rec = RunRecorder.start(run, s, false, "w2v", "w2v train",
        List.of("run", "data", "train", "spark", "w2v"), commandLine, log)) {
      long t0 = System.nanoTime();
      ShardCorpus corpus = ShardCorpus.open(sc, s, partitions);
      corpus.vocabulary().save(run.dir().resolve("vocab.tsv"));
      if (TrainingRun.isUri(corpus.dir())) {
        rec.manifest().put("remoteInputs", Map.of("train", corpus.dir()));
      } else {
        // the ingest's manifest stands for its shards (it lists each shard's counts and each input's hash)
        rec.input("train", Path.of(corpus.dir()).resolve(HadoopShards.MANIFEST));
      }
      Manifest m = rec.manifest();
      int words = corpus.vocabulary().size() - Corpus.FIRST_WORD;
      m.put("vocabularySize", words).put("vocabularyHash", corpus.vocabulary().contentHash())
          .put("rawTokens", corpus.rawTokens()).put("trainedWordsPerEpoch", corpus.words()).put("trainer", engine)
          .put("shardPlan", corpus.plan().size() + " partitions over " + corpus.plan().stream().mapToInt(List::size)
              .sum() + " shard pieces")
          .put("parameters", 2L * words * o.dim()).put("kernel", io.seqspark.core.math.FloatKernels.describe());
      rec.writeManifest();
      rec.print(String.format("w2v: %,d words (min count %d) from %,d tokens in %s (manifest and vocabulary read in"
              + " %.1f s); %s, %d epochs; kernel %s", words, s.getInt("data.minCount"), corpus.rawTokens(),
          corpus.dir(), (System.nanoTime() - t0) / 1e9, engine, o.epochs(),
          io.seqspark.core.math.FloatKernels.describe()));
      double rawPerWord = (double) corpus.rawTokens() / corpus.words();
      Progress progress = new Progress(run.runId(), 0, System::nanoTime).describing("words", false);
      Word2VecTrainer.Result r = DistributedWord2Vec.train(sc, corpus, options,
          (epoch, round, done, total, lr, loss, sec) -> {
            double wps = sec > 0 ? done * rawPerWord / sec : Double.NaN;
            Map<String, Object> line = new LinkedHashMap<>();
            line.put("epoch", epoch + 1);
            line.put("step", done);
            line.put("words_per_s", wps);
            line.put("lr", lr);
            line.put("loss", loss);
            line.put("seconds", sec);
            rec.metric(line);
            log.println(progress.line(epoch + 1, o.epochs(), done, total, wps, loss, lr));
          });
      WordVectors wv = WordVectors.of(r.model());
      Map<String, Object> eval = Word2VecTraining.evaluate(s, wv, log, run.runId());
      if (!eval.isEmpty()) {
        Map<String, Object> e = new LinkedHashMap<>(eval);
        e.put("step", r.words());
        rec.metric(e);
      }
      double wps = corpus.rawTokens() * (double) o.epochs() / r.seconds();
      Word2VecFormat.writeText(run.dir().resolve("vectors.txt"), wv);
      Word2VecFormat.writeBinary(run.dir().resolve("vectors.bin"), wv);
      Map<String, Object> results = new LinkedHashMap<>();
      results.put("trainSeconds", r.seconds());
      results.put("wordsPerSecond", wps);
      results.put("meanLoss", r.meanLoss());
      results.put("evaluation", eval);
      rec.finish(r.words(), "words", wps, Map.of(), results);
      Word2VecArchive.write(run.modelFile(), s, r.model(), rec.manifest().toMap());
      return new Word2VecTraining.Summary(run.dir(), words, corpus.rawTokens(), r.seconds(), wps, r.meanLoss(), eval);
    }
  }
}
