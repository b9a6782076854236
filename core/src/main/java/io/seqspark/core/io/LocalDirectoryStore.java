package io.seqspark.core.io;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;

/** A {@link DirectoryStore} on the local file system; publishing is {@link AtomicFiles#replaceDirectory}. */
public final class LocalDirectoryStore implements DirectoryStore {
  static final String TEMP_PREFIX = ".tmp-";
  private final Path dir;

  public LocalDirectoryStore(Path dir) {
    this.dir = dir;
  }

  public Path dir() {
    return dir;
  }

  @Override
  public String location() {
    return dir.toString();
  }

  @Override
  public List<String> entries() throws IOException {
    return list(dir).stream().filter(n -> !n.startsWith(TEMP_PREFIX) && Files.isDirectory(dir.resolve(n))).toList();
  }

  @Override
  public String createTemporary() throws IOException {
    Files.createDirectories(dir);
    return Files.createTempDirectory(dir, TEMP_PREFIX).getFileName().toString();
  }

  @Override
  public OutputStream create(String entry, String file) throws IOException {
    return Files.newOutputStream(dir.resolve(entry).resolve(file));
  }

  @Override
  public InputStream open(String entry, String file) throws IOException {
    return Files.newInputStream(dir.resolve(entry).resolve(file));
  }

  @Override
  public List<String> files(String entry) throws IOException {
    return list(dir.resolve(entry));
  }

  @Override
  public void publish(String temporary, String name) throws IOException {
    AtomicFiles.replaceDirectory(dir.resolve(temporary), dir.resolve(name));
  }

  @Override
  public void delete(String entry) throws IOException {
    AtomicFiles.deleteRecursively(dir.resolve(entry));
  }

  @Override
  public String location(String entry) {
    return dir.resolve(entry).toString();
  }

  private static List<String> list(Path d) throws IOException {
    if (!Files.isDirectory(d)) {
      return List.of();
    }
    try (Stream<Path> s = Files.list(d)) {
      return s.map(p -> p.getFileName().toString()).sorted().toList();
    }
  }
}
