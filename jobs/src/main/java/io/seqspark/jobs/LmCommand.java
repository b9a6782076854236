package io.seqspark.jobs;

import io.seqspark.core.config.Settings;
import io.seqspark.core.decode.BeamSearch;
import io.seqspark.core.decode.LanguageModelDecoder;
import io.seqspark.core.decode.MaxLength;
import io.seqspark.core.decode.Sampler;
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
    io.seqspark.core.io.RunRecorder.Result o = FamilyCommands.train(LanguageModelFamily.INSTANCE, run, s, job, spec);
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
      description = "Sample sentences from a trained model (eval.generate, eval.temperature, eval.maxGenerateLength; 0 temperature is not allowed: use --greedy), or with --beam N print the best sentence by beam search.")
  static final class Generate implements Callable<Integer> {
    @Mixin
    ModelOption model;
    @Option(names = "--set", paramLabel = "KEY=VALUE", description = "Override eval.* or seed, e.g. --set eval.temperature=0.7")
    List<String> sets = new ArrayList<>();
    @Option(names = "--greedy", description = "Arg max instead of sampling.")
    boolean greedy;
    @Option(names = "--beam", paramLabel = "N", description = "Beam search with N hypotheses per sentence instead of sampling: one line, the best sentence (per prompt with --prompts).")
    Integer beam;
    @Option(names = "--length-penalty", paramLabel = "ALPHA", description = "With --beam: rank by log P / ((5 + length)/6)^ALPHA (GNMT); 0 = by log P, which favours short sentences. Default 0.6.")
    Double lengthPenalty;
    @Option(names = "--scores", description = "With --beam: print each sentence's score and a tab before it.")
    boolean scores;
    @Option(names = "--prompts", paramLabel = "FILE", description = "Continue each line of FILE (UTF-8; one output line per line, prompt included) instead of starting empty sentences.")
    Path prompts;
    @Option(names = "--no-unk", description = "Never emit <unk>.")
    boolean noUnk;
    @Option(names = "--top-k", paramLabel = "K", description = "Sample among the K most probable tokens only.")
    Integer topK;

    @Override
    public Integer call() throws Exception {
      io.seqspark.core.task.Family.Loaded<io.seqspark.core.model.LanguageModel> m = model.load();
      Settings s = m.settings().withSets(sets);
      if (beam == null && (lengthPenalty != null || scores)) {
        throw new IllegalArgumentException((scores ? "--scores" : "--length-penalty") + " needs --beam N");
      }
      if (beam != null && greedy) {
        throw new IllegalArgumentException("--greedy cannot be combined with --beam (--beam 1 is greedy search)");
      }
      int start = LanguageModelFamily.sentenceStart(s);
      int maxLength = s.getInt("eval.maxGenerateLength");
      if (beam != null && topK != null) {
        throw new IllegalArgumentException("--top-k applies to sampling, not to --beam");
      }
      if (beam == null && prompts == null && !noUnk && topK == null) {
        for (List<String> sentence : Sampler.generate(m.model(), m.vocabulary(), start, Math.max(1, s.getInt("eval.generate")),
            maxLength, greedy ? 0 : s.getDouble("eval.temperature"), s.getLong("seed"))) {
          System.out.println(String.join(" ", sentence));
        }
        return 0;
      }
      // prompts (or one empty sentence for a beam, eval.generate empty ones for sampling) → one line each
      List<List<String>> given = prompts == null ? null : readPrompts(prompts, s);
      int inputs = given != null ? given.size() : beam != null ? 1 : Math.max(1, s.getInt("eval.generate"));
      List<int[]> prefixes = new ArrayList<>();
      for (int i = 0; i < inputs; i++) {
        List<String> words = given == null ? List.of() : given.get(i);
        int[] p = new int[words.size() + 1];
        p[0] = start;
        System.arraycopy(m.vocabulary().encode(words), 0, p, 1, words.size());
        prefixes.add(p);
      }
      if (prefixes.isEmpty()) {
        return 0;
      }
      LanguageModelDecoder decoder = LanguageModelDecoder.fromPrefixes(m.model(), prefixes);
      List<String> lines = new ArrayList<>();
      if (beam != null) {
        double alpha = lengthPenalty == null ? 0.6 : lengthPenalty;
        List<List<BeamSearch.Hypothesis>> best = BeamSearch.search(decoder,
            new BeamSearch.Options(beam, alpha, MaxLength.of(maxLength), 1, !noUnk));
        for (int i = 0; i < inputs; i++) {
          List<BeamSearch.Hypothesis> h = best.get(i);
          String text = sentence(given, i, h.isEmpty() ? new int[0] : h.get(0).tokens(), m);
          lines.add(scores ? String.format(java.util.Locale.ROOT, "%.4f\t%s", h.isEmpty() ? Double.NEGATIVE_INFINITY
              : h.get(0).score(), text) : text);
        }
      } else {
        List<int[]> ids = Sampler.decode(decoder, new Sampler.Options(maxLength, greedy ? 0 : s.getDouble("eval.temperature"),
            topK == null ? 0 : topK, !noUnk, s.getLong("seed")));
        for (int i = 0; i < inputs; i++) {
          lines.add(sentence(given, i, ids.get(i), m));
        }
      }
      lines.forEach(System.out::println);
      return 0;
    }

    private static List<List<String>> readPrompts(Path file, Settings s) throws java.io.IOException {
      List<String> raw;
      try {
        raw = java.nio.file.Files.readAllLines(file, java.nio.charset.StandardCharsets.UTF_8);
      } catch (java.nio.charset.CharacterCodingException e) {
        throw new IllegalArgumentException("--prompts " + file + ": not valid UTF-8; save it as UTF-8", e);
      } catch (java.nio.file.NoSuchFileException e) {
        throw new IllegalArgumentException("--prompts " + file + ": no such file", e);
      }
      io.seqspark.core.data.Tokenizer t = io.seqspark.core.data.DataInputs.tokenizer(s);
      return raw.stream().map(t::tokenize).toList();
    }

    /** The prompt's tokens as written, then the generated ones. */
    private static String sentence(List<List<String>> given, int i, int[] ids, LanguageModelFamily.Loaded m) {
      List<String> words = new ArrayList<>(given == null ? List.of() : given.get(i));
      words.addAll(m.vocabulary().decode(ids));
      return String.join(" ", words);
    }
  }
}
