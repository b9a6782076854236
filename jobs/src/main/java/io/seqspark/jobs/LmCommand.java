package io.seqspark.jobs;

import io.seqspark.core.config.Settings;
import io.seqspark.core.decode.Sampler;
import io.seqspark.core.io.RunDirectory;
import io.seqspark.core.task.LanguageModelTask;
import io.seqspark.core.task.LanguageModelTraining;
import io.seqspark.core.task.TrainingRun;
import io.seqspark.core.train.BatchSource;
import io.seqspark.core.train.Evaluation;
import io.seqspark.core.train.StepStats;
import io.seqspark.spark.train.SparkLanguageModelLoop;
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

  @Command(name = "train", mixinStandardHelpOptions = true, description = "Train a language model (local mode).")
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
  static RunDirectory train(RunOptions run, Settings s, String job, picocli.CommandLine.Model.CommandSpec spec) throws Exception {
    LanguageModelTask.requireFile(s, "data.train");
    RunDirectory dir = run.runDirectory(job, s);
    LanguageModelTraining.Summary sum = run.withSpark("seqspark " + job + " " + dir.runId(), sc -> LanguageModelTraining.run(s,
        dir, run.resuming(), commandLine(spec), System.err,
        sc == null ? TrainingRun.<LanguageModelTask.Data>local() : new SparkLanguageModelLoop(sc)));
    printSummary(sum);
    return dir;
  }

  static void printSummary(LanguageModelTraining.Summary sum) {
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
    List<String> cmd = new ArrayList<>();
    cmd.add(spec.qualifiedName());
    cmd.addAll(spec.commandLine().getParseResult().originalArgs());
    return cmd;
  }

  @Command(name = "eval", mixinStandardHelpOptions = true,
      description = "Perplexity of a trained model on a text file (default: the run's data.test, else data.valid).")
  static final class Eval implements Callable<Integer> {
    @Mixin
    ModelOption model;
    @Parameters(arity = "0..1", paramLabel = "FILE", description = "Text to evaluate.")
    Path file;

    @Override
    public Integer call() throws Exception {
      LanguageModelTask.Loaded m = model.load();
      Settings s = m.settings();
      Path data = file != null ? file : s.getPath("data.test") != null ? s.getPath("data.test") : s.getPath("data.valid");
      if (data == null) {
        throw new IllegalArgumentException("no text to evaluate: pass FILE (the model's config has no data.test or data.valid)");
      }
      BatchSource src = LanguageModelTask.evaluationSource(s, data, m.vocabulary());
      StepStats st = Evaluation.run(m.model(), src);
      System.out.printf("%s: perplexity %.2f over %,d tokens (mean loss %.4f nats)%n", data, st.perplexity(), st.tokens(), st.meanLoss());
      return 0;
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
      LanguageModelTask.Loaded m = model.load();
      Settings s = m.settings();
      for (String kv : sets) {
        int eq = kv.indexOf('=');
        if (eq < 0) {
          throw new IllegalArgumentException("--set " + kv + ": expected KEY=VALUE");
        }
        s = s.with(kv.substring(0, eq).trim(), kv.substring(eq + 1).trim());
      }
      for (List<String> sentence : Sampler.generate(m.model(), m.vocabulary(), LanguageModelTask.sentenceStart(s), Math.max(1, s.getInt("eval.generate")),
          s.getInt("eval.maxGenerateLength"), greedy ? 0 : s.getDouble("eval.temperature"), s.getLong("seed"))) {
        System.out.println(String.join(" ", sentence));
      }
      return 0;
    }
  }
}
