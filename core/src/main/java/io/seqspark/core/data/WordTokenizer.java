package io.seqspark.core.data;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * Word tokens separated by Unicode white space (the format of PTB and most preprocessed corpora). Optionally
 * lower-cases, and optionally makes every punctuation character (Unicode category P*) a token of its own, so
 * {@code "end."} becomes {@code end .}; that is a crude split meant for raw text, not a replacement for a real
 * tokenizer (it also splits {@code don't} into {@code don ' t}).
 */
public final class WordTokenizer implements Tokenizer {

  private final boolean lowercase;
  private final boolean splitPunctuation;

  /** Splits on white space only, keeps case. */
  public WordTokenizer() {
    this(false, false);
  }

  public WordTokenizer(boolean lowercase, boolean splitPunctuation) {
    this.lowercase = lowercase;
    this.splitPunctuation = splitPunctuation;
  }

  @Override
  public List<String> tokenize(String line) {
    String text = lowercase ? line.toLowerCase(Locale.ROOT) : line;
    List<String> out = new ArrayList<>();
    int start = -1;
    for (int i = 0; i < text.length(); ) {
      int cp = text.codePointAt(i);
      int next = i + Character.charCount(cp);
      if (Tokenizer.isSpace(cp)) {
        if (start >= 0) {
          out.add(text.substring(start, i));
          start = -1;
        }
      } else if (splitPunctuation && isPunctuation(cp)) {
        if (start >= 0) {
          out.add(text.substring(start, i));
          start = -1;
        }
        out.add(text.substring(i, next));
      } else if (start < 0) {
        start = i;
      }
      i = next;
    }
    if (start >= 0) {
      out.add(text.substring(start));
    }
    return out;
  }

  private static boolean isPunctuation(int cp) {
    switch (Character.getType(cp)) {
      case Character.CONNECTOR_PUNCTUATION, Character.DASH_PUNCTUATION, Character.START_PUNCTUATION,
          Character.END_PUNCTUATION, Character.INITIAL_QUOTE_PUNCTUATION, Character.FINAL_QUOTE_PUNCTUATION,
          Character.OTHER_PUNCTUATION -> {
        return true;
      }
      default -> {
        return false;
      }
    }
  }

  @Override
  public String toString() {
    return "WordTokenizer[lowercase=" + lowercase + ", splitPunctuation=" + splitPunctuation + "]";
  }
}
