package io.seqspark.spark.ingest;

import io.seqspark.core.config.Settings;
import io.seqspark.core.data.TokenShards;
import io.seqspark.core.data.Vocabulary;
import io.seqspark.core.io.Manifest;
import io.seqspark.spark.ingest.InputFiles.InputFile;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.FileUtil;
import org.apache.hadoop.fs.Path;
import org.apache.spark.api.java.JavaRDD;
import org.apache.spark.api.java.JavaSparkContext;
import org.apache.spark.broadcast.Broadcast;
import org.apache.spark.util.CollectionAccumulator;

/**
 * {@code seqspark ingest --previous OLD}: NEW = OLD's shards plus shards of the input files OLD does not hold, so a
 * growing corpus is tokenized once per file. Before any work: OLD must be an ingest with the same config (every key
 * the up-to-date check compares; {@code ingest.vocabPolicy} may differ) and every file its manifest records must
 * still be among the inputs with the recorded size and SHA-256. Then, by {@code ingest.vocabPolicy}:
 * <ul>
 *   <li>{@code frozen}/{@code extend}: only the new files are read; OLD's shards are hard-linked (local file system) or
 *   copied into NEW unchanged, which is valid because OLD's ids keep their words; the new shards are numbered after
 *   OLD's and encoded with the combined vocabulary ({@link DistributedVocabulary#extend}).</li>
 *   <li>{@code rebuild}: everything is re-read, exactly as {@link Ingest#run} would.</li>
 * </ul>
 * The manifest records all files, as a fresh ingest does, so NEW can be the next run's {@code --previous}.
 */
final class IncrementalIngest {

  /** {@code ingest.vocabPolicy}. */
  enum VocabPolicy { FROZEN, EXTEND, REBUILD }

  private static final String FULL = "drop --previous for a full ingest";

  private IncrementalIngest() {}

  static Ingest.Result run(JavaSparkContext sc, Settings settings, String input, String previous, String out,
      boolean overwrite, List<String> commandLine, IngestTimings timings) throws IOException {
    long t0 = System.nanoTime();
    CompletableFuture<Manifest> started = CompletableFuture.supplyAsync(() -> IngestManifest.start(commandLine));
    IngestOptions o = Ingest.options(settings, out);
    VocabPolicy policy = settings.getEnum("ingest.vocabPolicy", VocabPolicy.class);
    if (o.format() == IngestOptions.Format.LABELLED || o.format() == IngestOptions.Format.TAGGED) {
      throw new IllegalArgumentException("--previous with ingest.format = " + o.format().name().toLowerCase(
          java.util.Locale.ROOT) + ": incremental ingest extends one text's shards; labelled and tagged outputs are"
          + " written whole. Fix: " + FULL);
    }
    if (o.format() == IngestOptions.Format.CSV) {
      throw new IllegalArgumentException("--previous with ingest.format = csv: incremental ingest is for token shards"
          + " (lines, paragraphs, stream); a csv ingest writes one series per file and is cheap to redo. Fix: " + FULL);
    }
    if (previous == null || previous.isBlank()) {
      throw new IllegalArgumentException("--previous is empty. Fix: pass the --out directory of an earlier ingest, or "
          + FULL);
    }
    Configuration conf = sc.hadoopConfiguration();
    Path oldPath = new Path(previous);
    FileSystem oldFs = oldPath.getFileSystem(conf);
    oldPath = oldFs.makeQualified(oldPath);
    Map<String, Object> old = Ingest.readManifest(oldFs, oldPath);
    if (old == null) {
      throw new IllegalArgumentException("--previous " + previous + ": not a seqspark ingest output (no readable "
          + Ingest.MANIFEST + " of kind " + Ingest.KIND + "). Fix: pass the --out directory of an earlier ingest, or "
          + FULL);
    }
    if (old.containsKey("target")) {
      throw new IllegalArgumentException("--previous " + previous + " is an ingest of parallel files (--target "
          + old.get("target") + "); incremental ingest supports one-sided text only. Fix: " + FULL);
    }
    Map<String, Object> config = IngestOptions.configOf(settings);
    checkConfig(previous, old.get("config"), config);
    List<InputFile> files = InputFiles.list("--input", input, conf);
    Path outPath = new Path(out);
    FileSystem fs = outPath.getFileSystem(conf);
    outPath = fs.makeQualified(outPath);
    if (outPath.equals(oldPath)) {
      throw new IllegalArgumentException("--out " + out + " is --previous " + previous + "; the earlier ingest must stay"
          + " as it is while the new one is written. Fix: choose another --out");
    }
    List<InputFile> added = checkInputs(sc, previous, old, files);
    timings.mark("list");

    Map<String, Object> extra = new LinkedHashMap<>();
    extra.put("previous", oldPath.toString());
    extra.put("newFiles", added.stream().map(InputFile::path).toList());
    extra.put("vocabPolicy", policy.name().toLowerCase(java.util.Locale.ROOT));
    extra.put("previousVocabularySize", IngestManifest.number(old, "vocabularySize"));

    String reason = "new output";
    if (fs.exists(outPath)) {
      Map<String, Object> prev = Ingest.readManifest(fs, outPath);
      String mismatch = prev == null ? "it is not a seqspark ingest output (no readable " + Ingest.MANIFEST + ")"
          : !input.equals(prev.get("input")) ? "it was ingested from --input " + prev.get("input")
          : !config.equals(prev.get("config")) ? "it was ingested with another config: " + Ingest.diff(prev.get("config"), config)
          : !extra.get("previous").equals(prev.get("previous")) ? "it was made from --previous " + prev.get("previous")
          : !extra.get("vocabPolicy").equals(prev.get("vocabPolicy")) ? "it was made with ingest.vocabPolicy = " + prev.get("vocabPolicy")
          : null;
      if (mismatch == null) {
        String changed = UpToDate.changes(sc, prev, files, new HadoopConf(sc));
        if (changed == null) {
          timings.mark("upToDate");
          return new Ingest.Result(true, outPath.toString(), "up to date: inputs (size, mtime, SHA-256), --previous and"
              + " config unchanged", prev, timings);
        }
        reason = "inputs changed: " + changed;
      } else if (!overwrite) {
        throw new IllegalArgumentException("--out " + out + " already exists and " + mismatch
            + ". Fix: pass --overwrite to replace it, or choose another --out");
      } else if (prev == null && !Ingest.emptyDirectory(fs, outPath)) {
        throw new IllegalArgumentException("--out " + out + " already exists and " + mismatch + "; --overwrite only"
            + " replaces an ingest output or an empty directory. Fix: choose another --out, or remove it yourself");
      } else {
        reason = "--overwrite: " + mismatch;
      }
    }
    timings.mark("upToDate");
    reason = reason + "; --previous " + oldPath + " (" + added.size() + " new file(s), vocabPolicy " + extra.get("vocabPolicy") + ")";
    Ingest.Job job = new Ingest.Job(sc, settings, o, input, null, policy == VocabPolicy.REBUILD ? files : added,
        List.of(), config, fs, outPath, started, t0, timings);
    if (policy == VocabPolicy.REBUILD) {
      return Ingest.write(job, reason, extra);
    }
    return append(job, old, oldFs, oldPath, policy, reason, extra);
  }

  /** Every key the up-to-date check compares must equal OLD's. */
  private static void checkConfig(String previous, Object before, Map<String, Object> now) {
    Map<?, ?> b = before instanceof Map<?, ?> m ? m : Map.of();
    for (Map.Entry<String, Object> e : now.entrySet()) {
      String was = String.valueOf(b.get(e.getKey()));
      if (!was.equals(String.valueOf(e.getValue()))) {
        throw new IllegalArgumentException("--previous " + previous + " was ingested with " + e.getKey() + " = " + was
            + ", this run has " + e.getKey() + " = " + e.getValue() + "; an incremental ingest must use the config"
            + " the earlier one was made with (only ingest.vocabPolicy may differ), or its shards would not match."
            + " Fix: --set " + e.getKey() + "=" + was + ", or " + FULL);
      }
    }
  }

  /**
   * The input files OLD does not record, after checking that every file it records is among {@code files} with the
   * recorded size and SHA-256 (hashed on the executors).
   */
  private static List<InputFile> checkInputs(JavaSparkContext sc, String previous, Map<String, Object> old,
      List<InputFile> files) {
    Map<String, InputFile> byPath = new HashMap<>();
    files.forEach(f -> byPath.put(f.path(), f));
    List<InputFile> recorded = new ArrayList<>();
    List<Map<?, ?>> entries = new ArrayList<>();
    if (old.get("inputs") instanceof List<?> list) {
      for (Object x : list) {
        Map<?, ?> e = (Map<?, ?>) x;
        String path = String.valueOf(e.get("path"));
        InputFile f = byPath.get(path);
        if (f == null) {
          throw new IllegalArgumentException(path + " is recorded in --previous " + previous + " but is not among the"
              + " --input files; an incremental ingest only adds files, every earlier one must still be read. Fix:"
              + " include it in --input, or " + FULL);
        }
        if (!String.valueOf(f.sizeBytes()).equals(String.valueOf(e.get("sizeBytes")))) {
          throw changed(previous, path, "size " + f.sizeBytes() + " bytes, recorded " + e.get("sizeBytes"));
        }
        recorded.add(f);
        entries.add(e);
      }
    }
    if (!recorded.isEmpty()) {
      HadoopConf conf = new HadoopConf(sc);
      List<String> hashes = sc.parallelize(recorded, recorded.size()).map(f -> UpToDate.sha256(f, conf.get())).collect();
      for (int i = 0; i < recorded.size(); i++) {
        Object was = entries.get(i).get("sha256");
        if (!hashes.get(i).equals(was)) {
          throw changed(previous, recorded.get(i).path(), "SHA-256 " + hashes.get(i) + ", recorded " + was);
        }
      }
    }
    List<InputFile> added = new ArrayList<>(files);
    added.removeAll(recorded);
    return added;
  }

  private static IllegalArgumentException changed(String previous, String path, String what) {
    return new IllegalArgumentException(path + " changed since --previous " + previous + " was ingested (" + what
        + "); an incremental ingest keeps the earlier files' shards, so they must be unchanged. Fix: " + FULL
        + ", or restore the file");
  }

  /** frozen/extend: links OLD's shards, reads the new files, writes their shards and the combined vocabulary. */
  private static Ingest.Result append(Ingest.Job j, Map<String, Object> old, FileSystem oldFs, Path oldPath,
      VocabPolicy policy, String reason, Map<String, Object> extra) throws IOException {
    JavaSparkContext sc = j.sc();
    IngestOptions o = j.o();
    FileSystem fs = j.fs();
    IngestTimings timings = j.timings();
    Vocabulary previous = loadVocabulary(oldFs, oldPath, old);
    Path tmp = Ingest.temporary(j.out());
    JavaRDD<Block> blocks = null;
    Broadcast<PackedCounts> known = null;
    try {
      fs.mkdirs(new Path(tmp, TokenShards.SHARD_DIR));
      int first = linkShards(old, oldFs, oldPath, fs, tmp, sc.hadoopConfiguration());
      timings.mark("link");
      List<FileReport> reports = List.of();
      Map<String, Object> side;
      Vocabulary vocab;
      HadoopConf shipped = new HadoopConf(sc);
      if (j.sources().isEmpty()) {
        vocab = previous;
        Ingest.writeVocabulary(fs, new Path(tmp, TokenShards.VOCABULARY_FILE), vocab);
        side = IngestManifest.side(vocab, vocab.contentHash(), 0, 0, List.of(), "");
      } else {
        boolean splittable = o.format() != IngestOptions.Format.PARAGRAPHS;
        List<ReadTask> tasks = ReadTask.plan(j.sources(), 0, 0, sc.hadoopConfiguration(), o.splitBytes(), splittable);
        CollectionAccumulator<FileReport> readReports = sc.sc().collectionAccumulator("ingest reports");
        blocks = Ingest.readBlocks(sc, tasks, o, false, shipped, readReports);
        known = sc.broadcast(Ingest.tokenList(previous));
        int r = Math.max(1, Math.min(blocks.getNumPartitions(), sc.defaultParallelism()));
        int maxNew = policy == VocabPolicy.FROZEN ? 0
            : o.maxVocabSize() == 0 ? Integer.MAX_VALUE : Math.max(0, o.maxVocabSize() - previous.size());
        List<DistributedVocabulary.Against> counted = DistributedVocabulary.reduceAgainst(
            blocks.flatMapToPair(b -> b.counts(r)), r, known, o.minCount(), maxNew);
        timings.mark("read+count");
        reports = Ingest.checked(FileReport.merge(Ingest.onePerTask(readReports.value())));
        long examples = 0;
        long tokens = 0;
        for (FileReport f : reports) {
          examples += f.examples;
          tokens += f.tokens;
        }
        vocab = DistributedVocabulary.extend(previous, counted, tokens, maxNew, o.eosPerLine() ? examples : 0);
        timings.mark("vocabulary");
        side = Ingest.writeShards(sc, blocks, vocab, examples, tokens, o, tmp, shipped, timings, first);
      }
      Map<String, Object> fresh = IngestManifest.build(j.started().join(), j.input(), null, j.sources(), reports, side,
          j.config(), sc.master(), (System.nanoTime() - j.t0()) / 1e9, reason);
      Map<String, Object> manifest = IngestManifest.combine(old, fresh, vocab, (String) side.get("vocabularySha256"));
      return Ingest.commit(fs, tmp, j.out(), reason, IngestManifest.withExtra(manifest, extra), timings);
    } finally {
      if (blocks != null) {
        blocks.unpersist(false);
      }
      if (known != null) {
        known.destroy();
      }
      if (fs.exists(tmp)) {
        fs.delete(tmp, true);
      }
      timings.mark("cleanup");
    }
  }

  /** OLD's vocab.tsv, checked against the SHA-256 its manifest records. */
  private static Vocabulary loadVocabulary(FileSystem fs, Path dir, Map<String, Object> old) throws IOException {
    Path file = new Path(dir, TokenShards.VOCABULARY_FILE);
    java.nio.file.Path local = Files.createTempFile("seqspark-vocab", ".tsv");
    try {
      try (InputStream in = fs.open(file)) {
        Files.copy(in, local, StandardCopyOption.REPLACE_EXISTING);
      }
      Vocabulary v = Vocabulary.load(local);
      if (!v.contentHash().equals(old.get("vocabularySha256"))) {
        throw new IllegalArgumentException(file + ": SHA-256 " + v.contentHash() + ", but --previous " + dir
            + "'s manifest records vocabularySha256 " + old.get("vocabularySha256") + "; the earlier ingest was changed"
            + " after it was written. Fix: re-create it, or " + FULL);
      }
      return v;
    } finally {
      Files.deleteIfExists(local);
    }
  }

  /**
   * Puts OLD's shards (as its manifest lists them) into {@code tmp} under the same names: a hard link when both are
   * on the local file system (no bytes copied; shards are never modified in place, every writer renames a new file
   * in), else a copy through Hadoop. Returns the number the first new shard gets: one past OLD's highest.
   */
  private static int linkShards(Map<String, Object> old, FileSystem oldFs, Path oldPath, FileSystem fs, Path tmp,
      Configuration conf) throws IOException {
    int next = 0;
    boolean local = "file".equals(oldFs.getUri().getScheme()) && "file".equals(fs.getUri().getScheme());
    for (Object x : (List<?>) old.getOrDefault("shards", List.of())) {
      Map<?, ?> e = (Map<?, ?>) x;
      String file = String.valueOf(e.get("file"));
      Path src = new Path(oldPath, file);
      Path dst = new Path(tmp, file);
      long bytes = ((Number) e.get("bytes")).longValue();
      if (!oldFs.exists(src) || oldFs.getFileStatus(src).getLen() != bytes) {
        throw new IllegalArgumentException(src + ": missing or not the " + bytes + " bytes --previous " + oldPath
            + "'s manifest records; the earlier ingest is damaged. Fix: re-create it, or " + FULL);
      }
      boolean linked = false;
      if (local) {
        try {
          Files.createLink(new java.io.File(fs.makeQualified(dst).toUri()).toPath(),
              new java.io.File(oldFs.makeQualified(src).toUri()).toPath());
          linked = true;
        } catch (IOException | UnsupportedOperationException ex) {
          // another device or a file system without hard links: copy instead
        }
      }
      if (!linked && !FileUtil.copy(oldFs, src, fs, dst, false, conf)) {
        throw new IOException("cannot copy " + src + " to " + dst);
      }
      String name = new Path(file).getName();
      String digits = name.substring("part-".length(), name.length() - TokenShards.SUFFIX.length());
      next = Math.max(next, Integer.parseInt(digits) + 1);
    }
    return next;
  }
}
