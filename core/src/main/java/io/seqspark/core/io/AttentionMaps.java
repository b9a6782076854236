package io.seqspark.core.io;

import static io.seqspark.core.io.ReportFormat.esc;
import static io.seqspark.core.io.ReportFormat.number;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;

/**
 * The report's attention heat maps: one per {@code metrics.jsonl} record with an {@code attention} object
 * ({@link #record}), drawn as a grid of cells, source words across the top (x), output words down the side (y), each
 * cell as dark as its weight (a row sums to 1). When records come from several steps (a resumed run logs them again)
 * only the last step's are drawn, one per sample.
 */
public final class AttentionMaps {
  /** The metrics key of an attention record. */
  public static final String KEY = "attention";

  private AttentionMaps() {
  }

  /**
   * The metrics record of one sample's attention: {@code {"step": step, "attention": {sample, line, source, output,
   * reference, weights}}}, weights rounded to 4 decimals (one row per output word, one column per source word).
   *
   * @param line      the sample's line in its file (0-based), for the caption
   * @param reference the reference translation, or null
   */
  public static Map<String, Object> record(long step, int sample, int line, List<String> source, List<String> output,
                                           String reference, double[][] weights) {
    if (weights.length != output.size()) {
      throw new IllegalArgumentException("attention sample " + sample + ": " + weights.length + " weight rows for "
          + output.size() + " output words; there must be one row per output word");
    }
    List<List<Double>> rows = new ArrayList<>();
    for (double[] w : weights) {
      if (w.length != source.size()) {
        throw new IllegalArgumentException("attention sample " + sample + ": a row of " + w.length + " weights for "
            + source.size() + " source words; there must be one weight per source word");
      }
      List<Double> row = new ArrayList<>();
      for (double x : w) {
        row.add(Math.round(x * 1e4) / 1e4);
      }
      rows.add(row);
    }
    Map<String, Object> a = new java.util.LinkedHashMap<>();
    a.put("sample", sample);
    a.put("line", line);
    a.put("source", List.copyOf(source));
    a.put("output", List.copyOf(output));
    if (reference != null) {
      a.put("reference", reference);
    }
    a.put("weights", rows);
    Map<String, Object> m = new java.util.LinkedHashMap<>();
    m.put("step", step);
    m.put(KEY, a);
    return m;
  }

  /** Appends the heat-map section for the attention records in {@code metrics}; nothing when there are none. */
  static void html(StringBuilder sb, List<Map<String, Object>> metrics) {
    double lastStep = Double.NEGATIVE_INFINITY;
    for (Map<String, Object> r : metrics) {
      Double step = number(r.get("step"));
      if (r.get(KEY) instanceof Map<?, ?> && step != null) {
        lastStep = Math.max(lastStep, step);
      }
    }
    TreeMap<Integer, Map<?, ?>> samples = new TreeMap<>();
    for (Map<String, Object> r : metrics) {
      Double step = number(r.get("step"));
      if (r.get(KEY) instanceof Map<?, ?> a && (step == null || step == lastStep)) {
        Double sample = number(a.get("sample"));
        samples.put(sample == null ? samples.size() : sample.intValue(), a);
      }
    }
    if (samples.isEmpty()) {
      return;
    }
    sb.append("<h2>Attention</h2>\n<p class=\"note\">Greedy translations of validation sentences by the kept model:"
        + " a row per output word, a column per source word; the darker the cell, the more attention (each row sums"
        + " to 1; hover for the weight).</p>\n<div class=\"plots\">\n");
    for (Map.Entry<Integer, Map<?, ?>> e : samples.entrySet()) {
      map(sb, e.getKey(), e.getValue());
    }
    sb.append("</div>\n");
  }

  private static void map(StringBuilder sb, int sample, Map<?, ?> a) {
    List<String> source = strings(a.get("source"));
    List<String> output = strings(a.get("output"));
    List<?> weights = a.get("weights") instanceof List<?> l ? l : List.of();
    Double line = number(a.get("line"));
    sb.append("<figure class=\"attn\"><figcaption>Sample ").append(sample + 1);
    if (line != null) {
      sb.append(" (line ").append(line.intValue() + 1).append(')');
    }
    sb.append("</figcaption>\n<table class=\"attn\"><tr><th></th>");
    for (String s : source) {
      sb.append("<th class=\"x\"><span>").append(esc(s)).append("</span></th>");
    }
    sb.append("</tr>\n");
    for (int t = 0; t < output.size(); t++) {
      List<?> row = t < weights.size() && weights.get(t) instanceof List<?> r ? r : List.of();
      sb.append("<tr><th class=\"y\">").append(esc(output.get(t))).append("</th>");
      for (int j = 0; j < source.size(); j++) {
        Double w = j < row.size() ? number(row.get(j)) : null;
        double v = w == null || !Double.isFinite(w) ? 0 : Math.max(0, Math.min(1, w));
        sb.append(String.format(Locale.ROOT, "<td style=\"background:rgba(11,79,138,%.3f)\" title=\"%s &larr; %s: %s\">"
            + "</td>", v, esc(output.get(t)), esc(source.get(j)), w == null ? "?" : String.format(Locale.ROOT, "%.3f",
            w)));
      }
      sb.append("</tr>\n");
    }
    sb.append("</table>\n");
    if (a.get("reference") instanceof String ref) {
      sb.append("<p class=\"note ref\">reference: ").append(esc(ref)).append("</p>\n");
    }
    sb.append("</figure>\n");
  }

  private static List<String> strings(Object o) {
    List<String> out = new ArrayList<>();
    if (o instanceof List<?> l) {
      for (Object x : l) {
        out.add(String.valueOf(x));
      }
    }
    return out;
  }

  /** The heat maps' CSS: square cells, source words written upwards above their columns. */
  static final String STYLE = "table.attn{border-collapse:collapse;font-size:12px}"
      + "table.attn td{width:18px;height:18px;min-width:18px;padding:0;border:1px solid #eee}"
      + "table.attn th{background:none;border:none;font-weight:normal;padding:1px 4px}"
      + "table.attn th.y{text-align:right;white-space:nowrap}"
      + "table.attn th.x{vertical-align:bottom;text-align:left;padding:2px 0;width:18px}"
      + "table.attn th.x span{writing-mode:vertical-rl;transform:rotate(180deg);white-space:nowrap}"
      + "figure.attn .ref{max-width:420px}\n";
}
