package io.seqspark.core.data;

import java.util.List;

/** Splits one line of text into tokens; implementations are stateless and thread-safe. */
public interface Tokenizer {

  /** The tokens of {@code line}, in order; an empty list for a blank line. */
  List<String> tokenize(String line);

  /**
   * Builds a tokenizer from config values.
   *
   * @param mode             {@code word} or {@code char}
   * @param lowercase        lower-case every token (Locale.ROOT)
   * @param splitPunctuation word mode only: make each punctuation character its own token (ignored in char mode,
   *                         where every character is already a token)
   */
  static Tokenizer of(String mode, boolean lowercase, boolean splitPunctuation) {
    if ("word".equals(mode)) {
      return new WordTokenizer(lowercase, splitPunctuation);
    }
    if ("char".equals(mode)) {
      return new CharTokenizer(lowercase);
    }
    throw new IllegalArgumentException("tokenizer mode '" + mode + "' is not supported; allowed values: word, char");
  }

  /** True for any Unicode white space, including no-break spaces that {@link Character#isWhitespace} misses. */
  static boolean isSpace(int codePoint) {
    return Character.isWhitespace(codePoint) || Character.isSpaceChar(codePoint);
  }
}
