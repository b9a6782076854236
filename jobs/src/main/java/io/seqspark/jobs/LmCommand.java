package io.seqspark.jobs;

import io.seqspark.core.config.Settings;
import io.seqspark.core.data.TextCorpus;
import io.seqspark.core.data.TokenStreamBatcher;
import io.seqspark.core.decode.Sampler;
import io.seqspark.core.io.RunDirectory;
import io.seqspark.core.task.LanguageModelTask;
import io.seqspark.core.task.LanguageModelTraining;
import io.seqspark.core.train.BatchSource;
import io.seqspark.core.train.Evaluation;
import io.seqspark.core.train.StepStats;
import java.nio.file.Files;
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
      Settings s = run.settings(List.of());
      LanguageModelTask.requireFile(s, "data.train");
      RunDirectory dir = run.runDirectory("lm", s);
      LanguageModelTraining.Summary sum = LanguageModelTraining.run(s, dir, run.resuming(), commandLine(spec), System.err);
      printSummary(sum);
      return 0;
    }
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

  /** A run directory or a model.zip. */
  static Path archive(Path model) {
    Path zip = Files.isDirectory(model) ? model.resolve("model.zip") : model;
    if (!Files.isRegularFile(zip)) {
      throw new IllegalArgumentException("--model " + model + ": no model.zip there; pass a finished run directory or its model.zip");
    }
    return zip;
  }

  @Command(name = "eval", mixinStandardHelpOptions = true,
      description = "Perplexity of a trained model on a text file (default: the run's data.test, else data.valid).")
  static final class Eval implements Callable<Integer> {
    @Option(names = "--model", required = true, paramLabel = "RUN_DIR|ZIP")
    Path model;
    @Parameters(arity = "0..1", paramLabel = "FILE", description = "Text to evaluate.")
    Path file;

    @Override
    public Integer call() throws Exception {
      LanguageModelTask.Loaded m = LanguageModelTask.load(archive(model));
      Settings s = m.settings();
      Path data = file != null ? file : s.getPath("data.test") != null ? s.getPath("data.test") : s.getPath("data.valid");
      if (data == null) {
        throw new IllegalArgumentException("no text to evaluate: pass FILE (the model's config has no data.test or data.valid)");
      }
      if (!Files.isRegularFile(data)) {
        throw new IllegalArgumentException("evaluation file " + data + " does not exist");
      }
      int[] stream = TextCorpus.toStream(TextCorpus.readLines(data, LanguageModelTask.tokenizer(s)), m.vocabulary(),
          s.getBoolean("data.eosPerLine"));
      BatchSource src = BatchSource.stream(new TokenStreamBatcher(stream, s.getInt("eval.batchSize"), s.getInt("train.bptt")));
      StepStats st = Evaluation.run(m.model(), src);
      System.out.printf("%s: perplexity %.2f over %,d tokens (mean loss %.4f nats)%n", data, st.perplexity(), st.tokens(), st.meanLoss());
      return 0;
    }
  }

  @Command(name = "generate", mixinStandardHelpOptions = true,
      description = "Sample sentences from a trained model (eval.generate, eval.temperature, eval.maxGenerateLength; 0 temperature is not allowed: use --greedy).")
  static final class Generate implements Callable<Integer> {
    @Option(names = "--model", required = true, paramLabel = "RUN_DIR|ZIP")
    Path model;
    @Option(names = "--set", paramLabel = "KEY=VALUE", description = "Override eval.* or seed, e.g. --set eval.temperature=0.7")
    List<String> sets = new ArrayList<>();
    @Option(names = "--greedy", description = "Arg max instead of sampling.")
    boolean greedy;

    @Override
    public Integer call() throws Exception {
      LanguageModelTask.Loaded m = LanguageModelTask.load(archive(model));
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
