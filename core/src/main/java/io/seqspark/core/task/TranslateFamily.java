package io.seqspark.core.task;

import io.seqspark.core.config.Settings;
import io.seqspark.core.data.DataInputs;
import io.seqspark.core.data.LengthBucketing;
import io.seqspark.core.data.PairBatch;
import io.seqspark.core.data.PairBatcher;
import io.seqspark.core.data.ParallelShards;
import io.seqspark.core.data.ParallelText;
import io.seqspark.core.data.SentenceBatcher;
import io.seqspark.core.data.Shard;
import io.seqspark.core.data.TextCorpus;
import io.seqspark.core.data.TokenShards;
import io.seqspark.core.data.Vocabulary;
import io.seqspark.core.decode.BeamSearch;
import io.seqspark.core.decode.MaxLength;
import io.seqspark.core.decode.Seq2SeqDecoder;
import io.seqspark.core.eval.Bleu;
import io.seqspark.core.eval.BleuTokenizer;
import io.seqspark.core.eval.Chrf;
import io.seqspark.core.io.ModelArchive;
import io.seqspark.core.io.RunDirectory;
import io.seqspark.core.model.Seq2Seq;
import io.seqspark.core.model.Seq2SeqSpec;
import io.seqspark.core.nn.Attention;
import io.seqspark.core.nn.Embedding;
import io.seqspark.core.train.BatchSource;
import io.seqspark.core.train.StepStats;
import io.seqspark.core.train.TrainSetup;
import io.seqspark.core.w2v.PretrainedEmbedding;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import org.nd4j.linalg.api.buffer.DataType;

/**
 * The translation family ({@code translate}): an attention encoder–decoder ({@link Seq2Seq}) trained with teacher
 * forcing on aligned parallel files, decoded greedily or by beam search, scored with sacreBLEU-exact BLEU and chrF.
 * A split is a file prefix: {@code data.train = corpus/train} reads {@code corpus/train.<translate.source>} and
 * {@code corpus/train.<translate.target>} (fairseq's layout; swap the languages to translate the other way). Source
 * and target have vocabularies of their own (or one joint vocabulary, {@code translate.jointVocabulary}); the archive
 * keeps the target's as its vocabulary and the source's as {@code source-vocab.tsv}. {@code data.train} may instead
 * name the output of {@code ingest --input SRC --target TGT} ({@code source/} + {@code target/} shards): training then
 * reads its pairs and takes its two vocabularies (data.minCount and maxVocabSize were applied by the ingest). With
 * {@code --master}, the executors read their partitions' pairs from that output themselves ({@link #readsShards}):
 * the driver reads the manifest, both vocabularies and the validation and test files only.
 */
public final class TranslateFamily implements Family<PairBatch, TranslateFamily.Data, Seq2Seq> {

  /** The registered instance. */
  public static final TranslateFamily INSTANCE = new TranslateFamily();

  /** The archive's file holding the source vocabulary. */
  public static final String SOURCE_VOCABULARY = "source-vocab.tsv";

  /**
   * The splits as pair batches (valid and test null when not configured), both vocabularies, the encoded training
   * pairs (for sharding) and the validation and test texts (for BLEU). {@code train} and {@code trainPairs} are null
   * when the executors read the training pairs from their shards.
   */
  public record Data(Vocabulary vocabulary, Vocabulary sourceVocabulary, BatchSource<PairBatch> train,
                     BatchSource<PairBatch> valid, BatchSource<PairBatch> test, List<int[]> trainPairs,
                     ParallelText validText, ParallelText testText, double trainPaddingRatio, String bleuTokenize)
      implements TrainingData<PairBatch> {
  }

  private TranslateFamily() {
  }

  @Override
  public String name() {
    return "translate";
  }

  @Override
  public boolean perplexity() {
    return true;
  }

  /** Trains through {@code loop} (local, or Spark from the spark module). */
  public static io.seqspark.core.io.RunRecorder.Result run(Settings s, RunDirectory run, boolean resume,
      List<String> commandLine, PrintStream log, TrainingRun.Loop loop) throws IOException {
    return TrainingRun.run(INSTANCE, s, run, resume, commandLine, log, loop);
  }

  /** The two files of a split prefix: {@code prefix.<source>} and {@code prefix.<target>}; each must exist. */
  public static Path[] files(Settings s, Path prefix, String key) {
    Path[] out = new Path[2];
    String[] langs = {s.getString("translate.source"), s.getString("translate.target")};
    for (int i = 0; i < 2; i++) {
      out[i] = prefix.resolveSibling(prefix.getFileName() + "." + langs[i]);
      if (!Files.isRegularFile(out[i])) {
        throw new IllegalArgumentException(key + " = " + prefix + ": no " + out[i] + " (looked in "
            + out[i].toAbsolutePath() + "). A translation split is a file prefix: it reads PREFIX."
            + langs[0] + " and PREFIX." + langs[1] + " (translate.source, translate.target). Fix: point " + key
            + " at the prefix, e.g. ../shared/data/multi30k/train.lc.norm.tok");
      }
    }
    return out;
  }

  @Override
  public void checkInputs(Settings s) {
    frozen(s);
    for (String key : new String[] {"translate.sourceEmbedding", "translate.targetEmbedding"}) {
      Path p = s.getPath(key);
      if (p != null && !Files.exists(p)) {
        throw new IllegalArgumentException(key + " = " + p + ": no such file (looked in " + p.toAbsolutePath()
            + "); point it at a word2vec file or a seqspark w2v run (or its model.zip), or set it to \"\"");
      }
    }
    for (String key : new String[] {"data.train", "data.valid", "data.test"}) {
      if (key.equals("data.train") || s.getPath(key) != null) {
        if (s.getPath(key) == null) {
          throw new IllegalArgumentException(key + " is empty: set it to a parallel file prefix, e.g. --set " + key
              + "=../shared/data/multi30k/train.lc.norm.tok");
        }
        if (!(key.equals("data.train") && ingested(s))) {
          files(s, s.getPath(key), key);
        }
      }
    }
  }

  /** Both files of each configured split: train.source, train.target, valid.source, ... */
  @Override
  public Map<String, Path> inputs(Settings s) {
    Map<String, Path> m = new LinkedHashMap<>();
    for (String split : new String[] {"train", "valid", "test"}) {
      Path prefix = s.getPath("data." + split);
      if (split.equals("train") && TrainingRun.isUri(s.getString("data.train"))) {
        m.put("train", prefix); // an ingest output the executors read through Hadoop (--master)
      } else if (split.equals("train") && ingested(s)) {
        // the ingest output: its two vocabularies stand for the shards they encoded
        m.put("train.source", prefix.resolve(ParallelShards.SOURCE).resolve(TokenShards.VOCABULARY_FILE));
        m.put("train.target", prefix.resolve(ParallelShards.TARGET).resolve(TokenShards.VOCABULARY_FILE));
      } else if (prefix != null) {
        Path[] f = files(s, prefix, "data." + split);
        m.put(split + ".source", f[0]);
        m.put(split + ".target", f[1]);
      }
    }
    return m;
  }

  private static ParallelText text(Settings s, String key) throws IOException {
    Path prefix = s.getPath(key);
    if (prefix == null) {
      throw new IllegalArgumentException(key + " is empty: set it to a parallel file prefix, e.g. --set " + key
          + "=../shared/data/multi30k/train.lc.norm.tok");
    }
    Path[] f = files(s, prefix, key);
    return ParallelText.read(f[0], f[1], DataInputs.tokenizer(s));
  }

  private static SentenceBatcher.Options batching(Settings s, long seed) {
    return new SentenceBatcher.Options(s.getInt("data.maxLength"),
        SentenceBatcher.OverLength.parse(s.getString("data.overLength")),
        new LengthBucketing.Options(s.getInt("data.maxTokensPerBatch"), 0, s.getBoolean("data.skipOversized"),
            s.getInt("data.shufflePoolSize")), seed);
  }

  /** Length-bucketed pair batches of {@code pairs}, shuffled from {@code seed}. */
  public static BatchSource<PairBatch> source(Settings s, List<int[]> pairs, long seed) {
    PairBatcher b = new PairBatcher(pairs, batching(s, seed));
    return BatchSource.of(b::numBatches, b::batch, false);
  }

  /** Whether data.train names a directory written by {@code ingest --input SRC --target TGT}. */
  static boolean ingested(Settings s) {
    Path p = s.getPath("data.train");
    return p != null && Files.isDirectory(p) && ParallelShards.isParallel(p);
  }

  /**
   * The pairs of a parallel ingest output with its two vocabularies ({source, target}), encoded as
   * {@link PairBatcher#encode}; pairs with an empty side are left out, as from text, and a trailing {@code </s>} on a
   * side is dropped (the batcher appends its own).
   */
  static Vocabulary[] readIngested(Settings s, List<int[]> pairs) throws IOException {
    Path dir = s.getPath("data.train");
    requireSeparateVocabularies(s);
    ParallelShards ps = ParallelShards.open(dir);
    ps.forEach((a, b) -> addPair(pairs, a, b));
    return new Vocabulary[] {ps.source().vocabulary(), ps.target().vocabulary()};
  }

  private static void requireSeparateVocabularies(Settings s) {
    if (s.getBoolean("translate.jointVocabulary")) {
      throw new IllegalArgumentException("translate.jointVocabulary = true, but data.train = "
          + s.getString("data.train") + " is an ingest output with a vocabulary per side; set"
          + " translate.jointVocabulary = false, or train from the text files");
    }
  }

  /** Adds one ingested pair as the local path reads it: a trailing {@code </s>} dropped, pairs with an empty side left out. */
  private static void addPair(List<int[]> pairs, int[] source, int[] target) {
    int[] x = withoutEos(source);
    int[] y = withoutEos(target);
    if (x.length > 0 && y.length > 0) {
      pairs.add(PairBatcher.encode(x, y));
    }
  }

  private static int[] withoutEos(int[] ids) {
    return ids.length > 0 && ids[ids.length - 1] == Vocabulary.EOS_ID ? Arrays.copyOf(ids, ids.length - 1) : ids;
  }

  @Override
  public Data load(Settings s, Vocabulary existing) throws IOException {
    if (ingested(s)) {
      List<int[]> tr = new ArrayList<>();
      Vocabulary[] v = readIngested(s, tr);
      return data(s, existing, v[0], v[1], tr);
    }
    ParallelText train = text(s, "data.train");
    int minCount = s.getInt("data.minCount");
    int maxSize = s.getInt("data.maxVocabSize");
    Vocabulary src;
    Vocabulary tgt;
    if (s.getBoolean("translate.jointVocabulary")) {
      List<List<String>> both = new ArrayList<>(train.source());
      both.addAll(train.target());
      src = TextCorpus.buildVocabulary(both, minCount, maxSize);
      tgt = src;
    } else {
      src = TextCorpus.buildVocabulary(train.source(), minCount, maxSize);
      tgt = TextCorpus.buildVocabulary(train.target(), minCount, maxSize);
    }
    return data(s, existing, src, tgt, train.encode(src, tgt));
  }

  /** The splits around the encoded training pairs {@code tr}: valid and test from their file prefixes. */
  private static Data data(Settings s, Vocabulary existing, Vocabulary src, Vocabulary tgt, List<int[]> tr)
      throws IOException {
    if (existing != null && !existing.contentHash().equals(tgt.contentHash())) {
      throw new IllegalArgumentException("data.train = " + s.getPath("data.train") + ": the target vocabulary built"
          + " from it differs from the one this run was trained with (vocab.tsv); the training files changed. Fix:"
          + " resume with the original files, or start a new run");
    }
    long seed = s.getLong("seed");
    ParallelText validText = s.getPath("data.valid") == null ? null : text(s, "data.valid");
    ParallelText testText = s.getPath("data.test") == null ? null : text(s, "data.test");
    BatchSource<PairBatch> va = validText == null ? null : source(s, validText.encode(src, tgt), seed);
    BatchSource<PairBatch> te = testText == null ? null : source(s, testText.encode(src, tgt), seed);
    double pad = tr == null ? Double.NaN : new PairBatcher(tr, batching(s, seed)).paddingRatio(0);
    return new Data(tgt, src, tr == null ? null : source(s, tr, seed), va, te, tr, validText, testText, pad,
        s.getString("translate.bleuTokenize"));
  }

  @Override
  public boolean readsShards() {
    return true;
  }

  /** A parallel ingest's {@code source/} + {@code target/}. */
  @Override
  public io.seqspark.core.data.ParallelShards.Sides sides() {
    return io.seqspark.core.data.ParallelShards.TRANSLATION;
  }

  /** The validation and test splits (text, on the driver); the executors read the training pairs from their shards. */
  @Override
  public Data loadWithoutTrain(Settings s, Vocabulary vocabulary, Vocabulary sourceVocabulary) throws IOException {
    if (sourceVocabulary == null) {
      throw new IllegalArgumentException("data.train = " + s.getString("data.train") + ": an ingest of one text;"
          + " translate train reads the ingest of parallel files. Fix: bin/seqspark ingest --input PREFIX."
          + s.getString("translate.source") + " --target PREFIX." + s.getString("translate.target") + " --out DIR");
    }
    requireSeparateVocabularies(s);
    return data(s, null, sourceVocabulary, vocabulary, null);
  }

  /**
   * Partition {@code partition}'s pairs from its ingested ones ({@link io.seqspark.core.data.ShardExamples#paired}),
   * kept and encoded as the local path reads them ({@link #load}): one partition holding every pair gives exactly
   * {@code shards(load(s), 1)}.
   */
  @Override
  public Shard shardOf(Settings s, Dims dims, int partition, List<int[]> examples) {
    List<int[]> pairs = new ArrayList<>(examples.size());
    for (int[] e : examples) {
      addPair(pairs, PairBatcher.source(e), PairBatcher.target(e));
    }
    return new Shard(partition, null, pairs.toArray(new int[0][]));
  }

  /** Window w of a streamed partition shuffles from its own seed; window 0 from the partition's, as in memory. */
  @Override
  public BatchSource<PairBatch> windowSource(Settings s, Shard shard, int window) {
    long seed = TrainSetup.partitionSeed(s.getLong("seed"), shard.partition());
    return source(s, Arrays.asList(shard.sentences()), window == 0 ? seed : WindowedBatches.windowSeed(seed, window));
  }

  @Override
  public Dims dims(Data data) {
    return Dims.ofVocabulary(data.vocabulary().size()).with("sourceVocabulary", data.sourceVocabulary().size());
  }

  @Override
  public Map<String, byte[]> archiveFiles(Data data) throws IOException {
    Path tmp = Files.createTempFile("source-vocab", ".tsv");
    try {
      data.sourceVocabulary().save(tmp);
      return Map.of(SOURCE_VOCABULARY, Files.readAllBytes(tmp));
    } finally {
      Files.deleteIfExists(tmp);
    }
  }

  @Override
  public List<Shard> shards(Data data, int partitions) {
    return Shard.ofSentences(data.trainPairs(), partitions);
  }

  @Override
  public BatchSource<PairBatch> shardSource(Settings s, Shard shard) {
    return source(s, Arrays.asList(shard.sentences()), TrainSetup.partitionSeed(s.getLong("seed"), shard.partition()));
  }

  /** The model's shape from the model.* and translate.* keys. */
  public static Seq2SeqSpec spec(Settings s, int sourceVocab, int targetVocab) {
    return new Seq2SeqSpec(sourceVocab, targetVocab, s.getInt("model.embeddingSize"), s.getInt("model.hiddenSize"),
        s.getInt("model.layers"), s.getInt("translate.decoderLayers"), s.getString("model.cell"),
        s.getBoolean("translate.bidirectional"),
        Attention.Score.valueOf(s.getString("translate.attention").toUpperCase(Locale.ROOT)),
        s.getInt("translate.attentionSize"), s.getBoolean("translate.inputFeeding"), s.getDouble("model.dropout"),
        s.getDouble("translate.labelSmoothing"), s.getDouble("model.initScale"),
        s.getDouble("translate.teacherForcing"), s.getBoolean("translate.tieEmbeddings"));
  }

  @Override
  public Seq2Seq model(Settings s, Dims dims) {
    boolean[] frozen = frozen(s);
    Seq2Seq m = new Seq2Seq(spec(s, dims.size("sourceVocabulary"), dims.size("vocabulary")), DataType.FLOAT,
        s.getLong("seed"));
    m.sourceEmbedding().setFrozen(frozen[0]);
    m.targetEmbedding().setFrozen(frozen[1]);
    return m;
  }

  /**
   * Which embeddings stay fixed, {source, target}, from translate.freezeEmbeddings; fails on the lm/tag keys
   * model.embedding.pretrained and freeze (a translation model has two embeddings: translate.* names them) and on a
   * frozen target embedding tied to the output projection (the projection would still train it).
   */
  static boolean[] frozen(Settings s) {
    if (s.getPath("model.embedding.pretrained") != null || s.getBoolean("model.embedding.freeze")) {
      throw new IllegalArgumentException("model.embedding.pretrained = " + s.getPath("model.embedding.pretrained")
          + ", model.embedding.freeze = " + s.getBoolean("model.embedding.freeze") + ": a translation model has a "
          + "source and a target embedding; set translate.sourceEmbedding / translate.targetEmbedding and "
          + "translate.freezeEmbeddings instead, and leave the model.embedding.* keys at \"\" and false");
    }
    String f = s.getString("translate.freezeEmbeddings").toLowerCase(Locale.ROOT);
    boolean[] out = {f.equals("source") || f.equals("both"), f.equals("target") || f.equals("both")};
    if (out[1] && s.getBoolean("translate.tieEmbeddings")) {
      throw new IllegalArgumentException("translate.freezeEmbeddings = " + f + " with translate.tieEmbeddings = true:"
          + " the tied output projection trains the target embedding, so it cannot stay frozen. Set "
          + "translate.freezeEmbeddings to none or source, or translate.tieEmbeddings = false");
    }
    return out;
  }

  private static void pretrained(Settings s, String name, Embedding e, Vocabulary v, List<Pretrained> out)
      throws IOException {
    int oov = PretrainedEmbedding.initialise(s, "translate." + name, e, v);
    if (oov >= 0) {
      out.add(new Pretrained(name, s.getPath("translate." + name), oov, v.size() - Vocabulary.SPECIALS.size(),
          e.frozen()));
    }
  }

  /** translate.sourceEmbedding over the source vocabulary, translate.targetEmbedding over the target's. */
  @Override
  public List<Pretrained> pretrained(Settings s, Data data, Seq2Seq model) throws IOException {
    List<Pretrained> out = new ArrayList<>();
    pretrained(s, "sourceEmbedding", model.sourceEmbedding(), data.sourceVocabulary(), out);
    pretrained(s, "targetEmbedding", model.targetEmbedding(), data.vocabulary(), out);
    return out;
  }

  @Override
  public String summary(Settings s, Data data, Seq2Seq model) {
    Seq2SeqSpec sp = model.spec();
    String train = data.trainPairs() == null ? "training pairs read by the executors from their shards"
        : String.format(Locale.ROOT, "%,d training pairs, padding ratio %.3f", data.trainPairs().size(),
            data.trainPaddingRatio());
    return String.format(Locale.ROOT, "%s%s encoder-decoder, %s attention%s: source vocabulary %,d, target %,d,"
            + " %,d parameters, %s", sp.bidirectional() ? "bidirectional " : "",
        sp.cell(), sp.attention().name().toLowerCase(Locale.ROOT), sp.inputFeeding() ? ", input feeding" : "",
        data.sourceVocabulary().size(), data.vocabulary().size(), model.params().size(), train);
  }

  @Override
  public Map<String, Object> lossMetrics(String split, StepStats stats) {
    return Family.lossAndPerplexity(split, stats);
  }

  /** Decoding settings from translate.* (beam 1 = greedy). */
  public record Decoding(int beam, double lengthPenalty, double maxLengthRatio, int maxLengthOffset) {
    public static Decoding of(Settings s, int beam) {
      return new Decoding(beam, s.getDouble("translate.lengthPenalty"), s.getDouble("translate.maxLengthRatio"),
          s.getInt("translate.maxLengthOffset"));
    }

    public Map<String, Object> describe() {
      Map<String, Object> m = new LinkedHashMap<>();
      m.put("beam", beam);
      m.put("length_penalty", lengthPenalty);
      m.put("max_length", "ratio " + maxLengthRatio + " of the source + " + maxLengthOffset);
      return m;
    }
  }

  /** One translation: its tokens and, per output token, the source position it attended to most. */
  public record Translation(List<String> tokens, int[] alignedSource) {
  }

  /**
   * Translates tokenised source sentences ({@code batch} at a time): greedy when the beam is 1, else beam search.
   * Unknown source words map to {@code <unk>}; an empty sentence translates to nothing.
   */
  public static List<Translation> translate(Seq2Seq model, Vocabulary src, Vocabulary tgt, List<List<String>> sentences,
                                            Decoding d, int batch) {
    List<Translation> out = new ArrayList<>(sentences.size());
    for (List<Translations.Hypothesis> hs : Translations.translate(model, src, tgt, sentences, d, 1, false, batch)) {
      List<String> words = new ArrayList<>();
      if (!hs.isEmpty()) {
        for (String w : hs.get(0).tokens()) {
          if (!w.equals(Vocabulary.SPECIALS.get(Vocabulary.EOS_ID))) {
            words.add(w);
          }
        }
      }
      out.add(new Translation(words, new int[0]));
    }
    return out;
  }

  /** BLEU (and chrF) of the model's translations of {@code text}'s source side against its target side. */
  public static Map<String, Object> score(Seq2Seq model, Vocabulary src, Vocabulary tgt, ParallelText text,
                                          Decoding d, String bleuTokenize) {
    List<Translation> t = translate(model, src, tgt, text.source(), d, 64);
    List<String> hyps = new ArrayList<>();
    List<String> refs = new ArrayList<>();
    for (int i = 0; i < t.size(); i++) {
      hyps.add(String.join(" ", t.get(i).tokens()));
      refs.add(String.join(" ", text.target().get(i)));
    }
    Bleu.Options bo = Bleu.Options.defaults().withTokenizer(BleuTokenizer.named(bleuTokenize));
    Bleu.Result bleu = Bleu.corpus(hyps, List.of(refs), bo);
    Chrf.Result chrf = Chrf.corpus(hyps, List.of(refs));
    Map<String, Object> m = new LinkedHashMap<>();
    m.put("bleu", bleu.score());
    m.put("chrf", chrf.score());
    m.put("bleu_signature", bleu.signature());
    m.put("chrf_signature", chrf.signature());
    m.putAll(d.describe());
    m.put("sentences", hyps.size());
    return m;
  }

  /** Per epoch: greedy validation BLEU (what early stopping and the report follow). */
  @Override
  public Map<String, Object> splitMetrics(Data data, Seq2Seq model, BatchSource<PairBatch> split, String prefix) {
    if (data.validText() == null || !prefix.equals("valid")) {
      return Map.of();
    }
    Map<String, Object> m = new LinkedHashMap<>();
    m.put(prefix + "_bleu", score(model, data.sourceVocabulary(), data.vocabulary(), data.validText(),
        new Decoding(1, 0, 1.5, 10), data.bleuTokenize()).get("bleu"));
    return m;
  }

  @Override
  public Map<String, Object> finish(Settings s, Data data, Seq2Seq model, Map<String, Object> lastValid,
                                    Metrics metrics) throws IOException {
    Map<String, Object> out = new LinkedHashMap<>(lastValid);
    int beam = s.getInt("translate.beam");
    for (String split : new String[] {"valid", "test"}) {
      ParallelText text = split.equals("valid") ? data.validText() : data.testText();
      if (text == null) {
        continue;
      }
      Map<String, Object> m = new LinkedHashMap<>();
      m.put("step", metrics.step());
      Map<String, Object> greedy = score(model, data.sourceVocabulary(), data.vocabulary(), text, Decoding.of(s, 1), data.bleuTokenize());
      m.put(split + "_bleu_greedy", greedy.get("bleu"));
      if (beam > 1) {
        Map<String, Object> b = score(model, data.sourceVocabulary(), data.vocabulary(), text, Decoding.of(s, beam), data.bleuTokenize());
        m.put(split + "_bleu_beam" + beam, b.get("bleu"));
        m.put(split + "_chrf_beam" + beam, b.get("chrf"));
      }
      metrics.log(m);
      metrics.print(String.format(Locale.ROOT, "%s BLEU %.2f greedy%s (%s)", split, (Double) greedy.get("bleu"),
          beam > 1 ? String.format(Locale.ROOT, ", %.2f beam %d", (Double) m.get(split + "_bleu_beam" + beam), beam)
              : "", greedy.get("bleu_signature")));
      m.remove("step");
      out.putAll(m);
    }
    if (data.validText() != null) {
      // greedy translations of a few validation sentences with their attention: the report's heat maps
      for (Map<String, Object> r : Translations.attentionRecords(model, data.sourceVocabulary(), data.vocabulary(),
          data.validText(), Decoding.of(s, 1), metrics.step(), 4)) {
        metrics.log(r);
      }
    }
    return out;
  }

  /** The source vocabulary of a loaded model. */
  public static Vocabulary sourceVocabulary(Loaded<Seq2Seq> m) throws IOException {
    byte[] b = m.files().get(SOURCE_VOCABULARY);
    if (b == null) {
      throw new IllegalArgumentException("the model archive has no " + SOURCE_VOCABULARY + ": not a translate model");
    }
    return ModelArchive.vocabulary(b);
  }

  /**
   * {@code translate eval}: BLEU and chrF of the model on a split prefix ({@code file}: PREFIX whose
   * {@code .source}/{@code .target} files exist; null = the run's data.test, else data.valid), decoded with
   * translate.beam.
   */
  @Override
  public Map<String, Object> evaluate(Loaded<Seq2Seq> m, Path file) throws IOException {
    Settings s = m.settings();
    Path prefix = DataInputs.evaluationFile(s, file);
    Path[] f = files(s, prefix, "PREFIX");
    return evaluate(m, f[0], f[1], s.getInt("translate.beam"));
  }

  /** BLEU and chrF of the model translating {@code sourceFile} against {@code referenceFile} with {@code beam}. */
  public static Map<String, Object> evaluate(Loaded<Seq2Seq> m, Path sourceFile, Path referenceFile, int beam)
      throws IOException {
    Settings s = m.settings();
    ParallelText text = ParallelText.read(sourceFile, referenceFile, DataInputs.tokenizer(s));
    Map<String, Object> out = new LinkedHashMap<>();
    out.put("source", sourceFile.toString());
    out.put("reference", referenceFile.toString());
    out.putAll(score(m.model(), sourceVocabulary(m), m.vocabulary(), text, Decoding.of(s, beam),
        s.getString("translate.bleuTokenize")));
    return out;
  }

  /** Loads a {@code model.zip} written by {@code translate train}. */
  public static Loaded<Seq2Seq> load(Path archive) throws IOException {
    return Families.load(archive, INSTANCE);
  }
}
