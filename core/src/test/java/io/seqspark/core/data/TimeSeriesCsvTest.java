package io.seqspark.core.data;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class TimeSeriesCsvTest {
  @TempDir
  Path dir;

  private Path write(String text) throws IOException {
    Path f = dir.resolve("s.csv");
    Files.writeString(f, text);
    return f;
  }

  private static TimeSeriesCsv.Spec spec(TimeSeriesCsv.Missing missing, String... covariates) {
    return new TimeSeriesCsv.Spec("date", "y", List.of(covariates), missing);
  }

  @Test
  void read_selectsTargetFirstThenCovariates_ignoresOtherColumns_andHandlesQuotes() throws IOException {
    Path f = write("\"date\",\"x\",\"note\",\"y\"\n\"2000-01\",1.5,\"a, b\",10\n\"2000-02\",2.5,\"say \"\"hi\"\"\",11\n");
    TimeSeries s = TimeSeriesCsv.read(f, spec(TimeSeriesCsv.Missing.FAIL, "x"));
    assertEquals(List.of("y", "x"), s.columns());
    assertEquals(List.of("2000-01", "2000-02"), s.dates());
    assertArrayEquals(new double[] {10, 11}, s.target());
    assertEquals(2.5, s.value(1, 1));
  }

  @Test
  void badNumber_failsNamingFileLineColumnValueAndFix() throws IOException {
    Path f = write("date,y\n2000-01,1\n\n2000-03,1,5\n");
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
        () -> TimeSeriesCsv.read(f, spec(TimeSeriesCsv.Missing.FAIL)));
    assertTrue(e.getMessage().startsWith(f + ":4: 3 fields"), e.getMessage());
    Path g = write("date,y\n2000-01,1\n2000-02,abc\n");
    e = assertThrows(IllegalArgumentException.class, () -> TimeSeriesCsv.read(g, spec(TimeSeriesCsv.Missing.FAIL)));
    assertTrue(e.getMessage().contains(g + ":3: column \"y\" holds \"abc\", which is not a number"), e.getMessage());
    assertTrue(e.getMessage().contains("fix the cell"), e.getMessage());
  }

  @Test
  void unknownColumn_failsListingTheHeaderAndTheKey() throws IOException {
    Path f = write("Month,Sunspots\n1749-01,58.0\n");
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
        () -> TimeSeriesCsv.read(f, new TimeSeriesCsv.Spec("Month", "Spots", List.of(), TimeSeriesCsv.Missing.FAIL)));
    assertTrue(e.getMessage().contains(f + ":1: no column named \"Spots\" (forecast.target)"), e.getMessage());
    assertTrue(e.getMessage().contains("[Month, Sunspots]"), e.getMessage());
  }

  @Test
  void missingValues_followThePolicy() throws IOException {
    Path f = write("date,y,x\nd1,1,5\nd2,,6\nd3,3,NA\n");
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
        () -> TimeSeriesCsv.read(f, spec(TimeSeriesCsv.Missing.FAIL, "x")));
    assertTrue(e.getMessage().startsWith(f + ":3: column \"y\" is missing"), e.getMessage());
    TimeSeries skipped = TimeSeriesCsv.read(f, spec(TimeSeriesCsv.Missing.SKIP, "x"));
    assertEquals(List.of("d1"), skipped.dates());
    TimeSeries previous = TimeSeriesCsv.read(f, spec(TimeSeriesCsv.Missing.PREVIOUS, "x"));
    assertArrayEquals(new double[] {1, 1, 3}, previous.target());
    assertEquals(6, previous.value(1, 2));
  }

  @Test
  void oneRow_parsesOnItsOwn_forDistributedReaders() {
    TimeSeriesCsv.Header h = TimeSeriesCsv.header("\"Month\",\"Sunspots\"", "f:1",
        new TimeSeriesCsv.Spec("Month", "Sunspots", List.of(), TimeSeriesCsv.Missing.FAIL));
    TimeSeriesCsv.Row r = TimeSeriesCsv.row("\"1749-01\",58.0", "f:2", h);
    assertEquals("1749-01", r.date());
    assertArrayEquals(new double[] {58.0}, r.values());
  }

  @Test
  void sharedSunspots_readsAllRows() throws IOException {
    Path f = Path.of(System.getProperty("seqspark.shared", "../shared"), "data/timeseries/monthly-sunspots.csv");
    org.junit.jupiter.api.Assumptions.assumeTrue(Files.isRegularFile(f), "shared data not present");
    TimeSeries s = TimeSeriesCsv.read(f, new TimeSeriesCsv.Spec("Month", "Sunspots", List.of(), TimeSeriesCsv.Missing.FAIL));
    // README.txt: 2,820 rows, 1749-01 .. 1983-12, values 0.0-253.8
    assertEquals(2820, s.length());
    assertEquals("1983-12", s.dates().get(2819));
    assertEquals(58.0, s.value(0, 0));
    assertEquals(253.8, java.util.Arrays.stream(s.target()).max().orElseThrow());
  }
}
