package io.seqspark.core.io;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** Attention records in metrics.jsonl and their heat maps in the report. */
class AttentionMapsTest {
  private static final List<String> SOURCE = List.of("ein", "hund", "</s>");
  private static final List<String> OUTPUT = List.of("a", "dog", "</s>");
  private static final double[][] WEIGHTS = {{0.9, 0.1, 0}, {0.05, 0.25, 0.7}, {0.12344, 0.5, 0.37656}};

  @Test
  void record_survivesTheMetricsLog_andTheReportDrawsACellPerWeight() {
    Map<String, Object> r = AttentionMaps.record(40, 0, 7, SOURCE, OUTPUT, "a dog <ref>", WEIGHTS);
    // through JSON, as report.html reads it back from metrics.jsonl
    Map<String, Object> back = Json.readMap(Json.write(r));
    List<Map<String, Object>> metrics = List.of(Map.of("step", 40, "train_loss", 2.0), Map.of("step", 40,
        "train_loss", 1.0), back);
    String html = HtmlReport.render(new ArrayList<>(metrics), "t");
    assertTrue(html.contains("<h2>Attention</h2>"));
    assertTrue(html.contains("Sample 1 (line 8)"), "1-based sample and line");
    assertTrue(html.contains("<th class=\"x\"><span>hund</span></th>"), "source words across");
    assertTrue(html.contains("<th class=\"y\">dog</th>"), "output words down");
    assertEquals(9, html.split("<td style=", -1).length - 1, "3 x 3 cells");
    // the cell's darkness is its weight; the tooltip names the pair and the weight (4 decimals kept in the record)
    assertTrue(html.contains("background:rgba(11,79,138,0.900)\" title=\"a &larr; ein: 0.900\""), html);
    assertTrue(html.contains("background:rgba(11,79,138,0.123)\" title=\"&lt;/s&gt; &larr; ein: 0.123\""), html);
    assertTrue(html.contains("reference: a dog &lt;ref&gt;"), "escaped");
    assertEquals(List.of("train_loss"), List.copyOf(HtmlReport.series(new ArrayList<>(metrics)).keySet()),
        "the record is not charted as a metric (step alone is bookkeeping)");
  }

  @Test
  void aResumedRunsRecords_onlyTheLastStepIsDrawn() {
    List<Map<String, Object>> metrics = new ArrayList<>();
    metrics.add(AttentionMaps.record(10, 0, 0, SOURCE, OUTPUT, null, WEIGHTS));
    metrics.add(AttentionMaps.record(10, 1, 1, SOURCE, OUTPUT, null, WEIGHTS));
    metrics.add(AttentionMaps.record(20, 0, 0, List.of("zwei", "</s>"), List.of("two", "</s>"), null,
        new double[][] {{1, 0}, {0, 1}}));
    String html = HtmlReport.render(metrics, "t");
    assertEquals(1, html.split("<table class=\"attn\">", -1).length - 1, html);
    assertTrue(html.contains("zwei") && !html.contains("hund"));
    assertFalse(HtmlReport.render(List.of(Map.of("step", 1, "train_loss", 1.0)), "t").contains("Attention"),
        "no section without records");
  }

  @Test
  void record_withRowsNotMatchingTheWords_failsNamingTheSample() {
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
        () -> AttentionMaps.record(1, 3, 0, SOURCE, List.of("a"), null, WEIGHTS));
    assertTrue(e.getMessage().contains("attention sample 3: 3 weight rows for 1 output words"), e.getMessage());
    e = assertThrows(IllegalArgumentException.class,
        () -> AttentionMaps.record(1, 2, 0, List.of("x"), OUTPUT, null, WEIGHTS));
    assertTrue(e.getMessage().contains("a row of 3 weights for 1 source words"), e.getMessage());
  }
}
