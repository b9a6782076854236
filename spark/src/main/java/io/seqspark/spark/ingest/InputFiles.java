package io.seqspark.spark.ingest;

import java.io.IOException;
import java.io.Serializable;
import java.util.ArrayList;
import java.util.List;
import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.FileStatus;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.Path;

/**
 * Expands {@code --input} or {@code --target} (a path, a directory or a glob on any Hadoop file system: {@code file://}, {@code hdfs://},
 * {@code s3a://}, ...) into the files to read, on the driver, before any job runs: a typo fails at once with the path
 * instead of after a cluster has started work.
 */
final class InputFiles {

  /** One input file as listed: its identity for the up-to-date check (hash added later, by the read pass). */
  record InputFile(String path, long sizeBytes, long modifiedMillis) implements Serializable {}

  private InputFiles() {}

  /**
   * The files under {@code pattern}, sorted by path. Directories are walked recursively; names starting with
   * {@code _} or {@code .} are skipped, as Hadoop's input formats do ({@code _SUCCESS}, {@code .crc}).
   *
   * @throws IllegalArgumentException if the path does not exist, the glob matches nothing, or no file is found
   */
  static List<InputFile> list(String option, String pattern, Configuration conf) throws IOException {
    if (pattern == null || pattern.isBlank()) {
      throw new IllegalArgumentException(option + " is empty. Fix: pass a file, directory or glob, e.g. " + option + " 'corpus/*.txt.gz'");
    }
    Path p = new Path(pattern);
    FileSystem fs = p.getFileSystem(conf);
    FileStatus[] matched = fs.globStatus(p);
    if (matched == null || matched.length == 0) {
      boolean glob = pattern.matches(".*[*?\\[{].*");
      throw new IllegalArgumentException(option + " " + pattern + ": " + (glob ? "the glob matches no file" : "no such file or directory")
          + " (on " + fs.getUri() + "). Fix: check the path; relative paths are resolved against " + fs.getWorkingDirectory());
    }
    List<InputFile> out = new ArrayList<>();
    collect(fs, matched, out);
    if (out.isEmpty()) {
      throw new IllegalArgumentException(option + " " + pattern + ": matches only directories without files (names starting"
          + " with _ or . are skipped). Fix: point " + option + " at the text files");
    }
    out.sort((a, b) -> a.path().compareTo(b.path()));
    return out;
  }

  private static InputFile of(FileStatus st) {
    return new InputFile(st.getPath().toString(), st.getLen(), st.getModificationTime());
  }

  private static boolean hidden(Path p) {
    String n = p.getName();
    return n.startsWith("_") || n.startsWith(".");
  }

  /**
   * The files among {@code statuses} and below those that are directories, skipping hidden names at every level.
   * Plain listings, not {@code listFiles}: its located statuses load each file's permissions, which the local file
   * system (without native Hadoop) does with a shell command per file; listing 2 files went from 14-28 ms to 2-10 ms.
   */
  private static void collect(FileSystem fs, FileStatus[] statuses, List<InputFile> out) throws IOException {
    for (FileStatus f : statuses) {
      if (hidden(f.getPath())) {
        continue;
      }
      if (f.isDirectory()) {
        collect(fs, fs.listStatus(f.getPath()), out);
      } else {
        out.add(of(f));
      }
    }
  }
}
