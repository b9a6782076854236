package io.seqspark.spark.ingest;

import java.io.Serializable;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;

/**
 * What reading one input file found: counts by reason, the SHA-256 of its raw bytes, and the first rule broken under a
 * {@code fail} policy. Tasks never throw for bad data; they return this to the driver, which fails once, naming the
 * file and line (an exception deep in a task would be retried, and its message buried in an executor log).
 */
final class FileReport implements Serializable {
  /** Problems listed by file and line in the manifest, at most this many per file (the counts are complete). */
  static final int MAX_SAMPLES = 10;

  final String path;
  final int fileIndex;
  long linesRead;
  long examples;
  long tokens;
  String sha256;
  /** Records dropped, by reason. */
  final EnumMap<Reason, Long> dropped = new EnumMap<>(Reason.class);
  /** Records kept after a change (truncated, bad bytes replaced), by reason. */
  final EnumMap<Reason, Long> changed = new EnumMap<>(Reason.class);
  /** The read error that cut the file short, or null. */
  String error;
  /** The first broken rule under a fail policy, or null. */
  String failure;
  final List<String> samples = new ArrayList<>();

  FileReport(String path, int fileIndex) {
    this.path = path;
    this.fileIndex = fileIndex;
  }

  void drop(Reason r, long line, String detail) {
    dropped.merge(r, 1L, Long::sum);
    sample("line " + line + ": " + r.key() + " dropped" + (detail == null ? "" : " (" + detail + ")"));
  }

  void change(Reason r, long line, String detail) {
    changed.merge(r, 1L, Long::sum);
    sample("line " + line + ": " + r.key() + " kept, " + detail);
  }

  void fail(Reason r, long line, String detail) {
    failure = path + ": line " + line + ": " + r.key() + " (" + detail + ") and " + r.policyKey() + " = fail";
  }

  private void sample(String s) {
    if (samples.size() < MAX_SAMPLES) {
      samples.add(s);
    }
  }

  /** Sums {@code m}'s values into {@code into}, keyed by {@link Reason#key()}. */
  static void addTo(Map<String, Long> into, EnumMap<Reason, Long> m) {
    m.forEach((r, n) -> into.merge(r.key(), n, Long::sum));
  }
}
