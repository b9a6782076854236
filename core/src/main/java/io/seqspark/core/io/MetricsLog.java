package io.seqspark.core.io;

import java.io.BufferedWriter;
import java.io.Closeable;
import java.io.IOException;
import java.io.RandomAccessFile;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * {@code metrics.jsonl}: one JSON object per line, appended and flushed as it happens, so a crashed or still-running
 * job can be inspected ({@code tail -f}, pandas {@code read_json(lines=True)}) and a resumed run continues the same
 * file.
 *
 * <p>A line cut short by a crash is an incomplete record: opening the log drops it, and {@link #read} ignores an
 * unterminated last line.
 */
public final class MetricsLog implements Closeable {

  private final Path file;
  private final BufferedWriter out;

  private MetricsLog(Path file, BufferedWriter out) {
    this.file = file;
    this.out = out;
  }

  /** Opens {@code file} for appending, creating it if needed. */
  public static MetricsLog open(Path file) throws IOException {
    Path parent = file.toAbsolutePath().getParent();
    if (parent != null) {
      Files.createDirectories(parent);
    }
    dropUnterminatedLastLine(file);
    BufferedWriter out = Files.newBufferedWriter(file, StandardCharsets.UTF_8, StandardOpenOption.CREATE,
        StandardOpenOption.APPEND, StandardOpenOption.WRITE);
    return new MetricsLog(file, out);
  }

  /** Appends one record as a line and flushes it. */
  public synchronized void log(Map<String, ?> record) throws IOException {
    out.write(Json.write(record));
    out.write('\n');
    out.flush();
  }

  public Path file() {
    return file;
  }

  @Override
  public synchronized void close() throws IOException {
    out.close(); // closing a closed stream does nothing: close() may be called twice
  }

  /**
   * Reads every complete record of a metrics file, in order; an unterminated last line (a crash mid-write) is
   * skipped.
   *
   * @throws IOException naming the file and line of a malformed record
   */
  public static List<Map<String, Object>> read(Path file) throws IOException {
    String text = Files.readString(file, StandardCharsets.UTF_8);
    List<Map<String, Object>> records = new ArrayList<>();
    int start = 0;
    int lineNo = 0;
    while (start < text.length()) {
      int end = text.indexOf('\n', start);
      if (end < 0) {
        break;
      }
      lineNo++;
      String line = text.substring(start, end).trim();
      start = end + 1;
      if (line.isEmpty()) {
        continue;
      }
      try {
        records.add(Json.readMap(line));
      } catch (IllegalArgumentException e) {
        throw new IOException(file + ":" + lineNo + ": malformed metrics record: " + e.getMessage(), e);
      }
    }
    return records;
  }

  /**
   * Cuts {@code file} back for a run resumed from its checkpoint at {@code step}: the first record of a later step
   * and everything after it were written by the interrupted process after that checkpoint, and the resumed run writes
   * them again, so they go (rewritten atomically; an unterminated last line goes too). The log then reads as an
   * uninterrupted run's.
   *
   * @return the last kept record's {@code elapsed_s} (0 when none): the wall time the run had spent up to the checkpoint
   */
  public static double rewind(Path file, long step) throws IOException {
    if (!Files.isRegularFile(file)) {
      return 0;
    }
    dropUnterminatedLastLine(file);
    List<String> kept = new ArrayList<>();
    double elapsed = 0;
    for (String line : Files.readAllLines(file, StandardCharsets.UTF_8)) {
      if (line.isBlank()) {
        continue;
      }
      Map<String, Object> rec = Json.readMap(line);
      if (rec.get("step") instanceof Number n && n.longValue() > step) {
        break;
      }
      if (rec.get("elapsed_s") instanceof Number e) {
        elapsed = e.doubleValue();
      }
      kept.add(line);
    }
    AtomicFiles.writeString(file, kept.isEmpty() ? "" : String.join("\n", kept) + "\n");
    return elapsed;
  }

  private static void dropUnterminatedLastLine(Path file) throws IOException {
    if (!Files.isRegularFile(file)) {
      return;
    }
    try (RandomAccessFile raf = new RandomAccessFile(file.toFile(), "rw")) {
      long pos = raf.length();
      while (pos > 0) {
        raf.seek(pos - 1);
        if (raf.read() == '\n') {
          break;
        }
        pos--;
      }
      if (pos < raf.length()) {
        raf.setLength(pos);
      }
    }
  }
}
