package io.seqspark.spark.ingest;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.seqspark.core.config.Settings;
import io.seqspark.core.data.ParallelShards;
import io.seqspark.core.data.Tokenizer;
import io.seqspark.core.data.Vocabulary;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.apache.spark.SparkConf;
import org.apache.spark.api.java.JavaSparkContext;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Aligned parallel files (Multi30k English-German) in Spark local[2]: pairs round trip, and misaligned files fail. */
class ParallelIngestIT {
  static JavaSparkContext sc;
  @TempDir
  Path tmp;

  @BeforeAll
  static void spark() {
    sc = new JavaSparkContext(new SparkConf().setMaster("local[2]").setAppName("ParallelIngestIT")
        .set("spark.ui.enabled", "false").set("spark.driver.host", "127.0.0.1"));
  }

  @AfterAll
  static void stop() {
    sc.stop();
  }

  static Path multi30k(String file) {
    String shared = System.getProperty("seqspark.shared");
    Path root = shared != null ? Paths.get(shared)
        : Paths.get(System.getProperty("seqspark.root", "..")).toAbsolutePath().resolve("../shared").normalize();
    Path p = root.resolve("data/multi30k").resolve(file);
    Assumptions.assumeTrue(Files.isRegularFile(p), "Multi30k not found at " + p);
    return p;
  }

  static Ingest.Result ingest(String input, String target, Path out, String... sets) throws IOException {
    return Ingest.run(sc, Settings.load(List.of(), List.of(sets)), input, target, out.toString(), false, List.of("ingest"));
  }

  /** The first n lines of a Multi30k side, cut into two files (pairing by sorted name) with an empty line injected. */
  static List<String> side(Path file, Path dir, int n, int emptyAt) throws IOException {
    List<String> lines = new ArrayList<>(Files.readAllLines(file, StandardCharsets.UTF_8).subList(0, n));
    lines.set(emptyAt, "  ");
    Files.createDirectories(dir);
    Files.write(dir.resolve("part-1.txt"), lines.subList(0, n / 2), StandardCharsets.UTF_8);
    Files.write(dir.resolve("part-2.txt"), lines.subList(n / 2, n), StandardCharsets.UTF_8);
    return lines;
  }

  @Test
  void pairs_roundTrip_inOrder_andALineDroppedOnOneSideDropsThePair() throws IOException {
    int n = 600;
    List<String> en = side(multi30k("train.lc.norm.tok.en"), tmp.resolve("en"), n, 10);
    List<String> de = side(multi30k("train.lc.norm.tok.de"), tmp.resolve("de"), n, 450);
    // 4 kB ranges: each ~35 kB file is read by several tasks on each side, cut at different lines.
    Ingest.Result r = ingest(tmp.resolve("en") + "/*.txt", tmp.resolve("de") + "/*.txt", tmp.resolve("out"),
        "ingest.splitBytes=4096");
    Tokenizer t = Tokenizer.of("word", false, false);
    List<List<String>> wantEn = new ArrayList<>();
    List<List<String>> wantDe = new ArrayList<>();
    for (int i = 0; i < n; i++) {
      if (i != 10 && i != 450) {
        wantEn.add(t.tokenize(en.get(i)));
        wantDe.add(t.tokenize(de.get(i)));
      }
    }
    ParallelShards p = ParallelShards.open(tmp.resolve("out"));
    Vocabulary ve = p.source().vocabulary();
    Vocabulary vd = p.target().vocabulary();
    List<List<String>> gotEn = new ArrayList<>();
    List<List<String>> gotDe = new ArrayList<>();
    p.forEach((s, g) -> {
      gotEn.add(ve.decode(s));
      gotDe.add(vd.decode(g));
    });
    assertEquals(wantEn, gotEn);
    assertEquals(wantDe, gotDe);
    assertArrayEquals(wantEn.stream().mapToInt(List::size).toArray(), p.source().lengths());
    assertArrayEquals(wantDe.stream().mapToInt(List::size).toArray(), p.target().lengths());
    assertTrue(p.source().files().size() > 2, "several shards: " + p.source().files());

    Map<String, Object> m = r.manifest();
    assertEquals((long) n - 2, ((Number) m.get("examples")).longValue());
    assertEquals(2L, ((Number) m.get("pairsDropped")).longValue());
    assertEquals(2L, ((Number) ((Map<?, ?>) m.get("dropped")).get("emptyLine")).longValue(), "one empty line per side");
    // Vocabularies count only the tokens of kept pairs.
    long enTokens = wantEn.stream().mapToLong(List::size).sum();
    assertEquals(enTokens, ((Number) ((Map<?, ?>) m.get("source")).get("tokens")).longValue());
    assertEquals(wantEn.stream().filter(l -> l.contains("a")).count() > 0, ve.id("a") != Vocabulary.UNK_ID);
  }

  @Test
  void differentLineCounts_failOnceNamingBothFilesAndCounts_evenWhenReadInRanges_andWriteNothing() throws IOException {
    List<String> en = Files.readAllLines(multi30k("train.lc.norm.tok.en"), StandardCharsets.UTF_8).subList(0, 300);
    List<String> de = Files.readAllLines(multi30k("train.lc.norm.tok.de"), StandardCharsets.UTF_8).subList(0, 301);
    Path src = tmp.resolve("train.en");
    Path tgt = tmp.resolve("train.de");
    Files.write(src, en, StandardCharsets.UTF_8);
    Files.write(tgt, de, StandardCharsets.UTF_8);
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
        () -> ingest(src.toString(), tgt.toString(), tmp.resolve("out"), "ingest.splitBytes=4096"));
    String msg = e.getMessage();
    assertTrue(msg.contains("train.en has 300 lines") && msg.contains("train.de has 301 lines"), msg);
    assertFalse(Files.exists(tmp.resolve("out")));
    try (var s = Files.list(tmp)) {
      assertTrue(s.noneMatch(f -> f.getFileName().toString().startsWith(".out")), "no temporary output left");
    }

    // Globs matching different numbers of files fail before any reading.
    e = assertThrows(IllegalArgumentException.class,
        () -> ingest(tmp.resolve("train.*").toString(), tgt.toString(), tmp.resolve("out")));
    assertTrue(e.getMessage().contains("matches 2 file(s)") && e.getMessage().contains("matches 1"), e.getMessage());
  }
}
