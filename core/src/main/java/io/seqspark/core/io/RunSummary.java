package io.seqspark.core.io;

import static io.seqspark.core.io.ReportFormat.bytes;
import static io.seqspark.core.io.ReportFormat.count;
import static io.seqspark.core.io.ReportFormat.duration;
import static io.seqspark.core.io.ReportFormat.esc;
import static io.seqspark.core.io.ReportFormat.label;
import static io.seqspark.core.io.ReportFormat.number;
import static io.seqspark.core.io.ReportFormat.scaled;
import static io.seqspark.core.io.ReportFormat.step;
import static io.seqspark.core.io.ReportFormat.value;

import java.time.Duration;
import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The figures at the top of {@link HtmlReport}, read from a run's {@code manifest.json} (and, while the run is still
 * going, from its metrics): the command, the inputs, the model's size, the result metrics, wall time and throughput.
 *
 * <p>It knows the manifest keys the jobs write ({@code commandLine}, {@code inputs}, {@code parameters},
 * {@code family}, {@code steps}, {@code seconds}, {@code trainTokensPerSecond} and the other
 * {@code train<Unit>PerSecond}, {@code wordsPerSecond}, {@code evaluation}, ...) and treats any other numeric key
 * whose name says it is a quality measure (perplexity, loss, accuracy, F1, RMSE, ...) as a result. It also writes
 * the summary section of the page.
 */
final class RunSummary {

  /** A headline figure: a short label, the value as text and an optional note under it. */
  record Tile(String label, String value, String note) {
  }

  private static final Pattern QUALITY = Pattern.compile(
      "(?i).*(perplexity|ppl|bits|loss|accuracy|acc|f1|rmse|mae|mase|mse|bleu|spearman|auc|precision|recall).*");
  private static final Pattern RATE = Pattern.compile("train([A-Z]\\w*)PerSecond|(\\w+)PerSecond");

  private RunSummary() {}

  /** The model family (lm, classify, forecast, w2v, ...): the manifest's {@code family}, else from the command. */
  static String family(Map<String, Object> manifest) {
    if (manifest.get("family") instanceof String f && !f.isBlank()) {
      return f.trim().split("\\s+")[0];
    }
    if (manifest.get("commandLine") instanceof List<?> cmd && !cmd.isEmpty()) {
      String[] words = String.valueOf(cmd.get(0)).trim().split("\\s+");
      if (words.length >= 2 && words[0].equals("seqspark")) {
        return words[1];
      }
    }
    return null;
  }

  /**
   * The command as a shell line. The jobs record the qualified command name ({@code seqspark lm train}) followed by
   * the original arguments (which repeat {@code lm train}), so the name's first word plus the arguments is the line
   * that was typed.
   */
  static String command(Map<String, Object> manifest) {
    if (!(manifest.get("commandLine") instanceof List<?> cmd) || cmd.isEmpty()) {
      return null;
    }
    List<String> words = new ArrayList<>();
    String first = String.valueOf(cmd.get(0));
    int from = 0;
    if (first.contains(" ") && first.startsWith("seqspark ")) {
      words.add("seqspark");
      from = 1;
    }
    for (int i = from; i < cmd.size(); i++) {
      words.add(shellQuote(String.valueOf(cmd.get(i))));
    }
    return String.join(" ", words);
  }

  private static String shellQuote(String s) {
    return s.matches("[A-Za-z0-9_./:=,@%+-]+") ? s : "'" + s.replace("'", "'\\''") + "'";
  }

  /** The result metrics in the manifest (top level and under {@code evaluation}), in manifest order, nulls left out. */
  static Map<String, Double> results(Map<String, Object> manifest) {
    Map<String, Double> out = new LinkedHashMap<>();
    for (Map.Entry<String, Object> e : manifest.entrySet()) {
      if (e.getKey().equals("evaluation") && e.getValue() instanceof Map<?, ?> eval) {
        eval.forEach((k, v) -> {
          if (v instanceof Number n) {
            out.put(String.valueOf(k), n.doubleValue());
          }
        });
      } else if (e.getValue() instanceof Number n && QUALITY.matcher(e.getKey()).matches()
          && !e.getKey().equals("seed")) {
        out.put(e.getKey(), n.doubleValue());
      }
    }
    return out;
  }

  /**
   * Wall time, throughput, model size and steps. Wall time is end minus start time from the manifest; while the run
   * is going (no end time yet) it is the last {@code elapsed_s} in the metrics. Throughput is the manifest's
   * {@code train<Unit>PerSecond} (or {@code wordsPerSecond}), else the median of the metrics' {@code <unit>_per_s}.
   */
  static List<Tile> runTiles(Map<String, Object> manifest, List<Map<String, Object>> metrics) {
    List<Tile> tiles = new ArrayList<>();
    Duration wall = wallTime(manifest);
    if (wall != null) {
      Object train = manifest.containsKey("seconds") ? manifest.get("seconds") : manifest.get("trainSeconds");
      double seconds = wall.toMillis() / 1000.0;
      // the training time when it is a visibly smaller part of the wall time (reading data took the rest)
      tiles.add(new Tile("wall time", duration(seconds), train instanceof Number n && n.doubleValue() < 0.9 * seconds
          ? "training " + duration(n.doubleValue()) : null));
    } else {
      Double elapsed = lastNumber(metrics, "elapsed_s");
      if (elapsed != null) {
        tiles.add(new Tile("elapsed (running)", duration(elapsed), null));
      }
    }
    Tile rate = throughput(manifest, metrics);
    if (rate != null) {
      tiles.add(rate);
    }
    if (manifest.get("parameters") instanceof Number p) {
      tiles.add(new Tile("parameters", count(p.longValue()), p.longValue() >= 10_000 ? scaled(p.doubleValue()) : null));
    }
    Object steps = manifest.get("steps");
    Double lastStep = lastNumber(metrics, "step");
    if (steps instanceof Number n) {
      tiles.add(new Tile("steps", count(n.longValue()), null));
    } else if (lastStep != null && manifest.get("endTime") == null) {
      tiles.add(new Tile("steps so far", count(lastStep.longValue()), null));
    }
    return tiles;
  }

  static Duration wallTime(Map<String, Object> manifest) {
    if (manifest.get("startTime") instanceof String start && manifest.get("endTime") instanceof String end) {
      try {
        return Duration.between(Instant.parse(start), Instant.parse(end));
      } catch (DateTimeParseException e) {
        return null;
      }
    }
    return null;
  }

  private static Tile throughput(Map<String, Object> manifest, List<Map<String, Object>> metrics) {
    for (Map.Entry<String, Object> e : manifest.entrySet()) {
      Matcher m = RATE.matcher(e.getKey());
      if (m.matches() && e.getValue() instanceof Number n && Double.isFinite(n.doubleValue())) {
        String unit = m.group(1) != null ? m.group(1).toLowerCase(Locale.ROOT) : m.group(2);
        return new Tile("throughput", count(Math.round(n.doubleValue())) + " " + unit + "/s", "over the whole run");
      }
    }
    Map<String, List<Double>> rates = new LinkedHashMap<>();
    for (Map<String, Object> r : metrics) {
      r.forEach((k, v) -> {
        if (k.endsWith("_per_s") && v instanceof Number n && Double.isFinite(n.doubleValue())) {
          rates.computeIfAbsent(k, x -> new ArrayList<>()).add(n.doubleValue());
        }
      });
    }
    for (Map.Entry<String, List<Double>> e : rates.entrySet()) {
      List<Double> v = new ArrayList<>(e.getValue());
      v.sort(null);
      String unit = e.getKey().substring(0, e.getKey().length() - "_per_s".length());
      return new Tile("throughput", count(Math.round(v.get(v.size() / 2))) + " " + unit + "/s",
          "median of " + v.size() + " log windows");
    }
    return null;
  }

  private static Double lastNumber(List<Map<String, Object>> metrics, String key) {
    for (int i = metrics.size() - 1; i >= 0; i--) {
      if (metrics.get(i).get(key) instanceof Number n) {
        return n.doubleValue();
      }
    }
    return null;
  }

  /** The line under the title: family, run id, finished or running, number of records. */
  static void status(StringBuilder sb, Map<String, Object> manifest, List<Map<String, Object>> metrics) {
    List<String> parts = new ArrayList<>();
    String family = family(manifest);
    if (family != null) {
      parts.add(family);
    }
    if (manifest.get("runId") != null) {
      parts.add("run " + manifest.get("runId"));
    }
    if (manifest.get("endTime") instanceof String end) {
      parts.add("finished " + end.replace('T', ' ').replaceAll("\\.\\d+Z$", " UTC").replaceAll("Z$", " UTC"));
    } else if (manifest.get("startTime") instanceof String start) {
      parts.add("running since " + start.replace('T', ' ').replaceAll("\\.\\d+Z$", " UTC"));
    }
    parts.add(metrics.size() + " metric records");
    sb.append("<p class=\"status\">").append(esc(String.join(" · ", parts))).append("</p>\n");
  }

  /**
   * The summary section: result tiles (the manifest's results; before it has them, the mean row of results per fold
   * or the best validation value so far), run tiles, the facts table and the final and best value of every metric
   * with a direction.
   */
  static void html(StringBuilder sb, Map<String, Object> manifest, List<Map<String, Object>> metrics,
                              Map<String, TreeMap<Double, Double>> series) {
    sb.append("<h2>Summary</h2>\n<div class=\"tiles\">\n");
    int shown = 0;
    for (Map.Entry<String, Double> r : results(manifest).entrySet()) {
      if (shown < 6 && !r.getKey().matches(".*_f1_.+")) {
        tile(sb, new Tile(label(r.getKey()), value(r.getValue()), null), true);
        shown++;
      }
    }
    Map<String, Object> mean = metrics.stream().filter(r -> r.containsKey("fold") && !(r.get("fold") instanceof Number))
        .reduce((a, b) -> b).orElse(null);
    if (shown == 0 && mean != null) {
      // results per fold, their summary row written before the manifest has the results
      for (Map.Entry<String, Object> e : mean.entrySet()) {
        Double v = number(e.getValue());
        if (v != null && shown < 6 && HtmlReport.lowerIsBetter(e.getKey()) != null) {
          tile(sb, new Tile(label(e.getKey()), value(v), mean.get("fold") + " over "
              + (mean.get("folds") instanceof Number n ? n + " folds" : "folds")), true);
          shown++;
        }
      }
    }
    if (shown == 0) {
      // still running, or no manifest: the best validation figure so far
      for (Map.Entry<String, TreeMap<Double, Double>> e : series.entrySet()) {
        Best b = best(e.getKey(), e.getValue());
        if (b != null && (e.getKey().startsWith("valid") || e.getKey().startsWith("val_")) && shown < 3) {
          tile(sb, new Tile("best " + label(e.getKey()), value(b.value),
              "at step " + step(b.step)), true);
          shown++;
        }
      }
    }
    for (Tile t : runTiles(manifest, metrics)) {
      if (mean == null || !t.label().startsWith("steps")) {  // a fold's step is its number
        tile(sb, t, false);
      }
    }
    sb.append("</div>\n<div class=\"cols\">\n");
    facts(sb, manifest);
    finalAndBest(sb, series);
    sb.append("</div>\n");
  }

  private static void tile(StringBuilder sb, Tile t, boolean result) {
    sb.append("<div class=\"tile").append(result ? " result" : "").append("\"><div class=\"l\">").append(esc(t.label()))
        .append("</div><div class=\"v\">").append(esc(t.value())).append("</div>");
    if (t.note() != null) {
      sb.append("<div class=\"n\">").append(esc(t.note())).append("</div>");
    }
    sb.append("</div>\n");
  }

  private static void facts(StringBuilder sb, Map<String, Object> manifest) {
    if (manifest.isEmpty()) {
      return;
    }
    sb.append("<table class=\"kv\">\n");
    String cmd = command(manifest);
    if (cmd != null) {
      // words kept whole: a browser would otherwise break "--overwrite" after its dashes
      row(sb, "command", "<code>" + String.join(" ", Arrays.stream(cmd.split(" "))
          .map(w -> "<span class=\"w\">" + esc(w) + "</span>").toList()) + "</code>");
    }
    if (manifest.get("inputs") instanceof List<?> inputs) {
      for (Object o : inputs) {
        if (o instanceof Map<?, ?> in) {
          String size = in.get("sizeBytes") instanceof Number n ? " (" + bytes(n.longValue()) + ")" : "";
          row(sb, "data: " + in.get("role"), "<code>" + esc(String.valueOf(in.get("path"))) + "</code>" + esc(size));
        }
      }
    }
    List<String> model = new ArrayList<>();
    if (manifest.get("parameters") instanceof Number p) {
      model.add(count(p.longValue()) + " parameters");
    }
    if (manifest.get("vocabularySize") instanceof Number v) {
      model.add("vocabulary " + count(v.longValue()));
    }
    if (manifest.get("trainer") != null) {
      model.add("trainer " + manifest.get("trainer"));
    }
    if (!model.isEmpty()) {
      row(sb, "model", esc(String.join(" · ", model)));
    }
    if (manifest.get("gitCommit") instanceof String git) {
      row(sb, "commit", "<code>" + esc(git) + "</code>");
    }
    sb.append("</table>\n");
  }

  static void row(StringBuilder sb, String key, String html) {
    sb.append("<tr><td>").append(esc(key)).append("</td><td>").append(html).append("</td></tr>\n");
  }

  private record Best(double step, double value) {
  }

  /** The best finite value (lowest for losses and errors, highest for accuracies), or null if no direction. */
  private static Best best(String key, TreeMap<Double, Double> points) {
    Boolean lower = HtmlReport.lowerIsBetter(HtmlReport.measure(key));
    if (lower == null) {
      return null;
    }
    Best best = null;
    for (Map.Entry<Double, Double> e : points.entrySet()) {
      double v = e.getValue();
      if (Double.isFinite(v) && (best == null || (lower ? v < best.value : v > best.value))) {
        best = new Best(e.getKey(), v);
      }
    }
    return best;
  }

  private static void finalAndBest(StringBuilder sb, Map<String, TreeMap<Double, Double>> series) {
    List<String> keys = new ArrayList<>();
    for (String prefix : new String[] {"test_", "valid_", "val_", "epoch_train_", ""}) {
      for (String k : series.keySet()) {
        if (!keys.contains(k) && k.startsWith(prefix) && best(k, series.get(k)) != null) {
          keys.add(k);
        }
      }
    }
    if (keys.isEmpty()) {
      return;
    }
    sb.append("<table>\n<caption>Final and best</caption>\n<tr><th>metric</th><th>final</th><th>at step</th>")
        .append("<th>best</th><th>at step</th></tr>\n");
    for (String k : keys) {
      TreeMap<Double, Double> points = series.get(k);
      Best b = best(k, points);
      sb.append("<tr><td>").append(esc(k)).append("</td><td>").append(value(points.lastEntry().getValue()))
          .append("</td><td>").append(step(points.lastKey())).append("</td><td>")
          .append(b == null ? "" : value(b.value)).append("</td><td>").append(b == null ? "" : step(b.step))
          .append("</td></tr>\n");
    }
    sb.append("</table>\n");
  }
}
