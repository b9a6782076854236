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
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class TokenShardsTest {
  @TempDir
  Path dir;

  static List<int[]> examples(int n, long seed) {
    SplittableRandom r = new SplittableRandom(seed);
    List<int[]> out = new ArrayList<>();
    for (int i = 0; i < n; i++) {
      int[] ids = new int[r.nextInt(0, 40)];
      for (int j = 0; j < ids.length; j++) {
        // Mix 1- to 5-byte varints, Integer.MAX_VALUE included.
        ids[j] = switch (r.nextInt(4)) {
          case 0 -> r.nextInt(128);
          case 1 -> r.nextInt(1 << 21);
          case 2 -> Integer.MAX_VALUE;
          default -> r.nextInt(Integer.MAX_VALUE);
        };
      }
      out.add(ids);
    }
    return out;
  }

  Path write(String name, List<int[]> examples) throws IOException {
    Files.createDirectories(dir.resolve(TokenShards.SHARD_DIR));
    Path f = dir.resolve(TokenShards.SHARD_DIR).resolve(name);
    try (TokenShardWriter w = new TokenShardWriter(Files.newOutputStream(f))) {
      for (int[] e : examples) {
        w.add(e);
      }
    }
    return f;
  }

  @Test
  void shards_writtenAndRead_giveBackEveryExampleInOrder_andLengthsWithoutIds() throws IOException {
    List<int[]> a = examples(500, 1);
    List<int[]> b = examples(3, 2);
    write("part-00000.ids", a);
    write("part-00001.ids", b);
    write("part-00002.ids", List.of());
    TokenShards shards = TokenShards.open(dir);
    List<int[]> all = new ArrayList<>(a);
    all.addAll(b);
    List<int[]> back = shards.readAll();
    assertEquals(all.size(), back.size());
    for (int i = 0; i < all.size(); i++) {
      assertArrayEquals(all.get(i), back.get(i), "example " + i);
    }
    int[] lengths = shards.lengths();
    for (int i = 0; i < all.size(); i++) {
      assertEquals(all.get(i).length, lengths[i]);
    }
    assertEquals(all.size(), shards.examples());
  }

  @Test
  void damagedShard_failsWithItsPath_insteadOfYieldingWrongIds() throws IOException {
    Path f = write("part-00000.ids", examples(50, 3));
    byte[] bytes = Files.readAllBytes(f);
    bytes[20] ^= 0x01;
    Files.write(f, bytes);
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> TokenShards.read(f));
    assertTrue(e.getMessage().contains(f.toString()) && e.getMessage().contains("damaged"), e.getMessage());
    Files.write(f, java.util.Arrays.copyOf(bytes, bytes.length - 5));
    e = assertThrows(IllegalArgumentException.class, () -> TokenShards.lengths(f));
    assertTrue(e.getMessage().contains(f.toString()), e.getMessage());
  }

  @Test
  void negativeId_isRejectedByTheWriter() throws IOException {
    try (TokenShardWriter w = new TokenShardWriter(java.io.OutputStream.nullOutputStream())) {
      assertThrows(IllegalArgumentException.class, () -> w.add(new int[] {3, -1}));
    }
  }
}
