package io.seqspark.core.task;

import io.seqspark.core.config.Settings;
import io.seqspark.core.data.Batch;
import io.seqspark.core.data.DataInputs;
import io.seqspark.core.data.Labelled;
import io.seqspark.core.data.SentenceBatcher;
import io.seqspark.core.data.Shard;
import io.seqspark.core.data.TextCorpus;
import io.seqspark.core.data.TokenShards;
import io.seqspark.core.data.Tokenizer;
import io.seqspark.core.data.Vocabulary;
import io.seqspark.core.eval.Confusion;
import io.seqspark.core.io.Manifest;
import io.seqspark.core.io.RunDirectory;
import io.seqspark.core.model.SequenceClassifier;
import io.seqspark.core.model.SequenceClassifierSpec;
import io.seqspark.core.nn.Bidirectional;
import io.seqspark.core.nn.Pooling;
import io.seqspark.core.train.BatchSource;
import io.seqspark.core.train.Evaluation;
import io.seqspark.core.train.StepStats;
import io.seqspark.core.train.TrainSetup;
import io.seqspark.core.train.TrainStep;
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
import java.util.SplittableRandom;
import java.util.TreeSet;
import org.nd4j.linalg.api.buffer.DataType;

/**
 * The sequence-classification family ({@code classify}): labelled text files ({@code classify.format}: {@code tab} =
 * label TAB text, the SMS Spam Collection; {@code space} = label, space, text, SST-2's stsa.binary files) or ingested
 * labelled lines become length-bucketed batches of {@link Labelled} examples, a {@link SequenceClassifier} trained on
 * the mean loss per example, with accuracy, macro F1 and F1 per class on the validation split after each epoch and on
 * the test split at the end. A split that is not given as a file can be held out of {@code data.train} by a seeded
 * split stratified by label ({@code classify.validFraction}, {@code classify.testFraction}). Class ids are the
 * training labels in sorted order.
 */
public final class ClassifierFamily implements Family<Batch, ClassifierFamily.Data, SequenceClassifier> {

  /** The registered instance. */
  public static final ClassifierFamily INSTANCE = new ClassifierFamily();

  private ClassifierFamily() {
  }

  @Override
  public String name() {
    return "classify";
  }

  /** Trains through {@code loop} (local, or Spark from the spark module). */
  public static io.seqspark.core.io.RunRecorder.Result run(Settings s, RunDirectory run, boolean resume, List<String> commandLine,
                                        PrintStream log, TrainingRun.Loop loop) throws IOException {
    return TrainingRun.run(INSTANCE, s, run, resume, commandLine, log, loop);
  }

  /**
   * The splits, as batches and as encoded examples (for sharding across Spark partitions).
   *
   * @param skippedEmpty examples with a label but no tokens, left out (all splits)
   * @param contextual   model.contextual: "" or the biLM whose ELMo features the model reads
   * @param spellings    with model.contextual, the words of the splits the vocabulary lacks: ids past it, so the biLM
   *                     reads their spelling while the embedding reads {@code <unk>} (as the tagger's)
   */
  public record Data(Vocabulary vocabulary, List<String> labels, BatchSource<Batch> train, BatchSource<Batch> valid, BatchSource<Batch> test,
                     List<int[]> trainExamples, double trainPaddingRatio, int skippedEmpty, String contextual,
                     ContextualLm.Spellings spellings)
      implements TrainingData<Batch> {
  }

  /** One line: its label and tokens. */
  record Example(String label, List<String> tokens) {
  }

  /** Reads a labelled file in {@code classify.format}, or an ingest output of labelled lines; errors name the line. */
  static List<Example> read(Settings s, Path file) throws IOException {
    if (isLabelledIngest(file)) {
      return readLabelledIngest(s, file);
    } else if (DataInputs.isShards(file)) {
      return readShards(file);
    }
    String format = s.getString("classify.format");
    Tokenizer text = DataInputs.tokenizer(s);
    int[] line = {0};
    // TextCorpus calls the tokenizer once per line, in order (blank lines included), so the count is the line number;
    // the label travels as the first "token" so a line with a label but no text still arrives (and is counted)
    Tokenizer labelled = raw -> {
      line[0]++;
      if (raw.isBlank()) {
        return List.of();
      }
      String body = raw.stripLeading();
      int cut = format.equals("tab") ? body.indexOf('\t') : firstSpace(body);
      if (cut <= 0) {
        throw new IllegalArgumentException(file + ": line " + line[0] + " has no label: classify.format = " + format
            + " expects 'label" + (format.equals("tab") ? "<TAB>" : " ") + "text'. Fix: set classify.format to "
            + (format.equals("tab") ? "space" : "tab") + " if the file uses the other layout, or fix the line");
      }
      List<String> out = new ArrayList<>();
      out.add(body.substring(0, cut).strip());
      out.addAll(text.tokenize(body.substring(cut + 1)));
      return out;
    };
    List<Example> out = new ArrayList<>();
    for (List<String> l : TextCorpus.readLines(file, labelled)) {
      out.add(new Example(l.get(0), l.subList(1, l.size())));
    }
    return out;
  }

  /**
   * An ingest output of labelled lines (`seqspark ingest` over the same files): ingest tokenised each whole line, so
   * an example's first token is its label (SMS Spam's "ham"/"spam", SST-2's "0"/"1"), and the rest is its text.
   */
  static List<Example> readShards(Path dir) throws IOException {
    TokenShards shards = TokenShards.open(dir);
    Vocabulary v = shards.vocabulary();
    List<Example> out = new ArrayList<>();
    long n = 0;
    for (int[] ids : shards.readAll()) {
      n++;
      if (ids.length == 0) {
        continue;
      }
      if (ids[0] < Vocabulary.SPECIALS.size()) {
        throw new IllegalArgumentException(dir + ": example " + n + " starts with " + v.token(ids[0]) + ", not a label:"
            + " a classifier reads ingested lines as 'label text', so the label must stay one in-vocabulary token."
            + " Fix: ingest with data.minCount low enough to keep every label (and no punctuation inside labels)");
      }
      List<String> tokens = new ArrayList<>(ids.length - 1);
      for (int i = 1; i < ids.length; i++) {
        tokens.add(v.token(ids[i]));
      }
      out.add(new Example(v.token(ids[0]), tokens));
    }
    return out;
  }

  private static int firstSpace(String s) {
    for (int i = 0; i < s.length(); i++) {
      if (Tokenizer.isSpace(s.charAt(i))) {
        return i;
      }
    }
    return -1;
  }

  /**
   * Holds out {@code fraction} of each label's examples (rounded), drawn from {@code rng}; returns {held out, rest},
   * each in file order.
   */
  static List<List<Example>> holdOut(List<Example> all, double fraction, SplittableRandom rng) {
    TreeSet<String> labels = new TreeSet<>();
    all.forEach(e -> labels.add(e.label()));
    boolean[] out = new boolean[all.size()];
    for (String label : labels) {
      List<Integer> idx = new ArrayList<>();
      for (int i = 0; i < all.size(); i++) {
        if (all.get(i).label().equals(label)) {
          idx.add(i);
        }
      }
      io.seqspark.core.math.Shuffle.inPlace(idx, rng);
      long n = Math.round(fraction * idx.size());
      for (int k = 0; k < n; k++) {
        out[idx.get(k)] = true;
      }
    }
    List<Example> held = new ArrayList<>();
    List<Example> rest = new ArrayList<>();
    for (int i = 0; i < all.size(); i++) {
      (out[i] ? held : rest).add(all.get(i));
    }
    return List.of(held, rest);
  }

  /** The raw splits {train, valid or null, test or null}: files where given, else held out of data.train. */
  static List<List<Example>> splits(Settings s) throws IOException {
    List<Example> train = read(s, DataInputs.requireFile(s, "data.train"));
    SplittableRandom rng = new SplittableRandom(s.getLong("seed") * 1_000_003L + 0x5A17);
    List<List<Example>> out = new ArrayList<>(Arrays.asList(null, null, null));
    String[] keys = {"test", "valid"};
    for (int k = 0; k < 2; k++) {
      String split = keys[k];
      double fraction = s.getDouble("classify." + split + "Fraction");
      List<Example> given = null;
      if (s.getPath("data." + split) != null) {
        if (fraction > 0) {
          throw new IllegalArgumentException("data." + split + " = " + s.getPath("data." + split) + " and classify." + split
              + "Fraction = " + fraction + " both define the " + split + " split. Fix: set classify." + split
              + "Fraction = 0, or data." + split + " = \"\"");
        }
        given = read(s, DataInputs.requireFile(s, "data." + split));
      } else if (fraction > 0) {
        List<List<Example>> h = holdOut(train, fraction, rng);
        given = h.get(0);
        train = h.get(1);
      }
      out.set(2 - k, given);
    }
    out.set(0, train);
    return out;
  }

  /** Sorted distinct labels of the training split. */
  static List<String> labels(List<Example> train) {
    TreeSet<String> l = new TreeSet<>();
    train.forEach(e -> l.add(e.label()));
    return List.copyOf(l);
  }

  /** Reads and encodes the splits; the vocabulary is built from the training split unless {@code vocabulary} is given. */
  @Override
  public Data load(Settings s, Vocabulary vocabulary) throws IOException {
    List<List<Example>> raw = splits(s);
    List<Example> train = raw.get(0);
    List<String> labels = labels(train);
    Vocabulary v = vocabulary;
    Path trainPath = s.getPath("data.train");
    if (v == null && trainPath != null && DataInputs.isShards(trainPath)) {
      v = TokenShards.open(trainPath).vocabulary(); // ingest's vocabulary, as for the language model
    }
    if (v == null) {
      List<List<String>> lines = new ArrayList<>();
      train.forEach(e -> lines.add(e.tokens()));
      v = TextCorpus.buildVocabulary(lines, s.getInt("data.minCount"), s.getInt("data.maxVocabSize"));
    }
    String contextual = s.getString("model.contextual");
    ContextualLm.Spellings sp = contextual.isEmpty() ? ContextualLm.Spellings.NONE : spellings(v, raw);
    int[] skipped = {0};
    List<int[]> tr = encode(train, v, labels, "data.train", skipped, sp);
    long seed = s.getLong("seed");
    SentenceBatcher.Layout layout = SentenceBatcher.Layout.CLASSIFICATION;
    List<BatchSource<Batch>> eval = new ArrayList<>(Arrays.asList(null, null));
    for (int k = 0; k < 2; k++) {
      List<Example> split = raw.get(k + 1);
      if (split != null) {
        eval.set(k, io.seqspark.core.train.BatchSource.sentences(s, encode(split, v, labels, k == 0 ? "data.valid" : "data.test", skipped,
            sp), seed, layout));
      }
    }
    double pad = DataInputs.sentenceBatcher(s, tr, seed, layout).paddingRatio(1);
    return new Data(v, labels, trainSource(s, tr, seed), eval.get(0), eval.get(1), tr, pad, skipped[0], contextual, sp);
  }

  /**
   * The words of the splits (null ones skipped) that {@code v} lacks, in order of first occurrence: with
   * model.contextual each gets an id past the vocabulary whose embedding row is {@code <unk>}'s, so the biLM reads the
   * word itself (its characters) where the embedding reads {@code <unk>}.
   */
  static ContextualLm.Spellings spellings(Vocabulary v, List<List<Example>> splits) {
    ContextualLm.Spellings.Builder b = new ContextualLm.Spellings.Builder(v.size());
    for (List<Example> split : splits) {
      if (split == null) {
        continue;
      }
      for (Example e : split) {
        for (String w : e.tokens()) {
          if (!v.contains(w)) {
            b.add(w, Vocabulary.UNK_ID);
          }
        }
      }
    }
    return b.build();
  }

  /** Length-bucketed training batches of {@link Labelled} examples (a whole split or one Spark partition's shard). */
  public static BatchSource<Batch> trainSource(Settings s, List<int[]> examples, long seed) {
    return io.seqspark.core.train.BatchSource.sentences(s, examples, seed, SentenceBatcher.Layout.CLASSIFICATION);
  }

  private static List<int[]> encode(List<Example> examples, Vocabulary v, List<String> labels, String key, int[] skipped,
                                    ContextualLm.Spellings sp) {
    List<int[]> out = new ArrayList<>(examples.size());
    for (Example e : examples) {
      int label = labels.indexOf(e.label());
      if (label < 0) {
        throw new IllegalArgumentException(key + ": label '" + e.label() + "' does not occur in the training data (labels "
            + labels + "). Fix: correct the label, or add examples of it to data.train");
      }
      if (e.tokens().isEmpty()) {
        skipped[0]++;
        continue;
      }
      int[] ids = v.encode(e.tokens());
      sp.respell(ids, e.tokens());
      out.add(Labelled.encode(ids, label));
    }
    return out;
  }

  public static SequenceClassifierSpec spec(Settings s, int vocabSize, int classes) {
    return new SequenceClassifierSpec(vocabSize, classes, s.getInt("model.embeddingSize"), s.getInt("model.hiddenSize"),
        s.getInt("model.layers"), s.getString("model.cell"), s.getBoolean("classify.bidirectional"),
        Bidirectional.Merge.valueOf(s.getString("classify.merge").toUpperCase(Locale.ROOT)),
        Pooling.Mode.valueOf(s.getString("classify.pooling").toUpperCase(Locale.ROOT)), s.getDouble("model.dropout"),
        s.getDouble("model.initScale"));
  }

  public static SequenceClassifier model(Settings s, int vocabSize, int classes) {
    return model(s, vocabSize, classes, null);
  }

  private static SequenceClassifier model(Settings s, int vocabSize, int classes,
      java.util.function.Function<io.seqspark.core.nn.ParamStore.Builder, io.seqspark.core.nn.InputFeatures> extra) {
    SequenceClassifier m = new SequenceClassifier(spec(s, vocabSize, classes), DataType.FLOAT, s.getLong("seed"), extra);
    m.embedding().setFrozen(s.getBoolean("model.embedding.freeze"));
    return m;
  }

  /** The training step; the loss is always the mean over examples (train.lossScale does not apply). */
  @Override
  public TrainStep<Batch> step(Settings s, SequenceClassifier m) {
    return TrainSetup.step(s.with("train.lossScale", "sequences"), m);
  }

  /** Predictions of {@code model} over epoch 0's batches of {@code split}, against their labels. */
  public static Confusion confusion(SequenceClassifier model, BatchSource<Batch> split, List<String> labels) {
    Confusion c = new Confusion(labels);
    for (int k = 0; k < split.numBatches(0); k++) {
      var batch = split.batch(0, k);
      c.add(Labelled.labels(batch), model.predict(batch));
    }
    return c;
  }

  @Override
  public void describe(Manifest manifest, Data data) {
    manifest.put("labels", data.labels()).put("skippedEmptyExamples", data.skippedEmpty());
  }

  @Override
  public io.seqspark.core.nn.Embedding embedding(SequenceClassifier model) {
    return model.embedding();
  }

  /** data.train, and the biLM model.contextual names (when set), before any work. */
  @Override
  public void checkInputs(Settings s) {
    Family.super.checkInputs(s);
    ContextualLm.check(s);
  }

  @Override
  public Dims dims(Data data) {
    return ContextualLm.withContextual(data.contextual(),
        Dims.ofVocabulary(data.vocabulary().size()).with("labels", data.labels()), data.vocabulary(),
        data.spellings());
  }

  @Override
  public Dims legacyDims(io.seqspark.core.io.ModelArchive.Contents archive) {
    @SuppressWarnings("unchecked")
    List<String> labels = (List<String>) archive.manifest().get("labels");
    return Dims.ofVocabulary(archive.vocabulary().size()).with("labels", labels);
  }

  @Override
  public SequenceClassifier model(Settings s, Dims dims) {
    return model(s, dims.size("vocabulary"), dims.labels("labels").size(), ContextualLm.features(s, dims, DataType.FLOAT));
  }

  @Override
  public List<Shard> shards(Data data, int partitions) {
    return Shard.ofSentences(data.trainExamples(), partitions);
  }

  @Override
  public BatchSource<Batch> shardSource(Settings s, Shard shard) {
    return trainSource(s, Arrays.asList(shard.sentences()), TrainSetup.partitionSeed(s.getLong("seed"), shard.partition()));
  }

  @Override
  public String summary(Settings s, Data data, SequenceClassifier model) {
    String train = data.train() == null && data.trainExamples().isEmpty()
        ? "training examples read by the executors from their shards"
        : String.format("%,d training examples, padding ratio %.3f", data.trainExamples().size(),
            data.trainPaddingRatio());
    return String.format("%s%s classifier, %s pooling: labels %s, vocabulary %,d, %,d parameters, %s%s",
        model.spec().bidirectional() ? "bidirectional " : "", model.spec().cell(),
        model.spec().pooling().name().toLowerCase(java.util.Locale.ROOT), data.labels(), data.vocabulary().size(),
        model.params().size(), train,
        data.skippedEmpty() == 0 ? "" : ", " + data.skippedEmpty() + " examples without tokens skipped");
  }

  @Override
  public String unit() {
    return "examples";
  }

  @Override
  public Map<String, Object> lossMetrics(String split, StepStats stats) {
    Map<String, Object> m = new LinkedHashMap<>();
    m.put(split + "_loss", stats.meanLoss());
    return m;
  }

  @Override
  public Map<String, Object> splitMetrics(Data data, SequenceClassifier model, BatchSource<Batch> split,
                                          String prefix) {
    return confusion(model, split, data.labels()).metrics(prefix);
  }

  @Override
  public Map<String, Object> finish(Settings s, Data data, SequenceClassifier model,
                                    Map<String, Object> lastValid, Metrics metrics) throws IOException {
    Map<String, Object> out = new LinkedHashMap<>(lastValid);
    if (data.test() != null) {
      StepStats loss = Evaluation.run(model, data.test());
      Confusion c = confusion(model, data.test(), data.labels());
      Map<String, Object> m = new LinkedHashMap<>();
      m.put("step", metrics.step());
      m.putAll(lossMetrics("test", loss));
      m.putAll(c.metrics("test"));
      metrics.log(m);
      metrics.print(String.format("test accuracy %.4f, macro F1 %.4f over %,d examples", c.accuracy(), c.macroF1(),
          c.total()));
      m.remove("step");
      out.putAll(m);
    }
    return out;
  }

  @Override
  public Map<String, Object> evaluate(Loaded<SequenceClassifier> m, Path file) throws IOException {
    List<String> labels = m.dims().labels("labels");
    BatchSource<Batch> src = evaluationSource(m.settings(), file, m.vocabulary(), labels,
        ContextualLm.Spellings.of(m.dims(), m.vocabulary().size()));
    StepStats loss = Evaluation.run(m.model(), src);
    Map<String, Object> out = new LinkedHashMap<>();
    out.put("loss", loss.meanLoss());
    Confusion c = confusion(m.model(), src, labels);
    c.metrics("x").forEach((k, v) -> out.put(k.substring(2), v));
    for (int k = 0; k < labels.size(); k++) {
      out.put("precision_" + labels.get(k), c.precision(k));
      out.put("recall_" + labels.get(k), c.recall(k));
    }
    out.put("examples", loss.tokens());
    return out;
  }

  /** Loads a {@code model.zip} written by {@code classify train}. */
  public static Loaded<SequenceClassifier> load(Path archive) throws IOException {
    return Families.load(archive, INSTANCE);
  }

  /**
   * Batches of a labelled file for evaluating a trained model, or, with {@code file} null, the run's own test split
   * (held out again from data.train exactly as in training when classify.testFraction &gt; 0), else its valid split.
   */
  public static BatchSource<Batch> evaluationSource(Settings s, Path file, Vocabulary v, List<String> labels) throws IOException {
    return evaluationSource(s, file, v, labels, ContextualLm.Spellings.NONE);
  }

  /**
   * As {@link #evaluationSource(Settings, Path, Vocabulary, List)}, the words a model.contextual classifier spelled at
   * training time ({@code sp}, from its dims) keeping their ids past the vocabulary; other unknown words read as
   * {@code <unk>} by the biLM too.
   */
  public static BatchSource<Batch> evaluationSource(Settings s, Path file, Vocabulary v, List<String> labels,
                                                    ContextualLm.Spellings sp) throws IOException {
    List<Example> examples;
    if (file != null) {
      if (!Files.isRegularFile(file)) {
        throw new IllegalArgumentException("evaluation file " + file + " does not exist");
      }
      examples = read(s, file);
    } else {
      List<List<Example>> raw = splits(s);
      examples = raw.get(2) != null ? raw.get(2) : raw.get(1);
      if (examples == null) {
        throw new IllegalArgumentException("nothing to evaluate: pass FILE (the model's config has no test or valid split)");
      }
    }
    return io.seqspark.core.train.BatchSource.sentences(s, encode(examples, v, labels, "evaluation file", new int[1], sp),
        s.getLong("seed"), SentenceBatcher.Layout.CLASSIFICATION);
  }

  // ---- issue 14: an ingest with ingest.format = labelled (text/ + labels/), read locally or on the executors ----

  /** The settings a labelled ingest must share with training: how lines are cut, tokenised and counted. */
  static final List<String> INGEST_KEYS = List.of("classify.format", "data.tokenizer", "data.lowercase",
      "data.splitPunctuation", "data.minCount", "data.maxVocabSize");

  /** Whether {@code file} is the output of {@code seqspark ingest} with {@code ingest.format = labelled}. */
  static boolean isLabelledIngest(Path file) {
    return IngestedSides.is(file, io.seqspark.core.data.ParallelShards.LABELLED);
  }

  /**
   * The examples of a labelled ingest, in corpus order, as {@link #read} gives them from the text files: the label by
   * name (labels/ holds its index into the manifest's sorted labels) and the tokens as the ingest's vocabulary spells
   * them (a word the ingest counted out is {@code <unk>}, which the vocabulary built from them counts as the text
   * path's does, so both give the same vocabulary and ids).
   */
  static List<Example> readLabelledIngest(Settings s, Path dir) throws IOException {
    Map<String, Object> manifest = IngestedSides.manifest(dir);
    IngestedSides.requireSameSettings(s, manifest, dir.toString(), io.seqspark.core.data.ParallelShards.LABELLED,
        INGEST_KEYS);
    List<String> labels = IngestedSides.sortedNames(manifest, "labels", dir.toString());
    io.seqspark.core.data.ParallelShards ps = io.seqspark.core.data.ParallelShards.open(dir,
        io.seqspark.core.data.ParallelShards.LABELLED);
    Vocabulary v = ps.source().vocabulary();
    List<Example> out = new ArrayList<>();
    ps.forEach((text, label) -> {
      List<String> tokens = new ArrayList<>(text.length);
      for (int id : text) {
        tokens.add(v.token(id));
      }
      out.add(new Example(labels.get(label[0]), tokens));
    });
    return out;
  }

  @Override
  public boolean readsShards() {
    return true;
  }

  @Override
  public io.seqspark.core.data.ParallelShards.Sides sides() {
    return io.seqspark.core.data.ParallelShards.LABELLED;
  }

  /**
   * With --master and data.train a labelled ingest: the labels from its manifest, the valid and test files on the
   * driver. Held-out fractions are refused: the driver never sees the training examples to draw them from.
   */
  @Override
  public Data loadWithoutTrain(Settings s, Vocabulary vocabulary, Vocabulary sourceVocabulary,
                               Map<String, Object> ingestManifest) throws IOException {
    String dir = s.getString("data.train");
    double valid = s.getDouble("classify.validFraction");
    double test = s.getDouble("classify.testFraction");
    if (valid > 0 || test > 0) {
      throw new IllegalArgumentException("classify.validFraction = " + valid + ", classify.testFraction = " + test
          + ": with --master the executors read data.train = " + dir + " from its shards, and the driver never sees"
          + " its examples to hold a split out of them. Fix: give the held-out splits as files (data.valid = FILE,"
          + " data.test = FILE) and set both fractions to 0, or train without --master");
    }
    IngestedSides.requireSameSettings(s, ingestManifest, dir, io.seqspark.core.data.ParallelShards.LABELLED,
        INGEST_KEYS);
    List<String> labels = IngestedSides.sortedNames(ingestManifest, "labels", dir);
    int[] skipped = {0};
    List<BatchSource<Batch>> eval = new ArrayList<>(Arrays.asList(null, null));
    String[] keys = {"data.valid", "data.test"};
    for (int k = 0; k < 2; k++) {
      if (s.getPath(keys[k]) != null) {
        eval.set(k, BatchSource.sentences(s, encode(read(s, DataInputs.requireFile(s, keys[k])), vocabulary, labels,
            keys[k], skipped, ContextualLm.Spellings.NONE), s.getLong("seed"), SentenceBatcher.Layout.CLASSIFICATION));
      }
    }
    // the executors encode their shards with the ingest's vocabulary: no spellings, unknown words reach the biLM as <unk>
    return new Data(vocabulary, labels, null, eval.get(0), eval.get(1), List.of(), Double.NaN, skipped[0],
        s.getString("model.contextual"), ContextualLm.Spellings.NONE);
  }

  /**
   * Partition {@code partition}'s examples from its ingested (text, label) pairs, kept and encoded as {@link #load}
   * does (examples without tokens left out): one partition holding every pair gives exactly {@code shards(load(s), 1)}.
   */
  @Override
  public Shard shardOf(Settings s, Dims dims, int partition, List<int[]> examples) {
    List<int[]> out = new ArrayList<>(examples.size());
    for (int[] e : examples) {
      int[] tokens = io.seqspark.core.data.PairBatcher.source(e);
      if (tokens.length > 0) {
        out.add(Labelled.encode(tokens, io.seqspark.core.data.PairBatcher.target(e)[0]));
      }
    }
    return new Shard(partition, null, out.toArray(new int[0][]));
  }

  /**
   * A labelled text file read exactly as training reads it ({@code classify.format}, the data.* tokenizer keys): one
   * array per example, its label first, then its tokens. What {@code seqspark ingest} with
   * {@code ingest.format = labelled} parses each input file with.
   */
  public static List<String[]> readLabelledLines(Settings s, Path file) throws IOException {
    List<String[]> out = new ArrayList<>();
    for (Example e : read(s, file)) {
      String[] a = new String[1 + e.tokens().size()];
      a[0] = e.label();
      for (int i = 0; i < e.tokens().size(); i++) {
        a[1 + i] = e.tokens().get(i);
      }
      out.add(a);
    }
    return out;
  }
}
