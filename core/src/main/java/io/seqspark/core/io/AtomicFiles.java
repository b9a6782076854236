package io.seqspark.core.io;

import java.io.BufferedOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.channels.Channels;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.FileVisitResult;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.SimpleFileVisitor;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.BasicFileAttributes;

/**
 * Writes that either happen completely or not at all: readers (and a resumed run after a crash) see the old file or
 * the new one, never a truncated one.
 *
 * <p>The data goes to a temporary file in the target's directory (same file system, so the rename is atomic), is
 * forced to disk, and is renamed over the target; the directory is then synced so the rename itself survives a power
 * loss where the OS allows it. A writer that throws leaves the old file untouched and no temporary file behind.
 */
public final class AtomicFiles {

  /** Like {@code Consumer}, but may throw {@link IOException}. */
  @FunctionalInterface
  public interface IOConsumer<T> {
    void accept(T t) throws IOException;
  }

  private AtomicFiles() {}

  public static void writeString(Path target, String text) throws IOException {
    writeBytes(target, text.getBytes(StandardCharsets.UTF_8));
  }

  public static void writeBytes(Path target, byte[] bytes) throws IOException {
    write(target, out -> out.write(bytes));
  }

  /** Streams {@code writer}'s output to {@code target} atomically; the stream is buffered and closed for it. */
  public static void write(Path target, IOConsumer<OutputStream> writer) throws IOException {
    Path dir = parentOf(target);
    Files.createDirectories(dir);
    Path tmp = Files.createTempFile(dir, "." + target.getFileName() + ".", ".tmp");
    try {
      try (FileChannel channel = FileChannel.open(tmp, StandardOpenOption.WRITE)) {
        OutputStream out = new BufferedOutputStream(Channels.newOutputStream(channel), 1 << 16);
        writer.accept(new NonClosing(out));
        out.flush();
        channel.force(true);
      }
      move(tmp, target);
    } catch (IOException | RuntimeException | Error e) {
      Files.deleteIfExists(tmp);
      throw e;
    }
    syncDirectory(dir);
  }

  /**
   * Puts the complete directory {@code tmpDir} (written next to {@code target}, same file system) in place of
   * {@code target}. A rename cannot replace a non-empty directory, so an existing target is first renamed aside to
   * {@code <target>.old-<nanos>}, the new one renamed in, and the old one deleted. If the process dies in between,
   * the complete old copy survives under the {@code .old-} name; if renaming the new one fails, the old one is put
   * back.
   */
  public static void replaceDirectory(Path tmpDir, Path target) throws IOException {
    if (!Files.isDirectory(tmpDir)) {
      throw new IllegalArgumentException("replaceDirectory: " + tmpDir + " is not a directory");
    }
    Path dir = parentOf(target);
    Files.createDirectories(dir);
    if (!Files.exists(target)) {
      move(tmpDir, target);
      syncDirectory(dir);
      return;
    }
    Path aside = dir.resolve(target.getFileName() + ".old-" + System.nanoTime());
    move(target, aside);
    try {
      move(tmpDir, target);
    } catch (IOException | RuntimeException e) {
      move(aside, target);
      throw e;
    }
    syncDirectory(dir);
    deleteRecursively(aside);
  }

  /** Deletes a file or a directory tree; a missing path is fine. */
  public static void deleteRecursively(Path path) throws IOException {
    if (!Files.exists(path, java.nio.file.LinkOption.NOFOLLOW_LINKS)) {
      return;
    }
    Files.walkFileTree(path, new SimpleFileVisitor<>() {
      @Override
      public FileVisitResult visitFile(Path file, BasicFileAttributes attrs) throws IOException {
        Files.deleteIfExists(file);
        return FileVisitResult.CONTINUE;
      }

      @Override
      public FileVisitResult postVisitDirectory(Path d, IOException e) throws IOException {
        if (e != null) {
          throw e;
        }
        Files.deleteIfExists(d);
        return FileVisitResult.CONTINUE;
      }

      @Override
      public FileVisitResult visitFileFailed(Path file, IOException e) throws IOException {
        if (e instanceof NoSuchFileException) {
          return FileVisitResult.CONTINUE;
        }
        throw e;
      }
    });
  }

  private static void move(Path from, Path to) throws IOException {
    try {
      Files.move(from, to, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
    } catch (AtomicMoveNotSupportedException e) {
      Files.move(from, to, StandardCopyOption.REPLACE_EXISTING);
    }
  }

  private static Path parentOf(Path target) {
    Path parent = target.toAbsolutePath().getParent();
    if (parent == null) {
      throw new IllegalArgumentException("cannot write atomically to a file system root: " + target);
    }
    return parent;
  }

  /** Makes a rename durable; not every OS lets a directory be opened for this, so failure is ignored. */
  private static void syncDirectory(Path dir) {
    try (FileChannel channel = FileChannel.open(dir, StandardOpenOption.READ)) {
      channel.force(true);
    } catch (IOException | RuntimeException ignored) {
      // Windows and some file systems cannot fsync a directory; the rename is still atomic there.
    }
  }

  /** Keeps a careless writer from closing the stream before it is flushed and forced. */
  private static final class NonClosing extends java.io.FilterOutputStream {
    NonClosing(OutputStream out) {
      super(out);
    }

    @Override
    public void write(byte[] b, int off, int len) throws IOException {
      out.write(b, off, len);
    }

    @Override
    public void close() throws IOException {
      flush();
    }
  }
}
