package io.seqspark.core.task;

import io.seqspark.core.config.Settings;
import io.seqspark.core.data.Vocabulary;
import io.seqspark.core.decode.Sampler;
import io.seqspark.core.io.RunDirectory;
import io.seqspark.core.model.LanguageModel;
import io.seqspark.core.train.BatchSource;
import io.seqspark.core.train.Evaluation;
import io.seqspark.core.train.StepStats;
import io.seqspark.core.train.TrainStep;
import java.io.IOException;
import java.io.PrintStream;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * {@code lm train}: the language-model {@link TrainingRun.Family} (perplexities, sampled sentences) run by the shared
 * driver, locally or through a Spark {@link TrainingRun.Loop}. Resuming continues from the run's latest checkpoint.
 */
public final class LanguageModelTraining implements TrainingRun.Family<LanguageModelTask.Data, LanguageModel> {

  /** The outcome; perplexities are NaN where the split is not configured. */
  public record Summary(java.nio.file.Path runDir, double validPerplexity, double testPerplexity, long steps, double seconds,
                        double tokensPerSecond, List<String> samples) {
  }

  /** How the language model's training step is driven over its data (local, or Spark in the spark module). */
  public interface Loop extends TrainingRun.Loop<LanguageModelTask.Data> {
  }

  private LanguageModelTraining() {
  }

  public static Summary run(Settings s, RunDirectory run, boolean resume, List<String> commandLine, PrintStream log)
      throws IOException {
    return run(s, run, resume, commandLine, log, TrainingRun.local());
  }

  @SuppressWarnings("unchecked")
  public static Summary run(Settings s, RunDirectory run, boolean resume, List<String> commandLine, PrintStream log,
                            TrainingRun.Loop<? super LanguageModelTask.Data> loop) throws IOException {
    TrainingRun.Outcome o = TrainingRun.run(new LanguageModelTraining(), s, run, resume, commandLine, log, loop);
    Object test = o.results().get("testPerplexity");
    return new Summary(o.runDir(), o.lastValid().get("valid_ppl") instanceof Double v ? v : Double.NaN,
        test instanceof Double t ? t : Double.NaN, o.steps(), o.seconds(), o.unitsPerSecond(),
        (List<String>) o.results().get("samples"));
  }

  @Override
  public String command() {
    return "lm train";
  }

  @Override
  public LanguageModelTask.Data load(Settings s, Vocabulary existing) throws IOException {
    return LanguageModelTask.load(s, existing);
  }

  @Override
  public LanguageModel model(Settings s, LanguageModelTask.Data data) {
    return LanguageModelTask.model(s, data.vocabulary().size());
  }

  @Override
  public io.seqspark.core.nn.Embedding embedding(LanguageModel model) {
    return model.embedding();
  }

  @Override
  public TrainStep step(Settings s, LanguageModel model) {
    return LanguageModelTask.step(s, model);
  }

  @Override
  public String summary(Settings s, LanguageModelTask.Data data, LanguageModel model) {
    BatchSource train = data.train();
    return String.format("%s: vocabulary %,d, %,d parameters, %,d training tokens per epoch%s%s", s.getString("model.cell"),
        data.vocabulary().size(), model.params().size(), train.tokens(1),
        train.carriesState() ? "" : String.format(", padding ratio %.3f", data.trainPaddingRatio()),
        model.receptiveField().isPresent() ? String.format(", receptive field %d tokens", model.receptiveField().getAsInt()) : "");
  }

  @Override
  public Map<String, Object> lossMetrics(String split, StepStats stats) {
    Map<String, Object> m = new LinkedHashMap<>();
    m.put(split + "_loss", stats.meanLoss());
    m.put(split + "_ppl", stats.perplexity());
    return m;
  }

  @Override
  public Map<String, Object> finish(Settings s, LanguageModelTask.Data data, LanguageModel model,
                                    Map<String, Object> lastValid, TrainingRun.Metrics metrics) throws IOException {
    double test = Double.NaN;
    if (data.test() != null) {
      test = Evaluation.run(model, data.test()).perplexity();
      metrics.log(Map.of("step", metrics.step(), "test_ppl", test));
      metrics.print(String.format("test perplexity %.2f", test));
    }
    List<String> samples = new ArrayList<>();
    int n = s.getInt("eval.generate");
    if (n > 0) {
      for (List<String> sentence : Sampler.generate(model, data.vocabulary(), LanguageModelTask.sentenceStart(s), n,
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

  /** Bits per token (per character for a char model) = log2(perplexity) = mean loss in nats / ln 2. */
  private static double log2(double perplexity) {
    return Math.log(perplexity) / Math.log(2);
  }
}
