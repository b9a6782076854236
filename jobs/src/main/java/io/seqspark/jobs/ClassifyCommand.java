package io.seqspark.jobs;

import io.seqspark.core.config.Settings;
import io.seqspark.core.task.ClassifierFamily;
import io.seqspark.core.task.Family;
import java.util.Map;
import picocli.CommandLine.Command;

/** {@code seqspark classify train | eval}. */
@Command(name = "classify", description = "Sequence classification: train (e.g. --conf classify-sms), evaluate accuracy and F1.",
    subcommands = {ClassifyCommand.Train.class, ClassifyCommand.Eval.class})
public final class ClassifyCommand {

  @Command(name = "train", mixinStandardHelpOptions = true,
      description = "Train a sequence classifier (local trainer, or Spark parameter averaging with --master).")
  static final class Train extends FamilyCommands.Train {
    @Override
    Family<?, ?, ?> family() {
      return ClassifierFamily.INSTANCE;
    }

    @Override
    void check(Settings s) {
      ClassifierFamily.spec(s, 5, 2); // the architecture's rules, checked before anything is written
    }
  }

  @Command(name = "eval", mixinStandardHelpOptions = true,
      description = "Accuracy and F1 of a trained classifier on a labelled file (default: the run's own test split, held "
          + "out again from data.train exactly as in training, else its valid split); --json prints one JSON object.")
  static final class Eval extends FamilyCommands.Eval {
    @Override
    Family<?, ?, ?> family() {
      return ClassifierFamily.INSTANCE;
    }

    @Override
    void print(Map<String, Object> m) {
      System.out.printf("%s: accuracy %.4f, macro F1 %.4f over %,d examples%n", file != null ? file : "test split",
          m.get("accuracy"), m.get("macro_f1"), m.get("examples"));
      m.forEach((k, v) -> {
        if (k.startsWith("f1_")) {
          String label = k.substring(3);
          System.out.printf("  %-12s precision %.4f  recall %.4f  F1 %.4f%n", label, m.get("precision_" + label),
              m.get("recall_" + label), v);
        }
      });
    }
  }
}
