package io.seqspark.spark.ingest;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.seqspark.core.config.Settings;
import io.seqspark.core.data.TimeSeries;
import io.seqspark.core.data.TimeSeriesCsv;
import io.seqspark.core.forecast.ForecastTraining;
import io.seqspark.core.io.Json;
import io.seqspark.core.io.RunDirectory;
import java.io.PrintStream;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.apache.spark.SparkConf;
import org.junit.jupiter.api.Assumptions;
import org.apache.spark.api.java.JavaSparkContext;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code ingest.format = csv} on the real sunspots series plus a file with one row per kind of problem: every problem
 * counted under its reason with its file:line, the good rows all kept, the normalized series equal to what
 * {@link TimeSeriesCsv} reads from the original, up-to-date detection, the fail policy, and forecast train reading the
 * ingest output.
 */
class CsvIngestIT {
  @TempDir
  Path dir;

  private static final List<String> COLUMNS = List.of("ingest.format=csv", "forecast.dateColumn=Month",
      "forecast.target=Sunspots");

  @Test
  void ingestsCountsProblemsAndFeedsForecasting() throws Exception {
    Path source = Path.of(System.getProperty("seqspark.shared", "../shared"), "data/timeseries/monthly-sunspots.csv");
    Assumptions.assumeTrue(Files.isRegularFile(source), "sunspots series not found at " + source);
    Path in = Files.createDirectories(dir.resolve("in"));
    Path sunspots = Files.copy(source, in.resolve("monthly-sunspots.csv"));
    Path bad = Files.write(in.resolve("bad.csv"), List.of(
        "\"Month\",\"Sunspots\"",
        "\"2000-01\",1.5",
        "\"2000-02\",abc",       // line 3: not a number
        "\"2000-03\",2.5,7",     // line 4: three fields, the header has two
        "\"2000-04\",",          // line 5: missing value
        "\"2000-05\",3.5",
        "\"2000-04\",9.0",       // line 7: before 2000-05
        "\"2000-06\",4.5"));
    List<String> set = new ArrayList<>(COLUMNS);
    set.addAll(List.of("forecast.missing=skip", "ingest.csvOutOfOrder=skip"));
    Settings s = Settings.load(List.of(), set);
    Path out = dir.resolve("out");
    TimeSeriesCsv.Spec spec = new TimeSeriesCsv.Spec("Month", "Sunspots", List.of(), TimeSeriesCsv.Missing.FAIL);
    TimeSeries direct = TimeSeriesCsv.read(sunspots, spec);
    try (JavaSparkContext sc = new JavaSparkContext(new SparkConf().setMaster("local[2]").setAppName("CsvIngestIT")
        .set("spark.ui.enabled", "false").set("spark.driver.host", "127.0.0.1"))) {
      String glob = in.toString() + "/*.csv";
      Ingest.Result r = Ingest.run(sc, s, glob, out.toString(), false, List.of("test"));
      assertFalse(r.upToDate());
      Map<String, Object> m = Json.readMap(Files.readString(out.resolve(Ingest.MANIFEST)));
      assertEquals(Map.of("notANumber", 1L, "wrongColumnCount", 1L, "missingValue", 1L, "outOfOrder", 1L),
          longs((Map<?, ?>) m.get("dropped")), "one row per problem, each under its reason");
      Map<?, ?> first = (Map<?, ?>) m.get("firstProblemByReason");
      String badPath = bad.toUri().toString().replace("file:///", "file:/"); // as Hadoop qualifies it
      assertEquals(badPath + ":3", first.get("notANumber"));
      assertEquals(badPath + ":4", first.get("wrongColumnCount"));
      assertEquals(badPath + ":5", first.get("missingValue"));
      assertEquals(badPath + ":7", first.get("outOfOrder"));
      // The bad file keeps exactly its 4 good rows (8 lines - header - 4 bad), in order.
      TimeSeries badSeries = TimeSeriesCsv.read(out.resolve("series/bad.csv"), spec);
      assertEquals(List.of("2000-01", "2000-05", "2000-06"), badSeries.dates().subList(0, 3));
      assertEquals(3, badSeries.length(), "8 lines - header - 4 bad rows - 0 blank");
      assertArrayEquals(new double[] {1.5, 3.5, 4.5}, badSeries.target());
      // The clean file: every row kept, bit for bit what the forecasting reader reads from the original.
      TimeSeries normalized = TimeSeriesCsv.read(out.resolve("series/monthly-sunspots.csv"), spec);
      assertEquals(direct.dates(), normalized.dates());
      assertEquals(direct.columns(), normalized.columns());
      assertArrayEquals(direct.target(), normalized.target());
      assertEquals((long) direct.length() + 3, ((Number) m.get("rowsKept")).longValue());
      for (Object o : (List<?>) m.get("inputs")) {
        Map<?, ?> input = (Map<?, ?>) o;
        assertEquals(64, String.valueOf(input.get("sha256")).length(), "hashed: " + input);
        assertEquals(Files.size(Path.of(java.net.URI.create(String.valueOf(input.get("path"))))), ((Number) input.get("sizeBytes")).longValue());
      }

      assertTrue(Ingest.run(sc, s, glob, out.toString(), false, List.of("test")).upToDate(), "unchanged: up to date");
      Files.writeString(bad, "\"2000-07\",5.5\n", java.nio.file.StandardOpenOption.APPEND);
      Ingest.Result again = Ingest.run(sc, s, glob, out.toString(), false, List.of("test"));
      assertFalse(again.upToDate());
      assertTrue(again.reason().contains("bad.csv"), again.reason());
      assertEquals(4, TimeSeriesCsv.read(out.resolve("series/bad.csv"), spec).length(), "the appended row is in");

      // forecast.missing = previous keeps the row with the last kept value (1.5 from 2000-01), counted as changed.
      List<String> prevSet = new ArrayList<>(set);
      prevSet.add("forecast.missing=previous");
      Ingest.run(sc, Settings.load(List.of(), prevSet), bad.toString(), dir.resolve("prev").toString(), false,
          List.of("test"));
      Map<String, Object> pm = Json.readMap(Files.readString(dir.resolve("prev").resolve(Ingest.MANIFEST)));
      assertEquals(Map.of("missingValue", 1L), longs((Map<?, ?>) pm.get("changed")));
      TimeSeries filled = TimeSeriesCsv.read(dir.resolve("prev/series/bad.csv"), spec);
      assertEquals(List.of("2000-01", "2000-04", "2000-05", "2000-06", "2000-07"), filled.dates());
      assertArrayEquals(new double[] {1.5, 1.5, 3.5, 4.5, 5.5}, filled.target());

      // A .gz cut mid-stream: the complete rows before the cut are kept (a prefix of the series), the file counted.
      Path cutDir = Files.createDirectories(dir.resolve("cut"));
      java.io.ByteArrayOutputStream gz = new java.io.ByteArrayOutputStream();
      try (OutputStream z = new java.util.zip.GZIPOutputStream(gz)) {
        Files.copy(sunspots, z);
      }
      byte[] all = gz.toByteArray();
      Path cut = Files.write(cutDir.resolve("cut.csv.gz"), java.util.Arrays.copyOf(all, all.length / 2));
      Ingest.run(sc, s, cut.toString(), dir.resolve("cut-out").toString(), false, List.of("test"));
      Map<String, Object> cm = Json.readMap(Files.readString(dir.resolve("cut-out").resolve(Ingest.MANIFEST)));
      assertEquals(Map.of("corruptInput", 1L), longs((Map<?, ?>) cm.get("dropped")));
      assertEquals(1, ((List<?>) cm.get("corruptFiles")).size());
      TimeSeries prefix = TimeSeriesCsv.read(dir.resolve("cut-out/series/cut.csv"), spec);
      assertTrue(prefix.length() > 0 && prefix.length() < direct.length(), "some rows, not all: " + prefix.length());
      assertEquals(direct.head(prefix.length()).dates(), prefix.dates());
      assertArrayEquals(direct.head(prefix.length()).target(), prefix.target(), "complete rows only, none cut short");

      List<String> failSet = new ArrayList<>(COLUMNS);
      failSet.add("ingest.csvBadRows=fail");
      Path failed = dir.resolve("failed");
      IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
          () -> Ingest.run(sc, Settings.load(List.of(), failSet), glob, failed.toString(), false, List.of("test")));
      assertTrue(e.getMessage().contains(badPath + ": line 3: notANumber"), e.getMessage());
      assertFalse(Files.exists(failed), "nothing written");
    }

    // forecast train reads the ingest output directory as forecast.csv, once it holds one series.
    Files.delete(out.resolve("series/bad.csv"));
    List<String> f = new ArrayList<>(COLUMNS);
    f.addAll(List.of("forecast.csv=" + out, "forecast.history=6", "forecast.horizon=3", "forecast.initialTrain=120",
        "forecast.step=12", "forecast.folds=1", "forecast.season=12", "model.hiddenSize=4", "train.epochs=1",
        "train.batchSize=64"));
    Settings fs = Settings.load(List.of(io.seqspark.core.forecast.ForecastOptions.DEFAULTS), f);
    ForecastTraining.Summary sum = ForecastTraining.run(fs, RunDirectory.create(dir.resolve("run"), false),
        List.of("test"), new PrintStream(OutputStream.nullOutputStream()));
    assertEquals(1, sum.result().folds().size());
    assertTrue(Double.isFinite(sum.result().meanRmse()));
    Map<String, Object> run = Json.readMap(Files.readString(sum.runDir().resolve("manifest.json")));
    assertEquals(direct.length(), ((Number) run.get("seriesLength")).intValue(), "trained on the whole ingested series");
  }

  private static Map<String, Long> longs(Map<?, ?> m) {
    Map<String, Long> out = new java.util.TreeMap<>();
    m.forEach((k, v) -> out.put(String.valueOf(k), ((Number) v).longValue()));
    return out;
  }
}
