package io.seqspark.spark.ingest;

import io.seqspark.spark.ingest.InputFiles.InputFile;
import java.io.Serializable;
import java.util.ArrayList;
import java.util.List;
import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.Path;
import org.apache.hadoop.io.compress.CompressionCodecFactory;

/**
 * One task of the read pass: bytes [{@code start}, {@code end}) of one input file, or (kind HASH) the SHA-256 of a
 * file that is read in several ranges. A range owns the records whose first byte lies in it (see
 * {@link TextFileReader}); {@code end = Long.MAX_VALUE} reads to the end of the file.
 *
 * @param side     0 for {@code --input}, 1 for {@code --target} (parallel files)
 * @param range    the range's number within its file, in order; -1 for a HASH task
 * @param ranges   how many ranges the file was cut into
 */
record ReadTask(Kind kind, InputFile file, int fileIndex, int side, int range, int ranges, long start, long end)
    implements Serializable {

  enum Kind { READ, HASH }

  /** Whether this task reads the whole file (and so hashes it while reading). */
  boolean whole() {
    return start == 0 && end == Long.MAX_VALUE;
  }

  /**
   * The tasks for {@code files}, in file order: compressed files and (with {@code splittable} false) all files whole;
   * plain files larger than {@code splitBytes} as ranges of that size, plus one HASH task each, placed last so the
   * ranges keep consecutive partition numbers.
   */
  static List<ReadTask> plan(List<InputFile> files, int side, int fileIndexBase, Configuration conf, long splitBytes,
      boolean splittable) {
    CompressionCodecFactory codecs = new CompressionCodecFactory(conf);
    List<ReadTask> tasks = new ArrayList<>();
    List<ReadTask> hashes = new ArrayList<>();
    for (int i = 0; i < files.size(); i++) {
      InputFile f = files.get(i);
      boolean compressed = codecs.getCodec(new Path(f.path())) != null;
      long n = !splittable || compressed || f.sizeBytes() <= splitBytes ? 1 : (f.sizeBytes() + splitBytes - 1) / splitBytes;
      if (n == 1) {
        tasks.add(new ReadTask(Kind.READ, f, fileIndexBase + i, side, 0, 1, 0, Long.MAX_VALUE));
        continue;
      }
      for (int r = 0; r < n; r++) {
        long start = r * f.sizeBytes() / n;
        long end = r == n - 1 ? Long.MAX_VALUE : (r + 1) * f.sizeBytes() / n;
        tasks.add(new ReadTask(Kind.READ, f, fileIndexBase + i, side, r, (int) n, start, end));
      }
      hashes.add(new ReadTask(Kind.HASH, f, fileIndexBase + i, side, -1, (int) n, 0, Long.MAX_VALUE));
    }
    tasks.addAll(hashes);
    return tasks;
  }
}
