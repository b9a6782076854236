package io.seqspark.core.data;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.util.HexFormat;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class VocabularyTest {

  @TempDir
  Path dir;

  private static Vocabulary sample() {
    // counts: b=3, a=2, c=2, d=1; ties (a, c) broken by the word.
    return Vocabulary.builder().add("c").add("b").add("a").add("b").add("c").add("a").add("b").add("d")
        .build(1, 0);
  }

  @Test
  void build_ordersSpecialsThenDescendingCountThenWord() {
    Vocabulary v = sample();
    assertEquals(List.of("<pad>", "<unk>", "<s>", "</s>", "b", "a", "c", "d"), v.decode(new int[] {0, 1, 2, 3, 4, 5, 6, 7}));
    assertEquals(8, v.size());
    assertEquals(3, v.count(v.id("b")));
    assertEquals(8, v.totalCount());
  }

  @Test
  void build_isIndependentOfInsertionOrder() {
    Vocabulary other = Vocabulary.builder().add("d").add("a", 2).add("c", 2).add("b", 3).build(1, 0);
    assertEquals(sample().contentHash(), other.contentHash());
  }

  @Test
  void ofRanked_entriesInBuilderOrder_equalTheBuiltVocabulary_andOtherOrdersFail() {
    Vocabulary built = sample();
    String[] tokens = new String[built.size()];
    long[] counts = new long[built.size()];
    for (int i = 0; i < tokens.length; i++) {
      tokens[i] = built.token(i);
      counts[i] = built.count(i);
    }
    Vocabulary ranked = Vocabulary.ofRanked(tokens, counts);
    assertEquals(built.contentHash(), ranked.contentHash());
    assertEquals(built.id("c"), ranked.id("c"));
    assertEquals(built.totalCount(), ranked.totalCount());

    // sample(): b=3, a=2, c=2, d=1 at ids 4..7. Swapping the tie (a, c) or two counts breaks the order.
    String[] tie = tokens.clone();
    tie[5] = "c";
    tie[6] = "a";
    assertThrows(IllegalArgumentException.class, () -> Vocabulary.ofRanked(tie, counts));
    long[] rising = counts.clone();
    rising[7] = 5;
    assertThrows(IllegalArgumentException.class, () -> Vocabulary.ofRanked(tokens, rising));
    String[] noSpecials = List.of("b", "a", "c", "d").toArray(String[]::new);
    assertThrows(IllegalArgumentException.class, () -> Vocabulary.ofRanked(noSpecials, new long[] {3, 2, 2, 1}));
  }

  @Test
  void id_unknownToken_isUnk() {
    Vocabulary v = sample();
    assertEquals(Vocabulary.UNK_ID, v.id("zzz"));
    assertFalse(v.contains("zzz"));
    assertTrue(v.contains("a"));
    assertArrayEquals(new int[] {v.id("a"), Vocabulary.UNK_ID, v.id("b")}, v.encode(List.of("a", "zzz", "b")));
  }

  @Test
  void corpusTokenSpelledLikeSpecial_mapsToSpecialAndAddsItsCount() {
    Vocabulary v = Vocabulary.builder().add("<unk>").add("<unk>").add("</s>", 5).add("x").build(1, 0);
    assertEquals(5, v.size(), "4 specials + x; the literal <unk> is not a second entry");
    assertEquals(2, v.count(Vocabulary.UNK_ID));
    assertEquals(5, v.count(Vocabulary.EOS_ID));
    assertEquals(Vocabulary.UNK_ID, v.id("<unk>"));
  }

  @Test
  void minCountAndMaxSize_dropRareWordsIntoUnk() {
    Vocabulary byCount = Vocabulary.builder()
        .add("b", 3).add("a", 2).add("c", 2).add("d", 1).build(2, 0);
    assertEquals(7, byCount.size(), "d (count 1) dropped");
    assertEquals(1, byCount.count(Vocabulary.UNK_ID), "d's one occurrence now encodes to <unk>");
    assertEquals(8, byCount.totalCount());

    Vocabulary bySize = Vocabulary.builder().add("b", 3).add("a", 2).add("c", 2).add("d", 1).build(1, 6);
    assertEquals(List.of("b", "a"), bySize.decode(new int[] {4, 5}));
    assertEquals(6, bySize.size());
    assertEquals(2 + 1, bySize.count(Vocabulary.UNK_ID), "c and d dropped");
    assertThrows(IllegalArgumentException.class, () -> Vocabulary.builder().build(1, 3));
  }

  @Test
  void saveLoad_roundTripsAndHashIsSha256OfFile() throws Exception {
    Vocabulary v = sample();
    Path file = dir.resolve("vocab.tsv");
    v.save(file);
    byte[] bytes = Files.readAllBytes(file);
    assertEquals("<pad>\t0\n<unk>\t0\n<s>\t0\n</s>\t0\nb\t3\na\t2\nc\t2\nd\t1\n", new String(bytes, StandardCharsets.UTF_8));
    assertEquals(HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(bytes)), v.contentHash());
    Vocabulary back = Vocabulary.load(file);
    assertEquals(v.contentHash(), back.contentHash());
    assertEquals(v.size(), back.size());
    assertEquals(List.of("vocab.tsv"), listNames(), "no temp file left behind");
    assertNotEquals(v.contentHash(), Vocabulary.builder().add("b", 4).build(1, 0).contentHash());
  }

  private List<String> listNames() throws Exception {
    try (var s = Files.list(dir)) {
      return s.map(p -> p.getFileName().toString()).toList();
    }
  }

  @Test
  void load_malformedLine_namesFileLineContentAndRule() throws Exception {
    Path file = dir.resolve("bad.tsv");
    Files.writeString(file, "<pad>\t0\n<unk>\t0\n<s>\t0\n</s>\t0\nword\tmany\n");
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> Vocabulary.load(file));
    assertTrue(e.getMessage().contains(file.toString()), e.getMessage());
    assertTrue(e.getMessage().contains("line 5"), e.getMessage());
    assertTrue(e.getMessage().contains("word\tmany"), e.getMessage());
    assertTrue(e.getMessage().contains("whole number"), e.getMessage());

    Files.writeString(file, "<unk>\t0\n<pad>\t0\n<s>\t0\n</s>\t0\n");
    e = assertThrows(IllegalArgumentException.class, () -> Vocabulary.load(file));
    assertTrue(e.getMessage().contains("line 1") && e.getMessage().contains("reserved"), e.getMessage());

    Files.writeString(file, "<pad>\t0\n<unk>\t0\n<s>\t0\n</s>\t0\nx\t1\nx\t1\n");
    e = assertThrows(IllegalArgumentException.class, () -> Vocabulary.load(file));
    assertTrue(e.getMessage().contains("line 6") && e.getMessage().contains("line 5"), e.getMessage());

    Files.writeString(file, "<pad>\t0\n<unk>\t0\n<s>\t0\n</s>\t0\nno-tab-here\n");
    e = assertThrows(IllegalArgumentException.class, () -> Vocabulary.load(file));
    assertTrue(e.getMessage().contains("line 5") && e.getMessage().contains("one tab"), e.getMessage());
  }

  @Test
  void add_tokenWithTab_isRejected() {
    assertThrows(IllegalArgumentException.class, () -> Vocabulary.builder().add("a\tb"));
    assertThrows(IllegalArgumentException.class, () -> Vocabulary.builder().add(""));
  }
}
