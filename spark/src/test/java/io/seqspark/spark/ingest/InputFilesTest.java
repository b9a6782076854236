package io.seqspark.spark.ingest;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.apache.hadoop.conf.Configuration;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Listing a directory input: files at any depth, sorted, hidden names skipped at every level (as Hadoop does). */
class InputFilesTest {
  @TempDir
  Path tmp;

  @Test
  void list_directory_walksSubdirectories_skipsHiddenNamesAtEveryLevel_sortsByPath() throws IOException {
    Path in = tmp.resolve("in");
    Files.createDirectories(in.resolve("sub/deeper"));
    Files.createDirectories(in.resolve(".hidden"));
    Files.createDirectories(in.resolve("_logs"));
    Files.writeString(in.resolve("b.txt"), "b b\n");
    Files.writeString(in.resolve("sub/a.txt"), "a\n");
    Files.writeString(in.resolve("sub/deeper/c.txt"), "c c c\n");
    Files.writeString(in.resolve("sub/.c.txt.crc"), "x");
    Files.writeString(in.resolve("_SUCCESS"), "");
    Files.writeString(in.resolve(".hidden/d.txt"), "d\n");
    Files.writeString(in.resolve("_logs/e.txt"), "e\n");

    List<InputFiles.InputFile> got = InputFiles.list("--input", in.toString(), new Configuration());

    assertEquals(List.of("b.txt", "sub/a.txt", "sub/deeper/c.txt"),
        got.stream().map(f -> f.path().substring(f.path().indexOf("/in/") + 4)).toList());
    assertEquals(List.of(4L, 2L, 6L), got.stream().map(InputFiles.InputFile::sizeBytes).toList());
  }
}
