package io.seqspark.core.io;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;

/**
 * One line chart as inline SVG for {@link HtmlReport}: several named curves over one x axis, a legend above the plot
 * when there is more than one, round-numbered ticks (or date labels), and a log y axis for positive values spanning
 * 30x or more when allowed.
 *
 * <p>Non-finite values break the line and are marked in red at the top. Points carry an SVG {@code <title>}, so a
 * browser shows the value on hover without any script.
 */
final class SvgPlot {

  static final int W = 560;
  static final int H = 240;
  private static final int LEFT = 64;
  private static final int RIGHT = 16;
  private static final int BOTTOM = 36;

  static final String[] COLORS = {"#1f77b4", "#ff7f0e", "#2ca02c", "#d62728", "#9467bd", "#8c564b"};

  private SvgPlot() {}

  /**
   * Appends a {@code <figure>} holding the chart.
   *
   * @param xNames labels of integer x values (x = index), e.g. dates; empty to label x with numbers
   */
  static void plot(StringBuilder sb, String caption, String xLabel, Map<String, TreeMap<Double, Double>> curves,
                   boolean allowLog, List<String> xNames) {
    TreeMap<Double, Double> points = new TreeMap<>();
    double[] yr = null;
    long nonFinite = 0;
    for (TreeMap<Double, Double> c : curves.values()) {
      c.forEach((x, y) -> points.merge(x, y, (a, b) -> Double.isFinite(a) ? a : b));
      double[] r = finiteRange(c);
      if (r != null) {
        yr = yr == null ? r : new double[] {Math.min(yr[0], r[0]), Math.max(yr[1], r[1])};
      }
      nonFinite += c.values().stream().filter(v -> !Double.isFinite(v)).count();
    }
    boolean log = allowLog && yr != null && yr[0] > 0 && yr[1] / yr[0] >= 30;
    int top = curves.size() > 1 ? 30 : 14;
    sb.append("<figure>\n<figcaption>").append(ReportFormat.esc(caption)).append(log ? " (log scale)" : "")
        .append(nonFinite > 0 ? " — " + nonFinite + " non-finite" : "").append("</figcaption>\n")
        .append("<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"").append(W).append("\" height=\"").append(H)
        .append("\" viewBox=\"0 0 ").append(W).append(' ').append(H).append("\" role=\"img\" aria-label=\"")
        .append(ReportFormat.esc(caption)).append(" by ").append(ReportFormat.esc(xLabel)).append("\">\n");
    if (points.isEmpty()) {
      sb.append("</svg>\n</figure>\n");
      return;
    }
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
      // a little headroom so the extreme points do not sit on the frame
      double span = yr[1] - yr[0];
      double pad = span == 0 ? (yr[0] == 0 ? 1 : Math.abs(yr[0]) * 0.1) : span * 0.04;
      y0 = yr[0] - pad;
      y1 = yr[1] + pad;
    }
    Scale sx = new Scale(x0, x1, LEFT, W - RIGHT);
    Scale sy = new Scale(y0, y1, H - BOTTOM, top);
    sb.append("<g stroke=\"#888\" stroke-width=\"1\"><line x1=\"").append(LEFT).append("\" y1=\"").append(H - BOTTOM)
        .append("\" x2=\"").append(W - RIGHT).append("\" y2=\"").append(H - BOTTOM).append("\"/><line x1=\"")
        .append(LEFT).append("\" y1=\"").append(top).append("\" x2=\"").append(LEFT).append("\" y2=\"")
        .append(H - BOTTOM).append("\"/></g>\n<g font-size=\"11\" fill=\"#444\">\n");
    for (Map.Entry<Double, String> t : xTicks(x0, x1, xNames).entrySet()) {
      double px = sx.map(t.getKey());
      sb.append("<line x1=\"").append(f(px)).append("\" y1=\"").append(H - BOTTOM).append("\" x2=\"").append(f(px))
          .append("\" y2=\"").append(H - BOTTOM + 4).append("\" stroke=\"#888\"/><text x=\"").append(f(px))
          .append("\" y=\"").append(H - BOTTOM + 16).append("\" text-anchor=\"middle\">")
          .append(ReportFormat.esc(t.getValue())).append("</text>\n");
    }
    for (double t : log ? logTicks(y0, y1) : ticks(y0, y1)) {
      double py = sy.map(t);
      sb.append("<line x1=\"").append(LEFT - 4).append("\" y1=\"").append(f(py)).append("\" x2=\"").append(W - RIGHT)
          .append("\" y2=\"").append(f(py)).append("\" stroke=\"#eee\"/><text x=\"").append(LEFT - 6)
          .append("\" y=\"").append(f(py + 4)).append("\" text-anchor=\"end\">")
          .append(ReportFormat.num(log ? Math.pow(10, t) : t)).append("</text>\n");
    }
    sb.append("<text x=\"").append((LEFT + W - RIGHT) / 2).append("\" y=\"").append(H - 4)
        .append("\" text-anchor=\"middle\">").append(ReportFormat.esc(xLabel)).append("</text>\n</g>\n");
    int ci = 0;
    double legendX = LEFT;
    for (Map.Entry<String, TreeMap<Double, Double>> c : curves.entrySet()) {
      String color = COLORS[ci % COLORS.length];
      curve(sb, c.getKey(), c.getValue(), sx, sy, log, color, top, xNames);
      if (curves.size() > 1) {
        sb.append("<line x1=\"").append(f(legendX)).append("\" y1=\"10\" x2=\"").append(f(legendX + 16))
            .append("\" y2=\"10\" stroke=\"").append(color).append("\" stroke-width=\"2.5\"/><text x=\"")
            .append(f(legendX + 20)).append("\" y=\"14\" font-size=\"11\" fill=\"#333\">")
            .append(ReportFormat.esc(c.getKey())).append("</text>\n");
        legendX += 34 + 6.2 * c.getKey().length();
      }
      ci++;
    }
    sb.append("</svg>\n</figure>\n");
  }

  private static void curve(StringBuilder sb, String name, TreeMap<Double, Double> points, Scale sx, Scale sy,
                            boolean log, String color, int top, List<String> xNames) {
    // the curve: broken at non-finite values; isolated points (and short series) get a dot with its value on hover
    StringBuilder path = new StringBuilder();
    StringBuilder marks = new StringBuilder();
    List<Map.Entry<Double, Double>> list = new ArrayList<>(points.entrySet());
    for (int i = 0; i < list.size(); i++) {
      double x = list.get(i).getKey();
      double v = list.get(i).getValue();
      if (!Double.isFinite(v)) {
        marks.append("<line x1=\"").append(f(sx.map(x))).append("\" y1=\"").append(top).append("\" x2=\"")
            .append(f(sx.map(x))).append("\" y2=\"").append(top + 8).append("\" stroke=\"#d62728\"/>\n");
        continue;
      }
      double px = sx.map(x);
      double py = sy.map(log ? Math.log10(v) : v);
      boolean prevFinite = i > 0 && Double.isFinite(list.get(i - 1).getValue());
      boolean nextFinite = i + 1 < list.size() && Double.isFinite(list.get(i + 1).getValue());
      path.append(prevFinite ? " L" : " M").append(f(px)).append(' ').append(f(py));
      if ((!prevFinite && !nextFinite) || list.size() <= 40) {
        marks.append("<circle cx=\"").append(f(px)).append("\" cy=\"").append(f(py))
            .append("\" r=\"2.5\" fill=\"").append(color).append("\"><title>").append(ReportFormat.esc(name))
            .append(" at ").append(ReportFormat.esc(xName(x, xNames))).append(": ").append(ReportFormat.num(v))
            .append("</title></circle>\n");
      }
    }
    if (path.length() > 0) {
      sb.append("<path d=\"").append(path.toString().trim())
          .append("\" fill=\"none\" stroke=\"").append(color).append("\" stroke-width=\"1.5\"/>\n");
    }
    sb.append(marks);
  }

  private static String xName(double x, List<String> xNames) {
    int i = (int) Math.round(x);
    return i == x && i >= 0 && i < xNames.size() ? xNames.get(i) : ReportFormat.num(x);
  }

  static double[] finiteRange(TreeMap<Double, Double> points) {
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

  private record Scale(double lo, double hi, double from, double to) {
    double map(double v) {
      return from + (v - lo) / (hi - lo) * (to - from);
    }
  }

  /**
   * The x ticks and their labels. With names (dates), ticks go where the year (else the month) changes, thinned to
   * at most eight; names that are not dates get round-numbered index ticks labelled with the name.
   */
  static TreeMap<Double, String> xTicks(double lo, double hi, List<String> xNames) {
    TreeMap<Double, String> out = new TreeMap<>();
    if (!xNames.isEmpty()) {
      int from = Math.max(1, (int) Math.ceil(lo));
      int to = Math.min(xNames.size() - 1, (int) Math.floor(hi));
      for (int prefix : new int[] {4, 7}) {
        List<Integer> changes = new ArrayList<>();
        for (int i = from; i <= to; i++) {
          String a = xNames.get(i - 1);
          String b = xNames.get(i);
          if (isDate(a, prefix) && isDate(b, prefix) && !a.regionMatches(0, b, 0, prefix)) {
            changes.add(i);
          }
        }
        if (changes.size() >= 2) {
          int every = 1;
          while (changes.size() / every > 8) {
            every = every == 1 ? 2 : every == 2 ? 5 : every * 2;
          }
          for (int k = 0; k < changes.size(); k += every) {
            out.put((double) changes.get(k), xNames.get(changes.get(k)));
          }
          return out;
        }
      }
    }
    for (double t : ticks(lo, hi)) {
      out.put(t, xNames.isEmpty() ? ReportFormat.num(t) : xName(Math.rint(t), xNames));
    }
    return out;
  }

  /** Whether {@code s} starts like an ISO date up to {@code prefix} characters: {@code yyyy} or {@code yyyy-MM}. */
  private static boolean isDate(String s, int prefix) {
    if (s.length() < prefix || !s.substring(0, 4).chars().allMatch(Character::isDigit)) {
      return false;
    }
    return prefix == 4 || (s.charAt(4) == '-' && Character.isDigit(s.charAt(5)) && Character.isDigit(s.charAt(6)));
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
}
