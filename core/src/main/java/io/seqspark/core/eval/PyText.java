package io.seqspark.core.eval;

import java.math.BigDecimal;
import java.math.RoundingMode;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * The few string operations of Python 3 that sacreBLEU's numbers depend on, done the way Python does them.
 *
 * <p>Why not Java's: {@code str.split()} and {@code str.rstrip()} treat a different set of characters as white space
 * than {@link Character#isWhitespace} (Python counts the no-break spaces U+00A0, U+2007, U+202F and NEL U+0085; Java
 * does not), and Python indexes strings by code point where Java indexes UTF-16 units, which matters for character
 * n-grams of text outside the Basic Multilingual Plane. Python's {@code f"{x:.2f}"} rounds the exact binary value half
 * to even, where {@link String#format} rounds the shortest decimal form half up ({@code 0.125} gives {@code 0.12}
 * in Python, {@code 0.13} in Java).
 */
final class PyText {
  private static final String[] NO_TOKENS = new String[0];

  private PyText() {}

  /**
   * Python's {@code str.isspace()} for one code point: the characters whose bidirectional class is WS, B or S, or
   * whose general category is Zs.
   */
  static boolean isSpace(int cp) {
    if (cp <= 0x20) {
      return cp == 0x20 || (cp >= 0x09 && cp <= 0x0D) || (cp >= 0x1C && cp <= 0x1F);
    }
    if (cp < 0x85) {
      return false;
    }
    return cp == 0x85 || cp == 0xA0 || cp == 0x1680 || (cp >= 0x2000 && cp <= 0x200A) || cp == 0x2028
        || cp == 0x2029 || cp == 0x202F || cp == 0x205F || cp == 0x3000;
  }

  /** Python's {@code s.split()}: the runs of non-white-space, in order; none for a blank string. */
  static String[] split(String s) {
    List<String> out = new ArrayList<>();
    int n = s.length();
    int i = 0;
    while (i < n) {
      int cp = s.codePointAt(i);
      if (isSpace(cp)) {
        i += Character.charCount(cp);
        continue;
      }
      int start = i;
      while (i < n && !isSpace(cp = s.codePointAt(i))) {
        i += Character.charCount(cp);
      }
      out.add(s.substring(start, i));
    }
    return out.toArray(NO_TOKENS);
  }

  /** Python's {@code ' '.join(s.split())}: white space runs become one space, none at either end. */
  static String squeeze(String s) {
    return String.join(" ", split(s));
  }

  /** Python's {@code ''.join(s.split())}: every white-space character removed. */
  static String removeSpace(String s) {
    StringBuilder b = new StringBuilder(s.length());
    for (int i = 0; i < s.length(); ) {
      int cp = s.codePointAt(i);
      if (!isSpace(cp)) {
        b.appendCodePoint(cp);
      }
      i += Character.charCount(cp);
    }
    return b.toString();
  }

  /** Python's {@code s.rstrip()}: trailing white space removed. */
  static String rstrip(String s) {
    int end = s.length();
    while (end > 0) {
      int cp = s.codePointBefore(end);
      if (!isSpace(cp)) {
        break;
      }
      end -= Character.charCount(cp);
    }
    return s.substring(0, end);
  }

  /**
   * Python's {@code s.lower()}: full Unicode lower-casing, independent of the machine's locale (both map the final
   * capital sigma to ς and İ to i followed by a combining dot).
   */
  static String lower(String s) {
    return s.toLowerCase(Locale.ROOT);
  }

  /** Python's {@code f"{x:.{digits}f}"} for a finite {@code x}: the exact binary value rounded half to even. */
  static String fixed(double x, int digits) {
    String s = new BigDecimal(x).setScale(digits, RoundingMode.HALF_EVEN).toPlainString();
    // Python keeps the sign of a negative number that rounds to zero ("-0.00"); BigDecimal drops it.
    if ((x < 0 || (x == 0 && 1 / x < 0)) && !s.startsWith("-")) {
      s = "-" + s;
    }
    return s;
  }

  /** The offsets where each code point of {@code s} starts, plus {@code s.length()} at the end. */
  static int[] codePointStarts(String s) {
    int[] starts = new int[s.codePointCount(0, s.length()) + 1];
    int k = 0;
    for (int i = 0; i < s.length(); i += Character.charCount(s.codePointAt(i))) {
      starts[k++] = i;
    }
    starts[k] = s.length();
    return starts;
  }
}
