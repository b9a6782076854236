package io.seqspark.jobs;

import io.seqspark.core.data.DataInputs;
import io.seqspark.core.io.Json;
import io.seqspark.core.model.Seq2Seq;
import io.seqspark.core.task.Family;
import io.seqspark.core.task.TranslateFamily;
import io.seqspark.core.task.Translations;
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

/** {@code seqspark translate train | eval | translate}. */
@Command(name = "translate", description = "Translation with an attention encoder-decoder (--conf translate-multi30k):"
    + " train, score with sacreBLEU-exact BLEU and chrF, translate text.",
    subcommands = {TranslateCommand.Train.class, TranslateCommand.Eval.class, TranslateCommand.Translate.class})
public final class TranslateCommand {

  @Command(name = "train", mixinStandardHelpOptions = true,
      description = "Train on parallel files (data.train = PREFIX reads PREFIX.<translate.source> and"
          + " PREFIX.<translate.target>); local trainer, or Spark parameter averaging with --master.")
  static final class Train extends FamilyCommands.Train {
    @Override
    Family<?, ?, ?> family() {
      return TranslateFamily.INSTANCE;
    }

    @Override
    void check(io.seqspark.core.config.Settings s) {
      TranslateFamily.spec(s, 5, 5); // the architecture's rules, checked before anything is written
    }
  }

  @Command(name = "eval", mixinStandardHelpOptions = true,
      description = "Corpus BLEU and chrF (sacreBLEU 2.6.0 exactly, with its signature) of a trained model translating"
          + " SRC against REF (default: the run's data.test, else data.valid prefix).")
  static final class Eval implements Callable<Integer> {
    @Mixin
    ModelOption model;
    @Parameters(index = "0", arity = "0..1", paramLabel = "SRC", description = "Source sentences, one per line.")
    Path source;
    @Parameters(index = "1", arity = "0..1", paramLabel = "REF", description = "Reference translations, one per line.")
    Path reference;
    @Option(names = "--beam", paramLabel = "N", description = "Beam size (default: translate.beam; 1 = greedy).")
    Integer beam;
    @Option(names = "--json", description = "Print one JSON object: bleu, chrf, signatures and decoding settings.")
    boolean json;

    @Override
    public Integer call() throws Exception {
      Family.Loaded<Seq2Seq> m = TranslateFamily.load(model.archive());
      Map<String, Object> out;
      if (source == null) {
        out = TranslateFamily.INSTANCE.evaluate(m, null);
      } else if (reference == null) {
        throw new IllegalArgumentException("translate eval SRC REF: pass the references too (or neither, to score the"
            + " run's own test or valid split)");
      } else {
        out = TranslateFamily.evaluate(m, source, reference, beam != null ? beam : m.settings().getInt("translate.beam"));
      }
      if (json) {
        System.out.println(Json.write(out));
      } else {
        System.out.printf(Locale.ROOT, "BLEU %.2f (%s), chrF %.2f, beam %s%n", out.get("bleu"), out.get("bleu_signature"),
            out.get("chrf"), out.get("beam"));
      }
      return 0;
    }
  }

  @Command(name = "translate", mixinStandardHelpOptions = true,
      description = "Translate sentences (one per line, from FILE or standard input) and write one translation per line;"
          + " with --nbest K, K scored hypotheses per sentence: LINE<TAB>SCORE<TAB>LOGPROB<TAB>TRANSLATION"
          + " (docs/FORMATS.md).")
  static final class Translate implements Callable<Integer> {
    @Mixin
    ModelOption model;
    @Parameters(arity = "0..1", paramLabel = "FILE", description = "Source sentences (default: standard input).")
    Path file;
    @Option(names = "--beam", paramLabel = "N", description = "Beam size (default: translate.beam; 1 = greedy).")
    Integer beam;
    @Option(names = "--nbest", paramLabel = "K", description = "Write the K best hypotheses of each sentence, best"
        + " first, with the beam's score and the log-probability (K <= beam).")
    Integer nBest;
    @Option(names = "--replace-unk", description = "Replace each <unk> in the output by the source word the model"
        + " attended to most at that step.")
    boolean replaceUnk;

    @Override
    public Integer call() throws Exception {
      Family.Loaded<Seq2Seq> m = TranslateFamily.load(model.archive());
      int b = beam != null ? beam : m.settings().getInt("translate.beam");
      if (nBest != null && (nBest < 1 || nBest > Math.max(1, b))) {
        throw new IllegalArgumentException("--nbest " + nBest + " with beam " + b + (beam == null
            ? " (translate.beam of the model's config)" : "") + ": the hypotheses come from the beam, so K must be in"
            + " [1, beam]. Fix: pass --beam " + Math.max(1, nBest) + " or more, or a smaller --nbest");
      }
      io.seqspark.core.data.Tokenizer t = DataInputs.tokenizer(m.settings());
      List<List<String>> sentences = new ArrayList<>();
      for (String line : FamilyCommands.lines(file)) {
        sentences.add(t.tokenize(line));
      }
      StringBuilder out = new StringBuilder();
      List<List<Translations.Hypothesis>> all = Translations.translate(m.model(), TranslateFamily.sourceVocabulary(m),
          m.vocabulary(), sentences, TranslateFamily.Decoding.of(m.settings(), b), nBest != null ? nBest : 1,
          replaceUnk, 64);
      for (int i = 0; i < all.size(); i++) {
        if (nBest != null) {
          for (Translations.Hypothesis h : all.get(i)) {
            out.append(Translations.nBestLine(i, h)).append('\n');
          }
        } else {
          out.append(String.join(" ", all.get(i).get(0).tokens())).append('\n');
        }
      }
      System.out.print(out);
      return 0;
    }
  }
}
