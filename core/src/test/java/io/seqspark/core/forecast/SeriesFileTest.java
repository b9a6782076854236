package io.seqspark.core.forecast;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code forecast.csv} may name a csv ingest output directory: its one series is read. */
class SeriesFileTest {
  @TempDir
  Path dir;

  @Test
  void aFileIsItselfAnIngestDirectoryGivesItsOnlySeries() throws Exception {
    Path file = Files.writeString(dir.resolve("x.csv"), "date,value\n1,2\n");
    assertEquals(file, ForecastTraining.seriesFile(file));
    Path out = Files.createDirectories(dir.resolve("out/series"));
    Path one = Files.writeString(out.resolve("a.csv"), "date,value\n1,2\n");
    assertEquals(one, ForecastTraining.seriesFile(dir.resolve("out")));
    Files.writeString(out.resolve("b.csv"), "date,value\n1,2\n");
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
        () -> ForecastTraining.seriesFile(dir.resolve("out")));
    assertTrue(e.getMessage().contains("2 ingested series") && e.getMessage().contains("a.csv"), e.getMessage());
    e = assertThrows(IllegalArgumentException.class, () -> ForecastTraining.seriesFile(dir));
    assertTrue(e.getMessage().contains("without series/*.csv"), e.getMessage());
  }
}
