package io.seqspark.spark.ingest;

/**
 * Strict UTF-8 well-formedness (Unicode 15, table 3-7: no overlong forms, no surrogates, nothing above U+10FFFF),
 * the same bytes Java's REPORTing decoder rejects, checked without allocating so a valid record can go straight to
 * {@code new String(bytes, UTF_8)}.
 */
final class Utf8 {
  private Utf8() {}

  static boolean isValid(byte[] b, int off, int len) {
    int i = off;
    int end = off + len;
    while (i < end) {
      if (b[i] >= 0) {
        i++;
        continue;
      }
      int c = b[i] & 0xff;
      int n;
      if (c >= 0xC2 && c <= 0xDF) {
        n = 1;
      } else if (c >= 0xE0 && c <= 0xEF) {
        n = 2;
      } else if (c >= 0xF0 && c <= 0xF4) {
        n = 3;
      } else {
        return false;
      }
      if (end - i <= n) {
        return false;
      }
      int c1 = b[i + 1] & 0xff;
      if ((c1 & 0xC0) != 0x80 || c == 0xE0 && c1 < 0xA0 || c == 0xED && c1 > 0x9F || c == 0xF0 && c1 < 0x90
          || c == 0xF4 && c1 > 0x8F) {
        return false;
      }
      for (int k = 2; k <= n; k++) {
        if ((b[i + k] & 0xC0) != 0x80) {
          return false;
        }
      }
      i += n + 1;
    }
    return true;
  }
}
