package io.seqspark.core.task;

import io.seqspark.core.data.ParallelText;
import io.seqspark.core.data.Vocabulary;
import io.seqspark.core.decode.BeamSearch;
import io.seqspark.core.decode.MaxLength;
import io.seqspark.core.decode.Seq2SeqDecoder;
import io.seqspark.core.io.AttentionMaps;
import io.seqspark.core.model.Seq2Seq;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * Translations with everything a search knows about them: the n best hypotheses per sentence with their ranking
 * score and plain log-probability, each token's attention over the source, and {@code <unk>} replaced by the source
 * word it attended to most (Luong et al. 2015's unknown-word replacement). What {@code translate translate --nbest K
 * --replace-unk} prints and what the report's attention heat maps show. The search is the one
 * {@link TranslateFamily#translate} runs (greedy when the beam is 1, else beam search with the length penalty), so
 * the best hypothesis is the same translation.
 */
public final class Translations {
  private Translations() {
  }

  /**
   * One hypothesis for one source sentence.
   *
   * @param tokens         the output words ({@code </s>} not included), after any unknown-word replacement
   * @param score          the beam's ranking score: logProbability / ((5 + |Y|)/6)^α, |Y| counting {@code </s>}
   *                       (equal to logProbability when greedy or α = 0)
   * @param logProbability log P of the output words and {@code </s>} under the model (natural log)
   * @param attention      one row per output word and one for {@code </s>}, each over the source words and the
   *                       source's {@code </s>} (source length + 1 weights summing to 1)
   */
  public record Hypothesis(List<String> tokens, double score, double logProbability, double[][] attention) {
    public Hypothesis {
      tokens = List.copyOf(tokens);
    }
  }

  /**
   * The {@code nBest} best hypotheses of each sentence (best first), {@code batch} sentences searched at a time.
   * Unknown source words are read as {@code <unk>}; an empty sentence has one empty hypothesis scored 0 with no
   * attention rows.
   *
   * @param replaceUnknown replace each {@code <unk>} in the output by the source word its step attended to most
   *                       ({@link #replaceUnknown})
   * @throws IllegalArgumentException if nBest is not in [1, beam]
   */
  public static List<List<Hypothesis>> translate(Seq2Seq model, Vocabulary src, Vocabulary tgt,
                                                 List<List<String>> sentences, TranslateFamily.Decoding d, int nBest,
                                                 boolean replaceUnknown, int batch) {
    int beam = Math.max(1, d.beam());
    if (nBest < 1 || nBest > beam) {
      throw new IllegalArgumentException("nbest = " + nBest + " with beam " + beam + ": the n-best list comes from the"
          + " beam, so it must be in [1, beam]. Fix: raise the beam to at least " + Math.max(1, nBest)
          + " (--beam " + Math.max(1, nBest) + ") or ask for fewer hypotheses");
    }
    List<List<Hypothesis>> out = new ArrayList<>(sentences.size());
    for (int from = 0; from < sentences.size(); from += batch) {
      List<List<String>> part = sentences.subList(from, Math.min(sentences.size(), from + batch));
      List<int[]> ids = new ArrayList<>();
      int[] lengths = new int[part.size()];
      for (int i = 0; i < part.size(); i++) {
        int[] w = src.encode(part.get(i));
        int[] withEos = Arrays.copyOf(w, w.length + 1);
        withEos[w.length] = Vocabulary.EOS_ID;
        ids.add(withEos);
        lengths[i] = w.length;
      }
      MaxLength max = MaxLength.ratio(d.maxLengthRatio(), d.maxLengthOffset(), lengths, 250);
      BeamSearch.Options o = beam == 1 ? new BeamSearch.Options(1, 0, max, 1, true)
          : new BeamSearch.Options(beam, d.lengthPenalty(), max, nBest, true);
      List<List<BeamSearch.Hypothesis>> found = BeamSearch.search(Seq2SeqDecoder.of(model, ids), o);
      for (int i = 0; i < part.size(); i++) {
        List<Hypothesis> hs = new ArrayList<>();
        if (part.get(i).isEmpty()) {
          hs.add(new Hypothesis(List.of(), 0, 0, new double[0][]));
        }
        for (BeamSearch.Hypothesis h : part.get(i).isEmpty() ? List.<BeamSearch.Hypothesis>of() : found.get(i)) {
          List<String> words = new ArrayList<>();
          for (int id : h.tokens()) {
            words.add(tgt.token(id));
          }
          if (replaceUnknown) {
            words = replaceUnknown(words, part.get(i), h.attention());
          }
          hs.add(new Hypothesis(words, h.score(), h.logProbability(), h.attention()));
        }
        out.add(hs);
      }
    }
    return out;
  }

  /**
   * {@code output} with each {@code <unk>} replaced by the word of {@code source} with the highest weight in that
   * position's attention row (the first on ties). The source's {@code </s>} is not a word: its weight is left out
   * of the argmax, and with an empty source the {@code <unk>} stays.
   *
   * @param attention at least one row per output word, each with at least {@code source.size()} weights
   */
  public static List<String> replaceUnknown(List<String> output, List<String> source, double[][] attention) {
    String unk = Vocabulary.SPECIALS.get(Vocabulary.UNK_ID);
    List<String> out = new ArrayList<>(output);
    for (int t = 0; t < out.size(); t++) {
      if (out.get(t).equals(unk) && !source.isEmpty()) {
        if (attention == null || attention.length <= t || attention[t].length < source.size()) {
          throw new IllegalArgumentException("replaceUnknown: output word " + t + " has no attention row over the "
              + source.size() + " source words (" + (attention == null ? "no attention" : attention.length + " rows")
              + ")");
        }
        out.set(t, source.get(BeamSearch.argmax(attention[t], source.size())));
      }
    }
    return out;
  }

  /**
   * The metrics records ({@link AttentionMaps#record}) of the translations of the first {@code samples} sentences of
   * 1 to 25 words of {@code text}, decoded with {@code d}: source words and {@code </s>} across, output words and
   * {@code </s>} down, with the reference. What report.html draws as attention heat maps.
   */
  public static List<Map<String, Object>> attentionRecords(Seq2Seq model, Vocabulary src, Vocabulary tgt,
                                                           ParallelText text, TranslateFamily.Decoding d, long step,
                                                           int samples) {
    List<List<String>> sentences = new ArrayList<>();
    List<Integer> lines = new ArrayList<>();
    for (int i = 0; i < text.size() && sentences.size() < samples; i++) {
      int n = text.source().get(i).size();
      if (n >= 1 && n <= 25) {
        sentences.add(text.source().get(i));
        lines.add(i);
      }
    }
    List<Map<String, Object>> out = new ArrayList<>();
    if (sentences.isEmpty()) {
      return out;
    }
    String eos = Vocabulary.SPECIALS.get(Vocabulary.EOS_ID);
    List<List<Hypothesis>> t = translate(model, src, tgt, sentences, d, 1, false, sentences.size());
    for (int k = 0; k < sentences.size(); k++) {
      Hypothesis h = t.get(k).get(0);
      List<String> source = new ArrayList<>(sentences.get(k));
      source.add(eos);
      List<String> output = new ArrayList<>(h.tokens());
      output.add(eos);
      out.add(AttentionMaps.record(step, k, lines.get(k), source, output,
          String.join(" ", text.target().get(lines.get(k))), h.attention()));
    }
    return out;
  }

  /**
   * One n-best line: {@code LINE<TAB>SCORE<TAB>LOGPROB<TAB>TRANSLATION}, LINE the 0-based index of the source line,
   * the two scores with 4 decimals (docs/FORMATS.md).
   */
  public static String nBestLine(int line, Hypothesis h) {
    return String.format(Locale.ROOT, "%d\t%.4f\t%.4f\t%s", line, h.score(), h.logProbability(),
        String.join(" ", h.tokens()));
  }
}
