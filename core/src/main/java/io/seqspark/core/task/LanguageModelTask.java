package io.seqspark.core.task;

import io.seqspark.core.config.Settings;
import io.seqspark.core.data.LengthBucketing;
import io.seqspark.core.data.SentenceBatcher;
import io.seqspark.core.data.TextCorpus;
import io.seqspark.core.data.TokenShards;
import io.seqspark.core.data.TokenStreamBatcher;
import io.seqspark.core.data.Tokenizer;
import io.seqspark.core.data.Vocabulary;
import io.seqspark.core.io.ModelArchive;
import io.seqspark.core.model.LanguageModel;
import io.seqspark.core.model.LanguageModelSpec;
import io.seqspark.core.train.BatchSource;
import io.seqspark.core.train.LearningRate;
import io.seqspark.core.train.Optimizer;
import io.seqspark.core.train.TrainStep;
import io.seqspark.core.train.Trainer;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.nd4j.linalg.api.buffer.DataType;

/**
 * The language-modelling task (fairseq's sense): how settings become data, a model, a training step and the loop's
 * options. Jobs, benchmarks and Spark workers build everything through here, so a key means the same everywhere.
 */
public final class LanguageModelTask {
  private LanguageModelTask() {
  }

  /**
   * Tokenised splits and the vocabulary. {@code valid} and {@code test} are null when not configured. The training
   * split is also kept as raw ids for sharding across Spark partitions: {@code trainStream} in the stream regime,
   * {@code trainSentences} in the sentences regime (the other is null).
   */
  public record Data(Vocabulary vocabulary, BatchSource train, BatchSource valid, BatchSource test, double trainPaddingRatio,
                     int[] trainStream, List<int[]> trainSentences) implements TrainingData {
  }

  public static boolean streamRegime(Settings s) {
    return s.getString("data.regime").equals("stream");
  }

  /** A configured path that must exist: fails with the key, the value and the fix. */
  public static Path requireFile(Settings s, String key) {
    Path p = s.getPath(key);
    if (p == null) {
      throw new IllegalArgumentException(key + " is empty: set it to a text file or an ingest output directory, e.g. --set "
          + key + "=path/to/file.txt");
    }
    if (!Files.isRegularFile(p) && !isShards(p)) {
      throw new IllegalArgumentException(key + " = " + p + ": no such file or ingest output (looked in " + p.toAbsolutePath()
          + "). Fix: point " + key + " at an existing text file, or at a directory written by seqspark ingest; relative"
          + " paths are resolved from the working directory");
    }
    return p;
  }

  /** Whether {@code p} is a directory written by {@code seqspark ingest} (token-id shards + vocabulary). */
  public static boolean isShards(Path p) {
    return Files.isDirectory(p) && Files.isRegularFile(p.resolve(TokenShards.VOCABULARY_FILE))
        && Files.isDirectory(p.resolve(TokenShards.SHARD_DIR));
  }

  public static Tokenizer tokenizer(Settings s) {
    return Tokenizer.of(s.getString("data.tokenizer"), s.getBoolean("data.lowercase"), s.getBoolean("data.splitPunctuation"));
  }

  /** One split as examples of token ids (no {@code <s>}/{@code </s>}) under {@code vocabulary}. */
  private record Split(Vocabulary vocabulary, List<int[]> examples) {
  }

  /**
   * Reads a split from text (tokenised here; the vocabulary is built from it when {@code vocabulary} is null) or from
   * ingested shards (ids and vocabulary as ingest wrote them; a given vocabulary must be the same one).
   */
  private static Split split(Settings s, String key, Vocabulary vocabulary) throws IOException {
    Path p = requireFile(s, key);
    if (isShards(p)) {
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
    List<List<String>> lines = TextCorpus.readLines(p, tokenizer(s));
    Vocabulary v = vocabulary != null ? vocabulary
        : TextCorpus.buildVocabulary(lines, s.getInt("data.minCount"), s.getInt("data.maxVocabSize"), s.getBoolean("data.eosPerLine"));
    return new Split(v, TextCorpus.toSentences(lines, v));
  }

  /** The examples as one stream, each followed by {@code </s>} when data.eosPerLine (the PTB convention). */
  private static int[] stream(Settings s, List<int[]> examples) {
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
  public static Data load(Settings s, Vocabulary vocabulary) throws IOException {
    Split train = split(s, "data.train", vocabulary);
    Vocabulary v = train.vocabulary();
    int[] stream = streamRegime(s) ? stream(s, train.examples()) : null;
    List<int[]> sentences = streamRegime(s) ? null : train.examples();
    BatchSource tr = stream != null ? streamSource(s, stream, s.getInt("train.batchSize"))
        : sentenceSource(s, sentences, s.getLong("seed"));
    BatchSource va = s.getPath("data.valid") == null ? null : source(s, split(s, "data.valid", v).examples(), s.getInt("eval.batchSize"));
    BatchSource te = s.getPath("data.test") == null ? null : source(s, split(s, "data.test", v).examples(), s.getInt("eval.batchSize"));
    double pad = 0;
    if (sentences != null) {
      pad = sentenceBatcher(s, sentences, s.getLong("seed"), SentenceBatcher.Layout.LANGUAGE_MODEL).paddingRatio(1);
    }
    return new Data(v, tr, va, te, pad, stream, sentences);
  }

  /** Batches for evaluating {@code file} (text or ingest output) the way the model was trained, eval.batchSize rows. */
  public static BatchSource evaluationSource(Settings s, Path file, Vocabulary v) throws IOException {
    if (!Files.isRegularFile(file) && !isShards(file)) {
      throw new IllegalArgumentException("evaluation file " + file + " does not exist");
    }
    return source(s, split(s.with("data.test", file.toString()), "data.test", v).examples(), s.getInt("eval.batchSize"));
  }

  private static BatchSource source(Settings s, List<int[]> examples, int rows) {
    if (streamRegime(s)) {
      return streamSource(s, stream(s, examples), rows);
    }
    return sentenceSource(s, examples, s.getLong("seed"));
  }

  /** Truncated-BPTT batches of {@code rows} streams over {@code stream} (a whole split or one partition's shard). */
  public static BatchSource streamSource(Settings s, int[] stream, int rows) {
    return BatchSource.stream(new TokenStreamBatcher(stream, rows, s.getInt("train.bptt")));
  }

  /** Length-bucketed batches of {@code sentences} (a whole split or one partition's shard), shuffled from {@code seed}. */
  public static BatchSource sentenceSource(Settings s, List<int[]> sentences, long seed) {
    return sentenceSource(s, sentences, seed, SentenceBatcher.Layout.LANGUAGE_MODEL);
  }

  /** Length-bucketed batches (data.maxTokensPerBatch, data.maxLength, ...) of examples in the given layout. */
  public static BatchSource sentenceSource(Settings s, List<int[]> examples, long seed, SentenceBatcher.Layout layout) {
    return BatchSource.sentences(sentenceBatcher(s, examples, seed, layout));
  }

  static SentenceBatcher sentenceBatcher(Settings s, List<int[]> sentences, long seed, SentenceBatcher.Layout layout) {
    LengthBucketing.Options bucketing = new LengthBucketing.Options(s.getInt("data.maxTokensPerBatch"), 0,
        s.getBoolean("data.skipOversized"), s.getInt("data.shufflePoolSize"));
    return new SentenceBatcher(sentences, new SentenceBatcher.Options(s.getInt("data.maxLength"),
        SentenceBatcher.OverLength.parse(s.getString("data.overLength")), bucketing, seed), layout);
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

  public static LanguageModel model(Settings s, int vocabSize) {
    LanguageModel m = new LanguageModel(spec(s, vocabSize), DataType.FLOAT, s.getLong("seed"));
    m.embedding().setFrozen(s.getBoolean("model.embedding.freeze"));
    return m;
  }

  /**
   * Copies model.embedding.pretrained's vectors (word2vec text/binary, or a seqspark w2v run or model.zip) into the
   * embedding rows of the words they cover.
   *
   * @return the number of vocabulary words without a vector, or -1 if no file is configured
   */
  public static int initEmbedding(Settings s, io.seqspark.core.nn.Embedding embedding, Vocabulary vocab) throws IOException {
    Path p = s.getPath("model.embedding.pretrained");
    if (p == null) {
      return -1;
    }
    if (!Files.exists(p)) {
      throw new IllegalArgumentException("model.embedding.pretrained = " + p + ": no such file (looked in "
          + p.toAbsolutePath() + "); point it at a word2vec file or a w2v run, or set it to \"\"");
    }
    io.seqspark.core.w2v.WordVectors wv = io.seqspark.core.w2v.Word2VecArchive.load(p);
    java.util.Map<String, Integer> index = wv.index(false, wv.size());
    return embedding.initialise(vocab, w -> index.containsKey(w) ? wv.vector(index.get(w)) : null);
  }

  /** The optimizer and training step of any model, from train.* keys. */
  public static TrainStep step(Settings s, io.seqspark.core.train.Trainable m) {
    Optimizer opt = Optimizer.create(s.getString("train.optimizer"), m.params().size(), m.params().dtype(),
        s.getDouble("train.adamBeta1"), s.getDouble("train.adamBeta2"), s.getDouble("train.adamEpsilon"));
    TrainStep.LossScale scale = TrainStep.LossScale.valueOf(s.getString("train.lossScale").toUpperCase(java.util.Locale.ROOT));
    TrainStep.ClipMode clip = TrainStep.ClipMode.valueOf(s.getString("train.clipMode").toUpperCase(java.util.Locale.ROOT));
    return new TrainStep(m, opt, s.getDouble("train.clipNorm"), clip, scale);
  }

  public static Trainer.Options trainerOptions(Settings s) {
    return new Trainer.Options(s.getInt("train.epochs"), new LearningRate(s.getDouble("train.learningRate"),
        s.getDouble("train.lrDecay"), s.getInt("train.lrDecayAfterEpoch")), s.getLong("train.maxSteps"), s.getLong("seed"),
        s.getLong("run.checkpointEverySteps"), s.getDouble("train.maxSeconds"));
  }

  /** A trained model with its settings and vocabulary. */
  public record Loaded(Settings settings, Vocabulary vocabulary, LanguageModel model) {
  }

  /** Loads a {@code model.zip} written by {@code lm train}. */
  public static Loaded load(Path archive) throws IOException {
    ModelArchive.Contents c = ModelArchive.read(archive);
    LanguageModel m = model(c.settings(), c.vocabulary().size());
    ModelArchive.checkLayout(archive, c.layout(), m.params());
    m.params().setParams(c.params());
    return new Loaded(c.settings(), c.vocabulary(), m);
  }
}
