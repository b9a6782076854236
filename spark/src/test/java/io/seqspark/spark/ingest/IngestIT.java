package io.seqspark.spark.ingest;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.seqspark.core.config.Settings;
import io.seqspark.core.data.TokenShards;
import io.seqspark.core.data.Tokenizer;
import io.seqspark.core.data.Vocabulary;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.TreeMap;
import java.util.stream.Stream;
import java.util.zip.GZIPOutputStream;
import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.io.compress.BZip2Codec;
import org.apache.spark.SparkConf;
import org.apache.spark.api.java.JavaSparkContext;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** seqspark ingest in Spark local[2] on real files: counts, round trip, bad input, up-to-date detection. */
class IngestIT {
  static JavaSparkContext sc;
  @TempDir
  Path tmp;

  @BeforeAll
  static void spark() {
    sc = new JavaSparkContext(new SparkConf().setMaster("local[2]").setAppName("IngestIT")
        .set("spark.ui.enabled", "false").set("spark.driver.host", "127.0.0.1"));
  }

  @AfterAll
  static void stop() {
    sc.stop();
  }

  static final String[] WORDS = {"the", "cat", "sat", "on", "mat", "Dog", "ran,", "fast.", "über", "naïve", "<unk>", "a-b", "x"};

  /** Lines of random words with a skewed distribution, some blank. */
  static List<String> text(int lines, long seed) {
    SplittableRandom r = new SplittableRandom(seed);
    List<String> out = new ArrayList<>();
    for (int i = 0; i < lines; i++) {
      if (r.nextInt(15) == 0) {
        out.add("   ");
        continue;
      }
      StringBuilder sb = new StringBuilder();
      int n = 1 + r.nextInt(12);
      for (int j = 0; j < n; j++) {
        int w = Math.min(WORDS.length - 1, (int) Math.abs(r.nextGaussian() * 4));
        sb.append(j == 0 ? "" : " ").append(WORDS[w]).append(r.nextInt(30) == 0 ? "z" + r.nextInt(50) : "");
      }
      out.add(sb.toString());
    }
    return out;
  }

  static byte[] utf8(List<String> lines) {
    return (String.join("\n", lines) + "\n").getBytes(StandardCharsets.UTF_8);
  }

  static byte[] gzip(byte[] data) throws IOException {
    ByteArrayOutputStream b = new ByteArrayOutputStream();
    try (OutputStream out = new GZIPOutputStream(b)) {
      out.write(data);
    }
    return b.toByteArray();
  }

  static byte[] bzip2(byte[] data) throws IOException {
    BZip2Codec codec = new BZip2Codec();
    codec.setConf(new Configuration());
    ByteArrayOutputStream b = new ByteArrayOutputStream();
    try (OutputStream out = codec.createOutputStream(b)) {
      out.write(data);
    }
    return b.toByteArray();
  }

  static Ingest.Result ingest(String input, Path out, boolean overwrite, String... sets) throws IOException {
    return Ingest.run(sc, Settings.load(List.of(), List.of(sets)), input, out.toString(), overwrite, List.of("ingest"));
  }

  /** Three inputs (plain, .gz, .bz2) and their lines in ingest order (files sorted by path). */
  List<String> corpus(Path dir) throws IOException {
    Files.createDirectories(dir);
    List<String> a = text(400, 1);
    List<String> b = text(300, 2);
    List<String> c = text(200, 3);
    Files.write(dir.resolve("a.txt"), utf8(a));
    Files.write(dir.resolve("b.txt.gz"), gzip(utf8(b)));
    Files.write(dir.resolve("c.txt.bz2"), bzip2(utf8(c)));
    List<String> all = new ArrayList<>(a);
    all.addAll(b);
    all.addAll(c);
    return all;
  }

  /** The single-machine reference: tokenize every line in plain Java, drop empty ones. */
  static List<List<String>> normalized(List<String> lines, Tokenizer t) {
    List<List<String>> out = new ArrayList<>();
    for (String l : lines) {
      List<String> tokens = t.tokenize(l);
      if (!tokens.isEmpty()) {
        out.add(tokens);
      }
    }
    return out;
  }

  static Map<String, Long> count(List<List<String>> examples) {
    Map<String, Long> c = new HashMap<>();
    examples.forEach(e -> e.forEach(t -> c.merge(t, 1L, Long::sum)));
    return c;
  }

  void assertCountsMatch(String mode, String... extra) throws IOException {
    List<String> lines = corpus(tmp.resolve("in"));
    List<String> sets = new ArrayList<>(List.of("data.tokenizer=" + mode, "data.lowercase=true", "data.splitPunctuation=true"));
    sets.addAll(List.of(extra));
    Ingest.Result r = ingest(tmp.resolve("in").toString(), tmp.resolve("out"), false, sets.toArray(String[]::new));
    Map<String, Long> ref = count(normalized(lines, Tokenizer.of(mode, true, true)));
    Vocabulary v = TokenShards.open(tmp.resolve("out")).vocabulary();
    // Without limits every counted token is in the vocabulary with the same count.
    Map<String, Long> words = new HashMap<>(ref);
    words.remove(Vocabulary.UNK);
    assertEquals(words.size() + Vocabulary.SPECIALS.size(), v.size());
    for (Map.Entry<String, Long> e : ref.entrySet()) {
      assertEquals(e.getValue().longValue(), v.count(v.id(e.getKey())), e.getKey());
    }
    assertEquals(normalized(lines, Tokenizer.of(mode, true, true)).size(), v.count(Vocabulary.EOS_ID));
    assertEquals(v.contentHash(), r.manifest().get("vocabularySha256"));

    // With minCount and maxSize: the driver's top-k keeps exactly the words a local builder keeps, ties included.
    Ingest.Result cut = ingest(tmp.resolve("in").toString(), tmp.resolve("out-cut"), false,
        Stream.concat(sets.stream(), Stream.of("data.minCount=3", "data.maxVocabSize=12")).toArray(String[]::new));
    Vocabulary.Builder local = Vocabulary.builder();
    ref.forEach(local::add);
    local.add(Vocabulary.EOS, normalized(lines, Tokenizer.of(mode, true, true)).size());
    Vocabulary expected = local.build(3, 12);
    Vocabulary got = TokenShards.open(tmp.resolve("out-cut")).vocabulary();
    assertEquals(expected.contentHash(), got.contentHash());
    long tokens = ref.values().stream().mapToLong(Long::longValue).sum();
    assertEquals((double) got.count(Vocabulary.UNK_ID) / tokens, (Double) cut.manifest().get("oovRate"), 1e-12);
  }

  @Test
  void distributedCounts_wordMode_equalSingleMachineCounts() throws IOException {
    assertCountsMatch("word");
  }

  @Test
  void distributedCounts_charMode_equalSingleMachineCounts() throws IOException {
    assertCountsMatch("char");
  }

  @Test
  void roundTrip_decodedShards_equalNormalizedInput_inOrder_acrossReshard() throws IOException {
    List<String> lines = corpus(tmp.resolve("in"));
    List<List<String>> expected = normalized(lines, Tokenizer.of("word", true, true));
    // a.txt is about 9 kB: with 4 kB ranges it is read by 3 tasks (so shards=0 gives 3 + 2 shard files).
    for (String[] shardsAndSplit : new String[][] {{"0", "33554432", "3"}, {"4", "33554432", "4"}, {"0", "4096", "5"}}) {
      String shards = shardsAndSplit[0];
      Path out = tmp.resolve("out" + shards + "-" + shardsAndSplit[1]);
      Ingest.Result r = ingest(tmp.resolve("in") + "/*", out, false, "data.lowercase=true", "data.splitPunctuation=true",
          "ingest.shards=" + shards, "ingest.splitBytes=" + shardsAndSplit[1]);
      TokenShards s = TokenShards.open(out);
      assertEquals(Integer.parseInt(shardsAndSplit[2]), s.files().size());
      assertEquals(UpToDate.sha256(new InputFiles.InputFile(tmp.resolve("in/a.txt").toUri().toString(), 0, 0), new Configuration()),
          ((Map<?, ?>) ((List<?>) r.manifest().get("inputs")).get(0)).get("sha256"), "the file's hash, also when read in ranges");
      Vocabulary v = s.vocabulary();
      List<int[]> ids = s.readAll();
      assertEquals(expected.size(), ids.size());
      int[] lengths = s.lengths();
      for (int i = 0; i < ids.size(); i++) {
        assertEquals(expected.get(i), v.decode(ids.get(i)), "example " + i);
        assertEquals(ids.get(i).length, lengths[i]);
      }
      assertEquals((long) expected.size(), ((Number) r.manifest().get("examples")).longValue());
      assertEquals((long) lines.size(), ((Number) r.manifest().get("linesRead")).longValue());
      long blanks = lines.stream().filter(String::isBlank).count();
      assertEquals(blanks, ((Number) ((Map<?, ?>) r.manifest().get("dropped")).get("emptyLine")).longValue());
    }
  }

  /**
   * The phase breakdown accounts for the whole run and pins the job shape that keeps the serial part small: one stage
   * reads and counts (a task per read task), one reduces (a task per core), one writes the shards (a task per core).
   */
  @Test
  void timings_coverTheRun_twoJobs_readTaskPerRange_reduceAndShardTasksPerCore() throws IOException {
    corpus(tmp.resolve("in"));
    // As in the round trip: a.txt in 3 ranges of 4 kB plus its hash task, the other two files whole: 6 read tasks.
    Ingest.Result r = ingest(tmp.resolve("in") + "/*", tmp.resolve("out"), false, "ingest.splitBytes=4096");
    Map<String, Object> t = r.timings().toMap();
    List<?> phases = (List<?>) t.get("phases");
    assertEquals(List.of("list", "upToDate", "read+count", "vocabulary", "broadcast", "shards", "vocab.tsv", "commit",
        "cleanup"), phases.stream().map(p -> ((Map<?, ?>) p).get("name")).toList());
    long sum = phases.stream().mapToLong(p -> ((Number) ((Map<?, ?>) p).get("ms")).longValue()).sum();
    assertEquals(((Number) t.get("totalMs")).longValue(), sum, "phases add up to the total");
    Map<String, List<Integer>> tasks = new java.util.LinkedHashMap<>();
    for (Object p : phases) {
      List<Integer> n = new ArrayList<>();
      for (Object st : (List<?>) ((Map<?, ?>) p).get("stages")) {
        n.add(((Number) ((Map<?, ?>) st).get("tasks")).intValue());
      }
      if (!n.isEmpty()) {
        tasks.put((String) ((Map<?, ?>) p).get("name"), n);
      }
    }
    int readTasks = ((List<?>) r.manifest().get("shards")).size() + 1;
    assertEquals(6, readTasks);
    assertEquals(Map.of("read+count", List.of(readTasks, 2), "shards", List.of(2)), tasks, "local[2]: 2 cores");
  }

  /** A corpus that is one huge line (like text8) still parallelises in the stream format, token for token. */
  @Test
  void streamFormat_oneLineCorpusInByteRanges_tokensEqualTheTokenizerOverTheWholeText() throws IOException {
    StringBuilder sb = new StringBuilder();
    for (String line : text(8000, 21)) {
      sb.append(line).append(' ');
    }
    String one = sb.toString();
    Path f = tmp.resolve("one-line.txt");
    Files.writeString(f, one);
    // 4 KiB ranges: many tasks; 1 MiB: one range, tokenised in white-space-cut pieces of 64 KiB (needs > 2 of them)
    assertTrue(Files.size(f) > 2 * 65536, Files.size(f) + " bytes");
    for (int split : new int[] {4096, 1 << 20}) {
      Path out = tmp.resolve("out-" + split);
      Ingest.Result r = ingest(f.toString(), out, false, "ingest.format=stream", "ingest.streamExampleTokens=500",
          "ingest.splitBytes=" + split);
      TokenShards s = TokenShards.open(out);
      if (split == 4096) {
        assertTrue(s.files().size() >= Files.size(f) / 4096, s.files().size() + " shards: one per byte range");
      }
      Vocabulary v = s.vocabulary();
      List<String> got = new ArrayList<>();
      s.forEach(ids -> got.addAll(v.decode(ids)));
      List<String> expected = Tokenizer.of("word", false, false).tokenize(one);
      assertEquals(expected, got, "splitBytes " + split);
      assertTrue(java.util.Arrays.stream(s.lengths()).allMatch(n -> n >= 1 && n <= 500));
      assertEquals((long) expected.size(), ((Number) r.manifest().get("tokens")).longValue());
      assertEquals(1L, ((Number) r.manifest().get("linesRead")).longValue());
    }
  }

  @Test
  void paragraphs_blankLineSeparatedRecords_becomeOneExampleEach() throws IOException {
    Files.writeString(tmp.resolve("p.txt"), "a b\nc\n\n\nd e\n \nf\n");
    ingest(tmp.resolve("p.txt").toString(), tmp.resolve("out"), false, "ingest.format=paragraphs");
    TokenShards s = TokenShards.open(tmp.resolve("out"));
    Vocabulary v = s.vocabulary();
    List<List<String>> got = s.readAll().stream().map(v::decode).toList();
    assertEquals(List.of(List.of("a", "b", "c"), List.of("d", "e"), List.of("f")), got);
  }

  /** Good files, an empty file, a truncated .gz, invalid UTF-8 and a 10 MB single line, under the default policies. */
  @Test
  void badInput_isHandledByPolicy_countedByReason_andGoodDataFullyKept() throws IOException {
    Path in = tmp.resolve("in");
    Files.createDirectories(in);
    List<String> good1 = text(200, 11);
    List<String> good2 = text(200, 12);
    Files.write(in.resolve("1-good.txt"), utf8(good1));
    Files.write(in.resolve("2-good.txt.gz"), gzip(utf8(good2)));
    Files.write(in.resolve("3-empty.txt"), new byte[0]);
    List<String> big = text(20000, 13);
    byte[] gz = gzip(utf8(big));
    Files.write(in.resolve("4-truncated.txt.gz"), java.util.Arrays.copyOf(gz, gz.length / 2));
    ByteArrayOutputStream bad = new ByteArrayOutputStream();
    bad.write("fine line\n".getBytes(StandardCharsets.UTF_8));
    bad.write(new byte[] {'b', 'a', 'd', ' ', (byte) 0xC3, (byte) 0x28, '\n'});
    bad.write(new byte[] {(byte) 0xFF, (byte) 0xFE, 'x', '\n'});
    bad.write("also fine\n".getBytes(StandardCharsets.UTF_8));
    Files.write(in.resolve("5-invalid.txt"), bad.toByteArray());
    StringBuilder huge = new StringBuilder(10 << 20);
    while (huge.length() < 10 << 20) {
      huge.append("long ");
    }
    Files.writeString(in.resolve("6-huge.txt"), huge + "\nafter the long line\n");

    Ingest.Result r = ingest(in.toString(), tmp.resolve("out"), false, "ingest.maxLineBytes=1048576", "ingest.maxLength=1000");
    Map<String, Object> m = r.manifest();
    Map<?, ?> dropped = (Map<?, ?>) m.get("dropped");
    Map<?, ?> changed = (Map<?, ?>) m.get("changed");
    assertEquals(2, ((Number) dropped.get("malformedUtf8")).intValue(), m.toString());
    assertEquals(1, ((Number) dropped.get("corruptInput")).intValue());
    assertEquals(1, ((Number) changed.get("lineTooLong")).intValue());
    assertEquals(1, ((Number) changed.get("overLength")).intValue());
    assertEquals(List.of(in.resolve("4-truncated.txt.gz").toUri().toString().replace("file:///", "file:/")), m.get("corruptFiles"));

    TokenShards s = TokenShards.open(tmp.resolve("out"));
    Vocabulary v = s.vocabulary();
    List<List<String>> got = s.readAll().stream().map(v::decode).toList();
    Tokenizer t = Tokenizer.of("word", false, false);
    List<List<String>> expectedStart = new ArrayList<>(normalized(good1, t));
    expectedStart.addAll(normalized(good2, t));
    assertEquals(expectedStart, got.subList(0, expectedStart.size()), "good files fully kept, in order");
    // The truncated archive gives a prefix of its complete lines, then the other files follow.
    List<List<String>> bigLines = normalized(big, t);
    int k = expectedStart.size();
    int kept = 0;
    while (kept < bigLines.size() && got.get(k + kept).equals(bigLines.get(kept))) {
      kept++;
    }
    assertTrue(kept > 100 && kept < bigLines.size(), "kept " + kept + " of " + bigLines.size());
    List<List<String>> tail = got.subList(k + kept, got.size());
    assertEquals(List.of("fine", "line"), tail.get(0));
    assertEquals(List.of("also", "fine"), tail.get(1));
    assertEquals(1000, tail.get(2).size());
    assertEquals(List.of("after", "the", "long", "line"), tail.get(3));
    assertEquals(4, tail.size());

    // A fail policy fails once, on the driver, naming file, line and reason; nothing is written.
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
        () -> ingest(in.toString(), tmp.resolve("out-fail"), false, "ingest.malformed=fail", "ingest.maxLineBytes=1048576"));
    assertTrue(e.getMessage().contains("5-invalid.txt: line 2: malformedUtf8") && e.getMessage().contains("ingest.malformed"),
        e.getMessage());
    assertFalse(Files.exists(tmp.resolve("out-fail")));
    e = assertThrows(IllegalArgumentException.class,
        () -> ingest(in.toString(), tmp.resolve("out-fail"), false, "ingest.corruptInput=fail", "ingest.malformed=skip"));
    assertTrue(e.getMessage().contains("4-truncated.txt.gz") && e.getMessage().contains("corruptInput"), e.getMessage());
  }

  @Test
  void missingPath_orGlobMatchingNothing_failsAtOnceNamingThePath() {
    String missing = tmp.resolve("nope.txt").toString();
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> ingest(missing, tmp.resolve("o"), false));
    assertTrue(e.getMessage().contains(missing) && e.getMessage().contains("no such file"), e.getMessage());
    String glob = tmp.resolve("*.nothing").toString();
    e = assertThrows(IllegalArgumentException.class, () -> ingest(glob, tmp.resolve("o"), false));
    assertTrue(e.getMessage().contains(glob) && e.getMessage().contains("glob matches no file"), e.getMessage());
  }

  @Test
  void overwrite_refusesToReplaceADirectoryThatIsNotAnIngestOutput() throws IOException {
    corpus(tmp.resolve("in"));
    Path other = tmp.resolve("precious");
    Files.createDirectories(other);
    Files.writeString(other.resolve("thesis.tex"), "do not delete");
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
        () -> ingest(tmp.resolve("in").toString(), other, true));
    assertTrue(e.getMessage().contains("not a seqspark ingest output") && e.getMessage().contains(other.toString()), e.getMessage());
    assertEquals("do not delete", Files.readString(other.resolve("thesis.tex")));
  }

  static Map<String, FileTime> mtimes(Path dir) throws IOException {
    Map<String, FileTime> m = new TreeMap<>();
    try (Stream<Path> s = Files.walk(dir)) {
      for (Path p : (Iterable<Path>) s::iterator) {
        m.put(dir.relativize(p).toString(), Files.getLastModifiedTime(p));
      }
    }
    return m;
  }

  @Test
  void rerun_unchangedInputs_isUpToDate_andAChangedInputIsReingested() throws IOException, InterruptedException {
    corpus(tmp.resolve("in"));
    Path out = tmp.resolve("out");
    String input = tmp.resolve("in").toString();
    assertFalse(ingest(input, out, false).upToDate());
    Map<String, FileTime> before = mtimes(out);
    Ingest.Result again = ingest(input, out, false);
    assertTrue(again.upToDate(), again.reason());
    assertEquals(before, mtimes(out), "nothing rewritten");

    // Appending changes size and mtime: re-ingested without --overwrite (same input and config).
    Files.writeString(tmp.resolve("in/a.txt"), "brand new line\n", java.nio.file.StandardOpenOption.APPEND);
    Ingest.Result changed = ingest(input, out, false);
    assertFalse(changed.upToDate());
    assertTrue(changed.reason().contains("a.txt"), changed.reason());
    List<int[]> ids = TokenShards.open(out).readAll();
    Vocabulary v = TokenShards.open(out).vocabulary();
    assertTrue(ids.stream().anyMatch(x -> v.decode(x).equals(List.of("brand", "new", "line"))));
    assertTrue(ingest(input, out, false).upToDate());

    // Same size and mtime, different bytes: only the hash can tell, and it does.
    Path a = tmp.resolve("in/a.txt");
    FileTime mtime = Files.getLastModifiedTime(a);
    byte[] bytes = Files.readAllBytes(a);
    bytes[0] = (byte) (bytes[0] == 'q' ? 'r' : 'q');
    Files.write(a, bytes);
    Files.setLastModifiedTime(a, mtime);
    Ingest.Result hashed = ingest(input, out, false);
    assertFalse(hashed.upToDate());
    assertTrue(hashed.reason().contains("SHA-256"), hashed.reason());

    // Another config is not a refresh: it needs --overwrite.
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> ingest(input, out, false, "data.lowercase=true"));
    assertTrue(e.getMessage().contains("--overwrite") && e.getMessage().contains("data.lowercase"), e.getMessage());
    assertNotEquals(before, mtimes(out));
    assertFalse(ingest(input, out, true, "data.lowercase=true").upToDate());
    assertTrue(ingest(input, out, false, "data.lowercase=true").upToDate());
  }
}
