package io.seqspark.core.eval;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Random;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

/**
 * The tokenizers and the Python string semantics under them. Expected strings follow sacreBLEU's substitution lists
 * step by step (worked in the comments); each was also confirmed by running sacreBLEU's own regular expressions.
 */
class BleuTokenizerTest {
  private static final BleuTokenizer T13A = BleuTokenizer.V13A;
  private static final BleuTokenizer INTL = BleuTokenizer.INTL;

  @Test
  void v13a_splitsPunctuationAndSymbols_butKeepsApostrophesHyphensAndNumbers() {
    // "!" is in the first class; "o," matches (non-digit)(comma); ", " then matches (comma)(non-digit)
    assertEquals("Hello , world !", T13A.tokenize("Hello, world!"));
    // "$" split; the commas and periods inside 3,000.50 touch digits on both sides and stay; the final "." is
    // followed by the padding space, so it is split off
    assertEquals("It costs $ 3,000.50 .", T13A.tokenize("It costs $3,000.50."));
    // a dash after a digit is split, a dash between letters is not
    assertEquals("1990 - 2000 state-of-the-art", T13A.tokenize("1990-2000 state-of-the-art"));
    assertEquals("5 - year-old", T13A.tokenize("5-year-old"));
    assertEquals("don't stop", T13A.tokenize("don't <skipped>stop"));
    assertEquals("3.14 and end 5 .", T13A.tokenize("3.14 and end 5."));
    assertEquals("x , , y . . z", T13A.tokenize("x,,y..z"));
    assertEquals("( a ) [ b ] { c }", T13A.tokenize("(a)[b]{c}"));
  }

  @Test
  void v13a_unescapesTheFourHtmlEntities_beforeSplitting() {
    assertEquals("\" Hi \" & < b >", T13A.tokenize("&quot;Hi&quot; &amp; &lt;b&gt;"));
    // &amp;quot; becomes &quot; only after the &quot; pass has run, so it stays (sacreBLEU's order)
    assertEquals("& quot ;", T13A.tokenize("&amp;quot;"));
  }

  @Test
  void v13a_leavesNonAsciiPunctuationAttached_whereIntlSplitsIt() {
    assertEquals("“Hello , ” she said .", T13A.tokenize("“Hello,” she said."));
    assertEquals("“ Hello , ” she said .", INTL.tokenize("“Hello,” she said."));
    assertEquals("x¿y ? ¡z !", T13A.tokenize("x¿y? ¡z!"));
    assertEquals("x ¿ y ? ¡ z !", INTL.tokenize("x¿y? ¡z!"));
  }

  @Test
  void intl_splitsUnicodeSymbols_andKeepsPunctuationBetweenDigits() {
    assertEquals("€ 5 or 5 € , 3 + 4 = 7", INTL.tokenize("€5 or 5€, 3+4=7"));
    assertEquals("1,000.5", INTL.tokenize("1,000.5"));
    // not padded: a period after a number at the end of the line stays on it (as in mteval-v14)
    assertEquals("end 5.", INTL.tokenize("end 5."));
    assertEquals("1990-2000 state - of - the - art", INTL.tokenize("1990-2000 state-of-the-art"));
    assertEquals("don ' t", INTL.tokenize("don't"));
    assertEquals(". . .", INTL.tokenize("..."));
  }

  @Test
  void intl_splitsSymbolsNewerThanJavasUnicode() {
    // U+10ED1 (Unicode 16/17, So) is unassigned for Java 17 but a symbol for sacreBLEU's regex module
    String sym = new String(Character.toChars(0x10ED1));
    assertEquals("a " + sym + " b", INTL.tokenize("a" + sym + "b"));
    assertTrue(UnicodeCategories.isSymbol(0x20C1), "U+20C1 SAUDI RIYAL SIGN (Unicode 17)");
    assertTrue(UnicodeCategories.isPunctuation(0x061D), "U+061D ARABIC END OF TEXT MARK (Unicode 14)");
    assertTrue(UnicodeCategories.isNumber(0x1E4F0), "U+1E4F0 NAG MUNDARI DIGIT ZERO (Unicode 15)");
    assertFalse(UnicodeCategories.isSymbol(0x10FFFD), "a private-use character is none of them");
  }

  @Test
  void addedCategoryTable_isSortedAndDisjoint() throws Exception {
    var field = UnicodeCategories.class.getDeclaredField("ADDED");
    field.setAccessible(true);
    int[] t = (int[]) field.get(null);
    assertEquals(3 * UnicodeCategories.addedRanges(), t.length);
    for (int k = 0; k < t.length; k += 3) {
      assertTrue(t[k] <= t[k + 1], "range " + k / 3 + " is not empty");
      assertTrue(k == 0 || t[k - 2] < t[k], "range " + k / 3 + " starts after the previous one ends");
      assertTrue(t[k + 2] >= 1 && t[k + 2] <= 3);
    }
  }

  @Test
  void none_onlySplitsAtWhiteSpace() {
    assertEquals("Hello, world!", BleuTokenizer.NONE.tokenize("Hello, world!"));
    assertArrayEquals(new String[] {"Hello,", "world!"}, BleuTokenizer.NONE.tokens("  Hello,\tworld! "));
  }

  @Test
  void whiteSpace_isPythons_notJavas() {
    // Python's str.split() splits at NBSP (U+00A0) and NEL (U+0085), not at the zero-width space U+200B;
    // Character.isWhitespace says the opposite for the first two
    assertEquals("a b c\u200Bd", T13A.tokenize("a\u00A0b\u0085c\u200Bd"));
    assertArrayEquals(new String[] {"a", "b", "c"}, PyText.split("\u3000a\u2028b\u202Fc\u001F"));
    assertArrayEquals(new String[0], PyText.split(" \t\n "));
    assertEquals("", T13A.tokenize("   "));
    assertEquals("a b", PyText.rstrip("a b\u00A0\u2009\n"));
    assertEquals("ab", PyText.removeSpace(" a\u00A0b "));
  }

  @Test
  void fixed_roundsTheBinaryValueHalfToEven_likePythonFormat() {
    assertEquals("0.12", PyText.fixed(0.125, 2), "0.125 is exact in binary: a tie, to even");
    assertEquals("0.38", PyText.fixed(0.375, 2));
    assertEquals("2.67", PyText.fixed(2.675, 2), "2.675 is 2.67499999... in binary");
    assertEquals("79.04", PyText.fixed(79.03519294501426, 2));
    assertEquals("100.0", PyText.fixed(100.00000000000004, 1));
    assertEquals("-0.00", PyText.fixed(-0.001, 2));
  }

  @Test
  void named_acceptsSacrebleuNames_andRejectsOthersWithTheChoices() {
    assertEquals(BleuTokenizer.V13A, BleuTokenizer.named("13a"));
    assertEquals(BleuTokenizer.INTL, BleuTokenizer.named("intl"));
    assertEquals(BleuTokenizer.NONE, BleuTokenizer.named("none"));
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> BleuTokenizer.named("zh"));
    assertTrue(e.getMessage().contains("'zh'") && e.getMessage().contains("13a"), e.getMessage());
  }

  /**
   * The code-point scanners do what sacreBLEU's {@code re.sub} calls do: compared with the same patterns run by
   * java.util.regex (whose left-to-right, non-overlapping replaceAll matches Python's sub) on random strings drawn
   * from characters that exercise every class, including a supplementary letter, a non-ASCII digit and white space
   * Python and Java disagree on.
   */
  @Test
  void scanners_agreeWithTheRegularExpressions_onRandomText() {
    String[] pool = {"a", "Z", "0", "7", "٣", "²", ".", ",", "-", "'", "\"", "$", "&", "&amp;", "&quot;", "/", "(",
        ")", "[", "\\", "`", "{", "~", "@", ":", "<", "+", "“", "”", "¿", "€", "—", "·", " ", "  ", "\t", "\u00A0",
        "\u2009", "é", "\uD835\uDC00", "<skipped>", "-\n", "\n"};
    Random random = new Random(15);
    for (int trial = 0; trial < 3000; trial++) {
      StringBuilder b = new StringBuilder();
      int len = random.nextInt(14);
      for (int i = 0; i < len; i++) {
        b.append(pool[random.nextInt(pool.length)]);
      }
      String line = b.toString();
      assertEquals(regex13a(line), T13A.tokenize(line), "13a of '" + line + "'");
      assertEquals(regexIntl(line), INTL.tokenize(line), "intl of '" + line + "'");
    }
  }

  private static final Pattern[] P13A = {
      Pattern.compile("([\\{-\\~\\[-\\` -\\&\\(-\\+\\:-\\@\\/])"), Pattern.compile("([^0-9])([\\.,])"),
      Pattern.compile("([\\.,])([^0-9])"), Pattern.compile("([0-9])(-)")};
  private static final String[] R13A = {" $1 ", "$1 $2 ", " $1 $2", "$1 $2 "};
  private static final Pattern[] PINTL = {
      Pattern.compile("(\\P{N})(\\p{P})"), Pattern.compile("(\\p{P})(\\P{N})"), Pattern.compile("(\\p{S})")};
  private static final String[] RINTL = {"$1 $2 ", " $1 $2", " $1 "};

  private static String regex13a(String line) {
    String s = line.replace("<skipped>", "").replace("-\n", "").replace("\n", " ");
    s = s.replace("&quot;", "\"").replace("&amp;", "&").replace("&lt;", "<").replace("&gt;", ">");
    s = " " + s + " ";
    for (int k = 0; k < P13A.length; k++) {
      s = P13A[k].matcher(s).replaceAll(R13A[k]);
    }
    return PyText.squeeze(s);
  }

  private static String regexIntl(String line) {
    String s = line;
    for (int k = 0; k < PINTL.length; k++) {
      s = PINTL[k].matcher(s).replaceAll(RINTL[k]);
    }
    return PyText.squeeze(s);
  }
}
