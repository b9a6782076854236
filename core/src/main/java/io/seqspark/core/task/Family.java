package io.seqspark.core.task;

import io.seqspark.core.config.Settings;
import io.seqspark.core.data.Minibatch;
import io.seqspark.core.data.Shard;
import io.seqspark.core.data.ShardExamples;
import io.seqspark.core.data.Vocabulary;
import io.seqspark.core.io.Manifest;
import io.seqspark.core.io.ModelArchive;
import io.seqspark.core.nn.Embedding;
import io.seqspark.core.train.BatchSource;
import io.seqspark.core.train.StepStats;
import io.seqspark.core.train.TrainSetup;
import io.seqspark.core.train.TrainStep;
import io.seqspark.core.train.Trainable;
import java.io.IOException;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;

/**
 * A model family as one plug-in: its batch type, how it reads and shards data, how it builds its model and training
 * step (model + criterion), its metrics, how it evaluates a trained model and how it rebuilds one from an archive.
 * Families are found by name in {@link Families}, which the CLI, the Spark trainer (executors rebuild the model from
 * the family's name, the config and the {@link Dims}) and archive loading all use. The shared driver
 * ({@link TrainingRun}) does everything else: run directory, manifest, metrics, report, checkpoints, archive, and the
 * one epoch loop, locally or on Spark.
 *
 * @param <B> the batch type
 * @param <D> the loaded data
 * @param <M> the model
 */
public interface Family<B extends Minibatch, D extends TrainingData<B>, M extends Trainable<B>> {

  /** The registry key and CLI command: "lm", "classify", "tag". */
  String name();

  /** The command, for the report title and the manifest: "lm train". */
  default String command() {
    return name() + " train";
  }

  /** Fails before any work when the configured training input is missing (one message: key, value, fix). */
  default void checkInputs(Settings s) {
    io.seqspark.core.data.DataInputs.requireFile(s, "data.train");
  }

  /** The input files the manifest records (with sizes and hashes), by role: data.train, valid and test as given. */
  default Map<String, Path> inputs(Settings s) {
    Map<String, Path> m = new java.util.LinkedHashMap<>();
    for (String split : new String[] {"train", "valid", "test"}) {
      if (s.getPath("data." + split) != null) {
        m.put(split, s.getPath("data." + split));
      }
    }
    return m;
  }

  /** Loads the splits; on resume {@code existing} is the run's saved vocabulary (else null: build it). */
  D load(Settings s, Vocabulary existing) throws IOException;

  /** Family-specific manifest entries known before training (e.g. the class labels). */
  default void describe(Manifest manifest, D data) {
  }

  /** The sizes and labels the model is built from (vocabulary, classes, tags). */
  Dims dims(D data);

  /** The training split cut into {@code partitions} shards of primitive arrays; 1 partition batches as the local loop. */
  List<Shard> shards(D data, int partitions);

  /** The training batches of one shard (on a Spark executor); shard 0 of 1 gives exactly the local batches. */
  BatchSource<B> shardSource(Settings s, Shard shard);

  /**
   * Whether Spark executors can read this family's training split from ingested shards themselves ({@link #shardOf},
   * {@link #streamedSource}); the driver then loads the other splits only ({@link #loadWithoutTrain}).
   */
  default boolean readsShards() {
    return false;
  }

  /**
   * Whether the shards this family reads are the pairs of a parallel ingest ({@code ingest --input SRC --target TGT}:
   * {@code source/} and {@code target/}) rather than the examples of one text's ingest.
   */
  default boolean readsPairs() {
    return sides() != null;
  }

  /**
   * The splits except the training split's examples, which the executors read from its shards: {@code train()} is
   * null; {@code vocabulary} is the shards' (ingest's) vocabulary.
   */
  default D loadWithoutTrain(Settings s, Vocabulary vocabulary) throws IOException {
    throw new UnsupportedOperationException(name() + " train does not read ingested shards on the executors");
  }

  /**
   * {@link #loadWithoutTrain(Settings, Vocabulary)} for a family that {@link #readsPairs}: {@code vocabulary} is the
   * target side's, {@code sourceVocabulary} the source side's (null for one text's ingest).
   */
  default D loadWithoutTrain(Settings s, Vocabulary vocabulary, Vocabulary sourceVocabulary) throws IOException {
    return loadWithoutTrain(s, vocabulary);
  }

  /**
   * {@link #loadWithoutTrain(Settings, Vocabulary, Vocabulary)} with the ingest output's {@code manifest.json} as the
   * driver read it: a family whose second side is a label list (classify's labels, tag's tags) takes it from there.
   */
  default D loadWithoutTrain(Settings s, Vocabulary vocabulary, Vocabulary sourceVocabulary,
                             Map<String, Object> ingestManifest) throws IOException {
    return loadWithoutTrain(s, vocabulary, sourceVocabulary);
  }

  /**
   * The side directories of the ingest output the family reads, or null (the default) when it reads one text's
   * ingest: translation's {@code source/} + {@code target/}, classify's {@code text/} + {@code labels/}, tag's
   * {@code words/} + {@code tags/}. A family with sides {@link #readsPairs}.
   */
  default io.seqspark.core.data.ParallelShards.Sides sides() {
    return null;
  }

  /**
   * The ingested examples of one partition's pieces, as {@link #shardOf} and {@link #streamedSource} take them: by
   * default each piece's examples; a family that {@link #readsPairs} gets each pair as one encoded array
   * ({@link ShardExamples#paired}).
   */
  default ShardExamples examples(List<io.seqspark.core.data.ShardPiece> pieces,
                                 io.seqspark.core.data.ShardInput.Opener opener) {
    return readsPairs() ? ShardExamples.paired(pieces, opener, sides()) : new ShardExamples(pieces, opener);
  }

  /**
   * Partition {@code partition}'s shard from the ingested examples it was assigned (ids as ingest wrote them, in
   * corpus order): one partition holding every example gives exactly {@code shards(load(s), 1)}.
   */
  default Shard shardOf(Settings s, Dims dims, int partition, List<int[]> examples) {
    throw new UnsupportedOperationException(name() + " train does not read ingested shards on the executors");
  }

  /**
   * The batches of one window of a streamed partition ({@code data.cache = stream}): window 0 batches as
   * {@link #shardSource} does; later windows shuffle from their own seeds.
   */
  default BatchSource<B> windowSource(Settings s, Shard shard, int window) {
    return shardSource(window == 0 ? s : s.with("seed", WindowedBatches.windowSeed(s.getLong("seed"), window)), shard);
  }

  /**
   * A partition's batches read from its shards again every epoch with bounded memory ({@code data.cache = stream}):
   * by default length-bucketed within windows of {@code data.streamWindow} examples ({@link WindowedBatches}), which
   * gives {@link #shardSource}'s batches when one window holds the whole partition.
   */
  default BatchSource<B> streamedSource(Settings s, Dims dims, int partition, ShardExamples examples)
      throws IOException {
    return new WindowedBatches<>(examples, s.getInt("data.streamWindow"),
        ex -> shardOf(s, dims, partition, ex), (shard, w) -> windowSource(s, shard, w));
  }

  /** A fresh model (parameters initialised from the seed). */
  M model(Settings s, Dims dims);

  /** The model's training step (optimizer, clipping, loss denominator). */
  default TrainStep<B> step(Settings s, M model) {
    return TrainSetup.step(s, model);
  }

  /** The model's token embedding, which {@code model.embedding.pretrained} initialises; null if it has none. */
  default Embedding embedding(M model) {
    return null;
  }

  /**
   * One embedding a fresh model took from pretrained vectors.
   *
   * @param name   what it is, as the log line and the manifest key ({@code <name>PretrainedOov}) call it: "embedding"
   * @param from   the vectors' file or run
   * @param oov    vocabulary words without a vector
   * @param words  vocabulary words other than the reserved tokens
   * @param frozen whether the rows stay fixed in training
   */
  record Pretrained(String name, Path from, int oov, int words, boolean frozen) {
  }

  /**
   * Initialises a fresh model's embeddings from pretrained vectors (never on resume: the checkpoint holds them). By
   * default the token embedding ({@link #embedding}) from model.embedding.pretrained over the vocabulary.
   */
  default List<Pretrained> pretrained(Settings s, D data, M model) throws IOException {
    Embedding e = embedding(model);
    int oov = e == null ? -1 : io.seqspark.core.w2v.PretrainedEmbedding.initialise(s, e, data.vocabulary());
    return oov < 0 ? List.of() : List.of(new Pretrained("embedding", s.getPath("model.embedding.pretrained"), oov,
        data.vocabulary().size() - Vocabulary.SPECIALS.size(), e.frozen()));
  }

  /** The opening log line after the run id: model, sizes, data. */
  String summary(Settings s, D data, M model);

  /** What the loss is counted over ({@link StepStats#tokens()}): "tokens" or "examples"; names the rate metric. */
  default String unit() {
    return "tokens";
  }

  /** Whether the loss is a language model's, whose perplexity the progress line shows. */
  default boolean perplexity() {
    return false;
  }

  /** {split_loss, split_ppl}: the metrics of a loss over tokens whose exponential is a perplexity. */
  static Map<String, Object> lossAndPerplexity(String split, StepStats stats) {
    Map<String, Object> m = new java.util.LinkedHashMap<>();
    m.put(split + "_loss", stats.meanLoss());
    m.put(split + "_ppl", stats.perplexity());
    return m;
  }

  /** Metrics of a loss sum, keys prefixed by {@code split} (e.g. train_loss, train_ppl). */
  Map<String, Object> lossMetrics(String split, StepStats stats);

  /** Extra metrics of a validation split after each epoch (e.g. accuracy); none by default. */
  default Map<String, Object> splitMetrics(D data, M model, BatchSource<B> split, String prefix) {
    return Map.of();
  }

  /**
   * After training, with the model holding the parameters the archive keeps (the best validated ones): evaluate the
   * test split etc. Metrics go to {@code metrics}; the returned entries go to the manifest and the outcome.
   * {@code lastValid} holds the validation metrics of the kept parameters (empty if none).
   */
  Map<String, Object> finish(Settings s, D data, M model, Map<String, Object> lastValid, Metrics metrics)
      throws IOException;

  /**
   * {@code <family> eval}: the metrics of a trained model on {@code file} (null: the run's own test split, else its
   * valid split), as one flat map (what {@code eval --json} prints).
   */
  Map<String, Object> evaluate(Loaded<M> model, Path file) throws IOException;

  /**
   * Files the family keeps beside the parameters (in model.zip and the run directory), by name: e.g. a translation
   * model's source vocabulary. {@link Loaded#files()} gives them back.
   */
  default Map<String, byte[]> archiveFiles(D data) throws IOException {
    return Map.of();
  }

  /** The dimensions of an archive written before archives recorded them (older runs). */
  default Dims legacyDims(ModelArchive.Contents archive) {
    return Dims.ofVocabulary(archive.vocabulary().size());
  }

  /** Where {@link #finish} records metrics and log lines. */
  interface Metrics {
    void log(Map<String, Object> record) throws IOException;

    void print(String line);

    long step();
  }

  /**
   * A trained model with everything its archive holds.
   *
   * @param manifest the run's manifest as stored in the archive
   */
  record Loaded<M>(Family<?, ?, ?> family, Settings settings, Vocabulary vocabulary, Dims dims,
                   Map<String, Object> manifest, Map<String, byte[]> files, M model) {
  }
}
