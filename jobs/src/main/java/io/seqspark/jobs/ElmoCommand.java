package io.seqspark.jobs;

import io.seqspark.core.data.DataInputs;
import io.seqspark.core.model.BiLm;
import io.seqspark.core.model.ElmoEmbeddings;
import io.seqspark.core.task.ElmoFamily;
import io.seqspark.core.task.Family;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/** {@code seqspark elmo train | eval | embed}. */
@Command(name = "elmo", description = "ELMo-style character-aware biLM (--conf elmo-ptb): train, evaluate (forward,"
    + " backward and mean perplexity), embed text as per-token layer representations.",
    subcommands = {ElmoCommand.Train.class, ElmoCommand.Eval.class, ElmoCommand.Embed.class})
public final class ElmoCommand {

  @Command(name = "train", mixinStandardHelpOptions = true,
      description = "Train a biLM on a text file (both directions; stream regime with carried state by default);"
          + " local trainer, or Spark parameter averaging with --master.")
  static final class Train extends FamilyCommands.Train {
    @Override
    Family<?, ?, ?> family() {
      return ElmoFamily.INSTANCE;
    }

    @Override
    void check(io.seqspark.core.config.Settings s) {
      // the architecture's rules, checked before anything is written; elmo.sampledSoftmax against the vocabulary
      // once it is built
      ElmoFamily.checkArchitecture(s);
    }
  }

  @Command(name = "eval", mixinStandardHelpOptions = true,
      description = "Forward, backward and mean perplexity of a trained biLM on a text file (default: the run's"
          + " data.test, else data.valid); --json prints one JSON object.")
  static final class Eval extends FamilyCommands.Eval {
    @Override
    Family<?, ?, ?> family() {
      return ElmoFamily.INSTANCE;
    }

    @Override
    void print(Map<String, Object> m) {
      System.out.printf(Locale.ROOT, "%s: perplexity forward %.2f, backward %.2f, mean %.2f over %,d tokens%n",
          m.get("file"), m.get("forward_ppl"), m.get("backward_ppl"), m.get("mean_ppl"), m.get("tokens"));
    }
  }

  @Command(name = "embed", mixinStandardHelpOptions = true,
      description = "Write the L+1 layer representations of every token of every sentence (one sentence per line,"
          + " split as data.tokenizer splits) to --output, in the binary format of docs/FORMATS.md (read it in Java"
          + " with io.seqspark.core.model.ElmoEmbeddings). Words outside the vocabulary get vectors from their"
          + " characters.")
  static final class Embed implements Callable<Integer> {
    @Mixin
    ModelOption model;
    @Parameters(arity = "0..1", paramLabel = "FILE", description = "Sentences, one per line (default: standard input).")
    Path file;
    @Option(names = {"-o", "--output"}, required = true, paramLabel = "PATH", description = "The embeddings file.")
    Path output;
    @Option(names = "--force", description = "Overwrite --output if it exists.")
    boolean force;
    @Option(names = "--batch", paramLabel = "N", description = "Sentences embedded together (memory bound). Default 64.")
    int batch = 64;

    @Override
    public Integer call() throws Exception {
      if (Files.exists(output) && !force) {
        throw new IllegalArgumentException("--output " + output + " exists; pass --force to overwrite it, or choose"
            + " another path");
      }
      if (batch < 1) {
        throw new IllegalArgumentException("--batch " + batch + ": must be >= 1");
      }
      Family.Loaded<BiLm> m = ElmoFamily.load(model.archive());
      io.seqspark.core.data.Tokenizer t = DataInputs.tokenizer(m.settings());
      List<String> lines = FamilyCommands.lines(file);
      int layers = m.model().spec().layers() + 1;
      int dim = 2 * m.model().spec().projectionSize();
      long tokens = 0;
      try (ElmoEmbeddings.Writer w = new ElmoEmbeddings.Writer(Files.newOutputStream(output), layers, dim)) {
        for (int from = 0; from < lines.size(); from += batch) {
          List<List<String>> sentences = new ArrayList<>();
          for (String line : lines.subList(from, Math.min(lines.size(), from + batch))) {
            sentences.add(t.tokenize(line));
          }
          List<float[][][]> reps = ElmoFamily.embed(m, sentences);
          for (int i = 0; i < sentences.size(); i++) {
            w.write(sentences.get(i), reps.get(i));
            tokens += sentences.get(i).size();
          }
        }
      }
      System.err.printf(Locale.ROOT, "%s: %,d sentences, %,d tokens, %d layers of %d values each%n", output,
          lines.size(), tokens, layers, dim);
      return 0;
    }
  }
}
