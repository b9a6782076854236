package io.seqspark.jobs;

import static io.seqspark.jobs.SeqSparkCliTest.cli;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.seqspark.core.io.MetricsLog;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code forecast train | eval | predict} end to end on a small CSV, and one clear error for a bad cell. */
class ForecastCommandTest {
  @TempDir
  static Path dir;
  static Path csv;

  @BeforeAll
  static void series() throws IOException {
    List<String> lines = new ArrayList<>(List.of("\"day\",\"load\",\"temp\""));
    for (int t = 0; t < 80; t++) {
      lines.add(String.format(java.util.Locale.ROOT, "\"d%03d\",%.3f,%.3f", t, 100 + 20 * Math.sin(t / 3.0), 10.0 + t % 5));
    }
    csv = Files.write(dir.resolve("load.csv"), lines);
  }

  private static String[] train(Path out, String csvPath, String... extra) {
    List<String> a = new ArrayList<>(List.of("forecast", "train", "--out", out.toString(), "--set", "forecast.csv=" + csvPath,
        "--set", "forecast.dateColumn=day", "--set", "forecast.target=load", "--set", "forecast.covariates=[temp]",
        "--set", "forecast.history=6", "--set", "forecast.horizon=3", "--set", "forecast.initialTrain=40",
        "--set", "forecast.step=10", "--set", "forecast.folds=2", "--set", "forecast.season=6",
        "--set", "model.hiddenSize=4", "--set", "train.epochs=3", "--set", "train.batchSize=8"));
    a.addAll(List.of(extra));
    return a.toArray(new String[0]);
  }

  @Test
  void trainEvalPredict_writeTheRunAndForecastTheNextHorizon() throws IOException {
    Path out = dir.resolve("run");
    SeqSparkCliTest.Outcome o = cli(train(out, csv.toString(), "--set", "forecast.decoder=autoregressive"));
    assertEquals(0, o.code(), o.err());
    for (String f : new String[] {"config.conf", "manifest.json", "metrics.jsonl", "report.html", "model.zip"}) {
      assertTrue(Files.isRegularFile(out.resolve(f)), f);
    }
    List<Map<String, Object>> m = MetricsLog.read(out.resolve("metrics.jsonl"));
    assertEquals(3, m.size(), "one record per fold, then the mean");
    assertEquals(40, ((Number) m.get(0).get("origin")).intValue());
    assertEquals(50, ((Number) m.get(1).get("origin")).intValue());
    assertEquals("mean", m.get(2).get("fold"));
    double mean = (((Number) m.get(0).get("rmse")).doubleValue() + ((Number) m.get(1).get("rmse")).doubleValue()) / 2;
    assertEquals(mean, ((Number) m.get(2).get("rmse")).doubleValue(), 1e-9);
    String html = Files.readString(out.resolve("report.html"));
    assertTrue(html.contains("fold 1: forecasts from d050"), "a forecast-vs-actual figure per fold");
    assertTrue(html.contains(">actual</text>") && html.contains(">forecast</text>"), "legend names the curves");

    SeqSparkCliTest.Outcome p = cli("forecast", "predict", "--model", out.toString());
    assertEquals(0, p.code(), p.err());
    String[] lines = p.out().strip().split("\n");
    assertEquals("# load after d079 (load.csv), 3 steps", lines[0]);
    assertEquals(4, lines.length);
    assertTrue(lines[3].startsWith("+3\t"), lines[3]);

    SeqSparkCliTest.Outcome none = cli("forecast", "eval", "--model", out.toString());
    assertEquals(2, none.code(), "the training series has no window after the training data");
    assertTrue(none.err().contains("--from"), none.err());
    SeqSparkCliTest.Outcome e = cli("forecast", "eval", "--model", out.toString(), "--from", "d070");
    assertEquals(0, e.code(), e.err());
    assertTrue(e.out().contains("\"windows\":8"), e.out()); // origins 70..77 (last complete window starts at 77)
    assertTrue(e.err().contains("in-sample"), e.err());
  }

  @Test
  void badCell_exitsTwoNamingFileLineColumnAndValue() throws IOException {
    List<String> lines = new ArrayList<>(Files.readAllLines(csv));
    lines.set(5, "\"d004\",oops,1");
    Path bad = Files.write(dir.resolve("bad.csv"), lines);
    SeqSparkCliTest.Outcome o = cli(train(dir.resolve("bad-run"), bad.toString()));
    assertEquals(2, o.code());
    assertTrue(o.err().contains(bad + ":6: column \"load\" holds \"oops\", which is not a number"), o.err());
  }
}
