package io.seqspark.jobs.bench;

import io.seqspark.core.config.Settings;
import io.seqspark.core.io.AtomicFiles;
import io.seqspark.core.io.Json;
import io.seqspark.core.io.RunDirectory;
import io.seqspark.core.task.ClassifierFamily;
import io.seqspark.core.task.ClassifierFamily;
import io.seqspark.core.task.TrainingRun;
import io.seqspark.core.train.BatchSource;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * {@code seqspark bench classify}: trains the two bundled classification presets with the local trainer and reports
 * SMS spam test accuracy and spam F1 (presets classify-sms: seeded stratified 10 % test split) and SST-2 dev accuracy
 * (classify-sst2), with the wall time of both. The baseline printed beside each accuracy is the majority class of
 * the same split: what a classifier that learned nothing scores.
 */
@Command(name = "classify", mixinStandardHelpOptions = true,
    description = "SMS spam test accuracy and spam F1, SST-2 dev accuracy, wall time; ends with RESULT {json}.")
public final class ClassifyBench implements Callable<Integer> {
  @Option(names = "--set", paramLabel = "KEY=VALUE", description = "Config overrides applied to both presets.")
  List<String> sets = new ArrayList<>();

  @Override
  public Integer call() throws Exception {
    long t0 = System.nanoTime();
    Path work = Files.createTempDirectory("seqspark-classify-bench");
    try {
      Map<String, Object> result = new LinkedHashMap<>();
      io.seqspark.core.io.RunRecorder.Result sms = train("classify-sms", work.resolve("sms"));
      result.put("sms_accuracy", sms.results().get("test_accuracy"));
      result.put("sms_spam_f1", sms.results().get("test_f1_spam"));
      result.put("sms_majority_accuracy", majority(sms, true));
      io.seqspark.core.io.RunRecorder.Result sst = train("classify-sst2", work.resolve("sst2"));
      result.put("sst2_dev_accuracy", sst.lastValid().get("valid_accuracy"));
      result.put("sst2_dev_majority_accuracy", majority(sst, false));
      result.put("sst2_test_accuracy", sst.results().get("test_accuracy"));
      result.put("sms_seconds", Math.round(sms.seconds() * 10) / 10.0);
      result.put("sst2_seconds", Math.round(sst.seconds() * 10) / 10.0);
      result.put("seconds", Math.round((System.nanoTime() - t0) / 1e8) / 10.0);
      System.out.println("RESULT " + Json.write(result));
      return 0;
    } finally {
      AtomicFiles.deleteRecursively(work);
    }
  }

  private io.seqspark.core.io.RunRecorder.Result train(String preset, Path out) throws IOException {
    Settings s = Settings.load(List.of(Path.of(preset)), sets);
    System.err.println("[bench classify] training " + preset);
    return ClassifierFamily.run(s, RunDirectory.create(out, false), false, List.of("bench", "classify", preset),
        new PrintStream(System.err, true), TrainingRun.local());
  }

  /** The share of the most frequent label in the run's test (or valid) split, re-read from the archived model. */
  private static double majority(io.seqspark.core.io.RunRecorder.Result run, boolean test) throws IOException {
    io.seqspark.core.task.Family.Loaded<io.seqspark.core.model.SequenceClassifier> m = ClassifierFamily.load(run.runDir().resolve("model.zip"));
    Settings s = m.settings();
    BatchSource<io.seqspark.core.data.Batch> split = test ? ClassifierFamily.evaluationSource(s, null, m.vocabulary(), m.dims().labels("labels"))
        : ClassifierFamily.evaluationSource(s, s.getPath("data.valid"), m.vocabulary(), m.dims().labels("labels"));
    long[] counts = new long[m.dims().labels("labels").size()];
    long n = 0;
    for (int k = 0; k < split.numBatches(0); k++) {
      for (int label : io.seqspark.core.data.Labelled.labels(split.batch(0, k))) {
        counts[label]++;
        n++;
      }
    }
    long best = 0;
    for (long c : counts) {
      best = Math.max(best, c);
    }
    return Math.round(1e4 * best / n) / 1e4;
  }
}
