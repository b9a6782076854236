package io.seqspark.core.io;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class HtmlReportTest {

  @TempDir Path dir;

  private static Map<String, Object> rec(Object... kv) {
    Map<String, Object> m = new LinkedHashMap<>();
    for (int i = 0; i < kv.length; i += 2) {
      m.put((String) kv[i], kv[i + 1]);
    }
    return m;
  }

  private static int count(String text, String needle) {
    Matcher m = Pattern.compile(Pattern.quote(needle)).matcher(text);
    int n = 0;
    while (m.find()) {
      n++;
    }
    return n;
  }

  /** The captions of the charts under "Training curves", in order. */
  private static List<String> chartCaptions(String page) {
    int from = page.indexOf("<h2>Training curves</h2>");
    if (from < 0) {
      return List.of();
    }
    int to = page.indexOf("<h2>", from + 5);
    String section = page.substring(from, to < 0 ? page.length() : to);
    List<String> out = new ArrayList<>();
    Matcher m = Pattern.compile("<figcaption>([^<]*)</figcaption>").matcher(section);
    while (m.find()) {
      out.add(m.group(1));
    }
    return out;
  }

  private static String section(String page, String heading) {
    int from = page.indexOf("<h2>" + heading + "</h2>");
    assertTrue(from >= 0, "no section " + heading);
    int to = page.indexOf("<h2>", from + 5);
    return page.substring(from, to < 0 ? page.length() : to);
  }

  /** An LM-like run: a train record per log window, an epoch record with validation at each epoch end. */
  private static List<Map<String, Object>> lmMetrics() {
    List<Map<String, Object>> metrics = new ArrayList<>();
    for (int step = 100; step <= 1000; step += 100) {
      double loss = 6.5 - step / 250.0;
      metrics.add(rec("step", step, "epoch", 1 + step / 501, "train_loss", loss, "train_ppl", Math.exp(loss),
          "tokens_per_s", 6000.0 + step, "lr", 1.0, "grad_norm", 3.0 + step / 1000.0, "elapsed_s", step / 50.0,
          "phase", "train"));
      if (step % 500 == 0) {
        metrics.add(rec("step", step, "epoch", step / 500, "epoch_train_loss", loss + 0.2,
            "epoch_train_ppl", Math.exp(loss + 0.2), "padding_ratio", 0.0, "valid_loss", loss + 0.1,
            "valid_ppl", Math.exp(loss + 0.1), "elapsed_s", step / 50.0));
      }
    }
    metrics.add(rec("event", "done"));
    return metrics;
  }

  @Test
  void charts_trainAndValidLossShareOneChart_bookkeepingAndConstantsAreNotCharted() throws IOException {
    Path html = dir.resolve("report.html");
    HtmlReport.write(html, lmMetrics(), "lm <ptb>");
    String page = Files.readString(html);
    assertTrue(page.startsWith("<!DOCTYPE html>"));
    assertTrue(page.contains("<title>lm &lt;ptb&gt;</title>"));
    // loss first; perplexity = exp(loss) is not charted again; epoch, step, elapsed_s are bookkeeping; lr and
    // padding_ratio are constant
    assertEquals(List.of("loss", "gradient norm (grad_norm)", "throughput per second (tokens_per_s)"),
        chartCaptions(page));
    String loss = page.substring(page.indexOf("<figcaption>loss</figcaption>"));
    loss = loss.substring(0, loss.indexOf("</figure>"));
    assertEquals(3, count(loss, "<path d="), "train_loss, epoch_train_loss and valid_loss in the loss chart");
    assertTrue(loss.contains(">train_loss</text>") && loss.contains(">valid_loss</text>")
        && loss.contains(">epoch_train_loss</text>"), "legend");
    assertTrue(page.contains("Constant, not charted: lr = 1, padding_ratio = 0"), page);
    assertEquals(count(page, "<svg "), count(page, "</svg>"));
    assertFalse(page.contains("<script"));
    assertFalse(page.replace("http://www.w3.org/2000/svg", "").contains("http"), "nothing external");
    assertFalse(page.contains("phase"));
    // the final and best table: validation first, values and steps derived from lmMetrics
    String best = page.substring(page.indexOf("<caption>Final and best</caption>"));
    best = best.substring(0, best.indexOf("</table>"));
    double validAt1000 = 6.5 - 1000 / 250.0 + 0.1;
    assertTrue(best.indexOf(">valid_loss<") < best.indexOf(">train_loss<"), best);
    assertTrue(best.contains("<td>valid_loss</td><td>" + ReportFormat.value(validAt1000) + "</td><td>1,000</td><td>"
        + ReportFormat.value(validAt1000) + "</td><td>1,000</td>"), best);
    assertEquals(List.of(), Files.list(dir).filter(p -> !p.equals(html)).toList(), "no temporary files left");
  }

  @Test
  void summary_showsTheManifestFigures() throws IOException {
    Map<String, Object> manifest = new LinkedHashMap<>();
    manifest.put("runId", "r1");
    manifest.put("commandLine", List.of("seqspark lm train", "lm", "train", "--conf", "lm-demo", "--set",
        "train.epochs=2", "--out", "/tmp/r1"));
    manifest.put("startTime", "2026-01-02T03:04:05.000Z");
    manifest.put("endTime", "2026-01-02T03:05:45.400Z");
    manifest.put("inputs", List.of(Map.of("role", "train", "path", "/data/ptb.train.txt", "sizeBytes", 5_101_618)));
    manifest.put("family", "lm");
    manifest.put("configSections", List.of("", "run", "data", "model", "train", "eval", "spark", "lm"));
    manifest.put("parameters", 2_345_678);
    manifest.put("vocabularySize", 9803);
    manifest.put("validPerplexity", 192.019103588375);
    manifest.put("testPerplexity", null);
    manifest.put("steps", 1274);
    manifest.put("seconds", 99.9);
    manifest.put("trainTokensPerSecond", 12148.352707031188);
    Files.writeString(dir.resolve("manifest.json"), Json.writePretty(manifest));
    Files.writeString(dir.resolve("config.conf"), "seed = 42\ntrain { epochs = 2, learningRate = 1 }\n"
        + "w2v { dim = 100 }\n");
    try (MetricsLog log = MetricsLog.open(dir.resolve("metrics.jsonl"))) {
      for (Map<String, Object> r : lmMetrics()) {
        log.log(r);
      }
    }
    HtmlReport.writeRun(dir, null, List.of());
    String page = Files.readString(dir.resolve("report.html"));
    assertTrue(page.contains("<title>seqspark lm train r1</title>"), "title from the manifest");
    String summary = section(page, "Summary");
    assertTrue(summary.contains("valid perplexity</div><div class=\"v\">192.02<"), summary);
    assertFalse(summary.contains("test perplexity"), "null results are left out");
    assertTrue(summary.contains(">1 min 40 s<"), "wall time = end - start = 100.4 s");
    assertTrue(summary.contains(">12,148 tokens/s<"), "throughput from trainTokensPerSecond");
    assertTrue(summary.contains(">2,345,678<") && summary.contains("2.35 M"), "parameters");
    assertTrue(summary.contains(">1,274<"), "steps");
    assertTrue(summary.contains("/data/ptb.train.txt</code> (5.10 MB)"), "input with its size");
    assertTrue(summary.replaceAll("</?span[^>]*>", "")
        .contains("seqspark lm train --conf lm-demo --set train.epochs=2 --out /tmp/r1"), "the command as typed");
    assertTrue(page.indexOf("<h2>Summary</h2>") < page.indexOf("<h2>Training curves</h2>"), "summary on top");
    // the config as tables: the sections lm reads, the others folded away
    String config = section(page, "Config (resolved)");
    assertTrue(config.contains("<caption>train</caption>") && config.contains("<td>learningRate</td>"), config);
    assertTrue(config.contains("<details><summary>Sections that lm does not read: w2v</summary>"), config);
    String table = section(page, "Manifest");
    assertTrue(table.contains("<td>vocabularySize</td><td>9803</td>"), table);
    assertTrue(table.contains("<td>inputs[0]</td>") && table.contains("sizeBytes: 5101618"), table);

    // the old entry point reads the same files beside report.html
    Path again = dir.resolve("report.html");
    HtmlReport.write(again, MetricsLog.read(dir.resolve("metrics.jsonl")), "seqspark lm train r1");
    assertEquals(page, Files.readString(again));
  }

  @Test
  void summary_whileRunning_showsElapsedAndBestValidationSoFar() {
    Map<String, Object> manifest = new LinkedHashMap<>();
    manifest.put("commandLine", List.of("seqspark lm train", "lm", "train"));
    manifest.put("startTime", "2026-01-02T03:04:05Z");
    manifest.put("endTime", null);
    List<Map<String, Object>> metrics = List.of(
        rec("step", 10, "train_loss", 6.0, "tokens_per_s", 1000.0, "elapsed_s", 5.0),
        rec("step", 10, "valid_loss", 5.5, "elapsed_s", 6.0),
        rec("step", 20, "train_loss", 5.0, "tokens_per_s", 3000.0, "elapsed_s", 11.0),
        rec("step", 20, "valid_loss", 5.7, "elapsed_s", 12.5),
        rec("step", 30, "train_loss", 4.0, "tokens_per_s", 2000.0, "elapsed_s", 16.0));
    String summary = section(HtmlReport.render(metrics, "t", List.of(), manifest, Map.of()), "Summary");
    assertTrue(summary.contains("best valid loss</div><div class=\"v\">5.5<") && summary.contains("at step 10"),
        summary);
    assertTrue(summary.contains("elapsed (running)</div><div class=\"v\">16.0 s<"), summary);
    assertTrue(summary.contains(">2,000 tokens/s<") && summary.contains("median of 3 log windows"), summary);
    assertTrue(summary.contains("steps so far</div><div class=\"v\">30<"), summary);
  }

  @Test
  void tables_escapeHtml() {
    Map<String, Object> manifest = new LinkedHashMap<>();
    manifest.put("commandLine", List.of("seqspark lm train", "--set", "data.train=<a&b>.txt"));
    manifest.put("note<i>", "<script>alert('x')</script>");
    manifest.put("inputs", List.of(Map.of("role", "train", "path", "/data/\"q\"<b>.txt")));
    manifest.put("versions", Map.of("java", "17 <Debian>"));
    Map<String, Object> config = new TreeMap<>(Map.of("data.train", "</td><script>", "seed", 42));
    String page = HtmlReport.render(List.of(rec("step", 1, "loss<x>", 2.0), rec("step", 2, "loss<x>", 1.0)),
        "a <b> & c", List.of(), manifest, config);
    assertFalse(page.contains("<script"), "no markup from the inputs survives");
    assertFalse(page.contains("<b>") || page.contains("<i>") || page.contains("<a&b>") || page.contains("<x>"));
    assertTrue(page.contains("&lt;script&gt;alert(&#39;x&#39;)&lt;/script&gt;"), "manifest value escaped");
    assertTrue(page.contains("<td>note&lt;i&gt;</td>"), "manifest key escaped");
    assertTrue(page.contains("<code>&lt;/td&gt;&lt;script&gt;</code>"), "config value escaped");
    assertTrue(page.contains("data.train=&lt;a&amp;b&gt;.txt"), "command escaped");
    assertTrue(page.contains("/data/&quot;q&quot;&lt;b&gt;.txt"), "input path escaped");
    assertTrue(page.contains("17 &lt;Debian&gt;"), "nested manifest value escaped");
    assertTrue(page.contains("<title>a &lt;b&gt; &amp; c</title>"));
  }

  @Test
  void foldRecords_areATable_andTheirMeanHeadsTheSummary() {
    List<Map<String, Object>> metrics = List.of(
        rec("step", 1, "fold", 0, "origin", 97, "origin_date", "1957-02", "rmse", 30.0, "persistence_rmse", 80.0,
            "seconds", 4.0),
        rec("step", 2, "fold", 1, "origin", 109, "origin_date", "1958-02", "rmse", 20.0, "persistence_rmse", 90.0,
            "seconds", 5.0),
        rec("fold", "mean", "folds", 2, "rmse", 25.0, "persistence_rmse", 85.0));
    String page = HtmlReport.render(metrics, "fc", List.of(), Map.of(), Map.of());
    assertEquals(List.of(), chartCaptions(page), "per-fold figures are a table, not curves over folds");
    String folds = section(page, "Results per fold");
    assertTrue(folds.contains("<tr><td>1</td><td>1958-02</td><td>20</td><td>90</td><td>5</td></tr>"), folds);
    assertTrue(folds.contains("<td>mean of 2</td>"), folds);
    String summary = section(page, "Summary");
    assertTrue(summary.contains("RMSE</div><div class=\"v\">25<") && summary.contains("mean over 2 folds"), summary);
    assertTrue(summary.contains("persistence RMSE</div><div class=\"v\">85<"), summary);
  }

  @Test
  void report_copesWithASinglePointAndNaN() {
    String page = HtmlReport.render(List.of(
        rec("step", 5, "valid_ppl", 120.0),
        rec("step", 1, "train_loss", 5.0),
        rec("step", 2, "train_loss", "NaN"),
        rec("step", 3, "train_loss", 4.0),
        rec("step", 4, "train_loss", 3.5),
        rec("step", 1, "only_nan", "NaN")), "t");
    // valid_ppl has no valid_loss beside it, but a single value is not a curve
    assertEquals(List.of("loss (train_loss) — 1 non-finite", "only_nan — 1 non-finite"), chartCaptions(page));
    assertTrue(page.contains("A single value, not charted: valid_ppl = 120"), page);
    assertTrue(page.contains("<circle"), "a short series is drawn with dots");
    assertTrue(page.contains("loss (train_loss) — 1 non-finite"));
    assertFalse(page.contains("Infinity"));
    assertFalse(page.contains("\"NaN") || page.contains(" NaN"), "no NaN coordinates");
    // line broken at the NaN: two subpaths for train_loss
    String trainLoss = page.substring(page.indexOf("loss (train_loss)"),
        page.indexOf("</figure>", page.indexOf("loss (train_loss)")));
    String d = trainLoss.substring(trainLoss.indexOf("d=\"") + 3);
    d = d.substring(0, d.indexOf('"'));
    assertEquals(2, count(d, "M"), d);
    assertEquals(1, count(d, "L"), d);
  }

  @Test
  void report_noMetrics_stillAValidPage() {
    String page = HtmlReport.render(List.of(), "empty");
    assertTrue(page.contains("No numeric metrics"));
    assertTrue(page.trim().endsWith("</html>"));
  }

  @Test
  void ticks_areRoundNumbers() {
    assertEquals(List.of(0.0, 200.0, 400.0, 600.0, 800.0, 1000.0), SvgPlot.ticks(0, 1000));
    assertEquals("1.23e+07", ReportFormat.num(12_345_678));
    assertEquals("0.5", ReportFormat.num(0.5));
    assertEquals("0.0001", ReportFormat.num(1e-4));
    assertEquals("168,032", ReportFormat.step(168_032));
  }

  @Test
  void dateTicks_fallOnYearChanges_otherNamesOnRoundIndexes() {
    List<String> months = new ArrayList<>();
    for (int y = 1956; y <= 1959; y++) {
      for (int m = 1; m <= 12; m++) {
        months.add(String.format("%d-%02d", y, m));
      }
    }
    assertEquals(Map.of(12.0, "1957-01", 24.0, "1958-01", 36.0, "1959-01"), SvgPlot.xTicks(3, 40, months));
    // within one year: month changes, at most eight of them
    List<String> days = new ArrayList<>();
    for (int d = 0; d < 90; d++) {
      days.add(java.time.LocalDate.of(2020, 1, 1).plusDays(d).toString());
    }
    assertEquals(Map.of(31.0, "2020-02-01", 60.0, "2020-03-01"), SvgPlot.xTicks(0, 89, days));
    List<String> names = List.of("a", "b", "c", "d", "e");
    assertEquals(Map.of(0.0, "a", 1.0, "b", 2.0, "c", 3.0, "d", 4.0, "e"), SvgPlot.xTicks(0, 4, names));
  }

  @Test
  void figure_drawsEveryCurveInItsColourWithALegend_onALinearAxis_labelledWithDates() {
    TreeMap<Double, Double> actual = new TreeMap<>();
    TreeMap<Double, Double> forecast = new TreeMap<>();
    List<String> dates = new ArrayList<>();
    for (int t = 0; t < 30; t++) {
      actual.put((double) t, 1.0 + t * 20); // spans 1..581: a metric chart would switch to log scale
      forecast.put((double) t, 2.0 + t * 19);
      dates.add(String.format("%d-%02d", 1950 + t / 12, t % 12 + 1));
    }
    Map<String, TreeMap<Double, Double>> curves = new LinkedHashMap<>();
    curves.put("actual", actual);
    curves.put("forecast", forecast);
    String html = HtmlReport.render(List.of(), "t", List.of(new HtmlReport.Figure("fold 0", "date", curves, dates)));
    assertEquals(2, count(html, "<path d="), "one line per curve");
    assertTrue(html.contains(">actual</text>") && html.contains(">forecast</text>"), "legend");
    assertTrue(html.contains("stroke=\"#1f77b4\"") && html.contains("stroke=\"#ff7f0e\""), "two colours");
    assertTrue(html.contains("<figcaption>fold 0</figcaption>"), "linear axis: no log-scale note");
    assertTrue(html.contains(">date</text>"), "x label");
    assertTrue(html.contains(">1951-01</text>") && html.contains(">1952-01</text>"), "date ticks");
    assertTrue(html.contains("<title>actual at 1950-03: 41</title>"), "a point's date and value on hover");
  }
}
