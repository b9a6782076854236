package io.seqspark.spark.train;

import io.seqspark.core.config.ConfigException;
import io.seqspark.core.config.Settings;
import io.seqspark.core.data.Minibatch;
import io.seqspark.core.io.DirectoryStore;
import io.seqspark.core.io.RunDirectory;
import io.seqspark.core.task.Family;
import io.seqspark.core.task.TrainingData;
import io.seqspark.core.task.TrainingRun;
import io.seqspark.core.train.Rounds;
import io.seqspark.core.train.TrainSetup;
import io.seqspark.core.train.TrainStep;
import io.seqspark.core.train.Trainable;
import io.seqspark.core.data.Shard;
import io.seqspark.core.data.ShardExamples;
import io.seqspark.core.data.ShardInput;
import io.seqspark.core.data.ShardPiece;
import io.seqspark.core.data.ShardPlan;
import io.seqspark.core.data.Vocabulary;
import io.seqspark.core.task.Dims;
import io.seqspark.spark.ingest.HadoopConf;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.apache.hadoop.conf.Configuration;
import org.apache.spark.api.java.JavaRDD;
import org.apache.spark.api.java.JavaSparkContext;
import org.apache.spark.storage.StorageLevel;

/**
 * Training on Spark, for any model family: the family cuts the training split into {@code spark.workers} shards
 * (cached on the executors), and the shared {@link io.seqspark.core.train.EpochLoop} runs {@link ParameterAveraging}
 * rounds (each partition k optimizer steps on its own batches, then the token-weighted average) where the local
 * trainer runs single steps; validation, best model, budgets and checkpoints are the same code. Executors rebuild the
 * model from the family's name, the config and its dimensions ({@link FamilyWorkload}).
 */
public final class SparkTrainingLoop implements TrainingRun.Loop {
  private final JavaSparkContext sc;
  private final ParameterAveraging.Listener listener;
  private final boolean driverReads;
  /** The training shards the executors read (null: the family loads the training split on the driver). */
  private HadoopShards trainShards;
  private List<List<ShardPiece>> plan;
  private String settingsCache;

  public SparkTrainingLoop(JavaSparkContext sc) {
    this(sc, null);
  }

  /** With a listener that also sees each round's time split (benchmarks). */
  public SparkTrainingLoop(JavaSparkContext sc, ParameterAveraging.Listener listener) {
    this(sc, listener, false);
  }

  /**
   * {@code driverReads}: the driver reads the training shards' pieces itself and broadcasts them (the path before
   * executors read their own), with the same assignment of pieces to partitions; for comparisons.
   */
  SparkTrainingLoop(JavaSparkContext sc, ParameterAveraging.Listener listener, boolean driverReads) {
    this.sc = sc;
    this.listener = listener;
    this.driverReads = driverReads;
  }

  /**
   * With {@code data.train} an ingest output and a family that reads shards ({@link Family#readsShards}), the
   * executors read the training split: the driver reads the manifest and the vocabulary only. Any split the driver
   * does read (text training data, validation, test) must stay under {@code data.driverMaxMB}; a larger text
   * training file fails with the {@code seqspark ingest} command that makes it shards.
   */
  @Override
  public Vocabulary shardVocabulary(Family<?, ?, ?> family, Settings s) throws IOException {
    String train = s.getString("data.train");
    long limit = s.getInt("data.driverMaxMB") * (1L << 20);
    Configuration conf = sc.hadoopConfiguration();
    boolean translation = io.seqspark.core.data.ParallelShards.TRANSLATION.equals(family.sides());
    if (family.readsShards() && family.readsPairs() && translation && HadoopShards.isShards(train, conf)) {
      throw new ConfigException(List.of("data.train = " + train + ": an ingest of one text; " + family.command()
          + " reads the ingest of parallel files. Fix: bin/seqspark ingest --input PREFIX.SRC --target PREFIX.TGT"
          + " --out DIR, then --set data.train=DIR"));
    }
    boolean ingested = family.readsPairs() ? HadoopShards.isParallel(train, conf, family.sides())
        : HadoopShards.isShards(train, conf);
    if (family.readsShards() && ingested) {
      trainShards = family.readsPairs() ? HadoopShards.openParallel("data.train", train, conf, family.sides())
          : HadoopShards.open("data.train", train, conf);
      plan = ShardPlan.assign(trainShards.files(), partitions(s), s.getLong("seed"));
      settingsCache = driverReads ? "memory" : s.getString("data.cache");
    } else if (family.readsShards() && TrainingRun.isUri(train)) {
      String input = !family.readsPairs() ? "--input " + train : translation ? "--input " + train + ".SRC --target "
          + train + ".TGT" : "--input " + train + " --set ingest.format=" + family.sides().format();
      throw new ConfigException(List.of("data.train = " + train + ": not an ingest output (" + HadoopShards.MANIFEST
          + (family.readsPairs() ? ", " + family.sides().first() + "/ and " + family.sides().second() + "/"
          : ", " + io.seqspark.core.data.TokenShards.VOCABULARY_FILE
          + " and shards/") + " through Hadoop's FileSystem); a URI names shards the executors read. Fix: point"
          + " data.train at the --out of seqspark ingest, or ingest first: bin/seqspark ingest " + input + " --out "
          + train + ".shards"));
    }
    // after the training split is known: a family's files for valid and test may depend on it (Family#inputs)
    for (String key : List.of("data.valid", "data.test")) {
      checkDriverSize(s, key, limit, family, false);
    }
    if (trainShards != null) {
      return trainShards.vocabulary();
    }
    checkDriverSize(s, "data.train", limit, family, true);
    return null;
  }

  @Override
  public Vocabulary shardSourceVocabulary() {
    return trainShards == null ? null : trainShards.sourceVocabulary();
  }

  @Override
  public Map<String, Object> shardManifest() {
    return trainShards == null ? null : trainShards.manifest();
  }

  /**
   * Fails when the driver would read a split larger than data.driverMaxMB into its heap. A split is the files the
   * family names for it ({@link Family#inputs}: a translation prefix's two files); the fix for a training split is
   * the ingest command, for the others a smaller file.
   */
  private static void checkDriverSize(Settings s, String key, long limit, Family<?, ?, ?> family, boolean training)
      throws IOException {
    java.nio.file.Path p = s.getPath(key);
    if (p == null) {
      return;
    }
    List<java.nio.file.Path> paths = new ArrayList<>();
    if (family.readsPairs() && !java.nio.file.Files.exists(p)) {
      for (Map.Entry<String, java.nio.file.Path> e : family.inputs(s).entrySet()) {
        if (e.getKey().startsWith(key.substring("data.".length()) + ".")) {
          paths.add(e.getValue());
        }
      }
    } else if (java.nio.file.Files.exists(p)) {
      paths.add(p);
    }
    long bytes = 0;
    for (java.nio.file.Path path : paths) {
      try (java.util.stream.Stream<java.nio.file.Path> files = java.nio.file.Files.walk(path)) {
        bytes += files.filter(java.nio.file.Files::isRegularFile).mapToLong(f -> f.toFile().length()).sum();
      }
    }
    if (bytes <= limit) {
      return;
    }
    String size = String.format(java.util.Locale.ROOT, "%.1f MB", bytes / 1048576.0);
    String ingest = family.readsPairs() && paths.size() == 2
        ? "--input " + paths.get(0) + " --target " + paths.get(1) : "--input " + p
        + (family.readsPairs() && !io.seqspark.core.data.ParallelShards.TRANSLATION.equals(family.sides())
        ? " --set ingest.format=" + family.sides().format() : "");
    String fix = training && family.readsShards()
        ? " Fix: ingest it once and train from the shards, which the executors read themselves: bin/seqspark ingest "
          + ingest + " --out " + p + ".shards" + settingsOf(s) + ", then --set data.train=" + p + ".shards;"
          + " or raise data.driverMaxMB (and the driver heap, SEQSPARK_JAVA_OPTS=-Xmx...)"
        : " Fix: use a smaller " + key + " (the driver evaluates it), or raise data.driverMaxMB (and the driver"
          + " heap, SEQSPARK_JAVA_OPTS=-Xmx...)";
    throw new ConfigException(List.of(key + " = " + p + " is " + size + ", over data.driverMaxMB = "
        + s.getInt("data.driverMaxMB") + ": with --master the driver would read it into its own heap." + fix));
  }

  /** The --set flags of the tokenizer keys that differ from the defaults, so ingest gives the same ids. */
  private static String settingsOf(Settings s) {
    StringBuilder b = new StringBuilder();
    Settings d = Settings.defaults();
    for (String k : List.of("data.tokenizer", "data.lowercase", "data.splitPunctuation", "data.minCount",
        "data.maxVocabSize", "data.eosPerLine")) {
      if (!s.getString(k).equals(d.getString(k))) {
        b.append(" --set ").append(k).append('=').append(s.getString(k));
      }
    }
    return b.toString();
  }

  /** {@code run.checkpointDir} may be any Hadoop file system path here (empty: the run directory's checkpoints/). */
  @Override
  public DirectoryStore checkpointStore(Settings s, RunDirectory run) {
    String dir = s.getString("run.checkpointDir");
    if (dir.isEmpty()) {
      return TrainingRun.Loop.super.checkpointStore(s, run);
    }
    try {
      return new HadoopDirectoryStore(dir, sc.hadoopConfiguration());
    } catch (IOException | IllegalArgumentException e) {
      throw new ConfigException(List.of("run.checkpointDir = " + dir + ": not a usable Hadoop file system path ("
          + e.getMessage() + "); give a URI such as hdfs://namenode/ckpt/run1 or file:///tmp/ckpt, with the file"
          + " system's client and credentials configured for Spark (see README, On a cluster)"));
    }
  }

  int partitions(Settings s) {
    int w = s.getInt("spark.workers");
    return w > 0 ? w : sc.defaultParallelism();
  }

  /** For the manifest; says who reads ingested training shards (after {@link #shardVocabulary}). */
  @Override
  public String name() {
    String base = "spark " + sc.master() + ", " + sc.defaultParallelism() + " default parallelism";
    if (trainShards == null) {
      return base;
    }
    return base + (driverReads ? ", the driver reads " : ", executors read ") + trainShards.files().size()
        + (trainShards.sourceVocabulary() != null ? " pairs of" : "") + " shard files (" + trainShards.tokens()
        + " tokens) in " + plan.size() + " partitions, data.cache = " + settingsCache;
  }

  /**
   * Each epoch advances about the batches of one partition in optimizer steps; with executors reading the shards,
   * estimated from the largest partition's tokens (the driver never sees the batches).
   */
  @Override
  public long totalSteps(Family<?, ?, ?> family, TrainingData<?> data, Settings s, int epochs) {
    if (data.train() == null) {
      long most = java.util.Arrays.stream(ShardPlan.tokens(plan)).max().orElse(0);
      long perStep = family instanceof io.seqspark.core.task.LanguageModelFamily
          && io.seqspark.core.task.LanguageModelFamily.streamRegime(s)
          ? (long) s.getInt("train.batchSize") * s.getInt("train.bptt") : s.getInt("data.maxTokensPerBatch");
      return epochs * Math.max(1, most / Math.max(1, perStep));
    }
    return epochs * (long) Math.max(1, Math.ceil((double) data.train().numBatches(1) / partitions(s)));
  }

  @Override
  public <B extends Minibatch, D extends TrainingData<B>, M extends Trainable<B>> Rounds rounds(Family<B, D, M> family,
      D data, Settings s, TrainStep<B> step) {
    Dims dims = family.dims(data);
    JavaRDD<Shard> rdd;
    AutoCloseable cached;
    FamilyWorkload<B> workload;
    if (data.train() != null) {
      CachedShards<Shard> c = new CachedShards<>(sc, family.shards(data, partitions(s)));
      rdd = c.rdd();
      cached = c;
      workload = new FamilyWorkload<>(family, s, dims);
    } else if (driverReads) {
      Configuration conf = sc.hadoopConfiguration();
      List<Shard> shards = new ArrayList<>();
      for (int p = 0; p < plan.size(); p++) {
        try {
          shards.add(family.shardOf(s, dims, p, family.examples(plan.get(p), f -> HadoopShards.open(f, conf))
              .readAll()));
        } catch (IOException e) {
          throw new UncheckedIOException(e);
        }
      }
      CachedShards<Shard> c = new CachedShards<>(sc, shards);
      rdd = c.rdd();
      cached = c;
      workload = new FamilyWorkload<>(family, s, dims);
    } else {
      String cache = s.getString("data.cache");
      HadoopConf conf = new HadoopConf(sc);
      ShardInput.Opener opener = cache.equals("disk") ? HadoopShards.localCopies(conf) : HadoopShards.opener(conf);
      FamilyWorkload<B> w = new FamilyWorkload<>(family, s, dims, new FamilyWorkload.ShardReading(plan, cache, opener));
      List<Integer> index = new ArrayList<>();
      for (int p = 0; p < plan.size(); p++) {
        index.add(p);
      }
      // each partition reads its own pieces on its executor; a lost executor's partitions are read again by the
      // retried tasks (the RDD's lineage is the read)
      JavaRDD<Shard> read = sc.parallelize(index, plan.size()).mapPartitions(it -> {
        List<Shard> out = new ArrayList<>();
        it.forEachRemaining(p -> out.add(w.readShard(p)));
        return out.iterator();
      }).persist(StorageLevel.MEMORY_ONLY());
      rdd = read;
      cached = () -> read.unpersist(false);
      workload = w;
    }
    ParameterAveraging pa = new ParameterAveraging(sc, workload,
        ParameterAveraging.Options.of(s, s.getInt("train.epochs"), TrainSetup.loopOptions(s).learningRate(),
            s.getLong("seed")), step).channelTimeoutSeconds(s.getInt("spark.channelTimeoutSeconds"));
    Rounds r = pa.rounds(rdd, listener);
    return new Rounds() {
      @Override
      public void startEpoch(int epoch, boolean fresh) {
        r.startEpoch(epoch, fresh);
      }

      @Override
      public Round run(int epoch, int round, double lr, long stepsBefore) {
        return r.run(epoch, round, lr, stepsBefore);
      }

      @Override
      public int rounds(int epoch) {
        return -1;
      }

      @Override
      public Map<String, double[]> exportState() {
        return r.exportState();
      }

      @Override
      public void importState(Map<String, double[]> state) {
        r.importState(state);
      }

      @Override
      public void close() {
        r.close();
        try {
          cached.close();
        } catch (Exception e) {
          throw new IllegalStateException("releasing the cached training shards failed", e);
        }
      }
    };
  }
}
