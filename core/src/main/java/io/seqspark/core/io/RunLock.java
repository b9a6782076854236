package io.seqspark.core.io;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.channels.OverlappingFileLockException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;
import java.util.function.Consumer;

/**
 * The lock one run holds on its run directory while it writes there ({@value #FILE}), so two runs on one output
 * directory (a second {@code --resume} of a run still going, the same {@code --out} twice) cannot interleave their
 * checkpoints and metrics: the second is refused with a message naming the holder (host, pid, start time, command).
 *
 * <p>The file names its holder and is also locked through the operating system ({@link FileChannel#tryLock}), which
 * the system releases when the holding process dies, however it dies. A lock file left by a process that is gone
 * (same host, its pid not running, or running but started at another time: a reused pid) is taken over, with a log
 * line naming the dead holder; one from another host is not (its liveness cannot be checked from here), and the
 * message says which file to delete once that run is known to be gone. On a file system without locks (some network
 * mounts) the holder's host and pid alone decide.
 */
public final class RunLock implements AutoCloseable {

  /** The lock file in the run directory. */
  public static final String FILE = ".seqspark-lock";

  private final Path file;
  private final FileChannel channel;
  private final FileLock lock;
  private final String token;

  private RunLock(Path file, FileChannel channel, FileLock lock, String token) {
    this.file = file;
    this.channel = channel;
    this.lock = lock;
    this.token = token;
  }

  /**
   * Takes the lock of run directory {@code dir} for {@code command} ("lm train"), taking over one left by a dead
   * process on this host (reported through {@code log}).
   *
   * @throws IllegalStateException if a live run, or a run on another host, holds it
   */
  public static RunLock acquire(Path dir, String command, Consumer<String> log) throws IOException {
    Path file = dir.resolve(FILE);
    for (int attempt = 0; ; attempt++) {
      FileChannel ch = FileChannel.open(file, StandardOpenOption.CREATE, StandardOpenOption.READ,
          StandardOpenOption.WRITE);
      boolean keep = false;
      try {
        FileLock fl;
        boolean systemLock = true;
        try {
          fl = tryLock(ch);
        } catch (IOException e) {
          // a file system without locks (some network mounts): the holder's pid and host alone decide
          fl = null;
          systemLock = false;
        }
        Map<String, String> holder = read(ch);
        if (fl == null && systemLock) {
          throw inUse(dir, holder, "it is running");
        }
        if (!holder.isEmpty()) {
          if (!thisHost().equals(holder.get("host"))) {
            throw inUse(dir, holder, "it runs on another host, where this one cannot tell whether it is still"
                + " running; if it is gone, delete " + file);
          }
          if (alive(holder)) {
            throw inUse(dir, holder, "its process is still running");
          }
          log.accept("took over the lock of " + dir + " left by " + describe(holder) + ", which is no longer running");
        }
        String token = UUID.randomUUID().toString();
        Map<String, String> me = new LinkedHashMap<>();
        me.put("host", thisHost());
        me.put("pid", Long.toString(ProcessHandle.current().pid()));
        me.put("processStart", processStart(ProcessHandle.current()));
        me.put("started", Instant.now().toString());
        me.put("command", command);
        me.put("token", token);
        ch.truncate(0);
        ch.write(ByteBuffer.wrap(render(me).getBytes(StandardCharsets.UTF_8)), 0);
        ch.force(true);
        // another process may have deleted the file (releasing its lock) between our open and our lock: then we hold
        // an unlinked file; try again on the one now at the path
        if (!token.equals(readFile(file).get("token"))) {
          if (fl != null) {
            fl.release();
          }
          if (attempt < 3) {
            continue;
          }
          throw new IllegalStateException("could not take the lock " + file + ": other processes keep replacing it");
        }
        keep = true;
        return new RunLock(file, ch, fl, token);
      } finally {
        if (!keep) {
          ch.close();
        }
      }
    }
  }

  /**
   * Who holds the lock of {@code dir} now, e.g. {@code host h, pid 4711, started 2025-03-14T09:30:15Z (lm train)},
   * or empty when nobody does (no file, or one a dead holder left). Used before {@code --overwrite} deletes a run.
   */
  public static Optional<String> holder(Path dir) throws IOException {
    Path file = dir.resolve(FILE);
    if (!Files.exists(file)) {
      return Optional.empty();
    }
    try (FileChannel ch = FileChannel.open(file, StandardOpenOption.READ, StandardOpenOption.WRITE)) {
      FileLock fl;
      try {
        fl = tryLock(ch);
      } catch (IOException e) {
        // no system locks here: decide by the holder's pid and host
        Map<String, String> holder = read(ch);
        boolean held = !holder.isEmpty() && (!thisHost().equals(holder.get("host")) || alive(holder));
        return held ? Optional.of(describe(holder)) : Optional.empty();
      }
      Map<String, String> holder = read(ch);
      if (fl == null) {
        return Optional.of(describe(holder));
      }
      fl.release();
      if (!holder.isEmpty() && (!thisHost().equals(holder.get("host")) || alive(holder))) {
        return Optional.of(describe(holder));
      }
      return Optional.empty();
    } catch (NoSuchFileException e) {
      return Optional.empty();
    }
  }

  /** Releases the lock and deletes its file (only if the file is still this lock's). */
  @Override
  public void close() throws IOException {
    try {
      if (channel.isOpen() && token.equals(readFile(file).get("token"))) {
        Files.deleteIfExists(file);
      }
    } finally {
      try {
        if (lock != null && lock.isValid()) {
          lock.release();
        }
      } finally {
        channel.close();
      }
    }
  }

  /** The system lock, or null when this JVM holds it already; throws when the file system has no locks. */
  private static FileLock tryLock(FileChannel ch) throws IOException {
    try {
      return ch.tryLock();
    } catch (OverlappingFileLockException e) {
      return null; // held by this JVM (another run in the same process)
    }
  }

  private static IllegalStateException inUse(Path dir, Map<String, String> holder, String why) {
    return new IllegalStateException("run directory " + dir + " is in use by another run: " + describe(holder) + " ("
        + why + "); wait for it to finish, or choose another --out (a --resume of it must wait too)");
  }

  private static String describe(Map<String, String> holder) {
    if (holder.isEmpty()) {
      return "a process that is still writing its lock file";
    }
    return "host " + holder.get("host") + ", pid " + holder.get("pid") + ", started " + holder.get("started") + " ("
        + holder.get("command") + ")";
  }

  /** Whether the holder's process still runs: same pid, and (where the system tells) the same process start. */
  private static boolean alive(Map<String, String> holder) {
    long pid;
    try {
      pid = Long.parseLong(holder.getOrDefault("pid", ""));
    } catch (NumberFormatException e) {
      return false;
    }
    Optional<ProcessHandle> p = ProcessHandle.of(pid);
    if (p.isEmpty() || !p.get().isAlive()) {
      return false;
    }
    String start = holder.getOrDefault("processStart", "");
    String now = processStart(p.get());
    return start.isEmpty() || now.isEmpty() || start.equals(now);
  }

  private static String processStart(ProcessHandle p) {
    return p.info().startInstant().map(Instant::toString).orElse("");
  }

  private static String thisHost() {
    try {
      return InetAddress.getLocalHost().getHostName();
    } catch (IOException e) {
      String env = System.getenv("HOSTNAME");
      return env == null ? "localhost" : env;
    }
  }

  private static String render(Map<String, String> m) {
    StringBuilder b = new StringBuilder();
    m.forEach((k, v) -> b.append(k).append('=').append(v.replace('\n', ' ')).append('\n'));
    return b.toString();
  }

  private static Map<String, String> read(FileChannel ch) throws IOException {
    ByteBuffer b = ByteBuffer.allocate((int) Math.min(ch.size(), 1 << 16));
    while (b.hasRemaining() && ch.read(b, b.position()) > 0) {
      // positional reads until full
    }
    return parse(new String(b.array(), 0, b.position(), StandardCharsets.UTF_8));
  }

  private static Map<String, String> readFile(Path file) {
    try {
      return parse(Files.readString(file));
    } catch (NoSuchFileException e) {
      return Map.of();
    } catch (IOException e) {
      throw new UncheckedIOException("could not read the run lock " + file, e);
    }
  }

  private static Map<String, String> parse(String text) {
    Map<String, String> m = new LinkedHashMap<>();
    for (String line : text.split("\n")) {
      int eq = line.indexOf('=');
      if (eq > 0) {
        m.put(line.substring(0, eq), line.substring(eq + 1));
      }
    }
    return m;
  }
}
