package io.seqspark.core.io;

import static io.seqspark.core.io.ReportFormat.esc;
import static io.seqspark.core.io.ReportFormat.label;
import static io.seqspark.core.io.ReportFormat.num;
import static io.seqspark.core.io.ReportFormat.number;

import com.typesafe.config.Config;
import com.typesafe.config.ConfigException;
import com.typesafe.config.ConfigFactory;
import com.typesafe.config.ConfigValue;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.regex.Pattern;

/**
 * {@code report.html}: a run on one self-contained page (inline SVG and CSS, no scripts, fonts or links), so it opens
 * from a cluster's file browser or an e-mail attachment and can be regenerated from the run directory at any time.
 *
 * <p>From the top: a summary (headline results, wall time, throughput, model size, command, inputs, the final and
 * best value of every quality metric), the training curves, per-fold results, extra figures (forecasts against
 * dates), attention heat maps ({@link AttentionMaps}: records with an {@code attention} object), then the resolved
 * config and the manifest as tables. The summary reads {@code manifest.json} and the
 * config {@code config.conf} from the run directory; {@link #render(List, String, List)} alone has neither.
 *
 * <p>Curves come from {@code metrics.jsonl} records with a numeric {@code step}; a later record for the same step
 * replaces an earlier one (a resumed run re-logs the steps after its checkpoint). Keys that differ only in their
 * split prefix share one chart: {@code train_loss}, {@code epoch_train_loss} and {@code valid_loss} are the loss
 * chart. Not charted: bookkeeping ({@code epoch}, {@code elapsed_s}, {@code seconds}, ...), constant series (listed
 * under the charts), and a perplexity or bits series whose loss is charted. Records with a {@code fold} key are
 * results per fold and go into a table. Non-finite values (written as {@code "NaN"} strings by {@link Json}) break
 * the line and are marked in red; a positive series spanning 30x or more is drawn on a log axis.
 */
public final class HtmlReport {

  private static final Set<String> BOOKKEEPING = Set.of("step", "epoch", "elapsed_s", "seconds", "fold", "folds",
      "origin", "windows", "batch", "round", "time_s");
  private static final String[] SPLITS = {"epoch_train_", "train_", "valid_", "val_", "test_"};
  private static final Pattern LOWER_BETTER = Pattern.compile("(?i).*(loss|ppl|perplexity|bits|rmse|mae|mase|mse|error).*");
  private static final Pattern HIGHER_BETTER = Pattern.compile("(?i).*(accuracy|acc|f1|bleu|spearman|auc|precision|recall).*");
  private static final Pattern DERIVED = Pattern.compile("(.*)(ppl|perplexity|bits)");
  private HtmlReport() {}

  /**
   * An extra figure: several named curves over one x axis, drawn after the training curves (e.g. forecasts against
   * actuals). Curves are drawn in order, each in its own colour, with a legend, on a linear axis.
   *
   * @param xNames labels of the integer x values (x is an index into it), e.g. the series' dates; empty for numbers
   */
  public record Figure(String caption, String xLabel, Map<String, TreeMap<Double, Double>> curves,
                       List<String> xNames) {

    public Figure {
      xNames = List.copyOf(xNames);
    }

    /** A figure with a numeric x axis. */
    public Figure(String caption, String xLabel, Map<String, TreeMap<Double, Double>> curves) {
      this(caption, xLabel, curves, List.of());
    }
  }

  /**
   * Renders and writes the report atomically; {@code manifest.json} and {@code config.conf} beside {@code html}, when
   * present, fill the summary and the tables.
   */
  public static void write(Path html, List<Map<String, Object>> metrics, String title) throws IOException {
    write(html, metrics, title, List.of());
  }

  /** Renders and writes the report with extra figures, atomically; reads the files beside {@code html} as above. */
  public static void write(Path html, List<Map<String, Object>> metrics, String title, List<Figure> figures)
      throws IOException {
    Path dir = html.toAbsolutePath().getParent();
    AtomicFiles.writeString(html, page(metrics, title, figures, RunFiles.read(dir)));
  }

  /**
   * Writes {@code report.html} of the run directory {@code runDir} from its {@code metrics.jsonl},
   * {@code manifest.json} and {@code config.conf} (each optional), atomically; call it as often as the run has news.
   *
   * @param title the page title, or null for the manifest's command name and run id ("seqspark lm train RUN-ID")
   */
  public static void writeRun(Path runDir, String title, List<Figure> figures) throws IOException {
    AtomicFiles.writeString(runDir.resolve("report.html"), renderRun(runDir, title, figures));
  }

  /** The report of the run directory {@code runDir} as HTML text (see {@link #writeRun}). */
  public static String renderRun(Path runDir, String title, List<Figure> figures) throws IOException {
    Path metricsFile = runDir.resolve("metrics.jsonl");
    List<Map<String, Object>> metrics = Files.isRegularFile(metricsFile) ? MetricsLog.read(metricsFile) : List.of();
    RunFiles files = RunFiles.read(runDir);
    if (title == null) {
      String cmd = files.manifest.get("commandLine") instanceof List<?> c && !c.isEmpty() ? String.valueOf(c.get(0))
          : "seqspark run";
      Object id = files.manifest.get("runId");
      title = cmd + " " + (id != null ? id : runDir.toAbsolutePath().normalize().getFileName());
    }
    return page(metrics, title, figures, files);
  }

  /** The report as HTML text, without a manifest or config. */
  public static String render(List<Map<String, Object>> metrics, String title) {
    return render(metrics, title, List.of());
  }

  /** The report as HTML text with extra figures after the training curves, without a manifest or config. */
  public static String render(List<Map<String, Object>> metrics, String title, List<Figure> figures) {
    return page(metrics, title, figures, RunFiles.NONE);
  }

  /**
   * The page from metrics records, the manifest and the flattened config (either may be empty).
   */
  static String render(List<Map<String, Object>> metrics, String title, List<Figure> figures,
                       Map<String, Object> manifest, Map<String, Object> config) {
    return page(metrics, title, figures, new RunFiles(manifest, config, List.of()));
  }

  /** The manifest and config of a run directory, and why either could not be read. */
  private record RunFiles(Map<String, Object> manifest, Map<String, Object> config, List<String> problems) {
    static final RunFiles NONE = new RunFiles(Map.of(), Map.of(), List.of());

    static RunFiles read(Path dir) {
      if (dir == null) {
        return NONE;
      }
      Map<String, Object> manifest = Map.of();
      Map<String, Object> config = Map.of();
      List<String> problems = new ArrayList<>();
      Path m = dir.resolve("manifest.json");
      if (Files.isRegularFile(m)) {
        try {
          manifest = Json.readMap(Files.readString(m));
        } catch (IOException | IllegalArgumentException e) {
          problems.add(m + " could not be read: " + e.getMessage());
        }
      }
      Path c = dir.resolve("config.conf");
      if (Files.isRegularFile(c)) {
        try {
          config = flatten(ConfigFactory.parseString(Files.readString(c)).resolve());
        } catch (IOException | ConfigException e) {
          problems.add(c + " could not be read: " + e.getMessage());
        }
      }
      if (config.isEmpty() && manifest.get("config") instanceof Map<?, ?> flat) {
        Map<String, Object> copy = new TreeMap<>();
        flat.forEach((k, v) -> copy.put(String.valueOf(k), v));
        config = copy;
      }
      return new RunFiles(manifest, config, problems);
    }

    private static Map<String, Object> flatten(Config config) {
      Map<String, Object> flat = new TreeMap<>();
      for (Map.Entry<String, ConfigValue> e : config.entrySet()) {
        flat.put(e.getKey(), e.getValue().unwrapped());
      }
      return flat;
    }
  }

  private static String page(List<Map<String, Object>> metrics, String title, List<Figure> figures, RunFiles run) {
    Map<String, Object> manifest = run.manifest();
    Map<String, TreeMap<Double, Double>> series = series(metrics);
    List<Map<String, Object>> folds = metrics.stream().filter(r -> r.containsKey("fold")).toList();
    StringBuilder sb = new StringBuilder(16384);
    sb.append("<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n<title>").append(esc(title))
        .append("</title>\n<style>\n").append(STYLE).append("</style>\n</head>\n<body>\n<h1>").append(esc(title))
        .append("</h1>\n");
    RunSummary.status(sb, manifest, metrics);
    for (String problem : run.problems()) {
      sb.append("<p class=\"warn\">").append(esc(problem)).append("</p>\n");
    }
    RunSummary.html(sb, manifest, metrics, series);
    charts(sb, series, folds.isEmpty() || !series.isEmpty());
    if (!folds.isEmpty()) {
      sb.append("<h2>Results per fold</h2>\n");
      ReportTables.records(sb, folds);
    }
    if (!figures.isEmpty()) {
      sb.append("<h2>Figures</h2>\n<div class=\"plots\">\n");
      for (Figure fig : figures) {
        SvgPlot.plot(sb, fig.caption(), fig.xLabel(), fig.curves(), false, fig.xNames());
      }
      sb.append("</div>\n");
    }
    AttentionMaps.html(sb, metrics);
    ReportTables.config(sb, run.config(), RunSummary.family(manifest),
        manifest.get("configSections") instanceof List<?> l ? l.stream().map(String::valueOf).toList() : null);
    ReportTables.manifest(sb, manifest);
    sb.append("</body>\n</html>\n");
    return sb.toString();
  }

  private static final String STYLE = "body{font-family:system-ui,sans-serif;margin:24px;color:#222;max-width:1200px}"
      + "h1{font-size:22px;margin:0 0 4px}h2{font-size:17px;margin:28px 0 8px;border-bottom:1px solid #ddd}"
      + ".status{color:#555;margin:0 0 16px}.warn{color:#b00}"
      + ".tiles{display:flex;flex-wrap:wrap;gap:10px;margin:8px 0}"
      + ".tile{border:1px solid #ddd;border-radius:6px;padding:8px 14px;min-width:120px;background:#fafafa}"
      + ".tile .v{font-size:22px;font-weight:600}.tile .l{font-size:12px;color:#555}.tile .n{font-size:11px;color:#777}"
      + ".tile.result .v{color:#0b4f8a}"
      + ".cols{display:flex;flex-wrap:wrap;gap:24px;align-items:flex-start}"
      + ".plots{display:flex;flex-wrap:wrap;gap:16px}figure{margin:0}"
      + "figcaption{font-weight:600;margin:4px 0}svg{background:#fff;border:1px solid #ddd}"
      + "table{border-collapse:collapse;font-size:13px}td,th{border:1px solid #ddd;padding:3px 8px;text-align:right;"
      + "vertical-align:top}th{background:#f3f3f3}th:first-child,td:first-child{text-align:left}"
      + "table.kv td{text-align:left;max-width:760px;overflow-wrap:anywhere}table.kv td:first-child{color:#555;"
      + "white-space:nowrap}caption{text-align:left;font-weight:600;padding:4px 0}"
      + "code{font-family:ui-monospace,monospace;font-size:12px}.note{color:#666;font-size:13px}"
      + "details summary{cursor:pointer;color:#555;margin:8px 0}.w{white-space:nowrap}\n" + AttentionMaps.STYLE;

  /** The series with their split prefix removed: {@code epoch_train_loss} → {@code loss}. */
  static String measure(String key) {
    for (String p : SPLITS) {
      if (key.startsWith(p) && key.length() > p.length()) {
        return key.substring(p.length());
      }
    }
    return key.endsWith("_per_s") ? "per_s" : key;
  }

  private static void charts(StringBuilder sb, Map<String, TreeMap<Double, Double>> series, boolean sayIfEmpty) {
    Map<String, Map<String, TreeMap<Double, Double>>> groups = new LinkedHashMap<>();
    List<String> constant = new ArrayList<>();
    List<String> single = new ArrayList<>();
    for (Map.Entry<String, TreeMap<Double, Double>> e : series.entrySet()) {
      String key = e.getKey();
      var derived = DERIVED.matcher(key);
      if (derived.matches() && series.containsKey(derived.group(1) + "loss")) {
        continue;  // perplexity = exp(loss): the loss chart says it, the table gives the numbers
      }
      groups.computeIfAbsent(measure(key), k -> new LinkedHashMap<>()).put(key, e.getValue());
    }
    List<Map.Entry<String, Map<String, TreeMap<Double, Double>>>> charted = new ArrayList<>();
    for (Map.Entry<String, Map<String, TreeMap<Double, Double>>> g : groups.entrySet()) {
      Double only = constantValue(g.getValue().values());
      if (only != null) {
        boolean onePoint = g.getValue().values().stream().allMatch(c -> c.size() == 1);
        g.getValue().keySet().forEach(k -> (onePoint ? single : constant).add(k + " = " + num(only)));
      } else {
        charted.add(g);
      }
    }
    charted.sort((a, b) -> Integer.compare(rank(a.getKey()), rank(b.getKey())));
    if (charted.isEmpty() && constant.isEmpty() && single.isEmpty()) {
      if (sayIfEmpty) {
        sb.append("<p class=\"note\">No numeric metrics with a step yet.</p>\n");
      }
      return;
    }
    sb.append("<h2>Training curves</h2>\n<div class=\"plots\">\n");
    for (Map.Entry<String, Map<String, TreeMap<Double, Double>>> g : charted) {
      String caption = caption(g.getKey());
      if (g.getValue().size() == 1) {
        String key = g.getValue().keySet().iterator().next();
        caption = caption.equals(label(key)) ? key : caption + " (" + key + ")";
      }
      // log axes for quality measures only (perplexity-like spans); rates and the learning rate read better linear
      SvgPlot.plot(sb, caption, "step", g.getValue(), rank(g.getKey()) <= 1, List.of());
    }
    sb.append("</div>\n");
    if (!single.isEmpty()) {
      sb.append("<p class=\"note\">A single value, not charted: ").append(esc(String.join(", ", single)))
          .append("</p>\n");
    }
    if (!constant.isEmpty()) {
      sb.append("<p class=\"note\">Constant, not charted: ").append(esc(String.join(", ", constant))).append("</p>\n");
    }
  }

  /** The one value every point of these series has, or null if they vary or hold a non-finite value. */
  private static Double constantValue(Iterable<TreeMap<Double, Double>> curves) {
    Double only = null;
    for (TreeMap<Double, Double> c : curves) {
      for (double v : c.values()) {
        if (!Double.isFinite(v) || (only != null && only != v)) {
          return null;
        }
        only = v;
      }
    }
    return only;
  }

  /**
   * Whether a lower value of this measure is better (losses, perplexities, errors), a higher one (accuracies,
   * F1), or null if it has no direction (rates, the learning rate, norms).
   */
  static Boolean lowerIsBetter(String measure) {
    return LOWER_BETTER.matcher(measure).matches() ? Boolean.TRUE
        : HIGHER_BETTER.matcher(measure).matches() ? Boolean.FALSE : null;
  }

  /** Chart order: the loss, other quality measures, the rest, throughput, the learning rate. */
  private static int rank(String measure) {
    if (measure.equals("loss")) {
      return 0;
    }
    if (lowerIsBetter(measure) != null) {
      return 1;
    }
    return measure.equals("per_s") ? 3 : measure.equals("lr") ? 4 : 2;
  }

  private static String caption(String measure) {
    return switch (measure) {
      case "per_s" -> "throughput per second";
      case "lr" -> "learning rate";
      case "grad_norm" -> "gradient norm";
      default -> label(measure);
    };
  }

  /** key → (step → value) for records with a numeric step and no fold, keys in order of first appearance. */
  static Map<String, TreeMap<Double, Double>> series(List<Map<String, Object>> metrics) {
    Map<String, TreeMap<Double, Double>> series = new LinkedHashMap<>();
    for (Map<String, Object> record : metrics) {
      Double step = number(record.get("step"));
      if (step == null || !Double.isFinite(step) || record.containsKey("fold")) {
        continue;
      }
      for (Map.Entry<String, Object> e : record.entrySet()) {
        Double v = number(e.getValue());
        if (v != null && !BOOKKEEPING.contains(e.getKey()) && !e.getKey().endsWith("_seconds")) {
          series.computeIfAbsent(e.getKey(), k -> new TreeMap<>()).put(step, v);
        }
      }
    }
    return series;
  }
}
