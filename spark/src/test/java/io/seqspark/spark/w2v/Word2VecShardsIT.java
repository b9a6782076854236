package io.seqspark.spark.w2v;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.seqspark.core.config.Settings;
import io.seqspark.core.io.Json;
import io.seqspark.core.io.RunDirectory;
import io.seqspark.core.w2v.Corpus;
import io.seqspark.core.w2v.SkipGramOptions;
import io.seqspark.core.w2v.Word2VecModel;
import io.seqspark.core.w2v.Word2VecTrainer;
import io.seqspark.core.w2v.Word2VecTraining;
import io.seqspark.spark.ingest.Ingest;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import org.apache.spark.SparkConf;
import org.apache.spark.api.java.JavaSparkContext;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Word2Vec on an ingest output whose shards the executors read ({@link ShardCorpus}), Spark local[2]: the driver's
 * vocabulary, counts and word totals from vocab.tsv and the manifest are the ones {@link Corpus#fromShards} reads from
 * the ids; one partition (one round) equals the local trainer with one thread bit for bit; N partitions give the
 * vectors the driver-read path gives with the same assignment of shard pieces to partitions.
 */
class Word2VecShardsIT {
  @TempDir
  static Path dir;
  static Path shards;
  static JavaSparkContext sc;

  @BeforeAll
  static void ingest() throws IOException {
    SplittableRandom r = new SplittableRandom(12);
    // three files of different sizes (one shard each); word k drawn with weight 1/(k+1): rare words fall under minCount
    for (int f = 0; f < 3; f++) {
      List<String> lines = new ArrayList<>();
      for (int i = 0; i < 80 + 60 * f; i++) {
        StringBuilder sb = new StringBuilder();
        for (int k = 0, n = 3 + r.nextInt(12); k < n; k++) {
          int w = (int) Math.floor(Math.pow(400, r.nextDouble())) - 1;
          sb.append(k == 0 ? "" : " ").append("w").append(w);
        }
        lines.add(sb.toString());
      }
      Files.write(dir.resolve("part" + f + ".txt"), lines);
    }
    shards = dir.resolve("ingested");
    sc = new JavaSparkContext(new SparkConf().setMaster("local[2]").setAppName("Word2VecShardsIT")
        .set("spark.ui.enabled", "false").set("spark.driver.host", "127.0.0.1"));
    Ingest.run(sc, Settings.load(List.of(), List.of()), dir.resolve("part*.txt").toString(), shards.toString(), false,
        List.of("test"));
  }

  @AfterAll
  static void stop() {
    sc.stop();
  }

  static Settings settings(String... extra) {
    List<String> s = new ArrayList<>(List.of("data.train=" + shards, "data.minCount=3", "w2v.maxSentenceLength=7",
        "seed=5"));
    s.addAll(List.of(extra));
    return Settings.load(List.of(Word2VecTraining.DEFAULTS), s);
  }

  static SkipGramOptions options() {
    return new SkipGramOptions(8, 3, 3, 1e-2, 0.05, 1e-4, 2, 1, 5, false);
  }

  @Test
  void theDriversVocabularyCountsAndTotals_fromVocabTsv_equalTheOnesReadFromTheIds() throws IOException {
    Corpus read = Corpus.fromShards(shards, 3, 7);
    ShardCorpus kept = ShardCorpus.open(sc, settings(), 2);
    assertEquals(read.vocabulary().contentHash(), kept.vocabulary().contentHash());
    assertArrayEquals(read.counts(), kept.counts());
    assertEquals(read.words(), kept.words());
    assertEquals(read.rawTokens(), kept.rawTokens());
    assertTrue(read.vocabulary().size() < Corpus.fromShards(shards, 1, 7).vocabulary().size(), "minCount cut words");
  }

  @Test
  void onePartitionOneRound_readingShardsOnAnExecutor_equalsTheLocalTrainerWithOneThread_bitForBit()
      throws IOException {
    Word2VecModel local = Word2VecTrainer.train(Corpus.fromShards(shards, 3, 7), options(), 0, null, 1).model();
    ShardCorpus corpus = ShardCorpus.open(sc, settings(), 1);
    Word2VecTrainer.Result dist = DistributedWord2Vec.train(sc, corpus,
        new DistributedWord2Vec.Options(options(), 1, 1, 0), null);
    assertTrue(local.in().sameValues(dist.model().in()), "input vectors differ");
    assertTrue(local.out().sameValues(dist.model().out()), "output vectors differ");
    assertEquals(corpus.words() * 2, dist.words());
  }

  @Test
  void threePartitions_executorRead_equalsDriverRead_withTheSameAssignment() throws IOException {
    ShardCorpus corpus = ShardCorpus.open(sc, settings(), 3);
    DistributedWord2Vec.Options o = new DistributedWord2Vec.Options(options(), 3, 2, 0);
    Word2VecModel executors = DistributedWord2Vec.train(sc, corpus, o, null).model();
    Word2VecModel driver = DistributedWord2Vec.train(sc, corpus.withoutSentences(), corpus.readOnTheDriver(), o, null)
        .model();
    assertTrue(executors.in().sameValues(driver.in()), "input vectors differ");
    assertTrue(executors.out().sameValues(driver.out()), "output vectors differ");
    Word2VecModel start = Word2VecModel.initialise(corpus.vocabulary(), 8, 5, 0);
    assertFalse(start.in().sameValues(executors.in()), "training moved the vectors");
    assertThrows(IllegalArgumentException.class, () -> DistributedWord2Vec.train(sc, corpus,
        new DistributedWord2Vec.Options(options(), 3, 2, 0, true, 0, true, 0.25, io.seqspark.spark.train.ParameterChannel.DEFAULT_TIMEOUT_SECONDS), null), "w2v.slices = dealt");
  }

  /** {@code w2v train --master} with 1 partition and 1 round writes the vectors {@code w2v train} writes with 1 thread. */
  @Test
  void theRunDirectory_ofOnePartitionOnSpark_holdsTheLocalOneThreadVectors() throws IOException {
    PrintStream quiet = new PrintStream(new ByteArrayOutputStream());
    Settings s = settings("w2v.dim=8", "train.epochs=1", "run.threads=1", "w2v.partitions=1", "w2v.roundsPerEpoch=1");
    Word2VecTraining.run(s, RunDirectory.create(dir.resolve("local"), false), List.of("test"), quiet,
        Word2VecTraining.Engine.LOCAL);
    Word2VecShardTraining.run(sc, s, RunDirectory.create(dir.resolve("spark"), false), List.of("test"), quiet, 1);
    assertEquals(Files.readString(dir.resolve("local/vectors.txt")), Files.readString(dir.resolve("spark/vectors.txt")));
    Map<String, Object> m = Json.readMap(Files.readString(dir.resolve("spark/manifest.json")));
    assertTrue(m.get("trainer").toString().contains("executors read the shards"), m.get("trainer").toString());
    Map<String, Object> l = Json.readMap(Files.readString(dir.resolve("local/manifest.json")));
    for (String k : new String[] {"vocabularySize", "vocabularyHash", "rawTokens", "trainedWordsPerEpoch"}) {
      assertEquals(l.get(k), m.get(k), k);
    }
  }
}
