package io.seqspark.core.task;

import io.seqspark.core.config.Settings;
import io.seqspark.core.data.Vocabulary;
import io.seqspark.core.eval.Confusion;
import io.seqspark.core.io.Manifest;
import io.seqspark.core.io.RunDirectory;
import io.seqspark.core.model.SequenceClassifier;
import io.seqspark.core.train.BatchSource;
import io.seqspark.core.train.Evaluation;
import io.seqspark.core.train.StepStats;
import io.seqspark.core.train.TrainStep;
import java.io.IOException;
import java.io.PrintStream;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * {@code classify train}: the classifier {@link TrainingRun.Family} (loss per example; accuracy, macro F1 and F1 per
 * class on the validation split after each epoch and on the test split at the end) run by the shared driver.
 */
public final class ClassifierTraining implements TrainingRun.Family<ClassificationTask.Data, SequenceClassifier> {

  private ClassifierTraining() {
  }

  public static TrainingRun.Outcome run(Settings s, RunDirectory run, boolean resume, List<String> commandLine,
                                        PrintStream log, TrainingRun.Loop<? super ClassificationTask.Data> loop)
      throws IOException {
    return TrainingRun.run(new ClassifierTraining(), s, run, resume, commandLine, log, loop);
  }

  @Override
  public String command() {
    return "classify train";
  }

  @Override
  public ClassificationTask.Data load(Settings s, Vocabulary existing) throws IOException {
    return ClassificationTask.load(s, existing);
  }

  @Override
  public void describe(Manifest manifest, ClassificationTask.Data data) {
    manifest.put("labels", data.labels()).put("skippedEmptyExamples", data.skippedEmpty());
  }

  @Override
  public io.seqspark.core.nn.Embedding embedding(SequenceClassifier model) {
    return model.embedding();
  }

  @Override
  public SequenceClassifier model(Settings s, ClassificationTask.Data data) {
    return ClassificationTask.model(s, data.vocabulary().size(), data.labels().size());
  }

  @Override
  public TrainStep step(Settings s, SequenceClassifier model) {
    return ClassificationTask.step(s, model);
  }

  @Override
  public String summary(Settings s, ClassificationTask.Data data, SequenceClassifier model) {
    return String.format("%s%s classifier, %s pooling: labels %s, vocabulary %,d, %,d parameters, %,d training examples,"
            + " padding ratio %.3f%s", model.spec().bidirectional() ? "bidirectional " : "", model.spec().cell(),
        model.spec().pooling().name().toLowerCase(java.util.Locale.ROOT), data.labels(), data.vocabulary().size(),
        model.params().size(), data.trainExamples().size(), data.trainPaddingRatio(),
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
  public Map<String, Object> splitMetrics(ClassificationTask.Data data, SequenceClassifier model, BatchSource split,
                                          String prefix) {
    return ClassificationTask.confusion(model, split, data.labels()).metrics(prefix);
  }

  @Override
  public Map<String, Object> finish(Settings s, ClassificationTask.Data data, SequenceClassifier model,
                                    Map<String, Object> lastValid, TrainingRun.Metrics metrics) throws IOException {
    Map<String, Object> out = new LinkedHashMap<>(lastValid);
    if (data.test() != null) {
      StepStats loss = Evaluation.run(model, data.test());
      Confusion c = ClassificationTask.confusion(model, data.test(), data.labels());
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
}
