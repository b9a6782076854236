package io.seqspark.core.task;

import io.seqspark.core.config.Settings;
import io.seqspark.core.data.Batch;
import io.seqspark.core.data.DataInputs;
import io.seqspark.core.data.Shard;
import io.seqspark.core.data.TokenStreamBatcher;
import io.seqspark.core.data.Vocabulary;
import io.seqspark.core.model.BiLm;
import io.seqspark.core.model.BiLmBatch;
import io.seqspark.core.model.BiLmSpec;
import io.seqspark.core.train.BatchSource;
import io.seqspark.core.train.StepStats;
import io.seqspark.core.train.TrainSetup;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.nd4j.linalg.api.buffer.DataType;

/**
 * The ELMo family ({@code elmo}): a character-aware bidirectional language model ({@link BiLm}) trained as two
 * language models over the same text, the forward one left to right and the backward one over the reversed text. In
 * the stream regime (carried state, truncated BPTT, as the PTB LM) the backward batches are cut from the reversed
 * stream; in the sentences regime each sentence is reversed in place. The loss and perplexity are over both
 * directions (the mean loss, so the perplexity is the geometric mean of the two); evaluation also reports each
 * direction. Data keys are the language model's ({@code data.*}); the architecture is {@code elmo.*}. The vocabulary's
 * words travel in the model's {@link Dims} (labels {@code words}), because the model spells them.
 */
public final class ElmoFamily implements Family<BiLmBatch, ElmoFamily.Data, BiLm> {

  /** The registered instance. */
  public static final ElmoFamily INSTANCE = new ElmoFamily();

  /**
   * Tokenised splits and the vocabulary; {@code valid} and {@code test} are null when not configured. The training
   * split is also kept as raw ids for sharding: {@code trainStream} (stream regime) or {@code trainSentences}.
   */
  public record Data(Vocabulary vocabulary, BatchSource<BiLmBatch> train, BatchSource<BiLmBatch> valid,
                     BatchSource<BiLmBatch> test, int[] trainStream, List<int[]> trainSentences, Settings settings)
      implements TrainingData<BiLmBatch> {
  }

  private ElmoFamily() {
  }

  @Override
  public String name() {
    return "elmo";
  }

  @Override
  public boolean perplexity() {
    return true;
  }

  /** The biLM's architecture from {@code elmo.*} over {@code vocabSize} words. */
  public static BiLmSpec spec(Settings s, int vocabSize) {
    return new BiLmSpec(vocabSize, s.getInt("elmo.maxCharacters"), s.getInt("elmo.charEmbeddingSize"),
        ints(s, "elmo.filterWidths"), ints(s, "elmo.filters"), s.getInt("elmo.highways"),
        s.getInt("elmo.projectionSize"), s.getInt("elmo.cellSize"), s.getInt("elmo.layers"),
        s.getDouble("elmo.cellClip"), s.getDouble("elmo.projClip"), s.getBoolean("elmo.residual"),
        s.getDouble("elmo.dropout"), s.getDouble("elmo.initScale"), s.getInt("elmo.sampledSoftmax"));
  }

  /**
   * The rules of {@code elmo.*} that do not depend on the vocabulary, checked before any data is read: the spec over the
   * smallest vocabulary its sampled softmax allows (the sample count against the real vocabulary is checked once it
   * is built).
   */
  public static void checkArchitecture(Settings s) {
    spec(s, Math.max(5, s.getInt("elmo.sampledSoftmax") + 1));
  }

  /** A comma-separated list of integers, e.g. {@code "1,2,3"}; fails naming the key and the bad entry. */
  static int[] ints(Settings s, String key) {
    String v = s.getString(key).trim();
    String[] parts = v.isEmpty() ? new String[0] : v.split("\\s*,\\s*");
    int[] out = new int[parts.length];
    for (int i = 0; i < parts.length; i++) {
      try {
        out[i] = Integer.parseInt(parts[i].trim());
      } catch (NumberFormatException e) {
        throw new IllegalArgumentException(key + " = \"" + v + "\": entry '" + parts[i] + "' is not an integer; write"
            + " a comma-separated list of integers, e.g. \"1,2,3\"", e);
      }
    }
    return out;
  }

  /** One split as examples of token ids: the language model's reader (text or ingested shards). */
  private static LanguageModelFamily.Split split(Settings s, String key, Vocabulary vocabulary) throws IOException {
    return LanguageModelFamily.split(s, key, vocabulary);
  }

  /** The examples as one stream, as the language model builds it (data.eosPerLine). */
  private static int[] stream(Settings s, List<int[]> examples) {
    return LanguageModelFamily.stream(s, examples);
  }

  private static int[] reversed(int[] a) {
    int[] r = new int[a.length];
    for (int i = 0; i < a.length; i++) {
      r[i] = a[a.length - 1 - i];
    }
    return r;
  }

  /**
   * Truncated-BPTT biLM batches of {@code rows} streams: batch k pairs batch k of {@code stream} with batch k of the
   * reversed stream (train.bptt steps each), so both directions carry their state through their own text.
   */
  public static BatchSource<BiLmBatch> streamSource(Settings s, int[] stream, int rows) {
    TokenStreamBatcher f = new TokenStreamBatcher(stream, rows, s.getInt("train.bptt"));
    TokenStreamBatcher b = new TokenStreamBatcher(reversed(stream), rows, s.getInt("train.bptt"));
    return new BatchSource<>() {
      @Override
      public int numBatches(int epoch) {
        return f.numBatches();
      }

      @Override
      public BiLmBatch batch(int epoch, int k) {
        return new BiLmBatch(f.batch(k), b.batch(k));
      }

      @Override
      public boolean carriesState() {
        return true;
      }

      @Override
      public long tokens(int epoch) {
        return f.tokensPerEpoch() + b.tokensPerEpoch();
      }
    };
  }

  /** Batch k of {@code forward} with batch k of {@code backward} (streamed truncated-BPTT batches, same count). */
  private static BatchSource<BiLmBatch> pair(BatchSource<Batch> forward, BatchSource<Batch> backward) {
    return new BatchSource<>() {
      @Override
      public int numBatches(int epoch) {
        return forward.numBatches(epoch);
      }

      @Override
      public BiLmBatch batch(int epoch, int k) {
        return new BiLmBatch(forward.batch(epoch, k), backward.batch(epoch, k));
      }

      @Override
      public boolean carriesState() {
        return true;
      }

      @Override
      public long tokens(int epoch) {
        return forward.tokens(epoch) + backward.tokens(epoch);
      }
    };
  }

  /** Length-bucketed sentence batches, each paired with its sentences reversed ({@link BiLmBatch#reversed}). */
  public static BatchSource<BiLmBatch> sentenceSource(Settings s, List<int[]> sentences, long seed) {
    BatchSource<Batch> src = LanguageModelFamily.sentenceSource(s, sentences, seed);
    return BatchSource.of(src::numBatches, (e, k) -> {
      Batch b = src.batch(e, k);
      return new BiLmBatch(b, BiLmBatch.reversed(b));
    }, false);
  }

  private static BatchSource<BiLmBatch> source(Settings s, List<int[]> examples, int rows) {
    return LanguageModelFamily.streamRegime(s) ? streamSource(s, stream(s, examples), rows)
        : sentenceSource(s, examples, s.getLong("seed"));
  }

  @Override
  public Data load(Settings s, Vocabulary vocabulary) throws IOException {
    checkArchitecture(s); // the architecture's rules, before reading any data
    LanguageModelFamily.Split train = split(s, "data.train", vocabulary);
    Vocabulary v = train.vocabulary();
    boolean streamRegime = LanguageModelFamily.streamRegime(s);
    int[] stream = streamRegime ? stream(s, train.examples()) : null;
    List<int[]> sentences = streamRegime ? null : train.examples();
    BatchSource<BiLmBatch> tr = stream != null ? streamSource(s, stream, s.getInt("train.batchSize"))
        : sentenceSource(s, sentences, s.getLong("seed"));
    BatchSource<BiLmBatch> va = s.getPath("data.valid") == null ? null
        : source(s, split(s, "data.valid", v).examples(), s.getInt("eval.batchSize"));
    BatchSource<BiLmBatch> te = s.getPath("data.test") == null ? null
        : source(s, split(s, "data.test", v).examples(), s.getInt("eval.batchSize"));
    return new Data(v, tr, va, te, stream, sentences, s);
  }

  @Override
  public boolean readsShards() {
    return true;
  }

  /** The validation and test splits; the executors read the training split from its shards (train() is null). */
  @Override
  public Data loadWithoutTrain(Settings s, Vocabulary vocabulary) throws IOException {
    checkArchitecture(s);
    BatchSource<BiLmBatch> va = s.getPath("data.valid") == null ? null
        : source(s, split(s, "data.valid", vocabulary).examples(), s.getInt("eval.batchSize"));
    BatchSource<BiLmBatch> te = s.getPath("data.test") == null ? null
        : source(s, split(s, "data.test", vocabulary).examples(), s.getInt("eval.batchSize"));
    return new Data(vocabulary, null, va, te, null, null, s);
  }

  /**
   * The language model's shard of the ingested examples (one stream, or the sentences): {@link #shardSource} pairs
   * it with its reversal, so the backward direction reads the reversed text of the same partition.
   */
  @Override
  public Shard shardOf(Settings s, Dims dims, int partition, List<int[]> examples) {
    return LanguageModelFamily.INSTANCE.shardOf(s, dims, partition, examples);
  }

  @Override
  public BatchSource<BiLmBatch> windowSource(Settings s, Shard shard, int window) {
    return sentenceSource(s, java.util.Arrays.asList(shard.sentences()),
        LanguageModelFamily.windowSeed(s, shard, window));
  }

  /**
   * The stream regime streams each row's tokens as the language model does ({@link StreamedTokens}), the backward
   * direction's rows walking the same partition's stream backwards ({@link StreamedTokens#reversed}): the batches of
   * {@link #streamSource} over the partition's stream. The sentences regime streams windows of sentences
   * ({@link WindowedBatches}), each batch paired with its sentences reversed.
   */
  @Override
  public BatchSource<BiLmBatch> streamedSource(Settings s, Dims dims, int partition,
                                              io.seqspark.core.data.ShardExamples examples) throws IOException {
    if (LanguageModelFamily.streamRegime(s)) {
      int rows = s.getInt("train.batchSize");
      boolean eos = s.getBoolean("data.eosPerLine");
      return pair(new StreamedTokens(examples, rows, s.getInt("train.bptt"), eos),
          StreamedTokens.reversed(examples, rows, s.getInt("train.bptt"), eos));
    }
    return Family.super.streamedSource(s, dims, partition, examples);
  }

  /** The vocabulary's words by id: what {@link Dims} carries (labels {@code words}) so the model can spell them. */
  static List<String> words(Vocabulary v) {
    List<String> w = new ArrayList<>(v.size());
    for (int i = 0; i < v.size(); i++) {
      w.add(v.token(i));
    }
    return w;
  }

  @Override
  public Dims dims(Data data) {
    return Dims.ofVocabulary(data.vocabulary().size()).with("words", words(data.vocabulary()));
  }

  @Override
  public BiLm model(Settings s, Dims dims) {
    return new BiLm(spec(s, dims.size("vocabulary")), dims.labels("words"), DataType.FLOAT, s.getLong("seed"));
  }

  /** With elmo.warmStart: checks it before any training and records what it carries. */
  @Override
  public void describe(io.seqspark.core.io.Manifest manifest, Data data) {
    String warm = data.settings().getString("elmo.warmStart");
    if (warm.isEmpty()) {
      return;
    }
    try {
      io.seqspark.core.model.BiLmWarmStart.Summary w = io.seqspark.core.model.BiLmWarmStart.check(warm,
          data.vocabulary(), data.settings());
      manifest.put("warmStart", w.from().toString()).put("warmStartWordsCarried", w.carried())
          .put("warmStartWordsNew", w.fresh());
    } catch (IOException e) {
      throw new java.io.UncheckedIOException("elmo.warmStart = " + warm + ": cannot read it", e);
    }
  }

  /** A fresh model's parameters from elmo.warmStart (never on resume: the checkpoint holds them). */
  @Override
  public List<Pretrained> pretrained(Settings s, Data data, BiLm model) throws IOException {
    String warm = s.getString("elmo.warmStart");
    if (warm.isEmpty()) {
      return List.of();
    }
    io.seqspark.core.model.BiLmWarmStart.Summary w = io.seqspark.core.model.BiLmWarmStart.apply(warm, model,
        data.vocabulary(), s);
    return List.of(new Pretrained("warmStart", w.from(), w.fresh(), w.carried() + w.fresh(), false));
  }

  @Override
  public List<Shard> shards(Data data, int partitions) {
    return data.trainStream() != null ? Shard.ofStream(data.trainStream(), partitions)
        : Shard.ofSentences(data.trainSentences(), partitions);
  }

  @Override
  public BatchSource<BiLmBatch> shardSource(Settings s, Shard shard) {
    if (shard.stream() != null) {
      return streamSource(s, shard.stream(), s.getInt("train.batchSize"));
    }
    return sentenceSource(s, java.util.Arrays.asList(shard.sentences()),
        TrainSetup.partitionSeed(s.getLong("seed"), shard.partition()));
  }

  @Override
  public String summary(Settings s, Data data, BiLm model) {
    BiLmSpec sp = model.spec();
    return String.format("biLM %d x LSTMP %d/%d per direction, char-CNN %d filters, vocabulary %,d, %,d parameters,"
            + " %s%s", sp.layers(), sp.cellSize(), sp.projectionSize(),
        java.util.Arrays.stream(sp.filters()).sum(), data.vocabulary().size(), model.params().size(),
        data.train() == null ? "training split read by the executors from its shards"
            : String.format("%,d training tokens per epoch (both directions)", data.train().tokens(1)),
        sp.sampledSoftmax() > 0 ? ", sampled softmax " + sp.sampledSoftmax() : "");
  }

  @Override
  public Map<String, Object> lossMetrics(String split, StepStats stats) {
    return Family.lossAndPerplexity(split, stats);
  }

  /** Forward-only losses of both directions over a whole source: [forward, backward]. */
  public static StepStats[] evaluateDirections(BiLm model, BatchSource<BiLmBatch> data) {
    model.setCarryState(data.carriesState());
    model.resetState();
    StepStats f = StepStats.ZERO;
    StepStats b = StepStats.ZERO;
    for (int k = 0; k < data.numBatches(0); k++) {
      StepStats[] s = model.evaluateDirections(data.batch(0, k));
      f = f.plus(s[0]);
      b = b.plus(s[1]);
    }
    model.resetState();
    return new StepStats[] {f, b};
  }

  /** forward_ppl, backward_ppl, mean_ppl (exp of the mean loss over both directions) and the token count. */
  static Map<String, Object> perplexities(String prefix, StepStats[] s) {
    Map<String, Object> m = new LinkedHashMap<>();
    m.put(prefix + "forward_ppl", s[0].perplexity());
    m.put(prefix + "backward_ppl", s[1].perplexity());
    m.put(prefix + "mean_ppl", s[0].plus(s[1]).perplexity());
    m.put(prefix + "tokens", s[0].tokens());
    return m;
  }

  @Override
  public Map<String, Object> finish(Settings s, Data data, BiLm model, Map<String, Object> lastValid,
                                    Metrics metrics) throws IOException {
    Map<String, Object> out = new LinkedHashMap<>();
    out.put("validPerplexity", lastValid.get("valid_ppl"));
    if (data.test() != null) {
      Map<String, Object> test = perplexities("test_", evaluateDirections(model, data.test()));
      Map<String, Object> record = new LinkedHashMap<>();
      record.put("step", metrics.step());
      record.putAll(test);
      metrics.log(record);
      metrics.print(String.format("test perplexity forward %.2f, backward %.2f, mean %.2f",
          test.get("test_forward_ppl"), test.get("test_backward_ppl"), test.get("test_mean_ppl")));
      out.put("testPerplexityForward", test.get("test_forward_ppl"));
      out.put("testPerplexityBackward", test.get("test_backward_ppl"));
      out.put("testPerplexity", test.get("test_mean_ppl"));
    }
    return out;
  }

  /** Batches for evaluating {@code file} (text or ingest output) the way the model was trained. */
  public static BatchSource<BiLmBatch> evaluationSource(Settings s, Path file, Vocabulary v) throws IOException {
    if (!Files.isRegularFile(file) && !DataInputs.isShards(file)) {
      throw new IllegalArgumentException("evaluation file " + file + " does not exist");
    }
    return source(s, split(s.with("data.test", file.toString()), "data.test", v).examples(),
        s.getInt("eval.batchSize"));
  }

  @Override
  public Map<String, Object> evaluate(Loaded<BiLm> m, Path file) throws IOException {
    Settings s = m.settings();
    Path data = DataInputs.evaluationFile(s, file);
    Map<String, Object> out = new LinkedHashMap<>();
    out.put("file", data.toString());
    out.putAll(perplexities("", evaluateDirections(m.model(), evaluationSource(s, data, m.vocabulary()))));
    return out;
  }

  /** Loads a {@code model.zip} written by {@code elmo train}. */
  public static Loaded<BiLm> load(Path archive) throws IOException {
    return Families.load(archive, INSTANCE);
  }

  /**
   * The tokens each direction read before a sentence in training, where {@code embed} starts them: {@code </s>} for
   * both in the stream regime with data.eosPerLine; in the sentences regime {@code <s>} forward and {@code </s>}
   * backward (a reversed sentence starts with its end).
   */
  public static int[] starts(Settings s) {
    if (LanguageModelFamily.streamRegime(s)) {
      int t = s.getBoolean("data.eosPerLine") ? Vocabulary.EOS_ID : Vocabulary.BOS_ID;
      return new int[] {t, t};
    }
    return new int[] {Vocabulary.BOS_ID, Vocabulary.EOS_ID};
  }

  /** {@link BiLm#embed} of tokenised sentences with a loaded run's vocabulary and start tokens. */
  public static List<float[][][]> embed(Loaded<BiLm> m, List<List<String>> sentences) {
    int[] st = starts(m.settings());
    return m.model().embed(sentences, m.vocabulary(), st[0], st[1]);
  }
}
