package io.seqspark.spark.w2v;

import io.seqspark.core.config.Settings;
import io.seqspark.core.io.RunDirectory;
import io.seqspark.core.io.RunRecorder;
import io.seqspark.core.task.TrainingRun;
import io.seqspark.core.w2v.Corpus;
import io.seqspark.core.w2v.SkipGramOptions;
import io.seqspark.core.w2v.Word2VecTrainer;
import io.seqspark.core.w2v.Word2VecTraining;
import io.seqspark.spark.train.HadoopShards;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.apache.spark.api.java.JavaSparkContext;

/**
 * {@code w2v train --master} with data.train an ingest output: the executors read their shard pieces
 * ({@link ShardCorpus}); the driver reads the manifest and vocab.tsv only. The run directory is the one
 * {@link Word2VecTraining#run} fills: this class is only its {@link Word2VecTraining.Source}, answering the corpus facts
 * from the ingest's manifest and vocabulary.
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
    return Word2VecTraining.run(s, run, commandLine, log, () -> source(sc, s, ShardCorpus.open(sc, s, partitions),
        partitions));
  }

  private static Word2VecTraining.Source source(JavaSparkContext sc, Settings s, ShardCorpus corpus, int partitions) {
    return new Word2VecTraining.Source() {
      @Override
      public Corpus corpus() {
        return corpus.withoutSentences();
      }

      @Override
      public String trainer() {
        return "spark " + sc.master() + " (" + sc.defaultParallelism() + " default parallelism), executors read the"
            + " shards";
      }

      @Override
      public void record(RunRecorder rec) throws IOException {
        if (TrainingRun.isUri(corpus.dir())) {
          rec.manifest().put("remoteInputs", Map.of("train", corpus.dir()));
        } else {
          // the ingest's manifest stands for its shards (it lists each shard's counts and each input's hash)
          rec.input("train", Path.of(corpus.dir()).resolve(HadoopShards.MANIFEST));
        }
        rec.manifest().put("shardPlan", corpus.plan().size() + " partitions over " + corpus.plan().stream()
            .mapToInt(List::size).sum() + " shard pieces");
      }

      @Override
      public Word2VecTrainer.Result train(SkipGramOptions o, Word2VecTraining.Listener listener) {
        return DistributedWord2Vec.train(sc, corpus, DistributedWord2Vec.Options.of(s, o, partitions),
            (epoch, round, done, total, lr, loss, sec) -> listener.onProgress(epoch + 1, done, total, lr, loss, sec));
      }
    };
  }
}
