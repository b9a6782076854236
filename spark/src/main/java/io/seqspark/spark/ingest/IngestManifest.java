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
}
