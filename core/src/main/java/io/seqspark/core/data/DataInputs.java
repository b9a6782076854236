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
    if (!Files.isRegularFile(p) && !isShards(p) && !(Files.isRegularFile(p.resolve("manifest.json"))
        && (ParallelShards.isParallel(p, ParallelShards.LABELLED)
        || ParallelShards.isParallel(p, ParallelShards.TAGGED)))) {
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

  /**
   * What an {@code eval} command scores: {@code file} when given, else the run's data.test, else its data.valid; fails
   * naming the fix when there is none.
   */
  public static Path evaluationFile(Settings s, Path file) {
    Path data = file != null ? file : s.getPath("data.test") != null ? s.getPath("data.test") : s.getPath("data.valid");
    if (data == null) {
      throw new IllegalArgumentException("nothing to evaluate: pass FILE (the model's config has no data.test or"
          + " data.valid)");
    }
    return data;
  }
}
