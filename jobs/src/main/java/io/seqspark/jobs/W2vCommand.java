package io.seqspark.jobs;

import io.seqspark.core.config.Settings;
import io.seqspark.core.io.RunDirectory;
import io.seqspark.core.w2v.EmbeddingEvaluation;
import io.seqspark.core.w2v.Word2VecArchive;
import io.seqspark.core.w2v.Word2VecTraining;
import io.seqspark.core.w2v.WordVectors;
import io.seqspark.spark.w2v.ShardCorpus;
import io.seqspark.spark.w2v.SparkWord2VecEngine;
import io.seqspark.spark.w2v.Word2VecShardTraining;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import org.apache.spark.SparkConf;
import org.apache.spark.api.java.JavaSparkContext;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/** {@code seqspark w2v train | eval | neighbors}. */
@Command(name = "w2v", description = "Word2Vec skip-gram with negative sampling: train, evaluate, nearest neighbours.",
    subcommands = {W2vCommand.Train.class, W2vCommand.Eval.class, W2vCommand.Neighbors.class})
public final class W2vCommand {

  @Command(name = "train", mixinStandardHelpOptions = true, description = "Train word vectors on data.train (text or an"
      + " ingest output). Without --master: this machine, run.threads threads. With --master: Spark, in rounds.")
  static final class Train implements Callable<Integer> {
    @Mixin
    RunOptions run;
    @Spec
    picocli.CommandLine.Model.CommandSpec spec;

    @Override
    public Integer call() throws Exception {
      if (run.resuming()) {
        throw new IllegalArgumentException("w2v train does not resume (it has no checkpoints); start a new run with --out");
      }
      Settings s = run.settings(List.of(io.seqspark.core.w2v.Word2VecTraining.DEFAULTS));
      Word2VecTraining.options(s);
      String master = run.master();
      if (master == null || !io.seqspark.core.task.TrainingRun.isUri(s.getString("data.train"))) {
        Word2VecTraining.corpusPathCheck(s);
      } else {
        // an ingest output the executors read through Hadoop: checked by the Spark engine; the evaluation files here
        for (String key : new String[] {"w2v.questions", "w2v.wordsim"}) {
          if (s.getPath(key) != null && !java.nio.file.Files.isRegularFile(s.getPath(key))) {
            throw new IllegalArgumentException(key + " = " + s.getPath(key) + ": no such file (looked in "
                + s.getPath(key).toAbsolutePath() + "); set " + key + " to an existing file or to \"\" to skip this"
                + " evaluation");
          }
        }
      }
      if (master != null) {
        Word2VecShardTraining.checkDriverText(s); // text the driver would read: over data.driverMaxMB, ingest it
      }
      RunDirectory dir = run.runDirectory("w2v", s);
      Word2VecTraining.Summary sum;
      if (master == null) {
        sum = Word2VecTraining.run(s, dir, LmCommand.commandLine(spec), System.err, Word2VecTraining.Engine.LOCAL);
      } else if (RunOptions.shared() != null) { // a pipeline stage: the pipeline's context, left running
        sum = onSpark(RunOptions.shared(), s, dir);
      } else {
        SparkConf conf = new SparkConf().setAppName("seqspark w2v " + dir.runId()).setMaster(master);
        if (master.startsWith("local")) {
          conf.setIfMissing("spark.driver.host", "127.0.0.1").setIfMissing("spark.ui.enabled", "false");
        }
        try (JavaSparkContext sc = new JavaSparkContext(conf)) {
          sum = onSpark(sc, s, dir);
        }
      }
      System.out.printf("run directory:      %s%n", sum.runDir());
      System.out.printf("vocabulary:         %,d words from %,d tokens%n", sum.vocabulary(), sum.rawTokens());
      System.out.printf("training:           %.1f s, %,.0f words/s, mean loss %.4f%n", sum.seconds(), sum.wordsPerSecond(), sum.meanLoss());
      for (Map.Entry<String, Object> e : sum.evaluation().entrySet()) {
        System.out.printf("%-20s%s%n", e.getKey() + ":", e.getValue());
      }
      return 0;
    }

    /** On Spark: an ingest output stays on the cluster (the executors read their shards), text is read here. */
    private Word2VecTraining.Summary onSpark(JavaSparkContext sc, Settings s, RunDirectory dir) throws Exception {
      SparkWord2VecEngine engine = new SparkWord2VecEngine(sc);
      if (ShardCorpus.isShards(sc, s)) {
        return Word2VecShardTraining.run(sc, s, dir, LmCommand.commandLine(spec), System.err, engine.partitions(s));
      }
      return Word2VecTraining.run(s, dir, LmCommand.commandLine(spec), System.err, engine);
    }
  }

  @Command(name = "eval", mixinStandardHelpOptions = true,
      description = "Analogy accuracy (3CosAdd, top --restrict words) and WordSim Spearman of a model or word2vec file.")
  static final class Eval implements Callable<Integer> {
    @Parameters(index = "0", paramLabel = "VECTORS", description = "A w2v run directory, its model.zip, or a word2vec text/binary file.")
    Path vectors;
    @Option(names = "--questions", paramLabel = "FILE", description = "Analogy questions (questions-words.txt format).")
    Path questions;
    @Option(names = "--wordsim", paramLabel = "FILE", description = "Word pairs with scores (wordsim353.tsv format).")
    Path wordsim;
    @Option(names = "--restrict", paramLabel = "N", defaultValue = "30000", description = "Answer analogies among the N most frequent words (default ${DEFAULT-VALUE}).")
    int restrict;
    @Option(names = "--json", description = "Print one JSON object (analogy_accuracy, analogy_coverage, wordsim_spearman, wordsim_coverage) on stdout.")
    boolean json;

    @Override
    public Integer call() throws Exception {
      if (questions == null && wordsim == null) {
        throw new IllegalArgumentException("nothing to evaluate: pass --questions FILE and/or --wordsim FILE");
      }
      List<String> sets = new ArrayList<>(List.of("w2v.restrictVocab=" + restrict));
      if (questions != null) {
        sets.add("w2v.questions=\"" + questions + "\"");
      }
      if (wordsim != null) {
        sets.add("w2v.wordsim=\"" + wordsim + "\"");
      }
      WordVectors wv = Word2VecArchive.load(vectors);
      java.util.Map<String, Object> m = Word2VecTraining.evaluate(Settings.load(List.of(), sets), wv,
          json ? System.err : System.out, vectors.getFileName().toString());
      if (json) {
        System.out.println(io.seqspark.core.io.Json.write(m));
      }
      return 0;
    }
  }

  @Command(name = "neighbors", aliases = "neighbours", mixinStandardHelpOptions = true,
      description = "The nearest words by cosine similarity.")
  static final class Neighbors implements Callable<Integer> {
    @Parameters(index = "0", paramLabel = "VECTORS", description = "A w2v run directory, its model.zip, or a word2vec text/binary file.")
    Path vectors;
    @Parameters(index = "1..*", arity = "1..*", paramLabel = "WORD", description = "Words to look up.")
    List<String> words;
    @Option(names = "-k", defaultValue = "10", description = "Neighbours per word (default ${DEFAULT-VALUE}).")
    int k;

    @Override
    public Integer call() throws Exception {
      if (k < 1) {
        throw new IllegalArgumentException("-k " + k + ": must be >= 1");
      }
      WordVectors wv = Word2VecArchive.load(vectors);
      for (String w : words) {
        List<EmbeddingEvaluation.Neighbour> n = EmbeddingEvaluation.neighbours(wv, w, k);
        if (n.isEmpty()) {
          System.out.println(w + ": not in the vocabulary");
          continue;
        }
        StringBuilder sb = new StringBuilder(w).append(':');
        for (EmbeddingEvaluation.Neighbour x : n) {
          sb.append(String.format(java.util.Locale.ROOT, " %s (%.3f)", x.word(), x.cosine()));
        }
        System.out.println(sb);
      }
      return 0;
    }
  }
}
