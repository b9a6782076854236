package io.seqspark.core.io;

import io.seqspark.core.config.Settings;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Clock;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

/**
 * {@code manifest.json}: what produced a run, so a result can be traced and reproduced: run id, command line,
 * start and end time, git commit, versions (seqspark, Java, ND4J backend, Spark), seed, the flattened resolved
 * config, and every input with size, modification time and SHA-256. Jobs add their own entries with {@link #put}
 * (Spark master, vocabulary hash, timings).
 *
 * <p>Version probes use reflection and never fail the run: core has no Spark on its classpath, and an ND4J backend
 * that cannot load is reported as null here and fails loudly where it is actually used.
 */
public final class Manifest {

  private final Clock clock;
  private final Map<String, Object> entries = new LinkedHashMap<>();
  private final List<Map<String, Object>> inputs = new ArrayList<>();

  private Manifest(Clock clock) {
    this.clock = clock;
  }

  /** Starts a manifest: run id, command line, start time, git commit of the working directory, versions. */
  public static Manifest start(String runId, List<String> commandLine, Clock clock) {
    Manifest m = new Manifest(clock);
    m.entries.put("runId", runId);
    m.entries.put("commandLine", List.copyOf(commandLine));
    m.entries.put("startTime", clock.instant().toString());
    m.entries.put("endTime", null);
    m.entries.put("gitCommit", gitCommit(Path.of("")));
    m.entries.put("versions", versions());
    m.entries.put("seed", null);
    m.entries.put("config", null);
    m.entries.put("inputs", m.inputs);
    return m;
  }

  /** Records the resolved config (flattened) and its seed. */
  public Manifest config(Settings settings) {
    entries.put("seed", settings.getLong("seed"));
    entries.put("config", settings.flatten());
    return this;
  }

  public Manifest seed(long seed) {
    entries.put("seed", seed);
    return this;
  }

  /**
   * Records an input file (or directory: sizes summed, hash over its files' relative names and hashes in name
   * order), hashing it by streaming.
   *
   * @param role what the input is for, e.g. {@code train}
   */
  public Manifest input(String role, Path path) throws IOException {
    Map<String, Object> in = new LinkedHashMap<>();
    in.put("role", role);
    in.put("path", path.toAbsolutePath().normalize().toString());
    in.put("sizeBytes", size(path));
    in.put("modified", Files.getLastModifiedTime(path).toInstant().toString());
    in.put("sha256", sha256(path));
    inputs.add(in);
    return this;
  }

  /** Adds or replaces an entry (any value Jackson can write). */
  public Manifest put(String key, Object value) {
    entries.put(key, value);
    return this;
  }

  /** Sets the end time to now. */
  public Manifest finish() {
    entries.put("endTime", clock.instant().toString());
    return this;
  }

  /** A snapshot of the entries, in insertion order. */
  public Map<String, Object> toMap() {
    Map<String, Object> copy = new LinkedHashMap<>(entries);
    copy.put("inputs", List.copyOf(inputs));
    return copy;
  }

  /** Writes the manifest as indented JSON, atomically (call again after {@link #finish}). */
  public void write(Path file) throws IOException {
    AtomicFiles.writeString(file, Json.writePretty(toMap()) + "\n");
  }

  /** SHA-256 of a file's bytes, lowercase hex, streamed; for a directory see {@link #input}. */
  public static String sha256(Path path) throws IOException {
    MessageDigest digest = newSha256();
    if (Files.isDirectory(path)) {
      try (Stream<Path> files = Files.walk(path)) {
        for (Path f : (Iterable<Path>) files.filter(Files::isRegularFile).sorted()::iterator) {
          String line = path.relativize(f).toString().replace('\\', '/') + " " + sha256(f) + "\n";
          digest.update(line.getBytes(StandardCharsets.UTF_8));
        }
      }
      return HexFormat.of().formatHex(digest.digest());
    }
    byte[] buffer = new byte[1 << 16];
    try (InputStream in = Files.newInputStream(path)) {
      for (int n; (n = in.read(buffer)) > 0; ) {
        digest.update(buffer, 0, n);
      }
    }
    return HexFormat.of().formatHex(digest.digest());
  }

  private static long size(Path path) throws IOException {
    if (!Files.isDirectory(path)) {
      return Files.size(path);
    }
    long total = 0;
    try (Stream<Path> files = Files.walk(path)) {
      for (Path f : (Iterable<Path>) files.filter(Files::isRegularFile)::iterator) {
        total += Files.size(f);
      }
    }
    return total;
  }

  private static MessageDigest newSha256() {
    try {
      return MessageDigest.getInstance("SHA-256");
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("every Java has SHA-256", e);
    }
  }

  /** {@code git rev-parse HEAD} in {@code dir}, or null if git, the repository or 2 seconds are missing. */
  static String gitCommit(Path dir) {
    Process p = null;
    try {
      p = new ProcessBuilder("git", "rev-parse", "HEAD").directory(dir.toAbsolutePath().toFile())
          .redirectError(ProcessBuilder.Redirect.DISCARD).start();
      if (!p.waitFor(2, TimeUnit.SECONDS) || p.exitValue() != 0) {
        return null;
      }
      String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8).trim();
      return out.matches("[0-9a-f]{40,64}") ? out : null;
    } catch (IOException | RuntimeException e) {
      return null;
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return null;
    } finally {
      if (p != null && p.isAlive()) {
        p.destroyForcibly();
      }
    }
  }

  static Map<String, Object> versions() {
    Map<String, Object> v = new LinkedHashMap<>();
    v.put("seqspark", jarVersion(Manifest.class, "io.seqspark", "seqspark-core", "dev"));
    v.put("java", System.getProperty("java.version") + " (" + System.getProperty("java.vendor") + ")");
    v.put("nd4j", null);
    v.put("nd4jBackend", null);
    try {
      Class<?> nd4j = Class.forName("org.nd4j.linalg.factory.Nd4j");
      v.put("nd4j", jarVersion(nd4j, "org.nd4j", "nd4j-api", null));
      Object backend = nd4j.getMethod("getBackend").invoke(null);
      v.put("nd4jBackend", backend == null ? null : backend.getClass().getName());
    } catch (Exception | LinkageError ignored) {
      // optional: no ND4J, or its native backend cannot load on this machine
    }
    v.put("spark", null);
    try {
      v.put("spark", String.valueOf(Class.forName("org.apache.spark.package").getMethod("SPARK_VERSION")
          .invoke(null)));
    } catch (Exception | LinkageError ignored) {
      // optional: core runs without Spark
    }
    return v;
  }

  /** This seqspark's version (the jar's, or "dev" when run from classes). */
  public static String seqsparkVersion() {
    return jarVersion(Manifest.class, "io.seqspark", "seqspark-core", "dev");
  }

  /** The version in a class's jar manifest, else in Maven's pom.properties, else {@code fallback}. */
  private static String jarVersion(Class<?> cls, String groupId, String artifactId, String fallback) {
    Package pkg = cls.getPackage();
    if (pkg != null && pkg.getImplementationVersion() != null) {
      return pkg.getImplementationVersion();
    }
    String resource = "/META-INF/maven/" + groupId + "/" + artifactId + "/pom.properties";
    try (InputStream in = cls.getResourceAsStream(resource)) {
      if (in != null) {
        Properties props = new Properties();
        props.load(in);
        return props.getProperty("version", fallback);
      }
    } catch (IOException | RuntimeException ignored) {
      // fall through
    }
    return fallback;
  }
}
