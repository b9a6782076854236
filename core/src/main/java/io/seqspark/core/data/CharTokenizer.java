package io.seqspark.core.data;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * One token per Unicode code point, for character-level language models.
 *
 * <p>White space at the ends of a line is dropped; every other white-space code point becomes the token
 * {@value #SPACE}, the word-boundary marker of PTB's character files, so a vocabulary never holds a token made of
 * white space (which the TSV vocabulary format could not store). A literal {@code _} in the text maps to the same
 * token: the two are indistinguishable after tokenization, as in PTB's character files.
 */
public final class CharTokenizer implements Tokenizer {

  /** The token white space becomes. */
  public static final String SPACE = "_";

  private final boolean lowercase;

  /** Keeps case. */
  public CharTokenizer() {
    this(false);
  }

  public CharTokenizer(boolean lowercase) {
    this.lowercase = lowercase;
  }

  @Override
  public List<String> tokenize(String line) {
    String text = lowercase ? line.toLowerCase(Locale.ROOT) : line;
    int begin = 0;
    int end = text.length();
    while (begin < end && Tokenizer.isSpace(text.codePointAt(begin))) {
      begin += Character.charCount(text.codePointAt(begin));
    }
    while (end > begin && Tokenizer.isSpace(text.codePointBefore(end))) {
      end -= Character.charCount(text.codePointBefore(end));
    }
    List<String> out = new ArrayList<>(end - begin);
    for (int i = begin; i < end; ) {
      int cp = text.codePointAt(i);
      int next = i + Character.charCount(cp);
      out.add(Tokenizer.isSpace(cp) ? SPACE : text.substring(i, next));
      i = next;
    }
    return out;
  }

  @Override
  public String toString() {
    return "CharTokenizer[lowercase=" + lowercase + "]";
  }
}
