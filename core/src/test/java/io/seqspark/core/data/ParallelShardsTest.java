package io.seqspark.core.data;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ParallelShardsTest {
  @TempDir
  Path tmp;

  static void shard(Path dir, String name, int[]... examples) throws IOException {
    Files.createDirectories(dir.resolve(TokenShards.SHARD_DIR));
    try (TokenShardWriter w = new TokenShardWriter(Files.newOutputStream(dir.resolve(TokenShards.SHARD_DIR).resolve(name)))) {
      for (int[] e : examples) {
        w.add(e);
      }
    }
  }

  @Test
  void pairs_streamInOrderAcrossShards_withEachSidesLengths() throws IOException {
    shard(tmp.resolve("source"), "part-00000.ids", new int[] {4, 5}, new int[] {6});
    shard(tmp.resolve("target"), "part-00000.ids", new int[] {7}, new int[] {8, 9, 10});
    shard(tmp.resolve("source"), "part-00001.ids", new int[] {11, 12, 13});
    shard(tmp.resolve("target"), "part-00001.ids", new int[] {14, 15});
    ParallelShards p = ParallelShards.open(tmp);
    List<int[][]> got = new ArrayList<>();
    p.forEach((s, t) -> got.add(new int[][] {s, t}));
    assertEquals(3, got.size());
    assertArrayEquals(new int[][] {{6}, {8, 9, 10}}, got.get(1));
    assertArrayEquals(new int[][] {{11, 12, 13}, {14, 15}}, got.get(2));
    assertArrayEquals(new int[] {2, 1, 3}, p.source().lengths());
    assertArrayEquals(new int[] {1, 3, 2}, p.target().lengths());
    assertEquals(3, p.pairs());
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> TokenShards.open(tmp));
    assertTrue(e.getMessage().contains("ParallelShards"), e.getMessage());
  }

  @Test
  void misalignedSides_failNamingBothShardsAndCounts() throws IOException {
    shard(tmp.resolve("source"), "part-00000.ids", new int[] {4}, new int[] {5});
    shard(tmp.resolve("target"), "part-00000.ids", new int[] {7});
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> ParallelShards.open(tmp));
    assertTrue(e.getMessage().contains("(2 examples)") && e.getMessage().contains("(1 examples)"), e.getMessage());
    assertThrows(IllegalArgumentException.class, () -> ParallelShards.open(tmp.resolve("source")));
  }
}
