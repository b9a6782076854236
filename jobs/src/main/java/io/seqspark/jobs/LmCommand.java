package io.seqspark.jobs;

import io.seqspark.core.config.Settings;
import io.seqspark.core.decode.Sampler;
import io.seqspark.core.task.LanguageModelFamily;
import io.seqspark.core.task.LanguageModelFamily;
import io.seqspark.core.task.TrainingRun;
import io.seqspark.core.train.BatchSource;
import io.seqspark.core.train.Evaluation;
import io.seqspark.core.train.StepStats;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/** {@code seqspark lm train | eval | generate}. */
@Command(name = "lm", description = "Language models: train, evaluate perplexity, generate text.",
    subcommands = {LmCommand.Train.class, LmCommand.Eval.class, LmCommand.Generate.class})
public final class LmCommand {

  @Command(name = "train", mixinStandardHelpOptions = true,
      description = "Train a language model (local trainer, or Spark parameter averaging with --master).")
  static final class Train implements Callable<Integer> {
    @Mixin
    RunOptions run;
    @Spec
    picocli.CommandLine.Model.CommandSpec spec;

    @Override
    public Integer call() throws Exception {
      train(run, run.settings(List.of()), "lm", spec);
      return 0;
    }
  }

  /** Validates the data, creates the run directory, trains, prints the summary: {@code lm train} and {@code demo}. */
  static Path train(RunOptions run, Settings s, String job, picocli.CommandLine.Model.CommandSpec spec) throws Exception {
    TrainingRun.Outcome o = FamilyCommands.train(LanguageModelFamily.INSTANCE, run, s, job, spec);
    printSummary(LanguageModelFamily.summary(o));
    return o.runDir();
  }

  static void printSummary(LanguageModelFamily.Summary sum) {
    System.out.printf("run directory:      %s%n", sum.runDir());
    if (!Double.isNaN(sum.validPerplexity())) {
      System.out.printf("valid perplexity:   %.2f%n", sum.validPerplexity());
    }
    if (!Double.isNaN(sum.testPerplexity())) {
      System.out.printf("test perplexity:    %.2f%n", sum.testPerplexity());
    }
    System.out.printf("steps:              %,d in %.1f s (%,.0f training tokens/s)%n", sum.steps(), sum.seconds(), sum.tokensPerSecond());
    for (String line : sum.samples()) {
      System.out.println("sample:             " + line);
    }
  }

  static List<String> commandLine(picocli.CommandLine.Model.CommandSpec spec) {
    return FamilyCommands.commandLine(spec);
  }

  @Command(name = "eval", mixinStandardHelpOptions = true,
      description = "Perplexity of a trained model on a text file (default: the run's data.test, else data.valid);"
          + " --json prints perplexity and bits_per_token as one JSON object.")
  static final class Eval extends FamilyCommands.Eval {
    @Override
    io.seqspark.core.task.Family<?, ?, ?> family() {
      return LanguageModelFamily.INSTANCE;
    }

    @Override
    void print(java.util.Map<String, Object> m) {
      System.out.printf("%s: perplexity %.2f over %,d tokens (mean loss %.4f nats)%n", m.get("file"), m.get("perplexity"),
          m.get("tokens"), m.get("mean_loss"));
    }
  }

  @Command(name = "generate", mixinStandardHelpOptions = true,
      description = "Sample sentences from a trained model (eval.generate, eval.temperature, eval.maxGenerateLength; 0 temperature is not allowed: use --greedy).")
  static final class Generate implements Callable<Integer> {
    @Mixin
    ModelOption model;
    @Option(names = "--set", paramLabel = "KEY=VALUE", description = "Override eval.* or seed, e.g. --set eval.temperature=0.7")
    List<String> sets = new ArrayList<>();
    @Option(names = "--greedy", description = "Arg max instead of sampling.")
    boolean greedy;

    @Override
    public Integer call() throws Exception {
      io.seqspark.core.task.Family.Loaded<io.seqspark.core.model.LanguageModel> m = model.load();
      Settings s = m.settings();
      for (String kv : sets) {
        int eq = kv.indexOf('=');
        if (eq < 0) {
          throw new IllegalArgumentException("--set " + kv + ": expected KEY=VALUE");
        }
        s = s.with(kv.substring(0, eq).trim(), kv.substring(eq + 1).trim());
      }
      for (List<String> sentence : Sampler.generate(m.model(), m.vocabulary(), LanguageModelFamily.sentenceStart(s), Math.max(1, s.getInt("eval.generate")),
          s.getInt("eval.maxGenerateLength"), greedy ? 0 : s.getDouble("eval.temperature"), s.getLong("seed"))) {
        System.out.println(String.join(" ", sentence));
      }
      return 0;
    }
  }
}
