package io.seqspark.spark.ingest;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.seqspark.core.data.TimeSeriesCsv;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The pure parts of {@link CsvSeries}: date order, cell quoting, series names. */
class CsvSeriesTest {

  @Test
  void datesCompareInNaturalOrder() {
    assertTrue(CsvSeries.compareDates("1749-2", "1749-10") < 0, "digit runs compare as numbers, not as text");
    assertTrue(CsvSeries.compareDates("1749-12", "1750-01") < 0);
    assertTrue(CsvSeries.compareDates("2024-03-01 09:00", "2024-03-01 10:00") < 0);
    assertTrue(CsvSeries.compareDates("2024-03-01", "2024-03-01 00:00") < 0, "a prefix comes first");
    assertEquals(0, CsvSeries.compareDates("1749-01", "1749-01"), "a repeated date is not after the previous one");
    assertTrue(CsvSeries.compareDates("99999999999999999999-01", "1-01") > 0, "longer than a long");
  }

  @Test
  void quotedCellsReadBackThroughTheForecastParser() {
    TimeSeriesCsv.Spec spec = new TimeSeriesCsv.Spec("d", "v", List.of(), TimeSeriesCsv.Missing.FAIL);
    TimeSeriesCsv.Header h = TimeSeriesCsv.header("d,v", "line 1", spec);
    for (String date : List.of("plain", "a,b", "say \"hi\"", "\"")) {
      double v = 0.1 + 0.2; // not a short decimal: Double.toString must still read back bit for bit
      TimeSeriesCsv.Row r = TimeSeriesCsv.row(CsvSeries.quote(date) + "," + v, "line 2", h);
      assertEquals(date, r.date());
      assertEquals(Double.doubleToLongBits(v), Double.doubleToLongBits(r.values()[0]));
    }
  }

  @Test
  void seriesAreNamedAfterTheirFiles() {
    assertEquals("sunspots.csv", CsvSeries.seriesName("hdfs://nn/x/sunspots.csv.gz"));
    assertEquals("load.csv", CsvSeries.seriesName("file:/x/load.txt"));
    assertEquals("a.b.csv", CsvSeries.seriesName("/x/a.b"));
  }
}
