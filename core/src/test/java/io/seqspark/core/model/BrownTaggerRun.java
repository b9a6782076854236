package io.seqspark.core.model;

import io.seqspark.core.data.Batch;
import io.seqspark.core.data.LengthBucketing;
import io.seqspark.core.data.SentenceBatcher;
import io.seqspark.core.data.TagSet;
import io.seqspark.core.data.TaggedCorpus;
import io.seqspark.core.data.Vocabulary;
import io.seqspark.core.eval.TaggingMetrics;
import io.seqspark.core.nn.Bidirectional;
import io.seqspark.core.train.Optimizer;
import io.seqspark.core.train.StepStats;
import io.seqspark.core.train.TrainStep;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.Map;
import org.nd4j.linalg.api.buffer.DataType;

/**
 * A measuring run, not a unit test: trains a {@link SequenceTagger} with Adam on a CoNLL train file and prints dev
 * accuracy after every epoch, to choose settings. Arguments are {@code key=value} (defaults below), e.g.
 * {@code java -cp ... io.seqspark.core.model.BrownTaggerRun hidden=128 layers=1 minutes=6}; {@code profile=30} prints
 * the step's phases over 30 steps instead. On a shared 2-core machine run it with {@code OMP_NUM_THREADS=1}: with two
 * OpenMP threads competing for busy cores, the per-time-step ND4J calls were about 5× slower (measured, load ~7).
 */
final class BrownTaggerRun {
  private BrownTaggerRun() {
  }

  public static void main(String[] args) throws Exception {
    Map<String, String> a = new HashMap<>(Map.of("train", "/work/shared/data/pos/brown-pos.train.tsv",
        "dev", "/work/shared/data/pos/brown-pos.dev.tsv", "embedding", "100", "hidden", "128", "layers", "1",
        "cell", "lstm", "dropout", "0.3", "lr", "0.002", "tokens", "1000", "minutes", "5"));
    a.putAll(Map.of("minCount", "2", "lowerCase", "false", "classes", "true", "decay", "1.0", "epochs", "50", "seed", "1", "clip", "5"));
    for (String arg : args) {
      int eq = arg.indexOf('=');
      a.put(arg.substring(0, eq), arg.substring(eq + 1));
    }
    System.out.println("settings " + new java.util.TreeMap<>(a));
    TaggedCorpus.WordEncoding lower = new TaggedCorpus.WordEncoding(Boolean.parseBoolean(a.get("lowerCase")),
        Boolean.parseBoolean(a.get("classes")));
    long seed = Long.parseLong(a.get("seed"));
    long t0 = System.nanoTime();
    TaggedCorpus train = TaggedCorpus.read(Path.of(a.get("train")));
    TaggedCorpus dev = TaggedCorpus.read(Path.of(a.get("dev")));
    Vocabulary vocab = train.wordVocabulary(Integer.parseInt(a.get("minCount")), 0, lower);
    TagSet tags = train.tagSet();
    LengthBucketing.Options bucketing = new LengthBucketing.Options(Integer.parseInt(a.get("tokens")), 0, false, 0);
    SentenceBatcher trainBatches = new SentenceBatcher(train.encode(vocab, tags, lower),
        new SentenceBatcher.Options(0, SentenceBatcher.OverLength.FAIL, bucketing, seed), SentenceBatcher.Layout.TAGGING);
    SentenceBatcher devBatches = new SentenceBatcher(dev.encode(vocab, tags, lower),
        new SentenceBatcher.Options(0, SentenceBatcher.OverLength.FAIL, new LengthBucketing.Options(4000, 0, false, 0),
            seed), SentenceBatcher.Layout.TAGGING);
    SequenceTagger model = new SequenceTagger(new SequenceTaggerSpec(vocab.size(), tags.size(),
        Integer.parseInt(a.get("embedding")), Integer.parseInt(a.get("hidden")), Integer.parseInt(a.get("layers")),
        a.get("cell"), true, Bidirectional.Merge.CONCAT, Double.parseDouble(a.get("dropout")), 0.1), DataType.FLOAT, seed);
    TrainStep step = new TrainStep(model, Optimizer.create("adam", model.params().size(), DataType.FLOAT, 0.9, 0.999,
        1e-8), Double.parseDouble(a.get("clip")), TrainStep.LossScale.TOKENS);
    System.out.printf("read in %.1fs: vocabulary %,d, tags %d, %,d parameters, %d batches/epoch, padding %.3f%n",
        (System.nanoTime() - t0) / 1e9, vocab.size(), tags.size(), model.params().size(), trainBatches.numBatches(0),
        trainBatches.paddingRatio(0));
    double lr = Double.parseDouble(a.get("lr"));
    double decay = Double.parseDouble(a.get("decay"));
    long budget = (long) (Double.parseDouble(a.get("minutes")) * 60e9);
    long start = System.nanoTime();
    long s = 0;
    int profile = Integer.parseInt(a.getOrDefault("profile", "0"));
    if (profile > 0) {
      for (int k = 0; k < 20; k++) {
        step.run(trainBatches.batch(0, k), lr, ++s, seed);
      }
      io.seqspark.core.nn.Phases.enable(true);
      long p0 = System.nanoTime();
      for (int k = 20; k < 20 + profile; k++) {
        step.run(trainBatches.batch(0, k), lr, ++s, seed);
      }
      System.out.printf("%.1f ms/step: %s%n", (System.nanoTime() - p0) / 1e6 / profile,
          io.seqspark.core.nn.Phases.snapshotMillisPerCall(profile));
      return;
    }
    for (int epoch = 0; epoch < Integer.parseInt(a.get("epochs")); epoch++) {
      long e0 = System.nanoTime();
      StepStats total = StepStats.ZERO;
      int k = 0;
      for (; k < trainBatches.numBatches(epoch) && System.nanoTime() - start < budget; k++) {
        total = total.plus(step.run(trainBatches.batch(epoch, k), lr, ++s, seed).stats());
      }
      double secs = (System.nanoTime() - e0) / 1e9;
      TaggingMetrics m = new TaggingMetrics(tags, lower.outOfVocabulary(vocab));
      long d0 = System.nanoTime();
      for (int j = 0; j < devBatches.numBatches(0); j++) {
        Batch b = devBatches.batch(0, j);
        m.add(b, model.predict(b));
      }
      System.out.printf("epoch %d (%d/%d batches): train loss %.4f, %.0f tok/s; dev acc %.4f, oov acc %.4f (%d), "
              + "macro F1 %.3f [eval %.1fs, elapsed %.1f min]%n", epoch + 1, k, trainBatches.numBatches(epoch),
          total.meanLoss(), total.tokens() / secs, m.accuracy(), m.oovAccuracy(), m.oovTokens(), m.macroF1(),
          (System.nanoTime() - d0) / 1e9, (System.nanoTime() - start) / 60e9);
      if (System.nanoTime() - start >= budget) {
        break;
      }
      lr *= decay;
    }
  }
}
