package io.seqspark.core.io;

import java.math.BigDecimal;
import java.math.MathContext;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/** How {@link HtmlReport} writes numbers, durations, sizes, metric names and any text into HTML. */
final class ReportFormat {

  private ReportFormat() {}

  /** A metrics value as a double: numbers, and the strings {@link Json} writes for non-finite values; else null. */
  static Double number(Object o) {
    if (o instanceof Number n) {
      return n.doubleValue();
    }
    if (o instanceof String s) {
      switch (s) {
        case "NaN": return Double.NaN;
        case "Infinity": return Double.POSITIVE_INFINITY;
        case "-Infinity": return Double.NEGATIVE_INFINITY;
        default: return null;
      }
    }
    return null;
  }

  /** A number for axes: 4 significant digits, exponent form from 1e7 on (and below 1e-6). */
  static String num(double d) {
    if (!Double.isFinite(d)) {
      return Double.isNaN(d) ? "NaN" : d > 0 ? "inf" : "-inf";
    }
    double a = Math.abs(d);
    if (a >= 1e7) {
      return String.format(Locale.ROOT, "%.3g", d);
    }
    if (a != 0 && a < 1e-3) {
      return new BigDecimal(d).round(new MathContext(3)).stripTrailingZeros().toString().replace('E', 'e');
    }
    return new BigDecimal(d).round(new MathContext(4)).stripTrailingZeros().toPlainString();
  }

  /** A value for headlines and tables: 5 significant digits, thousands grouped from 10,000 on. */
  static String value(double v) {
    if (!Double.isFinite(v) || (v != 0 && Math.abs(v) < 1e-3)) {
      return num(v);
    }
    if (Math.abs(v) >= 10_000) {
      return count(Math.round(v));
    }
    return new BigDecimal(v).round(new MathContext(5)).stripTrailingZeros().toPlainString();
  }

  /** A step: whole numbers in full with thousands grouped. */
  static String step(double d) {
    return d == Math.rint(d) && Math.abs(d) < 1e15 ? count((long) d) : num(d);
  }

  static String count(long n) {
    return String.format(Locale.ROOT, "%,d", n);
  }

  /** 2_345_678 → "2.35 M". */
  static String scaled(double n) {
    double a = Math.abs(n);
    return a >= 1e9 ? String.format(Locale.ROOT, "%.3g G", n / 1e9)
        : a >= 1e6 ? String.format(Locale.ROOT, "%.3g M", n / 1e6)
        : String.format(Locale.ROOT, "%.3g k", n / 1e3);
  }

  /** Seconds as "4.2 s", "3 min 05 s" or "2 h 07 min". */
  static String duration(double seconds) {
    if (!Double.isFinite(seconds)) {
      return num(seconds);
    }
    if (seconds < 60) {
      return String.format(Locale.ROOT, "%.1f s", seconds);
    }
    long s = Math.round(seconds);
    if (s < 3600) {
      return String.format(Locale.ROOT, "%d min %02d s", s / 60, s % 60);
    }
    return String.format(Locale.ROOT, "%d h %02d min", s / 3600, (s % 3600) / 60);
  }

  /** File sizes in decimal units: 1023291 → "1.02 MB". */
  static String bytes(long n) {
    return n < 1000 ? n + " B" : n < 1e6 ? String.format(Locale.ROOT, "%.3g kB", n / 1e3)
        : n < 1e9 ? String.format(Locale.ROOT, "%.3g MB", n / 1e6) : String.format(Locale.ROOT, "%.3g GB", n / 1e9);
  }

  /** A key in words: "validPerplexity" → "valid perplexity", "persistence_rmse" → "persistence RMSE". */
  static String label(String key) {
    String spaced = key.replaceAll("([a-z0-9])([A-Z])", "$1 $2").replace('_', ' ').toLowerCase(Locale.ROOT);
    StringBuilder out = new StringBuilder();
    for (String w : spaced.split(" ")) {
      if (w.isEmpty()) {
        continue;
      }
      if (out.length() > 0) {
        out.append(' ');
      }
      out.append(switch (w) {
        case "rmse", "mae", "mase", "mse", "f1", "auc", "bleu", "lr" -> w.toUpperCase(Locale.ROOT);
        case "ppl" -> "perplexity";
        case "acc" -> "accuracy";
        default -> w;
      });
    }
    return out.toString();
  }

  /** A config or manifest value as text (not yet escaped): lists in brackets, the empty string as {@code ""}. */
  static String text(Object v) {
    if (v == null) {
      return "null";
    }
    if (v instanceof Double d) {
      return value(d);
    }
    if (v instanceof String s) {
      return s.isEmpty() ? "\"\"" : s;
    }
    if (v instanceof List<?> l) {
      List<String> parts = new ArrayList<>();
      l.forEach(o -> parts.add(text(o)));
      return "[" + String.join(", ", parts) + "]";
    }
    return String.valueOf(v);
  }

  /** Escapes text for HTML element content and attribute values. */
  static String esc(String s) {
    return s.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;").replace("\"", "&quot;")
        .replace("'", "&#39;");
  }
}
