package io.seqspark.spark.ingest;

import java.io.Serializable;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * What reading one input file (or one byte range of it) found: counts by reason, the SHA-256 of its raw bytes, and
 * the first rule broken under a {@code fail} policy. Tasks never throw for bad data; they return this to the driver,
 * which fails once, naming the file and line (an exception deep in a task would be retried, and its message buried in
 * an executor log). A range numbers its lines from 1; {@link #merge} turns them into file line numbers by adding the
 * lines of the ranges before it.
 */
final class FileReport implements Serializable {
  /** Problems listed by file and line in the manifest, at most this many per file (the counts are complete). */
  static final int MAX_SAMPLES = 10;

  /** A problem at a line (of the range while in a task, of the file after {@link #merge}). */
  record Problem(long line, String text) implements Serializable {
    @Override
    public String toString() {
      return "line " + line + ": " + text;
    }
  }

  final String path;
  final int fileIndex;
  final int side;
  final int range;
  long linesRead;
  long examples;
  long tokens;
  String sha256;
  /** Records dropped, by reason. */
  final EnumMap<Reason, Long> dropped = new EnumMap<>(Reason.class);
  /** Records kept after a change (truncated, bad bytes replaced), by reason. */
  final EnumMap<Reason, Long> changed = new EnumMap<>(Reason.class);
  /** The read error that cut the file short, or null. */
  Problem error;
  /** The first broken rule under a fail policy, or null. */
  Problem failure;
  final List<Problem> samples = new ArrayList<>();

  FileReport(String path, int fileIndex, int side, int range) {
    this.path = path;
    this.fileIndex = fileIndex;
    this.side = side;
    this.range = range;
  }

  void drop(Reason r, long line, String detail) {
    dropped.merge(r, 1L, Long::sum);
    sample(line, r.key() + " dropped" + (detail == null ? "" : " (" + detail + ")"));
  }

  void change(Reason r, long line, String detail) {
    changed.merge(r, 1L, Long::sum);
    sample(line, r.key() + " kept, " + detail);
  }

  void fail(Reason r, long line, String detail) {
    failure = new Problem(line, r.key() + " (" + detail + ") and " + r.policyKey() + " = fail");
  }

  void sample(long line, String text) {
    if (samples.size() < MAX_SAMPLES) {
      samples.add(new Problem(line, text));
    }
  }

  /** The failure as the driver reports it: file, line, reason, policy; null if none. */
  String failureMessage() {
    return failure == null ? null : path + ": " + failure;
  }

  /**
   * One report per file from the reports of its ranges and HASH task (any order): counts summed, line numbers made
   * file-relative, the first failure and error kept. Sorted by side, then file.
   */
  static List<FileReport> merge(List<FileReport> parts) {
    Map<Long, List<FileReport>> byFile = new TreeMap<>();
    for (FileReport p : parts) {
      byFile.computeIfAbsent(((long) p.side << 32) | p.fileIndex, k -> new ArrayList<>()).add(p);
    }
    List<FileReport> out = new ArrayList<>();
    for (List<FileReport> ps : byFile.values()) {
      ps.sort(Comparator.comparingInt(p -> p.range));
      FileReport first = ps.get(0);
      FileReport m = new FileReport(first.path, first.fileIndex, first.side, 0);
      for (FileReport p : ps) {
        long offset = m.linesRead;
        if (p.sha256 != null) {
          m.sha256 = p.sha256;
        }
        m.linesRead += p.linesRead;
        m.examples += p.examples;
        m.tokens += p.tokens;
        p.dropped.forEach((r, n) -> m.dropped.merge(r, n, Long::sum));
        p.changed.forEach((r, n) -> m.changed.merge(r, n, Long::sum));
        if (m.failure == null && p.failure != null) {
          m.failure = shift(p.failure, offset);
        }
        if (m.error == null && p.error != null) {
          m.error = shift(p.error, offset);
        }
        for (Problem s : p.samples) {
          m.sample(s.line() + offset, s.text());
        }
      }
      out.add(m);
    }
    return out;
  }

  private static Problem shift(Problem p, long offset) {
    return new Problem(p.line() + offset, p.text());
  }

  /** Sums {@code m}'s values into {@code into}, keyed by {@link Reason#key()}. */
  static void addTo(Map<String, Long> into, EnumMap<Reason, Long> m) {
    m.forEach((r, n) -> into.merge(r.key(), n, Long::sum));
  }
}
