package io.seqspark.core.data;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ShardExamplesTest {
  @TempDir
  Path dir;

  private Path write(String name, List<int[]> examples) throws IOException {
    Path f = dir.resolve(name);
    try (TokenShardWriter w = new TokenShardWriter(Files.newOutputStream(f))) {
      for (int[] e : examples) {
        w.add(e);
      }
    }
    return f;
  }

  private static ShardPiece whole(Path f, List<int[]> examples) {
    return new ShardPiece(f.toString(), 0, examples.size(), examples.stream().mapToLong(e -> e.length).sum());
  }

  private static void assertSame(List<int[]> expected, List<int[]> actual) {
    assertEquals(expected.size(), actual.size());
    for (int i = 0; i < expected.size(); i++) {
      assertArrayEquals(expected.get(i), actual.get(i), "example " + i);
    }
  }

  @Test
  void pieces_readInOrder_equalTokenShards_wholeFilesAndRanges_andCursorsStartAnywhere() throws IOException {
    // 70k examples make the body span several 64 KiB buffers, so refills (and their CRC) are exercised
    List<int[]> a = TokenShardsTest.examples(7000, 1);
    List<int[]> b = TokenShardsTest.examples(300, 2);
    Path fa = write("part-00000.ids", a);
    Path fb = write("part-00001.ids", b);
    ShardExamples both = new ShardExamples(List.of(whole(fa, a), whole(fb, b)), ShardInput.local());
    List<int[]> all = new ArrayList<>(a);
    all.addAll(b);
    assertSame(all, both.readAll());
    assertSame(TokenShards.open(dir).readAll(), both.readAll());
    int[] lengths = both.lengths();
    for (int i = 0; i < all.size(); i++) {
      assertEquals(all.get(i).length, lengths[i]);
    }
    // a range of a file, then the next file from its start
    ShardExamples range = new ShardExamples(List.of(new ShardPiece(fa.toString(), 1234, 5000, 0), whole(fb, b)),
        ShardInput.local());
    List<int[]> expected = new ArrayList<>(a.subList(1234, 5000));
    expected.addAll(b);
    assertSame(expected, range.readAll());
    // a cursor from example 4000 of the range (into the second piece) and from the very end
    try (ShardExamples.Cursor c = range.cursor(3900)) {
      List<int[]> got = new ArrayList<>();
      c.forEachRemaining(got::add);
      assertSame(expected.subList(3900, expected.size()), got);
    }
    try (ShardExamples.Cursor c = range.cursor(expected.size())) {
      assertTrue(!c.hasNext());
    }
  }

  @Test
  void damagedShard_failsWithItsPath_notWrongIds() throws IOException {
    List<int[]> a = TokenShardsTest.examples(2000, 3);
    Path f = write("part-00000.ids", a);
    byte[] bytes = Files.readAllBytes(f);
    bytes[5000] ^= 0x01; // a bit inside the body: varint values change, the CRC catches it
    Files.write(f, bytes);
    ShardExamples ex = new ShardExamples(List.of(whole(f, a)), ShardInput.local());
    RuntimeException e = assertThrows(RuntimeException.class, ex::readAll);
    String msg = e instanceof UncheckedIOException u ? u.getCause().getMessage() : e.getMessage();
    assertTrue(msg.contains(f.toString()) && msg.contains("re-run seqspark ingest"), msg);
  }

  @Test
  void planBeyondTheFile_failsNamingTheFix() throws IOException {
    List<int[]> a = TokenShardsTest.examples(10, 4);
    Path f = write("part-00000.ids", a);
    ShardExamples ex = new ShardExamples(List.of(new ShardPiece(f.toString(), 0, 11, 0)), ShardInput.local());
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class, ex::lengths);
    assertTrue(e.getMessage().contains("re-run seqspark ingest"), e.getMessage());
  }

  @Test
  void plan_balancesTokens_isSeeded_andOnePartitionReadsTheCorpusInOrder() {
    List<ShardPiece> files = new ArrayList<>();
    long[] tokens = {900, 100, 500, 500, 300, 700, 200, 800};
    for (int i = 0; i < tokens.length; i++) {
      files.add(new ShardPiece(String.format("d/part-%05d.ids", i), 0, tokens[i] / 10, tokens[i]));
    }
    assertEquals(List.of(files), ShardPlan.assign(files, 1, 7));
    List<List<ShardPiece>> three = ShardPlan.assign(files, 3, 7);
    assertEquals(three, ShardPlan.assign(files, 3, 7), "the same seed gives the same plan");
    long[] load = ShardPlan.tokens(three);
    // 4000 tokens over 3 partitions: greedy largest-first is within the largest piece of the mean
    for (long l : load) {
      assertTrue(Math.abs(l - 4000 / 3) <= 900, java.util.Arrays.toString(load));
    }
    assertEquals(4000, load[0] + load[1] + load[2]);
    for (List<ShardPiece> p : three) {
      for (int i = 1; i < p.size(); i++) {
        assertTrue(p.get(i - 1).file().compareTo(p.get(i).file()) < 0, "corpus order within a partition");
      }
    }
    // ties (500, 500) go by the seeded shuffle: some seed puts them the other way round
    boolean differs = false;
    for (long seed = 0; seed < 20 && !differs; seed++) {
      differs = !ShardPlan.assign(files, 3, seed).equals(three);
    }
    assertTrue(differs, "the seed decides between equal pieces");
  }

  @Test
  void plan_splitsFilesByExamples_whenThereAreFewerFilesThanPartitions() {
    List<ShardPiece> one = List.of(new ShardPiece("d/part-00000.ids", 0, 101, 1010));
    List<List<ShardPiece>> four = ShardPlan.assign(one, 4, 1);
    assertEquals(4, four.size());
    long examples = 0;
    List<ShardPiece> pieces = new ArrayList<>();
    four.forEach(pieces::addAll);
    pieces.sort(java.util.Comparator.comparingLong(ShardPiece::firstExample));
    long next = 0;
    for (ShardPiece p : pieces) {
      assertEquals(next, p.firstExample(), "ranges tile the file");
      next = p.endExample();
      examples += p.examples();
      assertNotEquals(0, p.examples());
    }
    assertEquals(101, examples);
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
        () -> ShardPlan.assign(List.of(new ShardPiece("f", 0, 2, 4)), 3, 1));
    assertTrue(e.getMessage().contains("spark.workers"), e.getMessage());
  }
}
