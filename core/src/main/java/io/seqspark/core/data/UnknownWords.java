package io.seqspark.core.data;

import java.util.List;
import java.util.Locale;

/**
 * Unknown-word classes: a word missing from the vocabulary is encoded as a class token read from its spelling
 * instead of the bare {@code <unk>}, so a tagger still sees that an unseen word is capitalised, a number, hyphenated,
 * or ends in "-ed", "-ing", "-ly" ... (Petrov et al.'s Berkeley parser does the same for unknown words). The token is
 * {@code <unk} + features + {@code >}, features in this order:
 * <ul>
 *   <li>{@code -num} if it contains a digit;</li>
 *   <li>{@code -caps} if it has two or more letters and all are upper case, else {@code -cap} if it starts with an
 *       upper-case letter;</li>
 *   <li>{@code -hyph} if it contains a hyphen;</li>
 *   <li>{@code -SUFFIX}: the first of {@link #SUFFIXES} that the lower-cased word ends with, leaving at least three
 *       characters before it.</li>
 * </ul>
 * A word with none of these features is plain {@code <unk>}. The classes are ordinary vocabulary entries, counted from
 * the training words below {@code minCount} (so their embeddings are trained on rare words), which is why a corpus
 * word spelled like a class token would share its id.
 */
public final class UnknownWords {
  /** Suffixes tried in this order (longer before the shorter ones they end with). */
  public static final List<String> SUFFIXES = List.of("ing", "ies", "ed", "ly", "es", "ion", "ness", "ment", "ity",
      "able", "ible", "ful", "ous", "ive", "ism", "ist", "ize", "ate", "est", "er", "al", "ic", "en", "y", "s");

  private UnknownWords() {
  }

  /** The class token of {@code word} ({@link Vocabulary#UNK} when it has no feature). */
  public static String classOf(String word) {
    StringBuilder sb = new StringBuilder("<unk");
    boolean digit = false;
    boolean hyphen = false;
    int letters = 0;
    int upper = 0;
    for (int i = 0; i < word.length(); i++) {
      char c = word.charAt(i);
      digit |= Character.isDigit(c);
      hyphen |= c == '-';
      if (Character.isLetter(c)) {
        letters++;
        upper += Character.isUpperCase(c) ? 1 : 0;
      }
    }
    if (digit) {
      sb.append("-num");
    }
    if (letters >= 2 && upper == letters) {
      sb.append("-caps");
    } else if (!word.isEmpty() && Character.isUpperCase(word.charAt(0))) {
      sb.append("-cap");
    }
    if (hyphen) {
      sb.append("-hyph");
    }
    String lower = word.toLowerCase(Locale.ROOT);
    for (String s : SUFFIXES) {
      if (lower.length() >= s.length() + 3 && lower.endsWith(s)) {
        sb.append('-').append(s);
        break;
      }
    }
    return sb.append('>').toString();
  }

  /** Whether {@code token} is {@code <unk>} or an unknown-word class token. */
  public static boolean isUnknown(String token) {
    return token.equals(Vocabulary.UNK) || token.startsWith("<unk-") && token.endsWith(">");
  }
}
