package io.seqspark.core.task;

import io.seqspark.core.config.Settings;
import io.seqspark.core.data.Batch;
import io.seqspark.core.data.DataInputs;
import io.seqspark.core.data.SentenceBatcher;
import io.seqspark.core.data.Shard;
import io.seqspark.core.data.TextCorpus;
import io.seqspark.core.data.TokenShards;
import io.seqspark.core.data.Vocabulary;
import io.seqspark.core.decode.Sampler;
import io.seqspark.core.io.RunDirectory;
import io.seqspark.core.model.LanguageModel;
import io.seqspark.core.model.LanguageModelSpec;
import io.seqspark.core.train.BatchSource;
import io.seqspark.core.train.Evaluation;
import io.seqspark.core.train.StepStats;
import io.seqspark.core.train.TrainSetup;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.nd4j.linalg.api.buffer.DataType;

/**
 * The language-model family ({@code lm}): causal next-token prediction over a token stream (truncated BPTT with
 * carried state, how PTB results are published) or over independent sentences (length-bucketed, padded, masked);
 * perplexities and sampled sentences. One class: data, shards, model, metrics, evaluation, archive.
 */
public final class LanguageModelFamily implements Family<Batch, LanguageModelFamily.Data, LanguageModel> {

  /** The registered instance. */
  public static final LanguageModelFamily INSTANCE = new LanguageModelFamily();

  /**
   * Tokenised splits and the vocabulary. {@code valid} and {@code test} are null when not configured. The training
   * split is also kept as raw ids for sharding across Spark partitions: {@code trainStream} in the stream regime,
   * {@code trainSentences} in the sentences regime (the other is null).
   */
  public record Data(Vocabulary vocabulary, BatchSource<Batch> train, BatchSource<Batch> valid, BatchSource<Batch> test,
                     double trainPaddingRatio, int[] trainStream, List<int[]> trainSentences)
      implements TrainingData<Batch> {
  }

  /** The outcome; perplexities are NaN where the split is not configured. */
  public record Summary(Path runDir, double validPerplexity, double testPerplexity, long steps, double seconds,
                        double tokensPerSecond, List<String> samples) {
  }

  private LanguageModelFamily() {
  }

  @Override
  public String name() {
    return "lm";
  }

  @Override
  public boolean perplexity() {
    return true;
  }

  /** Trains locally. */
  public static Summary run(Settings s, RunDirectory run, boolean resume, List<String> commandLine, PrintStream log)
      throws IOException {
    return run(s, run, resume, commandLine, log, TrainingRun.local());
  }

  /** Trains through {@code loop} (local, or Spark from the spark module). */
  @SuppressWarnings("unchecked")
  public static Summary run(Settings s, RunDirectory run, boolean resume, List<String> commandLine, PrintStream log,
                            TrainingRun.Loop loop) throws IOException {
    return summary(TrainingRun.run(INSTANCE, s, run, resume, commandLine, log, loop));
  }

  /** The language model's view of a run's outcome. */
  @SuppressWarnings("unchecked")
  public static Summary summary(io.seqspark.core.io.RunRecorder.Result o) {
    Object test = o.results().get("testPerplexity");
    return new Summary(o.runDir(), o.lastValid().get("valid_ppl") instanceof Double v ? v : Double.NaN,
        test instanceof Double t ? t : Double.NaN, o.steps(), o.seconds(), o.unitsPerSecond(),
        (List<String>) o.results().get("samples"));
  }

  public static boolean streamRegime(Settings s) {
    return s.getString("data.regime").equals("stream");
  }

  /** One split as examples of token ids (no {@code <s>}/{@code </s>}) under {@code vocabulary}. */
  record Split(Vocabulary vocabulary, List<int[]> examples) {
  }

  /**
   * Reads a split from text (tokenised here; the vocabulary is built from it when {@code vocabulary} is null) or from
   * ingested shards (ids and vocabulary as ingest wrote them; a given vocabulary must be the same one).
   */
  static Split split(Settings s, String key, Vocabulary vocabulary) throws IOException {
    Path p = DataInputs.requireFile(s, key);
    if (DataInputs.isShards(p)) {
      TokenShards shards = TokenShards.open(p);
      Vocabulary v = shards.vocabulary();
      if (vocabulary != null && !vocabulary.contentHash().equals(v.contentHash())) {
        throw new IllegalArgumentException(key + " = " + p + ": these shards were ingested with another vocabulary ("
            + v.size() + " entries, hash " + v.contentHash().substring(0, 12) + ") than the training data's ("
            + vocabulary.size() + ", " + vocabulary.contentHash().substring(0, 12) + "). Fix: pass the text file instead,"
            + " or ingest all splits with the same vocabulary");
      }
      return new Split(v, shards.readAll());
    }
    List<List<String>> lines = TextCorpus.readLines(p, DataInputs.tokenizer(s));
    Vocabulary v = vocabulary != null ? vocabulary
        : TextCorpus.buildVocabulary(lines, s.getInt("data.minCount"), s.getInt("data.maxVocabSize"), s.getBoolean("data.eosPerLine"));
    return new Split(v, TextCorpus.toSentences(lines, v));
  }

  /** The examples as one stream, each followed by {@code </s>} when data.eosPerLine (the PTB convention). */
  static int[] stream(Settings s, List<int[]> examples) {
    boolean eos = s.getBoolean("data.eosPerLine");
    int n = 0;
    for (int[] e : examples) {
      n += e.length + (eos ? 1 : 0);
    }
    int[] out = new int[n];
    int k = 0;
    for (int[] e : examples) {
      System.arraycopy(e, 0, out, k, e.length);
      k += e.length;
      if (eos) {
        out[k++] = Vocabulary.EOS_ID;
      }
    }
    return out;
  }

  /**
   * Reads the splits (text files or ingest outputs); builds the vocabulary from the training split unless
   * {@code vocabulary} is given or the training split is ingested (then its vocabulary is used).
   */
  @Override
  public Data load(Settings s, Vocabulary vocabulary) throws IOException {
    Split train = split(s, "data.train", vocabulary);
    Vocabulary v = train.vocabulary();
    int[] stream = streamRegime(s) ? stream(s, train.examples()) : null;
    List<int[]> sentences = streamRegime(s) ? null : train.examples();
    BatchSource<Batch> tr = stream != null ? streamSource(s, stream, s.getInt("train.batchSize"))
        : sentenceSource(s, sentences, s.getLong("seed"));
    BatchSource<Batch> va = s.getPath("data.valid") == null ? null : source(s, split(s, "data.valid", v).examples(), s.getInt("eval.batchSize"));
    BatchSource<Batch> te = s.getPath("data.test") == null ? null : source(s, split(s, "data.test", v).examples(), s.getInt("eval.batchSize"));
    double pad = 0;
    if (sentences != null) {
      pad = DataInputs.sentenceBatcher(s, sentences, s.getLong("seed"), SentenceBatcher.Layout.LANGUAGE_MODEL).paddingRatio(1);
    }
    return new Data(v, tr, va, te, pad, stream, sentences);
  }

  @Override
  public boolean readsShards() {
    return true;
  }

  /** The validation and test splits; the executors read the training split from its shards (train() is null). */
  @Override
  public Data loadWithoutTrain(Settings s, Vocabulary vocabulary) throws IOException {
    BatchSource<Batch> va = s.getPath("data.valid") == null ? null
        : source(s, split(s, "data.valid", vocabulary).examples(), s.getInt("eval.batchSize"));
    BatchSource<Batch> te = s.getPath("data.test") == null ? null
        : source(s, split(s, "data.test", vocabulary).examples(), s.getInt("eval.batchSize"));
    return new Data(vocabulary, null, va, te, Double.NaN, null, null);
  }

  /** The stream regime: the examples as one stream (with {@code </s>} per line as configured); else the sentences. */
  @Override
  public Shard shardOf(Settings s, Dims dims, int partition, List<int[]> examples) {
    return streamRegime(s) ? new Shard(partition, stream(s, examples), null)
        : new Shard(partition, null, examples.toArray(new int[0][]));
  }

  @Override
  public BatchSource<Batch> windowSource(Settings s, Shard shard, int window) {
    return sentenceSource(s, java.util.Arrays.asList(shard.sentences()), windowSeed(s, shard, window));
  }

  /** The shuffling seed of one window of a streamed partition's sentences: window 0 is the partition's seed. */
  static long windowSeed(Settings s, Shard shard, int window) {
    long seed = TrainSetup.partitionSeed(s.getLong("seed"), shard.partition());
    return window == 0 ? seed : WindowedBatches.windowSeed(seed, window);
  }

  /** The stream regime streams each row's tokens ({@link StreamedTokens}); sentences stream in windows. */
  @Override
  public BatchSource<Batch> streamedSource(Settings s, Dims dims, int partition,
                                           io.seqspark.core.data.ShardExamples examples) throws IOException {
    if (streamRegime(s)) {
      return new StreamedTokens(examples, s.getInt("train.batchSize"), s.getInt("train.bptt"),
          s.getBoolean("data.eosPerLine"));
    }
    return Family.super.streamedSource(s, dims, partition, examples);
  }

  /** Batches for evaluating {@code file} (text or ingest output) the way the model was trained, eval.batchSize rows. */
  public static BatchSource<Batch> evaluationSource(Settings s, Path file, Vocabulary v) throws IOException {
    if (!Files.isRegularFile(file) && !DataInputs.isShards(file)) {
      throw new IllegalArgumentException("evaluation file " + file + " does not exist");
    }
    return source(s, split(s.with("data.test", file.toString()), "data.test", v).examples(), s.getInt("eval.batchSize"));
  }

  private static BatchSource<Batch> source(Settings s, List<int[]> examples, int rows) {
    if (streamRegime(s)) {
      return streamSource(s, stream(s, examples), rows);
    }
    return sentenceSource(s, examples, s.getLong("seed"));
  }

  /** Truncated-BPTT batches of {@code rows} streams over {@code stream} (a whole split or one partition's shard). */
  public static BatchSource<Batch> streamSource(Settings s, int[] stream, int rows) {
    return io.seqspark.core.train.BatchSource.stream(s, stream, rows);
  }

  /** Length-bucketed batches of {@code sentences} (a whole split or one partition's shard), shuffled from {@code seed}. */
  public static BatchSource<Batch> sentenceSource(Settings s, List<int[]> sentences, long seed) {
    return io.seqspark.core.train.BatchSource.sentences(s, sentences, seed, SentenceBatcher.Layout.LANGUAGE_MODEL);
  }

  /** The token generated sentences follow: what preceded a sentence in training. */
  public static int sentenceStart(Settings s) {
    return s.getString("data.regime").equals("stream") && s.getBoolean("data.eosPerLine") ? Vocabulary.EOS_ID : Vocabulary.BOS_ID;
  }

  public static LanguageModelSpec spec(Settings s, int vocabSize) {
    return new LanguageModelSpec(vocabSize, s.getInt("model.embeddingSize"), s.getInt("model.hiddenSize"),
        s.getInt("model.layers"), s.getString("model.cell"), s.getDouble("model.dropout"), s.getDouble("model.initScale"),
        s.getInt("model.tcnKernel"), s.getString("model.tcnNorm"));
  }

  /** A fresh model of the configured shape over {@code vocabSize} tokens. */
  public static LanguageModel model(Settings s, int vocabSize) {
    LanguageModel m = new LanguageModel(spec(s, vocabSize), DataType.FLOAT, s.getLong("seed"));
    m.embedding().setFrozen(s.getBoolean("model.embedding.freeze"));
    return m;
  }

  @Override
  public LanguageModel model(Settings s, Dims dims) {
    return model(s, dims.size("vocabulary"));
  }

  @Override
  public Dims dims(Data data) {
    return Dims.ofVocabulary(data.vocabulary().size());
  }

  @Override
  public List<Shard> shards(Data data, int partitions) {
    return data.trainStream() != null ? Shard.ofStream(data.trainStream(), partitions)
        : Shard.ofSentences(data.trainSentences(), partitions);
  }

  @Override
  public BatchSource<Batch> shardSource(Settings s, Shard shard) {
    if (shard.stream() != null) {
      return streamSource(s, shard.stream(), s.getInt("train.batchSize"));
    }
    return sentenceSource(s, java.util.Arrays.asList(shard.sentences()),
        TrainSetup.partitionSeed(s.getLong("seed"), shard.partition()));
  }

  @Override
  public io.seqspark.core.nn.Embedding embedding(LanguageModel model) {
    return model.embedding();
  }

  @Override
  public String summary(Settings s, Data data, LanguageModel model) {
    BatchSource train = data.train();
    if (train == null) {
      return String.format("%s: vocabulary %,d, %,d parameters, training split read by the executors from its shards",
          s.getString("model.cell"), data.vocabulary().size(), model.params().size());
    }
    return String.format("%s: vocabulary %,d, %,d parameters, %,d training tokens per epoch%s%s", s.getString("model.cell"),
        data.vocabulary().size(), model.params().size(), train.tokens(1),
        train.carriesState() ? "" : String.format(", padding ratio %.3f", data.trainPaddingRatio()),
        model.receptiveField().isPresent() ? String.format(", receptive field %d tokens", model.receptiveField().getAsInt()) : "");
  }

  @Override
  public Map<String, Object> lossMetrics(String split, StepStats stats) {
    return Family.lossAndPerplexity(split, stats);
  }

  @Override
  public Map<String, Object> finish(Settings s, Data data, LanguageModel model,
                                    Map<String, Object> lastValid, Metrics metrics) throws IOException {
    double test = Double.NaN;
    if (data.test() != null) {
      test = Evaluation.run(model, data.test()).perplexity();
      metrics.log(Map.of("step", metrics.step(), "test_ppl", test));
      metrics.print(String.format("test perplexity %.2f", test));
    }
    List<String> samples = new ArrayList<>();
    int n = s.getInt("eval.generate");
    if (n > 0) {
      for (List<String> sentence : Sampler.generate(model, data.vocabulary(), sentenceStart(s), n,
          s.getInt("eval.maxGenerateLength"), s.getDouble("eval.temperature"), s.getLong("seed"))) {
        samples.add(String.join(" ", sentence));
      }
    }
    Map<String, Object> out = new LinkedHashMap<>();
    out.put("validPerplexity", lastValid.get("valid_ppl"));
    out.put("testPerplexity", TrainingRun.nanToNull(test));
    out.put("validBitsPerToken", lastValid.get("valid_ppl") instanceof Double v ? log2(v) : null);
    out.put("testBitsPerToken", TrainingRun.nanToNull(log2(test)));
    if (model.receptiveField().isPresent()) {
      out.put("receptiveField", model.receptiveField().getAsInt());
    }
    out.put("samples", samples);
    return out;
  }

  @Override
  public Map<String, Object> evaluate(Loaded<LanguageModel> m, Path file) throws IOException {
    Settings s = m.settings();
    Path data = DataInputs.evaluationFile(s, file);
    StepStats st = Evaluation.run(m.model(), evaluationSource(s, data, m.vocabulary()));
    Map<String, Object> out = new LinkedHashMap<>();
    out.put("file", data.toString());
    out.put("perplexity", st.perplexity());
    out.put("bits_per_token", st.meanLoss() / Math.log(2));
    out.put("mean_loss", st.meanLoss());
    out.put("tokens", st.tokens());
    return out;
  }

  /** Loads a {@code model.zip} written by {@code lm train}. */
  public static Loaded<LanguageModel> load(Path archive) throws IOException {
    return Families.load(archive, INSTANCE);
  }

  /** Bits per token (per character for a char model) = log2(perplexity) = mean loss in nats / ln 2. */
  private static double log2(double perplexity) {
    return Math.log(perplexity) / Math.log(2);
  }
}
