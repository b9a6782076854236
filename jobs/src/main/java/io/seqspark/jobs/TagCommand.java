package io.seqspark.jobs;

import io.seqspark.core.data.DataInputs;
import io.seqspark.core.model.SequenceTagger;
import io.seqspark.core.task.Family;
import io.seqspark.core.task.TaggerFamily;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Parameters;

/** {@code seqspark tag train | eval | predict}. */
@Command(name = "tag", description = "Sequence tagging (e.g. part of speech, --conf tag-brown): train, evaluate, tag text.",
    subcommands = {TagCommand.Train.class, TagCommand.Eval.class, TagCommand.Predict.class})
public final class TagCommand {

  @Command(name = "train", mixinStandardHelpOptions = true,
      description = "Train a tagger on CoNLL-style files (WORD<TAB>TAG, blank line between sentences); local trainer,"
          + " or Spark parameter averaging with --master.")
  static final class Train extends FamilyCommands.Train {
    @Override
    Family<?, ?, ?> family() {
      return TaggerFamily.INSTANCE;
    }

    @Override
    void check(io.seqspark.core.config.Settings s) {
      TaggerFamily.spec(s, 5, 2); // the architecture's rules, checked before anything is written
    }
  }

  @Command(name = "eval", mixinStandardHelpOptions = true,
      description = "Token accuracy, OOV accuracy and F1 per tag of a trained tagger on a CoNLL-style file (default:"
          + " the run's data.test, else data.valid); --json prints one JSON object.")
  static final class Eval extends FamilyCommands.Eval {
    @Override
    Family<?, ?, ?> family() {
      return TaggerFamily.INSTANCE;
    }

    @Override
    void print(Map<String, Object> m) {
      System.out.printf(Locale.ROOT, "%s: accuracy %.4f over %,d words; OOV accuracy %.4f over %,d; macro F1 %.4f%n",
          m.get("file"), m.get("accuracy"), m.get("tokens"), m.get("oov_accuracy"), m.get("oov_tokens"),
          m.get("macro_f1"));
    }
  }

  @Command(name = "predict", mixinStandardHelpOptions = true,
      description = "Tag text: one sentence per line (split as data.tokenizer splits), from FILE or standard input;"
          + " writes WORD<TAB>TAG lines with a blank line after each sentence (the training format).")
  static final class Predict implements Callable<Integer> {
    @Mixin
    ModelOption model;
    @Parameters(arity = "0..1", paramLabel = "FILE", description = "Sentences, one per line (default: standard input).")
    Path file;

    @Override
    public Integer call() throws Exception {
      Family.Loaded<SequenceTagger> m = TaggerFamily.load(model.archive());
      io.seqspark.core.data.Tokenizer t = DataInputs.tokenizer(m.settings().with("data.lowercase", "false"));
      List<List<String>> sentences = new ArrayList<>();
      for (String line : FamilyCommands.lines(file)) {
        sentences.add(t.tokenize(line));
      }
      List<List<String>> tags = TaggerFamily.predict(m, sentences);
      StringBuilder out = new StringBuilder();
      for (int i = 0; i < sentences.size(); i++) {
        for (int k = 0; k < sentences.get(i).size(); k++) {
          out.append(sentences.get(i).get(k)).append('\t').append(tags.get(i).get(k)).append('\n');
        }
        out.append('\n');
      }
      System.out.print(out);
      return 0;
    }
  }
}
