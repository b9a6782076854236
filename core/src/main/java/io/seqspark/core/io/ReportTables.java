package io.seqspark.core.io;

import static io.seqspark.core.io.ReportFormat.esc;
import static io.seqspark.core.io.ReportFormat.number;
import static io.seqspark.core.io.ReportFormat.text;
import static io.seqspark.core.io.ReportFormat.value;

import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;

/** The tables of {@link HtmlReport} below the charts: results per fold, the resolved config and the manifest. */
final class ReportTables {

  /** Config sections each command reads; the others are folded away. */

  private ReportTables() {}

  /**
   * Records as one table: a column per key in order of first appearance; {@code step}, {@code origin} (the fold's
   * date says it) and {@code folds} (shown as "mean of N") left out.
   */
  static void records(StringBuilder sb, List<Map<String, Object>> rows) {
    Set<String> cols = new LinkedHashSet<>();
    rows.forEach(r -> cols.addAll(r.keySet()));
    cols.remove("step");
    cols.remove("origin");
    cols.remove("folds");
    sb.append("<table>\n<tr>");
    cols.forEach(c -> sb.append("<th>").append(esc(c)).append("</th>"));
    sb.append("</tr>\n");
    for (Map<String, Object> r : rows) {
      sb.append("<tr>");
      for (String c : cols) {
        Object v = r.get(c);
        if (c.equals("fold") && r.get("folds") instanceof Number n) {
          v = v + " of " + n;
        }
        Double d = number(v);
        sb.append("<td>").append(v == null ? "" : d != null ? value(d) : esc(String.valueOf(v)))
            .append("</td>");
      }
      sb.append("</tr>\n");
    }
    sb.append("</table>\n");
  }

  /**
   * The resolved config as one table per section; sections the run's command does not read (the manifest's
   * {@code configSections}, which the job records; null = show all) are folded into a closed {@code <details>}.
   */
  static void config(StringBuilder sb, Map<String, Object> config, String family, List<String> used) {
    if (config.isEmpty()) {
      return;
    }
    Map<String, Map<String, Object>> sections = new TreeMap<>();
    config.forEach((k, v) -> {
      int dot = k.indexOf('.');
      sections.computeIfAbsent(dot < 0 ? "" : k.substring(0, dot), s -> new TreeMap<>())
          .put(dot < 0 ? k : k.substring(dot + 1), v);
    });
    sb.append("<h2>Config (resolved)</h2>\n<div class=\"cols\">\n");
    List<String> others = new ArrayList<>();
    for (Map.Entry<String, Map<String, Object>> s : sections.entrySet()) {
      if (used == null || used.contains(s.getKey())) {
        kvTable(sb, s.getKey().isEmpty() ? "top level" : s.getKey(), s.getValue());
      } else {
        others.add(s.getKey());
      }
    }
    sb.append("</div>\n");
    if (!others.isEmpty()) {
      sb.append("<details><summary>Sections that ").append(esc(family)).append(" does not read: ")
          .append(esc(String.join(", ", others))).append("</summary>\n<div class=\"cols\">\n");
      others.forEach(o -> kvTable(sb, o.isEmpty() ? "top level" : o, sections.get(o)));
      sb.append("</div>\n</details>\n");
    }
  }

  private static void kvTable(StringBuilder sb, String caption, Map<String, Object> rows) {
    sb.append("<table class=\"kv\">\n");
    sb.append("<caption>").append(esc(caption)).append("</caption>\n");
    rows.forEach((k, v) -> RunSummary.row(sb, k, "<code>" + esc(text(v)) + "</code>"));
    sb.append("</table>\n");
  }

  /**
   * The manifest as a table, without its flattened config (the config tables show it): nested objects as dotted
   * keys, lists of objects (inputs) one row each, long strings (samples) one per line.
   */
  static void manifest(StringBuilder sb, Map<String, Object> manifest) {
    if (manifest.isEmpty()) {
      return;
    }
    sb.append("<h2>Manifest</h2>\n<table class=\"kv\">\n");
    for (Map.Entry<String, Object> e : manifest.entrySet()) {
      String k = e.getKey();
      Object v = e.getValue();
      if (k.equals("config")) {
        continue;  // the table above
      }
      if (v instanceof Map<?, ?> m) {
        m.forEach((k2, v2) -> RunSummary.row(sb, k + "." + k2, esc(text(v2))));
      } else if (v instanceof List<?> l && !l.isEmpty() && l.stream().allMatch(o -> o instanceof Map<?, ?>)) {
        for (int i = 0; i < l.size(); i++) {
          StringBuilder cell = new StringBuilder();
          ((Map<?, ?>) l.get(i)).forEach((k2, v2) -> cell.append(esc(k2 + ": " + text(v2))).append("<br>"));
          RunSummary.row(sb, k + "[" + i + "]", cell.toString());
        }
      } else if (k.equals("commandLine")) {
        RunSummary.row(sb, k, "<code>" + esc(String.valueOf(RunSummary.command(manifest))) + "</code>");
      } else if (v instanceof List<?> l && l.stream().anyMatch(o -> o instanceof String s && s.length() > 40)) {
        StringBuilder cell = new StringBuilder();
        l.forEach(o -> cell.append(esc(String.valueOf(o))).append("<br>"));
        RunSummary.row(sb, k, cell.toString());
      } else {
        RunSummary.row(sb, k, esc(text(v)));
      }
    }
    sb.append("</table>\n");
  }
}
