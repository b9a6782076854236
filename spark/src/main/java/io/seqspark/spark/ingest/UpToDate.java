package io.seqspark.spark.ingest;

import io.seqspark.spark.ingest.InputFiles.InputFile;
import java.io.IOException;
import java.io.InputStream;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import org.apache.hadoop.fs.Path;
import org.apache.spark.api.java.JavaSparkContext;

/**
 * Whether an ingest output still matches its inputs. Size and modification time are compared first (free, from the
 * listing); only if all match are the files hashed, in parallel on the executors, because an edit can keep both (a
 * same-size rewrite within the file system's mtime resolution, or a copy that preserves mtimes).
 */
final class UpToDate {

  private UpToDate() {}

  /** A description of what changed, or null if nothing did. */
  static String changes(JavaSparkContext sc, Map<String, Object> manifest, List<InputFile> now, HadoopConf conf) {
    Map<String, Map<?, ?>> before = new HashMap<>();
    if (manifest.get("inputs") instanceof List<?> list) {
      for (Object o : list) {
        if (o instanceof Map<?, ?> m) {
          before.put(String.valueOf(m.get("path")), m);
        }
      }
    }
    List<String> changes = new ArrayList<>();
    for (InputFile f : now) {
      Map<?, ?> b = before.remove(f.path());
      if (b == null) {
        changes.add(f.path() + " (new)");
      } else if (!String.valueOf(f.sizeBytes()).equals(String.valueOf(b.get("sizeBytes")))
          || !String.valueOf(f.modifiedMillis()).equals(String.valueOf(b.get("modifiedMillis")))) {
        changes.add(f.path() + " (size " + b.get("sizeBytes") + " -> " + f.sizeBytes() + ", mtime "
            + b.get("modifiedMillis") + " -> " + f.modifiedMillis() + ")");
      }
    }
    before.keySet().forEach(p -> changes.add(p + " (removed)"));
    if (!changes.isEmpty()) {
      return String.join(", ", changes);
    }
    List<String> hashes = sc.parallelize(now, Math.max(1, now.size())).map(f -> sha256(f, conf.get())).collect();
    Map<String, Map<?, ?>> byPath = new HashMap<>();
    for (Object o : (List<?>) manifest.get("inputs")) {
      Map<?, ?> m = (Map<?, ?>) o;
      byPath.put(String.valueOf(m.get("path")), m);
    }
    for (int i = 0; i < now.size(); i++) {
      Object old = byPath.get(now.get(i).path()).get("sha256");
      if (!hashes.get(i).equals(old)) {
        changes.add(now.get(i).path() + " (SHA-256 changed, same size and mtime)");
      }
    }
    return changes.isEmpty() ? null : String.join(", ", changes);
  }

  /** SHA-256 of a file's stored bytes, as {@link TextFileReader} computes it; "unreadable: ..." if it cannot be read. */
  static String sha256(InputFile f, org.apache.hadoop.conf.Configuration conf) {
    try {
      MessageDigest d = MessageDigest.getInstance("SHA-256");
      Path p = new Path(f.path());
      byte[] buf = new byte[1 << 16];
      try (InputStream in = p.getFileSystem(conf).open(p, 1 << 16)) {
        for (int n; (n = in.read(buf)) >= 0; ) {
          d.update(buf, 0, n);
        }
      }
      return HexFormat.of().formatHex(d.digest());
    } catch (IOException e) {
      return "unreadable: " + e.getMessage();
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("every Java has SHA-256", e);
    }
  }
}
