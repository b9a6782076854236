package io.seqspark.core.eval;

import java.util.Arrays;
import java.util.function.IntPredicate;

/**
 * The tokenizers of sacreBLEU 2.x that BLEU runs on each line before counting n-grams, with sacreBLEU's names.
 *
 * <p>Each is a fixed list of substitutions followed by Python's white-space split; the substitutions are done here
 * by scanning code points, which is what Python's {@code re.sub} does for these patterns (each matches one or two
 * characters, left to right, matches not overlapping), without building regular expressions per line.
 */
public enum BleuTokenizer {
  /**
   * {@code 13a}, sacreBLEU's default: the tokenizer of {@code mteval-v13a.pl} used by WMT. Unescapes
   * {@code &quot; &amp; &lt; &gt;}, splits off the ASCII punctuation and symbols other than {@code ' , - .}, splits
   * off a period or comma unless it sits between two digits, and a dash after a digit.
   */
  V13A("13a") {
    @Override
    public String tokenize(String line) {
      String s = line.replace("<skipped>", "").replace("-\n", "").replace("\n", " ");
      if (s.indexOf('&') >= 0) {
        s = s.replace("&quot;", "\"").replace("&amp;", "&").replace("&lt;", "<").replace("&gt;", ">");
      }
      int[] cps = (" " + s + " ").codePoints().toArray();
      cps = around(cps, BleuTokenizer::isMtevalSymbol);
      cps = pairs(cps, cp -> !isAsciiDigit(cp), BleuTokenizer::isPeriodOrComma, false);
      cps = pairs(cps, BleuTokenizer::isPeriodOrComma, cp -> !isAsciiDigit(cp), true);
      cps = pairs(cps, BleuTokenizer::isAsciiDigit, cp -> cp == '-', false);
      return PyText.squeeze(new String(cps, 0, cps.length));
    }
  },

  /**
   * {@code intl}, the tokenizer of {@code mteval-v14.pl} with {@code --international-tokenization}: splits off every
   * Unicode punctuation character unless it has a number on both sides, and every Unicode symbol. The line is not
   * padded with spaces, so a period right after a number at the end of a line stays attached (as in mteval-v14).
   */
  INTL("intl") {
    @Override
    public String tokenize(String line) {
      int[] cps = line.codePoints().toArray();
      cps = pairs(cps, cp -> !UnicodeCategories.isNumber(cp), UnicodeCategories::isPunctuation, false);
      cps = pairs(cps, UnicodeCategories::isPunctuation, cp -> !UnicodeCategories.isNumber(cp), true);
      cps = around(cps, UnicodeCategories::isSymbol);
      return PyText.squeeze(new String(cps, 0, cps.length));
    }
  },

  /** {@code none}: the line as it is; BLEU still splits it at white space. */
  NONE("none") {
    @Override
    public String tokenize(String line) {
      return line;
    }
  };

  private final String sacrebleuName;

  BleuTokenizer(String sacrebleuName) {
    this.sacrebleuName = sacrebleuName;
  }

  /** The tokenized line, tokens separated by single spaces (for {@link #NONE}, the line unchanged). */
  public abstract String tokenize(String line);

  /** The tokens BLEU counts: {@link #tokenize} split at white space as Python splits it. */
  public String[] tokens(String line) {
    return PyText.split(tokenize(line));
  }

  /** sacreBLEU's name for this tokenizer, as in its {@code tok:} signature field and its {@code --tokenize} option. */
  public String sacrebleuName() {
    return sacrebleuName;
  }

  /**
   * The tokenizer sacreBLEU calls {@code name} ({@code 13a}, {@code intl} or {@code none}).
   *
   * @throws IllegalArgumentException for any other name
   */
  public static BleuTokenizer named(String name) {
    for (BleuTokenizer t : values()) {
      if (t.sacrebleuName.equals(name)) {
        return t;
      }
    }
    throw new IllegalArgumentException("tokenize: unknown BLEU tokenizer '" + name
        + "'; use one of 13a (sacreBLEU's default), intl, none");
  }

  /**
   * {@code 13a}'s first class: {@code { | } ~ [ \ ] ^ _ `}, space, {@code ! " # $ % &}, {@code ( ) * +},
   * {@code : ; < = > ? @} and {@code /}, i.e. ASCII punctuation and symbols except {@code ' , - .}.
   */
  private static boolean isMtevalSymbol(int cp) {
    return (cp >= '{' && cp <= '~') || (cp >= '[' && cp <= '`') || (cp >= ' ' && cp <= '&')
        || (cp >= '(' && cp <= '+') || (cp >= ':' && cp <= '@') || cp == '/';
  }

  private static boolean isAsciiDigit(int cp) {
    return cp >= '0' && cp <= '9';
  }

  private static boolean isPeriodOrComma(int cp) {
    return cp == '.' || cp == ',';
  }

  /** {@code re.sub(r'(X)', r' \1 ', s)}: a space on both sides of every code point in X. */
  private static int[] around(int[] cps, IntPredicate x) {
    IntBuffer out = new IntBuffer(cps.length);
    for (int cp : cps) {
      if (x.test(cp)) {
        out.add(' ').add(cp).add(' ');
      } else {
        out.add(cp);
      }
    }
    return out.toArray();
  }

  /**
   * {@code re.sub(r'(A)(B)', r'\1 \2 ', s)}, or {@code r' \1 \2'} when {@code leadingSpace}: scans left to right; a
   * code point in A followed by one in B is one match, both consumed, so the next match starts after them.
   */
  private static int[] pairs(int[] cps, IntPredicate a, IntPredicate b, boolean leadingSpace) {
    IntBuffer out = new IntBuffer(cps.length);
    int i = 0;
    while (i < cps.length) {
      if (i + 1 < cps.length && a.test(cps[i]) && b.test(cps[i + 1])) {
        if (leadingSpace) {
          out.add(' ').add(cps[i]).add(' ').add(cps[i + 1]);
        } else {
          out.add(cps[i]).add(' ').add(cps[i + 1]).add(' ');
        }
        i += 2;
      } else {
        out.add(cps[i++]);
      }
    }
    return out.toArray();
  }

  /** A growable int array, enough for the rewriting passes above. */
  private static final class IntBuffer {
    private int[] data;
    private int size;

    IntBuffer(int expected) {
      data = new int[Math.max(16, expected + expected / 2)];
    }

    IntBuffer add(int v) {
      if (size == data.length) {
        data = Arrays.copyOf(data, size * 2);
      }
      data[size++] = v;
      return this;
    }

    int[] toArray() {
      return Arrays.copyOf(data, size);
    }
  }
}
