package io.seqspark.core.io;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class AtomicFilesTest {

  @TempDir Path dir;

  private List<String> names(Path d) throws IOException {
    try (Stream<Path> s = Files.list(d)) {
      return s.map(p -> p.getFileName().toString()).sorted().collect(Collectors.toList());
    }
  }

  @Test
  void writeString_replacesTheFile_andLeavesNoTempFiles() throws IOException {
    Path f = dir.resolve("sub/config.conf");
    AtomicFiles.writeString(f, "a = 1\n");
    AtomicFiles.writeString(f, "a = 2\n");
    assertEquals("a = 2\n", Files.readString(f));
    assertEquals(List.of("config.conf"), names(f.getParent()));
  }

  @Test
  void write_failingWriter_leavesTheOldFileIntactAndNoTempFiles() throws IOException {
    Path f = dir.resolve("manifest.json");
    AtomicFiles.writeBytes(f, "old".getBytes());
    IOException e = assertThrows(IOException.class, () -> AtomicFiles.write(f, out -> {
      out.write("half of the new".getBytes());
      throw new IOException("disk on fire");
    }));
    assertEquals("disk on fire", e.getMessage());
    assertEquals("old", Files.readString(f));
    assertEquals(List.of("manifest.json"), names(dir));
    assertThrows(IllegalStateException.class, () -> AtomicFiles.write(f, out -> {
      throw new IllegalStateException("bug");
    }));
    assertEquals("old", Files.readString(f));
    assertEquals(List.of("manifest.json"), names(dir));
  }

  @Test
  void write_writerClosingTheStream_stillCommitsEverything() throws IOException {
    Path f = dir.resolve("x.bin");
    AtomicFiles.write(f, out -> {
      out.write(new byte[100_000]);
      out.close();
    });
    assertEquals(100_000, Files.size(f));
  }

  @Test
  void replaceDirectory_intoNewAndOverNonEmptyTarget() throws IOException {
    Path target = dir.resolve("checkpoints/last");
    Path tmp1 = Files.createDirectories(dir.resolve("checkpoints/.tmp1"));
    Files.writeString(tmp1.resolve("params.bin"), "one");
    AtomicFiles.replaceDirectory(tmp1, target);
    assertEquals("one", Files.readString(target.resolve("params.bin")));

    Path tmp2 = Files.createDirectories(dir.resolve("checkpoints/.tmp2"));
    Files.writeString(tmp2.resolve("params.bin"), "two");
    Files.writeString(tmp2.resolve("state.bin"), "s");
    AtomicFiles.replaceDirectory(tmp2, target);
    assertEquals("two", Files.readString(target.resolve("params.bin")));
    assertEquals(List.of("params.bin", "state.bin"), names(target));
    assertEquals(List.of("last"), names(dir.resolve("checkpoints")));
  }

  @Test
  void deleteRecursively_treeAndMissingPath() throws IOException {
    Path d = Files.createDirectories(dir.resolve("a/b/c"));
    Files.writeString(d.resolve("f"), "x");
    AtomicFiles.deleteRecursively(dir.resolve("a"));
    assertFalse(Files.exists(dir.resolve("a")));
    AtomicFiles.deleteRecursively(dir.resolve("missing"));
    assertTrue(Files.isDirectory(dir));
  }
}
