package io.seqspark.core.task;

import io.seqspark.core.config.Settings;
import io.seqspark.core.data.Batch;
import io.seqspark.core.data.DataInputs;
import io.seqspark.core.data.SentenceBatcher;
import io.seqspark.core.data.Shard;
import io.seqspark.core.data.TagSet;
import io.seqspark.core.data.Tagged;
import io.seqspark.core.data.TaggedCorpus;
import io.seqspark.core.data.Vocabulary;
import io.seqspark.core.eval.TaggingMetrics;
import io.seqspark.core.io.Manifest;
import io.seqspark.core.io.RunDirectory;
import io.seqspark.core.model.SequenceTagger;
import io.seqspark.core.model.SequenceTaggerSpec;
import io.seqspark.core.nn.Bidirectional;
import io.seqspark.core.nn.Embedding;
import io.seqspark.core.train.BatchSource;
import io.seqspark.core.train.Evaluation;
import io.seqspark.core.train.StepStats;
import io.seqspark.core.train.TrainSetup;
import io.seqspark.core.train.TrainStep;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import org.nd4j.linalg.api.buffer.DataType;

/**
 * The sequence-tagging family ({@code tag}): many-to-many labelling of CoNLL-style files ({@code WORD<TAB>TAG} per
 * line, a blank line between sentences), e.g. part-of-speech tagging. Embedding (optionally pretrained) →
 * bidirectional LSTM/GRU stack → a softmax over tags at every word, trained on the mean loss per word. Words missing
 * from the vocabulary are read as their shape class ({@code tag.unknownClasses}: capitalised, number, suffix, ...)
 * instead of a bare {@code <unk>}. Metrics: token accuracy, accuracy on out-of-vocabulary words, macro F1 and F1 per
 * tag.
 */
public final class TaggerFamily implements Family<Batch, TaggerFamily.Data, SequenceTagger> {

  /** The registered instance. */
  public static final TaggerFamily INSTANCE = new TaggerFamily();

  /**
   * The splits (valid and test null when not configured), the word vocabulary and tag set, and the training split's
   * encoded {@link Tagged} examples for sharding, model.contextual ("" or the biLM it names) and, with it, the
   * spellings of the words the vocabulary lacks (ids past it, for the biLM).
   */
  public record Data(Vocabulary vocabulary, TagSet tags, TaggedCorpus.WordEncoding encoding, BatchSource<Batch> train,
                     BatchSource<Batch> valid, BatchSource<Batch> test, List<int[]> trainExamples,
                     double trainPaddingRatio, String contextual, ContextualLm.Spellings spellings)
      implements TrainingData<Batch> {
  }

  private TaggerFamily() {
  }

  @Override
  public String name() {
    return "tag";
  }

  /** Trains through {@code loop} (local, or Spark from the spark module). */
  public static io.seqspark.core.io.RunRecorder.Result run(Settings s, RunDirectory run, boolean resume,
      List<String> commandLine, PrintStream log, TrainingRun.Loop loop) throws IOException {
    return TrainingRun.run(INSTANCE, s, run, resume, commandLine, log, loop);
  }

  /** data.train, and the biLM model.contextual names (when set), before any work. */
  @Override
  public void checkInputs(Settings s) {
    Family.super.checkInputs(s);
    ContextualLm.check(s);
  }

  /** How words are looked up: data.lowercase and tag.unknownClasses. */
  public static TaggedCorpus.WordEncoding encoding(Settings s) {
    return new TaggedCorpus.WordEncoding(s.getBoolean("data.lowercase"), s.getBoolean("tag.unknownClasses"));
  }

  /** A CoNLL file named by {@code key}; ingest outputs are not tagged corpora. */
  static TaggedCorpus read(Settings s, String key) throws IOException {
    Path p = DataInputs.requireFile(s, key);
    if (DataInputs.isShards(p)) {
      throw new IllegalArgumentException(key + " = " + p + ": an ingest output holds untagged token ids; the tagger"
          + " reads CoNLL-style files (WORD<TAB>TAG per line, a blank line between sentences). Fix: point " + key
          + " at such a file");
    }
    return TaggedCorpus.read(p);
  }

  @Override
  public Data load(Settings s, Vocabulary existing) throws IOException {
    if (isTaggedIngest(s.getPath("data.train"))) {
      return loadIngested(s, existing);
    }
    TaggedCorpus train = read(s, "data.train");
    TaggedCorpus.WordEncoding enc = encoding(s);
    Vocabulary v = existing != null ? existing
        : train.wordVocabulary(s.getInt("data.minCount"), s.getInt("data.maxVocabSize"), enc);
    TagSet tags = train.tagSet();
    long seed = s.getLong("seed");
    TaggedCorpus valid = s.getPath("data.valid") == null ? null : read(s, "data.valid");
    TaggedCorpus test = s.getPath("data.test") == null ? null : read(s, "data.test");
    String contextual = s.getString("model.contextual");
    ContextualLm.Spellings sp = contextual.isEmpty() ? ContextualLm.Spellings.NONE
        : spellings(v, enc, train, valid, test);
    List<int[]> tr = encode(train, v, tags, enc, sp);
    BatchSource<Batch> va = valid == null ? null : source(s, encode(valid, v, tags, enc, sp));
    BatchSource<Batch> te = test == null ? null : source(s, encode(test, v, tags, enc, sp));
    double pad = DataInputs.sentenceBatcher(s, tr, seed, SentenceBatcher.Layout.TAGGING).paddingRatio(1);
    return new Data(v, tags, enc, source(s, tr), va, te, tr, pad, contextual, sp);
  }

  /** The words of {@code corpora} that {@code v} lacks (read as {@code <unk>} or a shape class), by their key. */
  static ContextualLm.Spellings spellings(Vocabulary v, TaggedCorpus.WordEncoding enc, TaggedCorpus... corpora) {
    java.util.function.IntPredicate oov = enc.outOfVocabulary(v);
    ContextualLm.Spellings.Builder b = new ContextualLm.Spellings.Builder(v.size());
    for (TaggedCorpus c : corpora) {
      if (c == null) {
        continue;
      }
      for (TaggedCorpus.Sentence sentence : c.sentences()) {
        for (String w : sentence.words()) {
          int id = enc.id(v, w);
          if (oov.test(id)) {
            b.add(enc.key(w), id);
          }
        }
      }
    }
    return b.build();
  }

  /** {@link TaggedCorpus#encode}, then every word with a spelling id (model.contextual) takes it. */
  static List<int[]> encode(TaggedCorpus c, Vocabulary v, TagSet tags, TaggedCorpus.WordEncoding enc,
                            ContextualLm.Spellings sp) {
    List<int[]> out = c.encode(v, tags, enc);
    if (sp.fallbacks().length == 0) {
      return out;
    }
    for (int i = 0; i < out.size(); i++) {
      // Tagged: the words come first
      sp.respell(out.get(i), c.sentences().get(i).words().stream().map(enc::key).toList());
    }
    return out;
  }

  private static BatchSource<Batch> source(Settings s, List<int[]> examples) {
    return io.seqspark.core.train.BatchSource.sentences(s, examples, s.getLong("seed"), SentenceBatcher.Layout.TAGGING);
  }

  @Override
  public void describe(Manifest manifest, Data data) {
    manifest.put("tags", data.tags().tags());
  }

  @Override
  public Dims dims(Data data) {
    return ContextualLm.withContextual(data.contextual(),
        Dims.ofVocabulary(data.vocabulary().size()).with("tags", data.tags().tags()), data.vocabulary(),
        data.spellings());
  }

  @Override
  public List<Shard> shards(Data data, int partitions) {
    return Shard.ofSentences(data.trainExamples(), partitions);
  }

  @Override
  public BatchSource<Batch> shardSource(Settings s, Shard shard) {
    return io.seqspark.core.train.BatchSource.sentences(s, Arrays.asList(shard.sentences()),
        TrainSetup.partitionSeed(s.getLong("seed"), shard.partition()), SentenceBatcher.Layout.TAGGING);
  }

  /** The model's shape from the model.* and tag.* keys. */
  public static SequenceTaggerSpec spec(Settings s, int vocabSize, int tags) {
    return new SequenceTaggerSpec(vocabSize, tags, s.getInt("model.embeddingSize"), s.getInt("model.hiddenSize"),
        s.getInt("model.layers"), s.getString("model.cell"), s.getBoolean("tag.bidirectional"),
        Bidirectional.Merge.valueOf(s.getString("tag.merge").toUpperCase(Locale.ROOT)), s.getDouble("model.dropout"),
        s.getDouble("model.initScale"));
  }

  @Override
  public SequenceTagger model(Settings s, Dims dims) {
    SequenceTagger m = new SequenceTagger(spec(s, dims.size("vocabulary"), dims.labels("tags").size()), DataType.FLOAT,
        s.getLong("seed"), ContextualLm.features(s, dims, DataType.FLOAT));
    m.embedding().setFrozen(s.getBoolean("model.embedding.freeze"));
    return m;
  }

  /** The loss is always the mean over real words (train.lossScale does not apply). */
  @Override
  public TrainStep<Batch> step(Settings s, SequenceTagger m) {
    return TrainSetup.step(s.with("train.lossScale", "tokens"), m);
  }

  @Override
  public Embedding embedding(SequenceTagger model) {
    return model.embedding();
  }

  @Override
  public String summary(Settings s, Data data, SequenceTagger model) {
    String train = data.train() == null ? "training words read by the executors from their shards"
        : String.format("%,d training words, padding ratio %.3f", data.train().tokens(1), data.trainPaddingRatio());
    return String.format("%s%s tagger: %d tags, vocabulary %,d, %,d parameters, %s",
        model.spec().bidirectional() ? "bidirectional " : "", model.spec().cell(), data.tags().size() - 1,
        data.vocabulary().size(), model.params().size(), train);
  }

  @Override
  public Map<String, Object> lossMetrics(String split, StepStats stats) {
    Map<String, Object> m = new LinkedHashMap<>();
    m.put(split + "_loss", stats.meanLoss());
    return m;
  }

  /** Token accuracy, OOV accuracy and macro F1 of {@code model} over epoch 0's batches of {@code split}. */
  public static TaggingMetrics metrics(SequenceTagger model, BatchSource<Batch> split, TagSet tags,
                                       TaggedCorpus.WordEncoding encoding, Vocabulary vocabulary) {
    java.util.function.IntPredicate known = encoding.outOfVocabulary(vocabulary);
    int rows = vocabulary.size();
    // ids past the vocabulary are spellings of words it lacks (model.contextual): out of vocabulary too
    TaggingMetrics t = new TaggingMetrics(tags, id -> id >= rows || known.test(id));
    for (int k = 0; k < split.numBatches(0); k++) {
      Batch b = split.batch(0, k);
      t.add(b, model.predict(b));
    }
    return t;
  }

  /** Per epoch: the headline figures only (per-tag F1 of a 170-tag set would swamp metrics.jsonl). */
  @Override
  public Map<String, Object> splitMetrics(Data data, SequenceTagger model, BatchSource<Batch> split, String prefix) {
    TaggingMetrics t = metrics(model, split, data.tags(), data.encoding(), data.vocabulary());
    Map<String, Object> m = new LinkedHashMap<>();
    m.put(prefix + "_accuracy", t.accuracy());
    m.put(prefix + "_oov_accuracy", t.oovAccuracy());
    m.put(prefix + "_macro_f1", t.macroF1());
    return m;
  }

  @Override
  public Map<String, Object> finish(Settings s, Data data, SequenceTagger model, Map<String, Object> lastValid,
                                    Metrics metrics) throws IOException {
    Map<String, Object> out = new LinkedHashMap<>(lastValid);
    if (data.test() != null) {
      StepStats loss = Evaluation.run(model, data.test());
      TaggingMetrics t = metrics(model, data.test(), data.tags(), data.encoding(), data.vocabulary());
      Map<String, Object> m = new LinkedHashMap<>();
      m.put("step", metrics.step());
      m.putAll(lossMetrics("test", loss));
      m.putAll(t.metrics("test"));
      metrics.log(m);
      metrics.print(String.format(Locale.ROOT, "test accuracy %.4f, OOV accuracy %.4f (%,d OOV of %,d words), macro F1"
          + " %.4f", t.accuracy(), t.oovAccuracy(), t.oovTokens(), t.tokens(), t.macroF1()));
      m.remove("step");
      out.putAll(m);
    }
    return out;
  }

  @Override
  public Map<String, Object> evaluate(Loaded<SequenceTagger> m, Path file) throws IOException {
    Settings s = m.settings();
    Path data = DataInputs.evaluationFile(s, file);
    TagSet tags = TagSet.ofSaved(m.dims().labels("tags"));
    TaggedCorpus.WordEncoding enc = encoding(s);
    BatchSource<Batch> src = source(s, encode(TaggedCorpus.read(data), m.vocabulary(), tags, enc,
        ContextualLm.Spellings.of(m.dims(), m.vocabulary().size())));
    StepStats loss = Evaluation.run(m.model(), src);
    TaggingMetrics t = metrics(m.model(), src, tags, enc, m.vocabulary());
    Map<String, Object> out = new LinkedHashMap<>();
    out.put("file", data.toString());
    out.put("loss", loss.meanLoss());
    t.metrics("x").forEach((k, v) -> out.put(k.substring(2), v));
    return out;
  }

  /** The most probable tag of every word of each sentence (words as written; looked up as in training). */
  public static List<List<String>> predict(Loaded<SequenceTagger> m, List<List<String>> sentences) {
    TagSet tags = TagSet.ofSaved(m.dims().labels("tags"));
    TaggedCorpus.WordEncoding enc = encoding(m.settings());
    ContextualLm.Spellings sp = ContextualLm.Spellings.of(m.dims(), m.vocabulary().size());
    List<List<String>> out = new ArrayList<>();
    for (List<String> words : sentences) {
      if (words.isEmpty()) {
        out.add(List.of());
        continue;
      }
      int[] ids = new int[words.size()];
      for (int i = 0; i < ids.length; i++) {
        ids[i] = sp.ids().getOrDefault(enc.key(words.get(i)), enc.id(m.vocabulary(), words.get(i)));
      }
      Batch b = Batch.padded(new int[][] {ids}, new int[][] {new int[ids.length]}, new long[] {out.size()});
      int[] p = m.model().predict(b);
      List<String> t = new ArrayList<>(ids.length);
      for (int i = 0; i < ids.length; i++) {
        t.add(tags.tag(p[i]));
      }
      out.add(t);
    }
    return out;
  }

  /** Loads a {@code model.zip} written by {@code tag train}. */
  public static Loaded<SequenceTagger> load(Path archive) throws IOException {
    return Families.load(archive, INSTANCE);
  }

  // ---- issue 14: an ingest with ingest.format = tagged (words/ + tags/), read locally or on the executors ----

  /**
   * The settings a tagged ingest must share with training: the word encoding (data.lowercase, tag.unknownClasses) and
   * the vocabulary's cut-offs it applied, so its ids are the ones training from the CoNLL files gives.
   */
  static final List<String> INGEST_KEYS = List.of("data.lowercase", "tag.unknownClasses", "data.minCount",
      "data.maxVocabSize");

  /** Whether {@code dir} is the output of {@code seqspark ingest} with {@code ingest.format = tagged}. */
  static boolean isTaggedIngest(Path dir) {
    return IngestedSides.is(dir, io.seqspark.core.data.ParallelShards.TAGGED);
  }

  /**
   * The splits with the training sentences read from a tagged ingest (word ids as the ingest encoded them, tag ids
   * into the manifest's sorted tags after {@code <unk>}); valid and test from their CoNLL files.
   */
  private Data loadIngested(Settings s, Vocabulary existing) throws IOException {
    Path dir = s.getPath("data.train");
    Map<String, Object> manifest = IngestedSides.manifest(dir);
    IngestedSides.requireSameSettings(s, manifest, dir.toString(), io.seqspark.core.data.ParallelShards.TAGGED,
        INGEST_KEYS);
    io.seqspark.core.data.ParallelShards ps = io.seqspark.core.data.ParallelShards.open(dir,
        io.seqspark.core.data.ParallelShards.TAGGED);
    Vocabulary v = ps.source().vocabulary();
    if (existing != null && !existing.contentHash().equals(v.contentHash())) {
      throw new IllegalArgumentException("data.train = " + dir + ": its words/vocab.tsv is not this run's vocab.tsv;"
          + " resume with the ingest output the run started from");
    }
    List<int[]> tr = new ArrayList<>();
    ps.forEach((words, tags) -> tr.add(Tagged.encode(words, tags)));
    Data d = withoutTrain(s, v, TagSet.of(IngestedSides.sortedNames(manifest, "tags", dir.toString())));
    double pad = DataInputs.sentenceBatcher(s, tr, s.getLong("seed"), SentenceBatcher.Layout.TAGGING).paddingRatio(1);
    return new Data(v, d.tags(), d.encoding(), source(s, tr), d.valid(), d.test(), tr, pad, d.contextual(),
        d.spellings());
  }

  /**
   * The valid and test splits from their CoNLL files; no training split. With model.contextual, only their words get
   * spellings: an ingested training split holds ids only, so its rare words reach the biLM as their class.
   */
  private static Data withoutTrain(Settings s, Vocabulary v, TagSet tags) throws IOException {
    TaggedCorpus.WordEncoding enc = encoding(s);
    TaggedCorpus valid = s.getPath("data.valid") == null ? null : read(s, "data.valid");
    TaggedCorpus test = s.getPath("data.test") == null ? null : read(s, "data.test");
    String contextual = s.getString("model.contextual");
    ContextualLm.Spellings sp = contextual.isEmpty() ? ContextualLm.Spellings.NONE : spellings(v, enc, valid, test);
    BatchSource<Batch> va = valid == null ? null : source(s, encode(valid, v, tags, enc, sp));
    BatchSource<Batch> te = test == null ? null : source(s, encode(test, v, tags, enc, sp));
    return new Data(v, tags, enc, null, va, te, List.of(), Double.NaN, contextual, sp);
  }

  @Override
  public boolean readsShards() {
    return true;
  }

  @Override
  public io.seqspark.core.data.ParallelShards.Sides sides() {
    return io.seqspark.core.data.ParallelShards.TAGGED;
  }

  /** With --master and data.train a tagged ingest: the tags from its manifest, valid and test on the driver. */
  @Override
  public Data loadWithoutTrain(Settings s, Vocabulary vocabulary, Vocabulary sourceVocabulary,
                               Map<String, Object> ingestManifest) throws IOException {
    String dir = s.getString("data.train");
    IngestedSides.requireSameSettings(s, ingestManifest, dir, io.seqspark.core.data.ParallelShards.TAGGED,
        INGEST_KEYS);
    return withoutTrain(s, vocabulary, TagSet.of(IngestedSides.sortedNames(ingestManifest, "tags", dir)));
  }

  /**
   * Partition {@code partition}'s sentences from its ingested (words, tags) pairs, as {@link Tagged} examples: one
   * partition holding every pair gives exactly {@code shards(load(s), 1)}.
   */
  @Override
  public Shard shardOf(Settings s, Dims dims, int partition, List<int[]> examples) {
    int[][] out = new int[examples.size()][];
    for (int i = 0; i < out.length; i++) {
      int[] e = examples.get(i);
      out[i] = Tagged.encode(io.seqspark.core.data.PairBatcher.source(e), io.seqspark.core.data.PairBatcher.target(e));
    }
    return new Shard(partition, null, out);
  }
}
