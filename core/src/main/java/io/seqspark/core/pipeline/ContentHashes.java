package io.seqspark.core.pipeline;

import io.seqspark.core.io.Manifest;
import java.io.IOException;
import java.nio.file.FileSystems;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.PathMatcher;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.stream.Stream;

/**
 * The content of a stage's raw inputs: which local files a path or glob names, and each file's size and SHA-256 (the
 * digest ingest records too). Hashing a large corpus on every run would cost a full read, so a digest recorded by the
 * previous version is reused when the file's size and modification time are unchanged — the rule make and rsync use.
 */
final class ContentHashes {
  private ContentHashes() {
  }

  /** Whether {@code s} is a URI (hdfs://, s3a://, file://): not hashed here (documented limitation). */
  static boolean isUri(String s) {
    return s.matches("^[A-Za-z][A-Za-z0-9+.-]*://.*");
  }

  static boolean isGlob(String s) {
    return s.indexOf('*') >= 0 || s.indexOf('?') >= 0 || s.indexOf('[') >= 0 || s.indexOf('{') >= 0;
  }

  /**
   * The regular, non-hidden files {@code pattern} names, sorted by absolute path: a file, every file under a directory,
   * or the files matching a glob ({@code data/*.txt}, {@code corpus/**.gz}).
   */
  static List<Path> expand(String pattern) throws IOException {
    List<Path> out = new ArrayList<>();
    if (!isGlob(pattern)) {
      Path p = Path.of(pattern).toAbsolutePath().normalize();
      if (Files.isRegularFile(p)) {
        out.add(p);
      } else if (Files.isDirectory(p)) {
        try (Stream<Path> s = Files.walk(p)) {
          s.filter(Files::isRegularFile).filter(f -> !hidden(p, f)).sorted().forEach(out::add);
        }
      }
      return out;
    }
    String abs = Path.of(pattern).isAbsolute() ? pattern : Path.of("").toAbsolutePath() + "/" + pattern;
    int firstGlob = firstGlobChar(abs);
    int slash = abs.lastIndexOf('/', firstGlob);
    Path base = Path.of(abs.substring(0, Math.max(slash, 1))).normalize();
    if (!Files.isDirectory(base)) {
      return out;
    }
    PathMatcher m = FileSystems.getDefault().getPathMatcher("glob:" + Path.of(abs).normalize());
    try (Stream<Path> s = Files.walk(base)) {
      s.filter(Files::isRegularFile).map(f -> f.toAbsolutePath().normalize()).filter(m::matches)
          .filter(f -> !hidden(base, f)).sorted().forEach(out::add);
    }
    return out;
  }

  private static boolean hidden(Path base, Path f) {
    for (Path part : base.relativize(f)) {
      if (part.toString().startsWith(".")) {
        return true;
      }
    }
    return false;
  }

  private static int firstGlobChar(String s) {
    for (int i = 0; i < s.length(); i++) {
      if ("*?[{".indexOf(s.charAt(i)) >= 0) {
        return i;
      }
    }
    return s.length();
  }

  /**
   * Size, modification time and SHA-256 of each file, keyed by absolute path; a digest in {@code cache} (the same map
   * shape, from the previous version's stage.json) is reused when size and modification time match.
   */
  static Map<String, Map<String, Object>> hash(List<Path> files, Map<String, Object> cache) throws IOException {
    Map<String, Map<String, Object>> out = new TreeMap<>();
    for (Path f : files) {
      long size = Files.size(f);
      long modified = Files.getLastModifiedTime(f).toMillis();
      String sha = null;
      if (cache != null && cache.get(f.toString()) instanceof Map<?, ?> old
          && old.get("size") instanceof Number s && s.longValue() == size
          && old.get("modified") instanceof Number t && t.longValue() == modified && old.get("sha256") instanceof String h) {
        sha = h;
      }
      if (sha == null) {
        sha = Manifest.sha256(f);
      }
      Map<String, Object> e = new LinkedHashMap<>();
      e.put("size", size);
      e.put("modified", modified);
      e.put("sha256", sha);
      out.put(f.toString(), e);
    }
    return out;
  }
}
