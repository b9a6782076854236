package io.seqspark.core.io;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.random.RandomGenerator;
import java.util.stream.Stream;

/**
 * The directory of one run ({@code <out>/<run-id>/}) and the names of the files in it, so every job lays out
 * {@code config.conf}, {@code manifest.json}, {@code metrics.jsonl}, {@code report.html}, {@code checkpoints/} and
 * {@code model.zip} the same way.
 *
 * <p>Creating refuses to reuse a non-empty directory unless told to overwrite, and even then only deletes a
 * directory that looks like an earlier run (it holds the {@value #MARKER} marker or a {@code config.conf}), so a
 * mistyped {@code --out ~ --overwrite} cannot wipe a home directory, and never one a live run holds (its
 * {@link RunLock}, taken by {@link RunRecorder#start}).
 */
public final class RunDirectory {

  /** Empty file written into every run directory on creation; its presence makes {@code --overwrite} allowed. */
  public static final String MARKER = ".seqspark-run";

  private static final DateTimeFormatter ID_TIME = DateTimeFormatter.ofPattern("yyyyMMdd-HHmmss")
      .withZone(ZoneOffset.UTC);

  private final Path dir;

  private RunDirectory(Path dir) {
    this.dir = dir;
  }

  /**
   * Creates (or, with {@code overwrite}, empties) the run directory {@code dir}, with its {@code checkpoints/}.
   *
   * @throws IllegalArgumentException if {@code dir} is non-empty and {@code overwrite} is false, or it is not a
   *     directory, or overwriting would delete a directory that is not a seqspark run
   * @throws IllegalStateException if {@code overwrite} would delete the directory of a run still going
   */
  public static RunDirectory create(Path dir, boolean overwrite) throws IOException {
    if (Files.exists(dir) && !Files.isDirectory(dir)) {
      throw new IllegalArgumentException("output directory " + dir + " exists and is not a directory;"
          + " choose another --out");
    }
    if (Files.isDirectory(dir) && !isEmpty(dir)) {
      if (!overwrite) {
        throw new IllegalArgumentException("output directory " + dir + " already exists and is not empty;"
            + " pass --overwrite to replace it, or choose another --out");
      }
      if (!Files.exists(dir.resolve(MARKER)) && !Files.exists(dir.resolve("config.conf"))) {
        throw new IllegalArgumentException("refusing to --overwrite " + dir + ": it does not look like a seqspark"
            + " run directory (no " + MARKER + " or config.conf in it); delete it yourself or choose another --out");
      }
      java.util.Optional<String> holder = RunLock.holder(dir);
      if (holder.isPresent()) {
        throw new IllegalStateException("refusing to --overwrite " + dir + ": a run is still writing there ("
            + holder.get() + "); wait for it to finish, or choose another --out");
      }
      try (Stream<Path> children = Files.list(dir)) {
        for (Path child : (Iterable<Path>) children::iterator) {
          AtomicFiles.deleteRecursively(child);
        }
      }
    }
    RunDirectory run = new RunDirectory(dir);
    Files.createDirectories(run.checkpointsDir());
    Files.write(dir.resolve(MARKER), new byte[0]);
    return run;
  }

  /**
   * Opens an existing run directory to continue it.
   *
   * @throws IllegalArgumentException if {@code dir} holds no {@code config.conf}
   */
  public static RunDirectory resume(Path dir) throws IOException {
    RunDirectory run = new RunDirectory(dir);
    if (!Files.isRegularFile(run.configFile())) {
      throw new IllegalArgumentException("cannot resume from " + dir + ": " + (Files.isDirectory(dir)
          ? "it has no config.conf, so it is not a seqspark run directory (or the run died before starting)"
          : "no such directory") + "; start a new run with --out instead");
    }
    Files.createDirectories(run.checkpointsDir());
    return run;
  }

  /** A fresh run id: UTC start time plus 4 random hex digits, e.g. {@code 20250314-093015-a3f9}. */
  public static String newRunId(Instant now, RandomGenerator random) {
    return ID_TIME.format(now) + "-" + String.format("%04x", random.nextInt(1 << 16));
  }

  private static boolean isEmpty(Path dir) throws IOException {
    try (Stream<Path> children = Files.list(dir)) {
      return children.findAny().isEmpty();
    }
  }

  /** The run id: the directory's name. */
  public String runId() {
    return dir.getFileName().toString();
  }

  public Path dir() {
    return dir;
  }

  /** The fully resolved config, HOCON; written first, read on resume. */
  public Path configFile() {
    return dir.resolve("config.conf");
  }

  public Path manifestFile() {
    return dir.resolve("manifest.json");
  }

  public Path metricsFile() {
    return dir.resolve("metrics.jsonl");
  }

  public Path reportFile() {
    return dir.resolve("report.html");
  }

  public Path checkpointsDir() {
    return dir.resolve("checkpoints");
  }

  public Path modelFile() {
    return dir.resolve("model.zip");
  }

  @Override
  public String toString() {
    return dir.toString();
  }
}
