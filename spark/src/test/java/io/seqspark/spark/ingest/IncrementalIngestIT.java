package io.seqspark.spark.ingest;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.seqspark.core.config.Settings;
import io.seqspark.core.data.TokenShards;
import io.seqspark.core.data.Tokenizer;
import io.seqspark.core.data.Vocabulary;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.apache.spark.SparkConf;
import org.apache.spark.api.java.JavaSparkContext;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** seqspark ingest --previous in Spark local[2] on real files: the three vocabulary policies, chaining, bad input. */
class IncrementalIngestIT {
  static JavaSparkContext sc;
  @TempDir
  Path tmp;

  @BeforeAll
  static void spark() {
    sc = new JavaSparkContext(new SparkConf().setMaster("local[2]").setAppName("IncrementalIngestIT")
        .set("spark.ui.enabled", "false").set("spark.driver.host", "127.0.0.1"));
  }

  @AfterAll
  static void stop() {
    sc.stop();
  }

  /** minCount 2 so the new file has words that are cut, and splitBytes small so files are read in several ranges. */
  static final String[] BASE = {"data.minCount=2", "ingest.splitBytes=4096"};

  static String[] with(String... more) {
    return Stream.concat(Stream.of(BASE), Stream.of(more)).toArray(String[]::new);
  }

  static Ingest.Result full(String input, Path out, String... sets) throws IOException {
    return Ingest.run(sc, Settings.load(List.of(), List.of(sets)), input, out.toString(), false, List.of("ingest"));
  }

  static Ingest.Result incremental(String input, Path previous, Path out, String... sets) throws IOException {
    return Ingest.runIncremental(sc, Settings.load(List.of(), List.of(sets)), input, previous.toString(),
        out.toString(), false, List.of("ingest", "--previous"));
  }

  /** Old files a, b (random text), and the new file's lines: known words, new words (some repeated), a rare one. */
  Path corpus() throws IOException {
    Path dir = Files.createDirectories(tmp.resolve("in"));
    Files.write(dir.resolve("a.txt"), IngestIT.utf8(IngestIT.text(600, 1)));
    Files.write(dir.resolve("b.txt"), IngestIT.utf8(IngestIT.text(500, 2)));
    return dir;
  }

  static List<String> newText(long seed) {
    List<String> lines = new ArrayList<>(IngestIT.text(300, seed));
    for (int i = 0; i < 40; i++) {
      lines.add("the apple" + (i % 3) + " sat on pear pear" + (i == 7 ? " once" + seed : "") + " mango" + (i % 5));
    }
    return lines;
  }

  static List<List<String>> decoded(Path dir, List<String> shardNames) throws IOException {
    Vocabulary v = TokenShards.open(dir).vocabulary();
    List<List<String>> out = new ArrayList<>();
    for (String name : shardNames) {
      for (int[] e : TokenShards.read(dir.resolve(name))) {
        out.add(v.decode(e));
      }
    }
    return out;
  }

  static List<String> shardNames(Map<String, Object> manifest) {
    List<String> names = new ArrayList<>();
    for (Object o : (List<?>) manifest.get("shards")) {
      names.add(String.valueOf(((Map<?, ?>) o).get("file")));
    }
    return names;
  }

  /** The new file's examples as the tokenizer cuts them, each token kept if {@code vocab} holds it, else {@code <unk>}. */
  static List<List<String>> expected(List<String> lines, Vocabulary vocab) {
    Tokenizer t = Tokenizer.of("word", false, false);
    List<List<String>> out = new ArrayList<>();
    for (String line : lines) {
      List<String> tokens = t.tokenize(line);
      if (!tokens.isEmpty()) {
        out.add(tokens.stream().map(w -> vocab.contains(w) ? w : Vocabulary.UNK).toList());
      }
    }
    return out;
  }

  @Test
  void extend_keepsOldIds_linksOldShards_andAppendsTheNewFilesWordsInFreshIngestOrder() throws IOException {
    Path in = corpus();
    Path old = tmp.resolve("old");
    full(in + "/*.txt", old, BASE);
    List<String> added = newText(3);
    Files.write(in.resolve("c.txt"), IngestIT.utf8(added));
    Path now = tmp.resolve("new");
    Map<String, Object> m = incremental(in + "/*.txt", old, now, with("ingest.vocabPolicy=extend")).manifest();

    Vocabulary before = TokenShards.open(old).vocabulary();
    Vocabulary after = TokenShards.open(now).vocabulary();
    for (int id = 0; id < before.size(); id++) {
      assertEquals(before.token(id), after.token(id), "id " + id);
    }
    // The appended words: those of a fresh ingest of only the new file that OLD lacks, in that ingest's order.
    Path onlyNew = Files.createDirectories(tmp.resolve("only"));
    Files.write(onlyNew.resolve("c.txt"), IngestIT.utf8(added));
    full(onlyNew + "/c.txt", tmp.resolve("fresh-c"), BASE);
    Vocabulary freshC = TokenShards.open(tmp.resolve("fresh-c")).vocabulary();
    List<String> appended = new ArrayList<>();
    for (int id = Vocabulary.SPECIALS.size(); id < freshC.size(); id++) {
      if (!before.contains(freshC.token(id))) {
        appended.add(freshC.token(id));
      }
    }
    assertFalse(appended.isEmpty(), "the new file brings new words");
    assertTrue(appended.contains("pear") && !appended.contains("once3"), appended.toString());
    List<String> actual = new ArrayList<>();
    for (int id = before.size(); id < after.size(); id++) {
      actual.add(after.token(id));
    }
    assertEquals(appended, actual);

    // OLD's shards are in NEW byte for byte; the new shards come after them and hold the new file's tokens.
    List<String> oldShards = shardNames(TokenShardsManifest.read(old));
    List<String> newShards = shardNames(m);
    assertEquals(oldShards, newShards.subList(0, oldShards.size()));
    for (String s : oldShards) {
      assertArrayEquals(Files.readAllBytes(old.resolve(s)), Files.readAllBytes(now.resolve(s)), s);
    }
    List<String> tail = newShards.subList(oldShards.size(), newShards.size());
    assertTrue(tail.get(0).compareTo(oldShards.get(oldShards.size() - 1)) > 0, tail + " after " + oldShards);
    assertEquals(expected(added, after), decoded(now, tail));
    // A fresh ingest of only the new file, decoded, equals them wherever that fresh vocabulary keeps the word.
    List<List<String>> fresh = decoded(tmp.resolve("fresh-c"), shardNames(
        TokenShardsManifest.read(tmp.resolve("fresh-c"))));
    List<List<String>> ours = decoded(now, tail);
    assertEquals(fresh.size(), ours.size());
    for (int i = 0; i < fresh.size(); i++) {
      for (int k = 0; k < fresh.get(i).size(); k++) {
        if (!fresh.get(i).get(k).equals(Vocabulary.UNK)) {
          assertEquals(fresh.get(i).get(k), ours.get(i).get(k), "example " + i + " token " + k);
        }
      }
    }

    // Counts describe the encoded corpus: OLD's plus the new file's tokens (and one </s> per example).
    long newTokens = expected(added, after).stream().mapToLong(List::size).sum();
    long newExamples = expected(added, after).size();
    assertEquals(before.totalCount() + newTokens + newExamples, after.totalCount());
    assertEquals(before.size(), ((Number) m.get("previousVocabularySize")).intValue());
    assertEquals("extend", m.get("vocabPolicy"));
    List<?> newFiles = (List<?>) m.get("newFiles");
    assertEquals(1, newFiles.size());
    assertTrue(String.valueOf(newFiles.get(0)).endsWith("/c.txt"), newFiles.toString());
    assertEquals(3, ((List<?>) m.get("inputs")).size());
    assertEquals(TokenShards.open(now).readAll().size(), ((Number) m.get("examples")).longValue());
  }

  @Test
  void rebuild_equalsAFreshIngestOfAllInputs_byteForByte() throws IOException {
    Path in = corpus();
    Path old = tmp.resolve("old");
    full(in + "/*.txt", old, BASE);
    Files.write(in.resolve("c.txt"), IngestIT.utf8(newText(4)));
    Path now = tmp.resolve("new");
    Map<String, Object> m = incremental(in + "/*.txt", old, now, with("ingest.vocabPolicy=rebuild")).manifest();
    Path fresh = tmp.resolve("fresh");
    full(in + "/*.txt", fresh, BASE);
    assertArrayEquals(Files.readAllBytes(fresh.resolve("vocab.tsv")), Files.readAllBytes(now.resolve("vocab.tsv")));
    List<String> names = shardNames(m);
    assertEquals(shardNames(TokenShardsManifest.read(fresh)), names);
    for (String s : names) {
      assertArrayEquals(Files.readAllBytes(fresh.resolve(s)), Files.readAllBytes(now.resolve(s)), s);
    }
    assertEquals("rebuild", m.get("vocabPolicy"));
    assertEquals(1, ((List<?>) m.get("newFiles")).size());
  }

  @Test
  void frozen_keepsTheVocabularyIdsAndWords_newWordsBecomeUnk_countsUpdated() throws IOException {
    Path in = corpus();
    Path old = tmp.resolve("old");
    full(in + "/*.txt", old, BASE);
    List<String> added = newText(5);
    Files.write(in.resolve("c.txt"), IngestIT.utf8(added));
    Path now = tmp.resolve("new");
    Map<String, Object> m = incremental(in + "/*.txt", old, now, with("ingest.vocabPolicy=frozen")).manifest();
    Vocabulary before = TokenShards.open(old).vocabulary();
    Vocabulary after = TokenShards.open(now).vocabulary();
    assertEquals(before.size(), after.size());
    for (int id = 0; id < before.size(); id++) {
      assertEquals(before.token(id), after.token(id));
    }
    assertTrue(after.count(before.id("the")) > before.count(before.id("the")), "counts include the new file");
    List<String> names = shardNames(m);
    List<List<String>> tail = decoded(now, names.subList(shardNames(TokenShardsManifest.read(old)).size(), names.size()));
    assertEquals(expected(added, before), tail);
    assertTrue(tail.stream().flatMap(List::stream).noneMatch(w -> w.startsWith("pear")));
  }

  @Test
  void changedOldFile_failsNamingTheFileAndTheFix_beforeWriting() throws IOException {
    Path in = corpus();
    Path old = tmp.resolve("old");
    full(in + "/*.txt", old, BASE);
    byte[] a = Files.readAllBytes(in.resolve("a.txt"));
    a[3] = (byte) (a[3] == 'x' ? 'y' : 'x'); // same size, other content
    Files.write(in.resolve("a.txt"), a);
    Path now = tmp.resolve("new");
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
        () -> incremental(in + "/*.txt", old, now, BASE));
    assertTrue(e.getMessage().contains("a.txt changed since --previous") && e.getMessage().contains("SHA-256")
        && e.getMessage().contains("drop --previous for a full ingest"), e.getMessage());
    assertFalse(Files.exists(now));

    IllegalArgumentException config = assertThrows(IllegalArgumentException.class,
        () -> incremental(in + "/*.txt", old, now, "data.minCount=3", "ingest.splitBytes=4096"));
    assertTrue(config.getMessage().contains("data.minCount = 2, this run has data.minCount = 3")
        && config.getMessage().contains("Fix: --set data.minCount=2"), config.getMessage());

    IllegalArgumentException missing = assertThrows(IllegalArgumentException.class,
        () -> incremental(in + "/b.txt", old, now, BASE));
    assertTrue(missing.getMessage().contains("a.txt is recorded in --previous"), missing.getMessage());
  }

  @Test
  void chainedTwice_eachStepKeepsTheEarlierIdsAndShards_andNoNewFilesCopiesTheOutput() throws IOException {
    Path in = corpus();
    Path v1 = tmp.resolve("v1");
    full(in + "/*.txt", v1, BASE);
    Files.write(in.resolve("c.txt"), IngestIT.utf8(newText(6)));
    Path v2 = tmp.resolve("v2");
    Map<String, Object> m2 = incremental(in + "/*.txt", v1, v2, BASE).manifest();
    List<String> added = newText(7).stream().map(l -> l.replace("apple", "kiwi")).toList();
    Files.write(in.resolve("d.txt"), IngestIT.utf8(added));
    Path v3 = tmp.resolve("v3");
    Map<String, Object> m3 = incremental(in + "/*.txt", v2, v3, BASE).manifest();
    Vocabulary b = TokenShards.open(v2).vocabulary();
    Vocabulary c = TokenShards.open(v3).vocabulary();
    assertTrue(c.size() > b.size() && c.contains("kiwi0"));
    for (int id = 0; id < b.size(); id++) {
      assertEquals(b.token(id), c.token(id));
    }
    List<String> s2 = shardNames(m2);
    List<String> s3 = shardNames(m3);
    assertEquals(s2, s3.subList(0, s2.size()));
    assertEquals(expected(added, c), decoded(v3, s3.subList(s2.size(), s3.size())));
    assertEquals(4, ((List<?>) m3.get("inputs")).size());
    assertEquals(TokenShards.open(v3).readAll().size(), ((Number) m3.get("examples")).longValue());

    Path v4 = tmp.resolve("v4");
    Map<String, Object> m4 = incremental(in + "/*.txt", v3, v4, BASE).manifest();
    assertEquals(List.of(), m4.get("newFiles"));
    assertArrayEquals(Files.readAllBytes(v3.resolve("vocab.tsv")), Files.readAllBytes(v4.resolve("vocab.tsv")));
    assertEquals(s3, shardNames(m4));
    assertEquals(io.seqspark.core.io.Json.write(m3.get("inputs")), io.seqspark.core.io.Json.write(m4.get("inputs")));
    // Re-running the same incremental command is up to date.
    assertTrue(incremental(in + "/*.txt", v3, v4, BASE).upToDate());
  }

  /** Reads an output's manifest.json. */
  static final class TokenShardsManifest {
    static Map<String, Object> read(Path dir) throws IOException {
      return io.seqspark.core.io.Json.readMap(Files.readString(dir.resolve(Ingest.MANIFEST)));
    }
  }
}
