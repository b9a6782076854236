package io.seqspark.core.eval;

/**
 * Membership in the Unicode general categories Punctuation (P), Symbol (S) and Number (N), as the Python
 * {@code regex} module's {@code \p{P}}, {@code \p{S}} and {@code \p{N}} see them: the character classes of sacreBLEU's
 * {@code intl} tokenizer.
 *
 * <p>Java 17 knows Unicode 13.0; sacreBLEU 2.6.0 runs on a {@code regex} release that knows Unicode 17.0. The
 * categories of characters Java already knows did not change between the two (checked code point by code point against
 * {@code regex} 2026.5.9), but Unicode 14 to 17 assigned 75 ranges of new characters to these
 * categories, which Java reports as unassigned. {@link #ADDED} lists them, so {@code intl} splits them off as
 * sacreBLEU does on any JVM.
 */
final class UnicodeCategories {
  private static final int P = 1;
  private static final int S = 2;
  private static final int N = 3;

  /**
   * {first, last, category} of each code point range that became P, S or N after Unicode 13.0, in ascending order.
   * Derived by comparing {@link Character#getType} on Java 17 with {@code regex} 2026.5.9 over every code point.
   */
  private static final int[] ADDED = {
      0x061D, 0x061D, P, 0x0888, 0x0888, S, 0x1B4E, 0x1B4F, P,
      0x1B7D, 0x1B7F, P, 0x20C0, 0x20C1, S, 0x2427, 0x2429, S,
      0x2B96, 0x2B96, S, 0x2E53, 0x2E5D, P, 0x2FFC, 0x2FFF, S,
      0x31E4, 0x31E5, S, 0x31EF, 0x31EF, S, 0xFBC2, 0xFBD2, S,
      0xFD40, 0xFD4F, S, 0xFD90, 0xFD91, S, 0xFDC8, 0xFDCF, S,
      0xFDFE, 0xFDFF, S, 0x10D40, 0x10D49, N, 0x10D6E, 0x10D6E, P,
      0x10D8E, 0x10D8F, S, 0x10ED0, 0x10ED0, P, 0x10ED1, 0x10ED8, S,
      0x10F86, 0x10F89, P, 0x113D4, 0x113D5, P, 0x113D7, 0x113D8, P,
      0x116B9, 0x116B9, P, 0x116D0, 0x116E3, N, 0x11B00, 0x11B09, P,
      0x11BE1, 0x11BE1, P, 0x11BF0, 0x11BF9, N, 0x11DE0, 0x11DE9, N,
      0x11F43, 0x11F4F, P, 0x11F50, 0x11F59, N, 0x12FF1, 0x12FF2, P,
      0x16130, 0x16139, N, 0x16AC0, 0x16AC9, N, 0x16D6D, 0x16D6F, P,
      0x16D70, 0x16D79, N, 0x16FF4, 0x16FF6, N, 0x1CC00, 0x1CCEF, S,
      0x1CCF0, 0x1CCF9, N, 0x1CCFA, 0x1CCFC, S, 0x1CD00, 0x1CEB3, S,
      0x1CEBA, 0x1CED0, S, 0x1CEE0, 0x1CEF0, S, 0x1CF50, 0x1CFC3, S,
      0x1D1E9, 0x1D1EA, S, 0x1D2C0, 0x1D2D3, N, 0x1E4F0, 0x1E4F9, N,
      0x1E5F1, 0x1E5FA, N, 0x1E5FF, 0x1E5FF, P, 0x1F6D8, 0x1F6D8, S,
      0x1F6DC, 0x1F6DF, S, 0x1F774, 0x1F77F, S, 0x1F7D9, 0x1F7D9, S,
      0x1F7F0, 0x1F7F0, S, 0x1F8B2, 0x1F8BB, S, 0x1F8C0, 0x1F8C1, S,
      0x1F8D0, 0x1F8D8, S, 0x1F979, 0x1F979, S, 0x1F9CC, 0x1F9CC, S,
      0x1FA54, 0x1FA57, S, 0x1FA75, 0x1FA77, S, 0x1FA7B, 0x1FA7C, S,
      0x1FA87, 0x1FA8A, S, 0x1FA8E, 0x1FA8F, S, 0x1FAA9, 0x1FAAF, S,
      0x1FAB7, 0x1FABF, S, 0x1FAC3, 0x1FAC6, S, 0x1FAC8, 0x1FAC8, S,
      0x1FACD, 0x1FACF, S, 0x1FAD7, 0x1FADC, S, 0x1FADF, 0x1FAEA, S,
      0x1FAEF, 0x1FAF8, S, 0x1FBCB, 0x1FBEF, S, 0x1FBFA, 0x1FBFA, S,
  };

  private UnicodeCategories() {}

  /** Whether {@code cp} is punctuation: Pc, Pd, Ps, Pe, Pi, Pf or Po. */
  static boolean isPunctuation(int cp) {
    return category(cp) == P;
  }

  /** Whether {@code cp} is a symbol: Sm, Sc, Sk or So. */
  static boolean isSymbol(int cp) {
    return category(cp) == S;
  }

  /** Whether {@code cp} is a number: Nd, Nl or No. */
  static boolean isNumber(int cp) {
    return category(cp) == N;
  }

  private static int category(int cp) {
    switch (Character.getType(cp)) {
      case Character.CONNECTOR_PUNCTUATION, Character.DASH_PUNCTUATION, Character.START_PUNCTUATION,
          Character.END_PUNCTUATION, Character.INITIAL_QUOTE_PUNCTUATION, Character.FINAL_QUOTE_PUNCTUATION,
          Character.OTHER_PUNCTUATION:
        return P;
      case Character.MATH_SYMBOL, Character.CURRENCY_SYMBOL, Character.MODIFIER_SYMBOL, Character.OTHER_SYMBOL:
        return S;
      case Character.DECIMAL_DIGIT_NUMBER, Character.LETTER_NUMBER, Character.OTHER_NUMBER:
        return N;
      case Character.UNASSIGNED:
        return added(cp);
      default:
        return 0;
    }
  }

  /** The category {@link #ADDED} gives {@code cp}, or 0; a binary search over the range starts. */
  private static int added(int cp) {
    int lo = 0;
    int hi = ADDED.length / 3 - 1;
    while (lo <= hi) {
      int mid = (lo + hi) >>> 1;
      if (cp < ADDED[3 * mid]) {
        hi = mid - 1;
      } else if (cp > ADDED[3 * mid + 1]) {
        lo = mid + 1;
      } else {
        return ADDED[3 * mid + 2];
      }
    }
    return 0;
  }

  /** The number of ranges in the table (for tests). */
  static int addedRanges() {
    return ADDED.length / 3;
  }
}
