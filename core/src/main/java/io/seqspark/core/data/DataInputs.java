package io.seqspark.core.data;

import io.seqspark.core.config.Settings;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

/**
 * Family-neutral data setup from the shared {@code data.*} keys: input checks, the tokenizer, and length-bucketed or
 * streamed batches of token examples. Every family (and Word2Vec) builds its inputs through here, so a key means the
 * same everywhere.
 */
public final class DataInputs {
  private DataInputs() {
  }

  /** A configured path that must exist: fails with the key, the value and the fix. */
  public static Path requireFile(Settings s, String key) {
    Path p = s.getPath(key);
    if (p == null) {
      throw new IllegalArgumentException(key + " is empty: set it to a text file or an ingest output directory, e.g. --set "
          + key + "=path/to/file.txt");
    }
    if (!Files.isRegularFile(p) && !isShards(p)) {
      throw new IllegalArgumentException(key + " = " + p + ": no such file or ingest output (looked in " + p.toAbsolutePath()
          + "). Fix: point " + key + " at an existing text file, or at a directory written by seqspark ingest; relative"
          + " paths are resolved from the working directory");
    }
    return p;
  }

  /** Whether {@code p} is a directory written by {@code seqspark ingest} (token-id shards + vocabulary). */
  public static boolean isShards(Path p) {
    return Files.isDirectory(p) && Files.isRegularFile(p.resolve(TokenShards.VOCABULARY_FILE))
        && Files.isDirectory(p.resolve(TokenShards.SHARD_DIR));
  }

  /** The tokenizer of data.tokenizer, data.lowercase and data.splitPunctuation. */
  public static Tokenizer tokenizer(Settings s) {
    return Tokenizer.of(s.getString("data.tokenizer"), s.getBoolean("data.lowercase"), s.getBoolean("data.splitPunctuation"));
  }

  /** The batcher of data.maxTokensPerBatch, data.maxLength, data.overLength, ... over examples in {@code layout}. */
  public static SentenceBatcher sentenceBatcher(Settings s, List<int[]> examples, long seed, SentenceBatcher.Layout layout) {
    LengthBucketing.Options bucketing = new LengthBucketing.Options(s.getInt("data.maxTokensPerBatch"), 0,
        s.getBoolean("data.skipOversized"), s.getInt("data.shufflePoolSize"));
    return new SentenceBatcher(examples, new SentenceBatcher.Options(s.getInt("data.maxLength"),
        SentenceBatcher.OverLength.parse(s.getString("data.overLength")), bucketing, seed), layout);
  }

  /** Length-bucketed batches of {@code examples} (a whole split or one partition's shard), shuffled from {@code seed}. */
  public static io.seqspark.core.train.BatchSource<Batch> sentenceSource(Settings s, List<int[]> examples, long seed,
                                                                           SentenceBatcher.Layout layout) {
    return io.seqspark.core.train.BatchSource.sentences(sentenceBatcher(s, examples, seed, layout));
  }

  /** Truncated-BPTT batches of {@code rows} streams over {@code stream} (train.bptt steps each). */
  public static io.seqspark.core.train.BatchSource<Batch> streamSource(Settings s, int[] stream, int rows) {
    return io.seqspark.core.train.BatchSource.stream(new TokenStreamBatcher(stream, rows, s.getInt("train.bptt")));
  }
}
