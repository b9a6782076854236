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

  @Test
  void report_onePlotPerNumericMetricWithAStep() throws IOException {
    List<Map<String, Object>> metrics = new ArrayList<>();
    for (int step = 0; step <= 1000; step += 100) {
      double loss = 6.5 - step / 250.0;
      metrics.add(rec("step", step, "epoch", 1, "train_loss", loss, "train_ppl", Math.exp(loss),
          "tokens_per_s", 6800.0, "lr", 1.0, "phase", "train"));
    }
    metrics.add(rec("step", 1000, "valid_ppl", 140.2));
    metrics.add(rec("event", "done"));
    Path html = dir.resolve("report.html");
    HtmlReport.write(html, metrics, "lm <ptb>");
    String page = Files.readString(html);
    assertTrue(page.startsWith("<!DOCTYPE html>"));
    assertTrue(page.contains("<title>lm &lt;ptb&gt;</title>"));
    assertEquals(6, count(page, "<svg "), "epoch, train_loss, train_ppl, tokens_per_s, lr, valid_ppl");
    assertEquals(count(page, "<svg "), count(page, "</svg>"));
    assertFalse(page.contains("<script"));
    assertFalse(page.contains("http://") && page.replace("http://www.w3.org/2000/svg", "").contains("http://"));
    assertTrue(page.contains("train_ppl (log scale)"), "ppl spans > 30x");
    assertTrue(page.contains("<td>valid_ppl</td><td>1000</td><td>140.2</td>"), page);
    assertFalse(page.contains("phase"));
    assertFalse(page.contains("NaN"));
    assertEquals(List.of(), Files.list(dir).filter(p -> !p.equals(html)).toList());
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
    assertEquals(3, count(page, "<svg "));
    assertTrue(page.contains("<circle"), "a single point is drawn as a dot");
    assertTrue(page.contains("train_loss — 1 non-finite"));
    assertFalse(page.contains("Infinity"));
    assertFalse(page.contains("\"NaN") || page.contains(" NaN"), "no NaN coordinates");
    // line broken at the NaN: two subpaths for train_loss
    String trainLoss = page.substring(page.indexOf("train_loss"), page.indexOf("</figure>", page.indexOf("train_loss")));
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
    assertEquals(List.of(0.0, 200.0, 400.0, 600.0, 800.0, 1000.0), HtmlReport.ticks(0, 1000));
    assertEquals("1.23e+07", HtmlReport.num(12_345_678));
    assertEquals("0.5", HtmlReport.num(0.5));
  }

  @Test
  void figure_drawsEveryCurveInItsColourWithALegend_onALinearAxis() {
    java.util.TreeMap<Double, Double> actual = new java.util.TreeMap<>();
    java.util.TreeMap<Double, Double> forecast = new java.util.TreeMap<>();
    for (int t = 0; t < 10; t++) {
      actual.put((double) t, 1.0 + t * 20); // spans 1..181: a metric plot would switch to log scale
      forecast.put((double) t, 2.0 + t * 19);
    }
    Map<String, java.util.TreeMap<Double, Double>> curves = new LinkedHashMap<>();
    curves.put("actual", actual);
    curves.put("forecast", forecast);
    String html = HtmlReport.render(List.of(), "t", List.of(new HtmlReport.Figure("fold 0", "month", curves)));
    assertEquals(2, count(html, "<path d="), "one line per curve");
    assertTrue(html.contains(">actual</text>") && html.contains(">forecast</text>"), "legend");
    assertTrue(html.contains("stroke=\"#1f77b4\"") && html.contains("stroke=\"#ff7f0e\""), "two colours");
    assertTrue(html.contains("<figcaption>fold 0</figcaption>"), "linear axis: no log-scale note");
    assertTrue(html.contains(">month</text>"), "x label");
  }
}
