package io.seqspark.core.task;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.seqspark.core.config.Settings;
import io.seqspark.core.data.Batch;
import io.seqspark.core.data.Shard;
import io.seqspark.core.data.ShardExamples;
import io.seqspark.core.data.ShardInput;
import io.seqspark.core.data.ShardPiece;
import io.seqspark.core.data.TokenShardWriter;
import io.seqspark.core.data.TokenStreamBatcher;
import io.seqspark.core.train.BatchSource;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code data.cache = stream}: a partition's batches read from its shards every epoch are the in-memory batches
 * (stream regime: always; sentences regime: when one window holds the partition), and smaller windows still give
 * every example once per epoch.
 */
class StreamedSourcesTest {
  @TempDir
  Path dir;

  private final LanguageModelFamily lm = LanguageModelFamily.INSTANCE;

  private static List<int[]> examples(int n, long seed) {
    SplittableRandom r = new SplittableRandom(seed);
    List<int[]> out = new ArrayList<>();
    for (int i = 0; i < n; i++) {
      int[] ids = new int[r.nextInt(0, 30)];
      for (int j = 0; j < ids.length; j++) {
        ids[j] = 4 + r.nextInt(500);
      }
      out.add(ids);
    }
    return out;
  }

  /** Two shard files of {@code n} examples in all, as one partition's pieces; returns the examples in order. */
  private ShardExamples shards(List<int[]> all, int cut) throws IOException {
    List<ShardPiece> pieces = new ArrayList<>();
    for (int[] range : new int[][] {{0, cut}, {cut, all.size()}}) {
      Path f = dir.resolve("part-" + range[0] + ".ids");
      long tokens = 0;
      try (TokenShardWriter w = new TokenShardWriter(Files.newOutputStream(f))) {
        for (int[] e : all.subList(range[0], range[1])) {
          w.add(e);
          tokens += e.length;
        }
      }
      pieces.add(new ShardPiece(f.toString(), 0, range[1] - range[0], tokens));
    }
    return new ShardExamples(pieces, ShardInput.local());
  }

  private static void assertBatch(Batch a, Batch b, String where) {
    assertEquals(a.steps(), b.steps(), where);
    assertEquals(a.rows(), b.rows(), where);
    assertArrayEquals(a.inputs(), b.inputs(), where);
    assertArrayEquals(a.targets(), b.targets(), where);
    assertArrayEquals(a.mask(), b.mask(), where);
    assertArrayEquals(a.lengths(), b.lengths(), where);
    assertArrayEquals(a.exampleIds(), b.exampleIds(), where);
  }

  @Test
  void streamRegime_streamedRows_equalTheInMemoryTokenStreamBatcher_inOrderAndOnResume() throws IOException {
    for (boolean eos : new boolean[] {true, false}) {
      Settings s = Settings.load(List.of(), List.of("data.eosPerLine=" + eos, "train.batchSize=7", "train.bptt=9"));
      List<int[]> all = examples(900, 5);
      ShardExamples ex = shards(all, 333);
      Shard memory = lm.shardOf(s, Dims.ofVocabulary(504), 0, all);
      TokenStreamBatcher b = new TokenStreamBatcher(memory.stream(), 7, 9);
      BatchSource<Batch> streamed = lm.streamedSource(s, Dims.ofVocabulary(504), 0, ex);
      assertEquals(b.numBatches(), streamed.numBatches(0));
      assertTrue(streamed.carriesState());
      for (int epoch = 0; epoch < 2; epoch++) {
        for (int k = 0; k < b.numBatches(); k++) {
          assertBatch(b.batch(k), streamed.batch(epoch, k), "eos " + eos + " epoch " + epoch + " batch " + k);
        }
      }
      // a resume (or a retried task) starts in the middle: the rows reposition
      int k = b.numBatches() / 2;
      assertBatch(b.batch(k), streamed.batch(2, k), "resumed at " + k);
      assertBatch(b.batch(k + 1), streamed.batch(2, k + 1), "after the resume");
    }
  }

  @Test
  void reversedRows_equalTheTokenStreamBatcherOverTheReversedStream_acrossBlocksAndPieces_andOnResume()
      throws IOException {
    for (boolean eos : new boolean[] {true, false}) {
      Settings s = Settings.load(List.of(), List.of("data.eosPerLine=" + eos, "train.batchSize=3", "train.bptt=9"));
      // 900 examples in 2 pieces, 3 rows: each row walks back over more than one block of StreamedTokens.REVERSE_BLOCK
      List<int[]> all = examples(900, 8);
      int[] stream = lm.shardOf(s, Dims.ofVocabulary(504), 0, all).stream();
      int[] back = new int[stream.length];
      for (int i = 0; i < stream.length; i++) {
        back[i] = stream[stream.length - 1 - i];
      }
      TokenStreamBatcher b = new TokenStreamBatcher(back, 3, 9);
      BatchSource<Batch> streamed = StreamedTokens.reversed(shards(all, 333), 3, 9, eos);
      assertEquals(b.numBatches(), streamed.numBatches(0));
      assertEquals(b.tokensPerEpoch(), streamed.tokens(0));
      for (int epoch = 0; epoch < 2; epoch++) {
        for (int k = 0; k < b.numBatches(); k++) {
          assertBatch(b.batch(k), streamed.batch(epoch, k), "eos " + eos + " epoch " + epoch + " batch " + k);
        }
      }
      int k = b.numBatches() / 3;
      assertBatch(b.batch(k), streamed.batch(2, k), "resumed at " + k);
      assertBatch(b.batch(k + 1), streamed.batch(2, k + 1), "after the resume");
    }
  }

  @Test
  void sentencesRegime_oneWindowHoldingThePartition_givesTheMemoryBatches_everyEpoch() throws IOException {
    Settings s = Settings.load(List.of(), List.of("data.regime=sentences", "data.maxTokensPerBatch=120",
        "data.shufflePoolSize=50", "data.streamWindow=1000", "seed=11"));
    List<int[]> all = examples(700, 6);
    for (int partition : new int[] {0, 3}) {
      BatchSource<Batch> memory = lm.shardSource(s, lm.shardOf(s, Dims.ofVocabulary(504), partition, all));
      BatchSource<Batch> streamed = lm.streamedSource(s, Dims.ofVocabulary(504), partition, shards(all, 250));
      for (int epoch = 0; epoch < 3; epoch++) {
        assertEquals(memory.numBatches(epoch), streamed.numBatches(epoch), "epoch " + epoch);
        for (int k = 0; k < memory.numBatches(epoch); k++) {
          assertBatch(memory.batch(epoch, k), streamed.batch(epoch, k), "p " + partition + " e " + epoch + " b " + k);
        }
      }
    }
  }

  @Test
  void sentencesRegime_smallWindows_giveEveryExampleOncePerEpoch_underTheBudget_andResumeAnywhere()
      throws IOException {
    Settings s = Settings.load(List.of(), List.of("data.regime=sentences", "data.maxTokensPerBatch=120",
        "data.streamWindow=64", "seed=11"));
    List<int[]> all = examples(700, 7);
    BatchSource<Batch> streamed = lm.streamedSource(s, Dims.ofVocabulary(504), 1, shards(all, 250));
    List<String> expected = new ArrayList<>();
    for (int[] e : all) {
      expected.add(Arrays.toString(e));
    }
    expected.sort(null);
    for (int epoch = 0; epoch < 2; epoch++) {
      List<String> seen = new ArrayList<>();
      List<Batch> batches = new ArrayList<>();
      for (int k = 0; k < streamed.numBatches(epoch); k++) {
        Batch b = streamed.batch(epoch, k);
        batches.add(b);
        assertTrue(b.steps() * b.rows() <= 120, "within the token budget");
        for (int r = 0; r < b.rows(); r++) {
          // inputs of row r: <s> then the sentence (lengths[r] = sentence + 1)
          int[] row = new int[b.lengths()[r] - 1];
          for (int t = 1; t < b.lengths()[r]; t++) {
            row[t - 1] = b.inputs()[t * b.rows() + r];
          }
          seen.add(Arrays.toString(row));
        }
      }
      seen.sort(null);
      assertEquals(expected, seen, "epoch " + epoch + ": every example exactly once");
      // random access into an earlier window reads it again, identically
      int k = streamed.numBatches(epoch) / 3;
      assertBatch(batches.get(k), streamed.batch(epoch, k), "re-read batch " + k);
    }
  }

  /**
   * Regression pin taken before WindowedBatches learned pairs (issue 14, translate): the lm windowed batches of
   * 64-example windows over two epochs, digested, must not change.
   */
  @Test
  void sentencesRegime_smallWindows_batchesArePinned() throws IOException {
    Settings s = Settings.load(List.of(), List.of("data.regime=sentences", "data.maxTokensPerBatch=120",
        "data.streamWindow=64", "seed=11"));
    BatchSource<Batch> streamed = lm.streamedSource(s, Dims.ofVocabulary(504), 1, shards(examples(700, 7), 250));
    long h = 17;
    for (int epoch = 0; epoch < 2; epoch++) {
      h = h * 31 + streamed.numBatches(epoch);
      for (int k = 0; k < streamed.numBatches(epoch); k++) {
        Batch b = streamed.batch(epoch, k);
        h = h * 31 + Arrays.hashCode(b.inputs());
        h = h * 31 + Arrays.hashCode(b.targets());
        h = h * 31 + Arrays.hashCode(b.exampleIds());
      }
    }
    assertEquals(PINNED_WINDOWED_DIGEST, h);
  }

  private static final long PINNED_WINDOWED_DIGEST = 1212646385035697145L;
}
