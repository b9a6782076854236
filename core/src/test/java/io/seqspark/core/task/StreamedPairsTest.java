package io.seqspark.core.task;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.seqspark.core.config.Settings;
import io.seqspark.core.data.Batch;
import io.seqspark.core.data.PairBatch;
import io.seqspark.core.data.PairBatcher;
import io.seqspark.core.data.ParallelShards;
import io.seqspark.core.data.ShardExamples;
import io.seqspark.core.data.ShardInput;
import io.seqspark.core.data.ShardPiece;
import io.seqspark.core.data.TokenShardWriter;
import io.seqspark.core.data.TokenShards;
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
 * A parallel ingest read as pairs on an executor ({@link ShardExamples#paired}) and translate's partitions from them:
 * the pairs are the ones the local trainer reads, and {@code data.cache = stream} gives the in-memory batches when one
 * window holds the partition.
 */
class StreamedPairsTest {
  @TempDir
  Path dir;

  private final TranslateFamily tr = TranslateFamily.INSTANCE;
  private final Dims dims = Dims.ofVocabulary(60).with("sourceVocabulary", 50);

  /** {source, target} id arrays; a few targets end in {@code </s>} (dropped on reading, as the local path drops it). */
  private static List<int[][]> pairs(int n, long seed) {
    SplittableRandom r = new SplittableRandom(seed);
    List<int[][]> out = new ArrayList<>();
    for (int i = 0; i < n; i++) {
      int[] a = new int[1 + r.nextInt(12)];
      int[] b = new int[1 + r.nextInt(15)];
      Arrays.setAll(a, j -> 4 + r.nextInt(46));
      Arrays.setAll(b, j -> 4 + r.nextInt(56));
      if (i % 17 == 0) {
        b[b.length - 1] = 2;
      }
      out.add(new int[][] {a, b});
    }
    return out;
  }

  /** Two shard files per side, cut at {@code cut}; the source pieces (whole files). */
  private List<ShardPiece> shards(List<int[][]> all, int cut) throws IOException {
    List<ShardPiece> pieces = new ArrayList<>();
    for (int[] range : new int[][] {{0, cut}, {cut, all.size()}}) {
      String name = String.format("part-%05d%s", range[0], TokenShards.SUFFIX);
      long tokens = 0;
      for (int side = 0; side < 2; side++) {
        Path d = Files.createDirectories(dir.resolve(side == 0 ? ParallelShards.SOURCE : ParallelShards.TARGET)
            .resolve(TokenShards.SHARD_DIR));
        try (TokenShardWriter w = new TokenShardWriter(Files.newOutputStream(d.resolve(name)))) {
          for (int[][] p : all.subList(range[0], range[1])) {
            w.add(p[side]);
            tokens += p[side].length;
          }
        }
      }
      pieces.add(new ShardPiece(dir.resolve(ParallelShards.SOURCE).resolve(TokenShards.SHARD_DIR).resolve(name)
          .toString(), 0, range[1] - range[0], tokens));
    }
    return pieces;
  }

  @Test
  void pairedExamples_encodeEachSourceWithItsTarget_fromAnyExample_withLengthsFromBothIndexes() throws IOException {
    List<int[][]> all = pairs(300, 1);
    ShardExamples ex = ShardExamples.paired(shards(all, 120), ShardInput.local());
    List<int[]> read = ex.readAll();
    assertEquals(all.size(), read.size());
    int[] lengths = ex.lengths();
    for (int i = 0; i < all.size(); i++) {
      assertArrayEquals(PairBatcher.encode(all.get(i)[0], all.get(i)[1]), read.get(i), "pair " + i);
      assertEquals(read.get(i).length, lengths[i], "length " + i);
    }
    try (ShardExamples.Cursor c = ex.cursor(118)) {
      for (int i = 118; i < 125; i++) {
        assertArrayEquals(read.get(i), c.next(), "from 118, pair " + i);
      }
    }
    // a range of the first file reads the same range of its target
    ShardPiece first = ex.pieces().get(0);
    List<int[]> range = ShardExamples.paired(List.of(new ShardPiece(first.file(), 10, 20, 0)), ShardInput.local())
        .readAll();
    for (int i = 0; i < 10; i++) {
      assertArrayEquals(read.get(10 + i), range.get(i));
    }
  }

  @Test
  void aTargetShardWithOtherCounts_failsNamingBothFiles() throws IOException {
    List<ShardPiece> pieces = shards(pairs(50, 2), 20);
    Path target = Path.of(ParallelShards.targetFile(pieces.get(0).file()));
    try (TokenShardWriter w = new TokenShardWriter(Files.newOutputStream(target))) {
      for (int i = 0; i < 25; i++) {
        w.add(new int[] {5, 6}); // 25 targets for 20 sources
      }
    }
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
        () -> ShardExamples.paired(pieces, ShardInput.local()).readAll());
    assertTrue(e.getMessage().contains(pieces.get(0).file()) && e.getMessage().contains(target.toString()),
        e.getMessage());
  }

  @Test
  void targetFile_mapsTheSourceSide_andRefusesOtherPaths() {
    assertEquals("hdfs://nn/x/source/y/target/shards/part-00001.ids",
        ParallelShards.targetFile("hdfs://nn/x/source/y/source/shards/part-00001.ids"));
    assertThrows(IllegalArgumentException.class, () -> ParallelShards.targetFile("/x/shards/part-00001.ids"));
  }

  private static void assertBatch(Batch a, Batch b, String where) {
    assertEquals(a.steps(), b.steps(), where);
    assertEquals(a.rows(), b.rows(), where);
    assertArrayEquals(a.inputs(), b.inputs(), where);
    assertArrayEquals(a.targets(), b.targets(), where);
    assertArrayEquals(a.mask(), b.mask(), where);
    assertArrayEquals(a.exampleIds(), b.exampleIds(), where);
  }

  @Test
  void oneWindowHoldingThePartition_givesTheMemoryBatches_everyEpoch() throws IOException {
    Settings s = Settings.load(List.of(), List.of("data.maxTokensPerBatch=60", "data.shufflePoolSize=50",
        "data.streamWindow=1000", "seed=11"));
    List<int[][]> all = pairs(400, 3);
    List<ShardPiece> pieces = shards(all, 150);
    for (int partition : new int[] {0, 3}) {
      List<int[]> ingested = ShardExamples.paired(pieces, ShardInput.local()).readAll();
      BatchSource<PairBatch> memory = tr.shardSource(s, tr.shardOf(s, dims, partition, ingested));
      BatchSource<PairBatch> streamed = tr.streamedSource(s, dims, partition, tr.examples(pieces, ShardInput.local()));
      for (int epoch = 0; epoch < 3; epoch++) {
        assertEquals(memory.numBatches(epoch), streamed.numBatches(epoch), "epoch " + epoch);
        for (int k = 0; k < memory.numBatches(epoch); k++) {
          PairBatch m = memory.batch(epoch, k);
          PairBatch x = streamed.batch(epoch, k);
          String where = "p " + partition + " e " + epoch + " b " + k;
          assertBatch(m.source(), x.source(), where);
          assertBatch(m.target(), x.target(), where);
        }
      }
    }
  }

  @Test
  void smallWindows_giveEveryPairOncePerEpoch_underTheBudget() throws IOException {
    Settings s = Settings.load(List.of(), List.of("data.maxTokensPerBatch=60", "data.streamWindow=32", "seed=11"));
    List<int[][]> all = pairs(400, 4);
    BatchSource<PairBatch> streamed = tr.streamedSource(s, dims, 1, tr.examples(shards(all, 150),
        ShardInput.local()));
    for (int epoch = 0; epoch < 2; epoch++) {
      int rows = 0;
      for (int k = 0; k < streamed.numBatches(epoch); k++) {
        PairBatch b = streamed.batch(epoch, k);
        assertTrue(b.source().steps() * b.source().rows() <= 60 && b.target().steps() * b.target().rows() <= 60,
            "within the token budget");
        rows += b.source().rows();
      }
      assertEquals(all.size(), rows, "epoch " + epoch + ": every pair once");
    }
  }
}
