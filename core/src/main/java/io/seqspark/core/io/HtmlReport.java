package io.seqspark.core.io;

import java.io.IOException;
import java.math.BigDecimal;
import java.math.MathContext;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;

/**
 * {@code report.html}: the metric curves of a run as one self-contained page (inline SVG, no scripts, no external
 * CSS), so it opens from a cluster's file browser or an e-mail attachment and can be regenerated from
 * {@code metrics.jsonl} at any time.
 *
 * <p>Every numeric key that appears in records with a numeric {@code step} becomes one plot against step. A later
 * record for the same step replaces an earlier one (a resumed run re-logs the steps after its checkpoint).
 * Non-finite values (written as {@code "NaN"} strings by {@link Json}) break the line and are marked in red at the
 * top. A positive series spanning 30x or more (perplexity) is drawn on a log axis.
 */
public final class HtmlReport {

  private static final int W = 560;
  private static final int H = 230;
  private static final int LEFT = 64;
  private static final int RIGHT = 16;
  private static final int TOP = 16;
  private static final int BOTTOM = 36;

  private static final String[] COLORS = {"#1f77b4", "#ff7f0e", "#2ca02c", "#d62728", "#9467bd"};

  private HtmlReport() {}

  /**
   * An extra figure: several named curves over one x axis, drawn after the metric plots (e.g. forecasts against
   * actuals). Curves are drawn in order, each in its own colour, with a legend, on a linear axis.
   */
  public record Figure(String caption, String xLabel, Map<String, TreeMap<Double, Double>> curves) {
  }

  /** Renders and writes the report atomically. */
  public static void write(Path html, List<Map<String, Object>> metrics, String title) throws IOException {
    AtomicFiles.writeString(html, render(metrics, title));
  }

  /** Renders and writes the report with extra figures, atomically. */
  public static void write(Path html, List<Map<String, Object>> metrics, String title, List<Figure> figures)
      throws IOException {
    AtomicFiles.writeString(html, render(metrics, title, figures));
  }

  /** The report as HTML text. */
  public static String render(List<Map<String, Object>> metrics, String title) {
    return render(metrics, title, List.of());
  }

  /** The report as HTML text, with extra figures after the metric plots. */
  public static String render(List<Map<String, Object>> metrics, String title, List<Figure> figures) {
    Map<String, TreeMap<Double, Double>> series = series(metrics);
    StringBuilder sb = new StringBuilder(4096);
    sb.append("<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n<title>")
        .append(esc(title)).append("</title>\n<style>\n")
        .append("body{font-family:system-ui,sans-serif;margin:24px;color:#222}")
        .append(".plots{display:flex;flex-wrap:wrap;gap:16px}figure{margin:0}")
        .append("figcaption{font-weight:600;margin:4px 0}svg{background:#fff;border:1px solid #ddd}")
        .append("table{border-collapse:collapse;margin-top:24px}td,th{border:1px solid #ddd;padding:4px 10px;")
        .append("text-align:right}th:first-child,td:first-child{text-align:left}\n</style>\n</head>\n<body>\n<h1>")
        .append(esc(title)).append("</h1>\n<p>").append(metrics.size()).append(" records, ").append(series.size())
        .append(" metrics.</p>\n");
    if (series.isEmpty()) {
      sb.append("<p>No numeric metrics with a step yet.</p>\n");
    }
    sb.append("<div class=\"plots\">\n");
    for (Map.Entry<String, TreeMap<Double, Double>> e : series.entrySet()) {
      plot(sb, e.getKey(), "step", Map.of(e.getKey(), e.getValue()), true);
    }
    for (Figure fig : figures) {
      plot(sb, fig.caption(), fig.xLabel(), fig.curves(), false);
    }
    sb.append("</div>\n<table>\n<tr><th>metric</th><th>last step</th><th>last</th><th>min</th><th>max</th></tr>\n");
    for (Map.Entry<String, TreeMap<Double, Double>> e : series.entrySet()) {
      Map.Entry<Double, Double> last = e.getValue().lastEntry();
      double[] range = finiteRange(e.getValue());
      sb.append("<tr><td>").append(esc(e.getKey())).append("</td><td>").append(num(last.getKey()))
          .append("</td><td>").append(num(last.getValue())).append("</td><td>")
          .append(range == null ? "" : num(range[0])).append("</td><td>")
          .append(range == null ? "" : num(range[1])).append("</td></tr>\n");
    }
    sb.append("</table>\n</body>\n</html>\n");
    return sb.toString();
  }

  /** key → (step → value), keys in order of first appearance. */
  static Map<String, TreeMap<Double, Double>> series(List<Map<String, Object>> metrics) {
    Map<String, TreeMap<Double, Double>> series = new LinkedHashMap<>();
    for (Map<String, Object> record : metrics) {
      Double step = value(record.get("step"));
      if (step == null || !Double.isFinite(step)) {
        continue;
      }
      for (Map.Entry<String, Object> e : record.entrySet()) {
        Double v = value(e.getValue());
        if (!e.getKey().equals("step") && v != null) {
          series.computeIfAbsent(e.getKey(), k -> new TreeMap<>()).put(step, v);
        }
      }
    }
    return series;
  }

  private static Double value(Object o) {
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

  private static double[] finiteRange(TreeMap<Double, Double> points) {
    double lo = Double.POSITIVE_INFINITY;
    double hi = Double.NEGATIVE_INFINITY;
    for (double v : points.values()) {
      if (Double.isFinite(v)) {
        lo = Math.min(lo, v);
        hi = Math.max(hi, v);
      }
    }
    return lo <= hi ? new double[] {lo, hi} : null;
  }

  private static void plot(StringBuilder sb, String key, String xLabel, Map<String, TreeMap<Double, Double>> curves,
                           boolean allowLog) {
    TreeMap<Double, Double> points = new TreeMap<>();
    for (TreeMap<Double, Double> c : curves.values()) {
      // the union only sets the axes' ranges: any finite value of a key stands for it
      for (Map.Entry<Double, Double> e : c.entrySet()) {
        points.merge(e.getKey(), e.getValue(), (a, b) -> Double.isFinite(a) ? a : b);
      }
    }
    double[] yr = null;
    for (TreeMap<Double, Double> c : curves.values()) {
      double[] r = finiteRange(c);
      if (r != null) {
        yr = yr == null ? r : new double[] {Math.min(yr[0], r[0]), Math.max(yr[1], r[1])};
      }
    }
    boolean log = allowLog && yr != null && yr[0] > 0 && yr[1] / yr[0] >= 30;
    long nonFinite = curves.values().stream().flatMap(c -> c.values().stream()).filter(v -> !Double.isFinite(v)).count();
    sb.append("<figure>\n<figcaption>").append(esc(key)).append(log ? " (log scale)" : "")
        .append(nonFinite > 0 ? " — " + nonFinite + " non-finite" : "").append("</figcaption>\n")
        .append("<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"").append(W).append("\" height=\"").append(H)
        .append("\" viewBox=\"0 0 ").append(W).append(' ').append(H).append("\" role=\"img\" aria-label=\"")
        .append(esc(key)).append(" by ").append(esc(xLabel)).append("\">\n");
    double x0 = points.firstKey();
    double x1 = points.lastKey();
    if (x0 == x1) {
      x0 -= 1;
      x1 += 1;
    }
    double y0;
    double y1;
    if (yr == null) {
      y0 = 0;
      y1 = 1;
    } else if (log) {
      y0 = Math.log10(yr[0]);
      y1 = Math.log10(yr[1]);
    } else {
      double pad = yr[0] == yr[1] ? (yr[0] == 0 ? 1 : Math.abs(yr[0]) * 0.1) : 0;
      y0 = yr[0] - pad;
      y1 = yr[1] + pad;
    }
    Scale sx = new Scale(x0, x1, LEFT, W - RIGHT);
    Scale sy = new Scale(y0, y1, H - BOTTOM, TOP);
    // axes
    sb.append("<g stroke=\"#888\" stroke-width=\"1\"><line x1=\"").append(LEFT).append("\" y1=\"").append(H - BOTTOM)
        .append("\" x2=\"").append(W - RIGHT).append("\" y2=\"").append(H - BOTTOM).append("\"/><line x1=\"")
        .append(LEFT).append("\" y1=\"").append(TOP).append("\" x2=\"").append(LEFT).append("\" y2=\"")
        .append(H - BOTTOM).append("\"/></g>\n<g font-size=\"11\" fill=\"#444\">\n");
    for (double t : ticks(x0, x1)) {
      double px = sx.map(t);
      sb.append("<line x1=\"").append(f(px)).append("\" y1=\"").append(H - BOTTOM).append("\" x2=\"").append(f(px))
          .append("\" y2=\"").append(H - BOTTOM + 4).append("\" stroke=\"#888\"/><text x=\"").append(f(px))
          .append("\" y=\"").append(H - BOTTOM + 16).append("\" text-anchor=\"middle\">").append(num(t))
          .append("</text>\n");
    }
    List<Double> yTicks = log ? logTicks(y0, y1) : ticks(y0, y1);
    for (double t : yTicks) {
      double py = sy.map(t);
      sb.append("<line x1=\"").append(LEFT - 4).append("\" y1=\"").append(f(py)).append("\" x2=\"").append(W - RIGHT)
          .append("\" y2=\"").append(f(py)).append("\" stroke=\"#eee\"/><text x=\"").append(LEFT - 6)
          .append("\" y=\"").append(f(py + 4)).append("\" text-anchor=\"end\">").append(num(log ? Math.pow(10, t) : t))
          .append("</text>\n");
    }
    sb.append("<text x=\"").append((LEFT + W - RIGHT) / 2).append("\" y=\"").append(H - 4)
        .append("\" text-anchor=\"middle\">").append(esc(xLabel)).append("</text>\n</g>\n");
    int ci = 0;
    for (Map.Entry<String, TreeMap<Double, Double>> c : curves.entrySet()) {
      String color = COLORS[ci % COLORS.length];
      curve(sb, c.getValue(), sx, sy, log, color);
      if (curves.size() > 1) {
        sb.append("<text x=\"").append(W - RIGHT - 4).append("\" y=\"").append(TOP + 12 + 14 * ci)
            .append("\" font-size=\"11\" text-anchor=\"end\" fill=\"").append(color).append("\">")
            .append(esc(c.getKey())).append("</text>\n");
      }
      ci++;
    }
    sb.append("</svg>\n</figure>\n");
  }

  private static void curve(StringBuilder sb, TreeMap<Double, Double> points, Scale sx, Scale sy, boolean log,
                            String color) {
    // the curve: broken at non-finite values; isolated points (and short series) get a dot
    StringBuilder path = new StringBuilder();
    StringBuilder marks = new StringBuilder();
    List<Map.Entry<Double, Double>> list = new ArrayList<>(points.entrySet());
    for (int i = 0; i < list.size(); i++) {
      double step = list.get(i).getKey();
      double v = list.get(i).getValue();
      if (!Double.isFinite(v)) {
        marks.append("<line x1=\"").append(f(sx.map(step))).append("\" y1=\"").append(TOP).append("\" x2=\"")
            .append(f(sx.map(step))).append("\" y2=\"").append(TOP + 8).append("\" stroke=\"#d62728\"/>\n");
        continue;
      }
      double px = sx.map(step);
      double py = sy.map(log ? Math.log10(v) : v);
      boolean prevFinite = i > 0 && Double.isFinite(list.get(i - 1).getValue());
      boolean nextFinite = i + 1 < list.size() && Double.isFinite(list.get(i + 1).getValue());
      path.append(prevFinite ? " L" : " M").append(f(px)).append(' ').append(f(py));
      if ((!prevFinite && !nextFinite) || list.size() <= 40) {
        marks.append("<circle cx=\"").append(f(px)).append("\" cy=\"").append(f(py))
            .append("\" r=\"2.5\" fill=\"").append(color).append("\"/>\n");
      }
    }
    if (path.length() > 0) {
      sb.append("<path d=\"").append(path.toString().trim())
          .append("\" fill=\"none\" stroke=\"").append(color).append("\" stroke-width=\"1.5\"/>\n");
    }
    sb.append(marks);
  }

  private record Scale(double lo, double hi, double from, double to) {
    double map(double v) {
      return from + (v - lo) / (hi - lo) * (to - from);
    }
  }

  /** About five round-numbered ticks inside [lo, hi]. */
  static List<Double> ticks(double lo, double hi) {
    double step = nice((hi - lo) / 4);
    List<Double> out = new ArrayList<>();
    if (!(step > 0) || !Double.isFinite(step)) {
      out.add(lo);
      return out;
    }
    for (double t = Math.ceil(lo / step) * step; t <= hi + step * 1e-9 && out.size() < 20; t += step) {
      out.add(Math.abs(t) < step * 1e-9 ? 0.0 : t);
    }
    return out;
  }

  /** Ticks on a log10 axis: 1, 2, 5 x 10^k inside the range, thinned to powers of ten if crowded. */
  private static List<Double> logTicks(double lo, double hi) {
    List<Double> all = new ArrayList<>();
    List<Double> decades = new ArrayList<>();
    for (int k = (int) Math.floor(lo); k <= Math.ceil(hi); k++) {
      for (int m : new int[] {1, 2, 5}) {
        double t = Math.log10(m) + k;
        if (t >= lo - 1e-9 && t <= hi + 1e-9) {
          all.add(t);
          if (m == 1) {
            decades.add(t);
          }
        }
      }
    }
    return all.size() <= 8 ? all : decades;
  }

  private static double nice(double raw) {
    if (!(raw > 0)) {
      return 0;
    }
    double mag = Math.pow(10, Math.floor(Math.log10(raw)));
    double r = raw / mag;
    return (r < 1.5 ? 1 : r < 3 ? 2 : r < 7 ? 5 : 10) * mag;
  }

  private static String f(double d) {
    return String.format(Locale.ROOT, "%.1f", d);
  }

  static String num(double d) {
    if (!Double.isFinite(d)) {
      return Double.isNaN(d) ? "NaN" : d > 0 ? "inf" : "-inf";
    }
    double a = Math.abs(d);
    if (a != 0 && (a >= 1e7 || a < 1e-3)) {
      return String.format(Locale.ROOT, "%.3g", d);
    }
    return new BigDecimal(d).round(new MathContext(4)).stripTrailingZeros().toPlainString();
  }

  private static String esc(String s) {
    return s.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;").replace("\"", "&quot;")
        .replace("'", "&#39;");
  }
}
