package io.seqspark.core.data;

import java.io.Serializable;

/**
 * A run of consecutive examples of one ingested shard file (all of it, or a range when there are fewer files than
 * partitions): what the driver assigns to a partition and the executor reads. {@code tokens} is the manifest's count
 * for a whole file and an estimate (proportional to the examples) for a range; only balancing uses it.
 *
 * @param file         the shard file, as the reader's {@link ShardInput.Opener} names it (a Hadoop path or URI on Spark)
 * @param firstExample index of the first example in the file, 0-based
 * @param endExample   index after the last example
 * @param tokens       tokens in the run (exact for a whole file)
 */
public record ShardPiece(String file, long firstExample, long endExample, long tokens) implements Serializable {

  /** Checks the range: {@code 0 <= firstExample <= endExample}. */
  public ShardPiece {
    if (firstExample < 0 || endExample < firstExample) {
      throw new IllegalArgumentException(file + ": bad example range " + firstExample + ".." + endExample);
    }
  }

  /** Examples in the run. */
  public long examples() {
    return endExample - firstExample;
  }
}
