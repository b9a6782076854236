package io.seqspark.spark.ingest;

import io.seqspark.core.data.TokenShards;
import io.seqspark.core.data.Vocabulary;
import io.seqspark.core.io.Manifest;
import io.seqspark.spark.ingest.InputFiles.InputFile;
import java.time.Clock;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/** The content of an ingest's {@code manifest.json} (keys documented in docs/FORMATS.md). */
final class IngestManifest {

  private IngestManifest() {}

  /** The run facts of an ingest starting now (run id, start time, git commit, versions), for {@link #build}. */
  static Manifest start(List<String> commandLine) {
    return Manifest.start("ingest-" + Long.toString(System.currentTimeMillis(), 36), commandLine, Clock.systemUTC());
  }

  /**
   * The manifest: run facts ({@code started} by {@link #start}, finished now), per-input reports and totals, then
   * {@code output} (what {@link #side} or {@link ParallelPairs} wrote), then the config.
   */
  static Map<String, Object> build(Manifest started, String input, String target, List<InputFile> files,
      List<FileReport> reports, Map<String, Object> output, Map<String, Object> config, String master, double seconds,
      String reason) {
    Map<String, Object> base = started.finish().toMap();
    Map<String, Object> m = new LinkedHashMap<>();
    m.put("kind", Ingest.KIND);
    m.put("shardFormat", "SQID version " + TokenShards.VERSION + " (docs/FORMATS.md)");
    m.putAll(base);
    m.remove("seed");
    m.put("input", input);
    if (target != null) {
      m.put("target", target);
    }
    m.put("reason", reason);
    m.put("sparkMaster", master);
    m.put("seconds", seconds);
    List<Map<String, Object>> ins = new ArrayList<>();
    long lines = 0;
    Map<String, Long> dropped = new TreeMap<>();
    Map<String, Long> changed = new TreeMap<>();
    List<String> corrupt = new ArrayList<>();
    List<String> problems = new ArrayList<>();
    for (FileReport r : reports) {
      InputFile f = files.get(r.fileIndex);
      Map<String, Object> in = new LinkedHashMap<>();
      in.put("path", f.path());
      if (target != null) {
        in.put("side", r.side == 0 ? "source" : "target");
      }
      in.put("sizeBytes", f.sizeBytes());
      in.put("modified", Instant.ofEpochMilli(f.modifiedMillis()).toString());
      in.put("modifiedMillis", f.modifiedMillis());
      in.put("sha256", r.sha256);
      in.put("linesRead", r.linesRead);
      in.put("examples", r.examples);
      in.put("tokens", r.tokens);
      Map<String, Long> d = new TreeMap<>();
      FileReport.addTo(d, r.dropped);
      Map<String, Long> c = new TreeMap<>();
      FileReport.addTo(c, r.changed);
      in.put("dropped", d);
      in.put("changed", c);
      in.put("error", r.error == null ? null : r.error.toString());
      ins.add(in);
      lines += r.linesRead;
      FileReport.addTo(dropped, r.dropped);
      FileReport.addTo(changed, r.changed);
      if (r.error != null) {
        corrupt.add(f.path());
      }
      for (FileReport.Problem s : r.samples) {
        problems.add(f.path() + ": " + s);
      }
    }
    m.put("inputs", ins);
    m.put("linesRead", lines);
    m.put("dropped", dropped);
    m.put("changed", changed);
    m.put("corruptFiles", corrupt);
    m.put("problems", problems);
    m.putAll(output); // may replace shardFormat (csv series), keeping its place
    m.put("config", config);
    return m;
  }

  /**
   * Examples, tokens, vocabulary (its {@code vocabularySha256}: {@link Vocabulary#contentHash()}) and shards of one
   * side; shard paths are under {@code prefix}.
   */
  static Map<String, Object> side(Vocabulary vocab, String vocabularySha256, long examples, long tokens,
      List<ShardOutput.ShardInfo> shards, String prefix) {
    Map<String, Object> m = new LinkedHashMap<>();
    long unk = vocab.count(Vocabulary.UNK_ID);
    m.put("examples", examples);
    m.put("tokens", tokens);
    m.put("vocabularySize", vocab.size());
    m.put("vocabularySha256", vocabularySha256);
    m.put("unkTokens", unk);
    m.put("oovRate", tokens == 0 ? 0.0 : (double) unk / tokens);
    List<Map<String, Object>> sh = new ArrayList<>();
    for (ShardOutput.ShardInfo s : shards) {
      Map<String, Object> e = new LinkedHashMap<>();
      e.put("file", prefix + TokenShards.SHARD_DIR + "/" + s.file());
      e.put("examples", s.examples());
      e.put("tokens", s.tokens());
      e.put("bytes", s.bytes());
      sh.add(e);
    }
    m.put("shards", sh);
    return m;
  }

  /** {@code manifest} with the {@code extra} keys (an incremental ingest's) placed after {@code reason}. */
  static Map<String, Object> withExtra(Map<String, Object> manifest, Map<String, Object> extra) {
    if (extra.isEmpty()) {
      return manifest;
    }
    Map<String, Object> m = new LinkedHashMap<>();
    for (Map.Entry<String, Object> e : manifest.entrySet()) {
      if (!extra.containsKey(e.getKey())) {
        m.put(e.getKey(), e.getValue());
      }
      if ("reason".equals(e.getKey())) {
        m.putAll(extra);
      }
    }
    return m;
  }

  /**
   * The manifest of an incremental ingest: {@code fresh} (what {@link #build} made of the new files, with the combined
   * vocabulary's part) with the earlier manifest's inputs, totals and shards put first, so it records every file as a
   * fresh ingest of all of them would; the vocabulary keys describe the combined vocabulary.
   */
  static Map<String, Object> combine(Map<String, Object> previous, Map<String, Object> fresh, Vocabulary vocab,
      String vocabularySha256) {
    Map<String, Object> m = new LinkedHashMap<>(fresh);
    m.put("inputs", concat(previous.get("inputs"), fresh.get("inputs")));
    m.put("linesRead", number(previous, "linesRead") + number(fresh, "linesRead"));
    m.put("dropped", sum(previous.get("dropped"), fresh.get("dropped")));
    m.put("changed", sum(previous.get("changed"), fresh.get("changed")));
    m.put("corruptFiles", concat(previous.get("corruptFiles"), fresh.get("corruptFiles")));
    m.put("problems", concat(previous.get("problems"), fresh.get("problems")));
    long tokens = number(previous, "tokens") + number(fresh, "tokens");
    m.put("examples", number(previous, "examples") + number(fresh, "examples"));
    m.put("tokens", tokens);
    m.put("vocabularySize", vocab.size());
    m.put("vocabularySha256", vocabularySha256);
    long unk = vocab.count(Vocabulary.UNK_ID);
    m.put("unkTokens", unk);
    m.put("oovRate", tokens == 0 ? 0.0 : (double) unk / tokens);
    m.put("shards", concat(previous.get("shards"), fresh.get("shards")));
    return m;
  }

  static long number(Map<String, Object> m, String key) {
    return m.get(key) instanceof Number n ? n.longValue() : 0;
  }

  private static List<Object> concat(Object a, Object b) {
    List<Object> out = new ArrayList<>();
    if (a instanceof List<?> l) {
      out.addAll(l);
    }
    if (b instanceof List<?> l) {
      out.addAll(l);
    }
    return out;
  }

  private static Map<String, Long> sum(Object a, Object b) {
    Map<String, Long> out = new TreeMap<>();
    for (Object o : new Object[] {a, b}) {
      if (o instanceof Map<?, ?> map) {
        map.forEach((k, v) -> out.merge(String.valueOf(k), ((Number) v).longValue(), Long::sum));
      }
    }
    return out;
  }
}
