package io.seqspark.core.pipeline;

import io.seqspark.core.io.AtomicFiles;
import io.seqspark.core.io.Json;
import java.io.IOException;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

/**
 * The pipeline directory: {@code stages/NAME/vN/} (published outputs, each with its {@value #RECORD}),
 * {@code stages/NAME/latest} (a one-line pointer, "vN", readable on any file system), {@code stages/NAME/.vN.tmp/} plus
 * {@code .vN.tmp.json} (a stage being built and its fingerprint), {@code logs/NAME-vN.log} and the pipeline's lock.
 *
 * <p>A stage is built in its temp directory and published by one rename, after its record is written inside it: a
 * {@code vN} directory either exists whole, record included, or not at all. The newest complete version is found by
 * listing, so a crash between the rename and the pointer update loses nothing (the pointer is rewritten next run).
 */
public final class PipelineDirectory {
  /** The record of a published version: fingerprint, its components, provenance, timings, metrics. */
  public static final String RECORD = "stage.json";
  /** The pointer to the newest complete version. */
  public static final String LATEST = "latest";

  private static final Pattern VERSION = Pattern.compile("v(\\d+)");
  private static final Pattern PENDING = Pattern.compile("\\.v(\\d+)\\.tmp\\.json");

  /** A published version. */
  public record Version(String stage, int n, Path dir, Map<String, Object> record) {
    public String fingerprint() {
      return String.valueOf(record.get("fingerprint"));
    }

    @SuppressWarnings("unchecked")
    public Map<String, Object> components() {
      return record.get("components") instanceof Map<?, ?> m ? (Map<String, Object>) m : Map.of();
    }

    public String label() {
      return stage + "/v" + n;
    }
  }

  /** A version being built (or left by a crash): its temp directory and what was recorded when it started. */
  public record Pending(String stage, int n, Path tmpDir, Map<String, Object> record) {
    public String fingerprint() {
      return String.valueOf(record.get("fingerprint"));
    }
  }

  private final Path dir;

  public PipelineDirectory(Path dir) {
    this.dir = dir;
  }

  public Path dir() {
    return dir;
  }

  public Path stageDir(String stage) {
    return dir.resolve("stages").resolve(stage);
  }

  public Path logFile(String stage, int n) {
    return dir.resolve("logs").resolve(stage + "-v" + n + ".log");
  }

  public Path tmpDir(String stage, int n) {
    return stageDir(stage).resolve(".v" + n + ".tmp");
  }

  private Path pendingFile(String stage, int n) {
    return stageDir(stage).resolve(".v" + n + ".tmp.json");
  }

  /** Published versions of {@code stage}, oldest first. */
  public List<Version> versions(String stage) throws IOException {
    List<Version> out = new ArrayList<>();
    Path sd = stageDir(stage);
    if (!Files.isDirectory(sd)) {
      return out;
    }
    try (Stream<Path> s = Files.list(sd)) {
      for (Path p : (Iterable<Path>) s::iterator) {
        Matcher m = VERSION.matcher(p.getFileName().toString());
        if (m.matches() && Files.isRegularFile(p.resolve(RECORD))) {
          out.add(new Version(stage, Integer.parseInt(m.group(1)), p, Json.readMap(Files.readString(p.resolve(RECORD)))));
        }
      }
    }
    out.sort(Comparator.comparingInt(Version::n));
    return out;
  }

  /** The newest complete version, or null. */
  public Version latest(String stage) throws IOException {
    List<Version> v = versions(stage);
    return v.isEmpty() ? null : v.get(v.size() - 1);
  }

  /** The newest version being built or interrupted, or null. */
  public Pending pending(String stage) throws IOException {
    Path sd = stageDir(stage);
    if (!Files.isDirectory(sd)) {
      return null;
    }
    Pending best = null;
    try (Stream<Path> s = Files.list(sd)) {
      for (Path p : (Iterable<Path>) s::iterator) {
        Matcher m = PENDING.matcher(p.getFileName().toString());
        if (m.matches()) {
          int n = Integer.parseInt(m.group(1));
          if (best == null || n > best.n()) {
            best = new Pending(stage, n, tmpDir(stage, n), Json.readMap(Files.readString(p)));
          }
        }
      }
    }
    return best;
  }

  /** The number after every version, published or pending. */
  public int nextVersion(String stage) throws IOException {
    int max = 0;
    Path sd = stageDir(stage);
    if (Files.isDirectory(sd)) {
      try (Stream<Path> s = Files.list(sd)) {
        for (Path p : (Iterable<Path>) s::iterator) {
          String f = p.getFileName().toString();
          Matcher m = Pattern.compile("\\.?v(\\d+)(\\.tmp(\\.json)?)?").matcher(f);
          if (m.matches()) {
            max = Math.max(max, Integer.parseInt(m.group(1)));
          }
        }
      }
    }
    return max + 1;
  }

  /** Records that version {@code n} of {@code stage} is being built (its fingerprint, start); returns its temp dir. */
  public Path begin(String stage, int n, Map<String, Object> record) throws IOException {
    Files.createDirectories(stageDir(stage));
    Files.createDirectories(dir.resolve("logs"));
    AtomicFiles.writeString(pendingFile(stage, n), Json.writePretty(record) + "\n");
    return tmpDir(stage, n);
  }

  /** Rewrites the pending record (e.g. with the error of a failed attempt). */
  public void updatePending(String stage, int n, Map<String, Object> record) throws IOException {
    AtomicFiles.writeString(pendingFile(stage, n), Json.writePretty(record) + "\n");
  }

  /** Deletes an interrupted version that will not be resumed. */
  public void discard(String stage, int n) throws IOException {
    AtomicFiles.deleteRecursively(tmpDir(stage, n));
    Files.deleteIfExists(pendingFile(stage, n));
    // a job killed while writing its own temp copy of the output (ingest: ".<out>.tmp-<nanos>") leaves it beside
    String prefix = "." + tmpDir(stage, n).getFileName() + ".tmp-";
    try (Stream<Path> s = Files.list(stageDir(stage))) {
      for (Path p : (Iterable<Path>) s::iterator) {
        if (p.getFileName().toString().startsWith(prefix)) {
          AtomicFiles.deleteRecursively(p);
        }
      }
    }
  }

  /**
   * Publishes version {@code n}: writes {@code record} into its temp directory, renames that to {@code vN}, drops the
   * pending record, points {@code latest} at it and deletes versions beyond the newest {@code keep}.
   *
   * @return the published directory
   */
  public Path publish(String stage, int n, Map<String, Object> record, int keep) throws IOException {
    Path tmp = tmpDir(stage, n);
    Files.createDirectories(tmp);
    AtomicFiles.writeString(tmp.resolve(RECORD), Json.writePretty(record) + "\n");
    Path target = stageDir(stage).resolve("v" + n);
    try {
      Files.move(tmp, target, StandardCopyOption.ATOMIC_MOVE);
    } catch (AtomicMoveNotSupportedException e) {
      Files.move(tmp, target);
    }
    Files.deleteIfExists(pendingFile(stage, n));
    AtomicFiles.writeString(stageDir(stage).resolve(LATEST), "v" + n + "\n");
    List<Version> all = versions(stage);
    for (int i = 0; i < all.size() - keep; i++) {
      AtomicFiles.deleteRecursively(all.get(i).dir());
    }
    return target;
  }
}
