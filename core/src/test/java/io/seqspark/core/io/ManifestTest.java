package io.seqspark.core.io;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.seqspark.core.config.Settings;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.security.MessageDigest;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ManifestTest {

  @TempDir Path dir;

  @Test
  void manifest_recordsProvenance_andHashesInputsCorrectly() throws Exception {
    Path train = dir.resolve("train.txt");
    byte[] bytes = "the cat sat on the mat\n".repeat(10_000).getBytes(StandardCharsets.UTF_8);
    Files.write(train, bytes);
    Files.setLastModifiedTime(train, FileTime.from(Instant.parse("2024-01-02T03:04:05Z")));
    String expected = HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(bytes));
    // a known vector, too: SHA-256("abc")
    Path abc = dir.resolve("abc.txt");
    Files.writeString(abc, "abc");

    Clock clock = Clock.fixed(Instant.parse("2025-01-01T00:00:00Z"), ZoneOffset.UTC);
    Settings settings = Settings.load(List.of(), List.of("seed=7"));
    Manifest m = Manifest.start("run-1", List.of("lm", "--conf", "lm-ptb"), clock)
        .config(settings)
        .input("train", train)
        .input("abc", abc)
        .put("vocabularySize", 10_000);
    m.finish();
    Path file = dir.resolve("run/manifest.json");
    m.write(file);

    Map<String, Object> json = Json.readMap(Files.readString(file));
    assertEquals("run-1", json.get("runId"));
    assertEquals(List.of("lm", "--conf", "lm-ptb"), json.get("commandLine"));
    assertEquals("2025-01-01T00:00:00Z", json.get("startTime"));
    assertEquals("2025-01-01T00:00:00Z", json.get("endTime"));
    assertEquals(7, json.get("seed"));
    assertEquals(10_000, json.get("vocabularySize"));
    @SuppressWarnings("unchecked")
    Map<String, Object> config = (Map<String, Object>) json.get("config");
    assertEquals(200, config.get("model.hiddenSize"));
    @SuppressWarnings("unchecked")
    List<Map<String, Object>> inputs = (List<Map<String, Object>>) json.get("inputs");
    assertEquals("train", inputs.get(0).get("role"));
    assertEquals(train.toAbsolutePath().toString(), inputs.get(0).get("path"));
    assertEquals(bytes.length, ((Number) inputs.get(0).get("sizeBytes")).intValue());
    assertEquals("2024-01-02T03:04:05Z", inputs.get(0).get("modified"));
    assertEquals(expected, inputs.get(0).get("sha256"));
    assertEquals("ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad", inputs.get(1).get("sha256"));
    @SuppressWarnings("unchecked")
    Map<String, Object> versions = (Map<String, Object>) json.get("versions");
    assertNotNull(versions.get("seqspark"));
    assertTrue(((String) versions.get("java")).startsWith(System.getProperty("java.version")));
    assertNull(versions.get("spark"), "core has no Spark on its classpath");
    assertTrue(json.containsKey("gitCommit"));
  }

  @Test
  void gitCommit_isAHashInsideARepositoryAndNullOutside() throws IOException {
    String here = Manifest.gitCommit(Path.of(""));
    assertTrue(here == null || here.matches("[0-9a-f]{40,64}"), here);
    assertNull(Manifest.gitCommit(Files.createDirectories(dir.resolve("not-a-repo"))));
  }

  @Test
  void sha256_ofADirectory_dependsOnNamesAndContents() throws IOException {
    Path d = Files.createDirectories(dir.resolve("shards"));
    Files.writeString(d.resolve("part-0"), "a");
    Files.writeString(d.resolve("part-1"), "b");
    String h1 = Manifest.sha256(d);
    Files.writeString(d.resolve("part-1"), "c");
    String h2 = Manifest.sha256(d);
    assertTrue(!h1.equals(h2) && h1.length() == 64);
  }
}
