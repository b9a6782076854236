package io.seqspark.jobs;

import io.seqspark.core.config.Settings;
import io.seqspark.core.eval.Confusion;
import io.seqspark.core.io.RunDirectory;
import io.seqspark.core.task.ClassificationTask;
import io.seqspark.core.task.ClassifierTraining;
import io.seqspark.core.task.LanguageModelTask;
import io.seqspark.core.task.TrainingRun;
import io.seqspark.spark.train.SparkClassifierLoop;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/** {@code seqspark classify train | eval}. */
@Command(name = "classify", description = "Sequence classification: train (e.g. --conf classify-sms), evaluate accuracy and F1.",
    subcommands = {ClassifyCommand.Train.class, ClassifyCommand.Eval.class})
public final class ClassifyCommand {

  @Command(name = "train", mixinStandardHelpOptions = true,
      description = "Train a sequence classifier (local trainer, or Spark parameter averaging with --master).")
  static final class Train implements Callable<Integer> {
    @Mixin
    RunOptions run;
    @Spec
    picocli.CommandLine.Model.CommandSpec spec;

    @Override
    public Integer call() throws Exception {
      Settings s = run.settings(List.of());
      LanguageModelTask.requireFile(s, "data.train");
      RunDirectory dir = run.runDirectory("classify", s);
      TrainingRun.Outcome o = run.withSpark("seqspark classify " + dir.runId(), sc -> ClassifierTraining.run(s, dir,
          run.resuming(), LmCommand.commandLine(spec), System.err,
          sc == null ? TrainingRun.<ClassificationTask.Data>local() : new SparkClassifierLoop(sc)));
      System.out.printf("run directory:      %s%n", o.runDir());
      print(o.results()); // the last validation metrics, then the test split's
      System.out.printf("steps:              %,d in %.1f s (%,.0f training examples/s)%n", o.steps(), o.seconds(),
          o.unitsPerSecond());
      return 0;
    }

    private static void print(Map<String, Object> metrics) {
      metrics.forEach((k, v) -> {
        if (v instanceof Double d && (k.startsWith("valid_") || k.startsWith("test_"))) {
          System.out.printf("%-20s%.4f%n", k + ":", d);
        }
      });
    }
  }

  @Command(name = "eval", mixinStandardHelpOptions = true,
      description = "Accuracy and F1 of a trained classifier on a labelled file (default: the run's own test split, held "
          + "out again from data.train exactly as in training, else its valid split).")
  static final class Eval implements Callable<Integer> {
    @Mixin
    ModelOption model;
    @Parameters(arity = "0..1", paramLabel = "FILE", description = "Labelled text in the model's classify.format.")
    Path file;

    @Override
    public Integer call() throws Exception {
      ClassificationTask.Loaded m = ClassificationTask.load(model.archive());
      Confusion c = ClassificationTask.confusion(m.model(),
          ClassificationTask.evaluationSource(m.settings(), file, m.vocabulary(), m.labels()), m.labels());
      System.out.printf("%s: accuracy %.4f, macro F1 %.4f over %,d examples%n", file != null ? file : "test split",
          c.accuracy(), c.macroF1(), c.total());
      for (int k = 0; k < m.labels().size(); k++) {
        System.out.printf("  %-12s precision %.4f  recall %.4f  F1 %.4f%n", m.labels().get(k), c.precision(k), c.recall(k),
            c.f1(k));
      }
      return 0;
    }
  }
}
