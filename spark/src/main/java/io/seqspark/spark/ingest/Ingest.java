package io.seqspark.spark.ingest;

import io.seqspark.core.config.Settings;
import io.seqspark.core.data.TokenShards;
import io.seqspark.core.data.Vocabulary;
import io.seqspark.core.io.Json;
import io.seqspark.core.io.Manifest;
import io.seqspark.spark.ingest.InputFiles.InputFile;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.Path;
import org.apache.spark.api.java.JavaRDD;
import org.apache.spark.api.java.JavaSparkContext;
import org.apache.spark.broadcast.Broadcast;
import org.apache.spark.storage.StorageLevel;
import org.apache.spark.util.CollectionAccumulator;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * {@code seqspark ingest}: text on any Hadoop file system → token-id shards, a frozen vocabulary and a manifest, in
 * one read of the text. Steps: list the inputs (fail at once on a bad path) → decide whether {@code --out} is up to
 * date → read and tokenize, one task per file or byte range ({@link ReadTask}, {@link TextFileReader}) into cached
 * {@link Block}s of primitive arrays → fail once on the driver if a {@code fail} policy tripped → count the vocabulary
 * from the blocks' local counts ({@link DistributedVocabulary}) → map local to global ids and write shards
 * ({@link ShardOutput}) into a temporary sibling directory → write {@code vocab.tsv} and {@code manifest.json} →
 * rename the directory into place. Parallel files take a detour through {@link ParallelPairs}.
 *
 * <p>An existing {@code --out} is replaced without {@code --overwrite} only when it is an ingest of the same
 * {@code --input} pattern with the same config whose input files changed: refreshing derived data is the point of
 * re-running; replacing anything else needs the flag.
 *
 * <p>{@code --previous} ({@link #runIncremental}, {@link IncrementalIngest}) adds files to an earlier output through
 * the same read pass, shard writer and commit, which is why they are package-visible here ({@link Job},
 * {@link #readBlocks}, {@link #writeShards}, {@link #commit}) and why this class is over 400 lines: splitting the
 * phases further would scatter one ingest's order of work over several files.
 */
public final class Ingest {

  /** Manifest {@code kind} of an ingest output. */
  public static final String KIND = "seqspark-ingest";
  public static final String MANIFEST = "manifest.json";

  /**
   * What a run did. {@code upToDate}: nothing was read or written. {@code timings}: where the wall time went (driver
   * phases, tasks per stage); reading it waits for Spark's listener events, so read it after timing the run.
   */
  public record Result(boolean upToDate, String out, String reason, Map<String, Object> manifest,
      IngestTimings timings) {}

  private static final Logger LOG = LoggerFactory.getLogger(Ingest.class);

  private Ingest() {}

  /** Ingests one-example-per-record text (no target side). */
  public static Result run(JavaSparkContext sc, Settings settings, String input, String out, boolean overwrite,
      List<String> commandLine) throws IOException {
    return run(sc, settings, input, null, out, overwrite, commandLine);
  }

  /**
   * Ingests {@code input}, or with {@code target} non-null the aligned parallel files {@code input} (source) and
   * {@code target}, paired by sorted order (see {@link ParallelPairs}).
   */
  public static Result run(JavaSparkContext sc, Settings settings, String input, String target, String out,
      boolean overwrite, List<String> commandLine) throws IOException {
    IngestTimings timings = new IngestTimings(sc.sc());
    try {
      Result r = run(sc, settings, input, target, out, overwrite, commandLine, timings);
      if (LOG.isInfoEnabled()) {
        LOG.info("ingest {}: {}", r.out(), timings.describe());
      }
      return r;
    } finally {
      timings.stop();
    }
  }

  /**
   * Incremental ingest ({@code --previous}): {@code out} = the earlier ingest {@code previous} plus the files of
   * {@code input} it does not hold, its vocabulary treated as {@code ingest.vocabPolicy} says (see
   * {@link IncrementalIngest}). One-sided text only.
   */
  public static Result runIncremental(JavaSparkContext sc, Settings settings, String input, String previous, String out,
      boolean overwrite, List<String> commandLine) throws IOException {
    IngestTimings timings = new IngestTimings(sc.sc());
    try {
      Result r = IncrementalIngest.run(sc, settings, input, previous, out, overwrite, commandLine, timings);
      if (LOG.isInfoEnabled()) {
        LOG.info("ingest {}: {}", r.out(), timings.describe());
      }
      return r;
    } finally {
      timings.stop();
    }
  }

  /**
   * What every ingest writes from: the validated options, the listed files, the config the output depends on, where
   * it goes, and the run facts being gathered.
   */
  record Job(JavaSparkContext sc, Settings settings, IngestOptions o, String input, String target,
      List<InputFile> sources, List<InputFile> targets, Map<String, Object> config, FileSystem fs, Path out,
      CompletableFuture<Manifest> started, long t0, IngestTimings timings) {

    List<InputFile> files() {
      List<InputFile> files = new ArrayList<>(sources);
      files.addAll(targets);
      return files;
    }
  }

  /** The options, after the checks every ingest makes before listing anything. */
  static IngestOptions options(Settings settings, String out) {
    IngestOptions o = IngestOptions.from(settings);
    if (o.maxVocabSize() != 0 && o.maxVocabSize() < Vocabulary.SPECIALS.size()) {
      throw new IllegalArgumentException("data.maxVocabSize = " + o.maxVocabSize() + ": must be 0 (unlimited) or >= "
          + Vocabulary.SPECIALS.size() + " (the reserved tokens count). Fix: --set data.maxVocabSize=0 or a larger value");
    }
    if (out == null || out.isBlank()) {
      throw new IllegalArgumentException("--out is missing. Fix: pass --out DIR, the directory to write shards into");
    }
    return o;
  }

  private static Result run(JavaSparkContext sc, Settings settings, String input, String target, String out,
      boolean overwrite, List<String> commandLine, IngestTimings timings) throws IOException {
    long t0 = System.nanoTime();
    // The run facts (start time, git commit: a process, versions) are gathered while the jobs run.
    CompletableFuture<Manifest> started = CompletableFuture.supplyAsync(() -> IngestManifest.start(commandLine));
    IngestOptions o = options(settings, out);
    Configuration conf = sc.hadoopConfiguration();
    List<InputFile> sources = InputFiles.list("--input", input, conf);
    List<InputFile> targets = target == null ? List.of() : InputFiles.list("--target", target, conf);
    if (target != null) {
      ParallelPairs.check(o, input, sources, target, targets);
    }
    List<InputFile> files = new ArrayList<>(sources);
    files.addAll(targets);
    Map<String, Object> config = IngestOptions.configOf(settings);
    timings.mark("list");
    Path outPath = new Path(out);
    FileSystem fs = outPath.getFileSystem(conf);
    outPath = fs.makeQualified(outPath);

    String reason = "new output";
    if (fs.exists(outPath)) {
      Map<String, Object> prev = readManifest(fs, outPath);
      String mismatch = prev == null ? "it is not a seqspark ingest output (no readable " + MANIFEST + " of kind " + KIND + ")"
          : !input.equals(prev.get("input")) ? "it was ingested from --input " + prev.get("input")
          : !String.valueOf(target).equals(String.valueOf(prev.get("target"))) ? "it was ingested with --target " + prev.get("target")
          : !config.equals(prev.get("config")) ? "it was ingested with another config: " + diff(prev.get("config"), config)
          : null;
      if (mismatch == null) {
        String changed = UpToDate.changes(sc, prev, files, new HadoopConf(sc));
        if (changed == null) {
          timings.mark("upToDate");
          return new Result(true, outPath.toString(), "up to date: inputs (size, mtime, SHA-256) and config unchanged", prev,
              timings);
        }
        reason = "inputs changed: " + changed;
      } else if (!overwrite) {
        throw new IllegalArgumentException("--out " + out + " already exists and " + mismatch
            + ". Fix: pass --overwrite to replace it, or choose another --out");
      } else if (prev == null && !emptyDirectory(fs, outPath)) {
        // Same rule as run directories (docs/DECISIONS.md): a mistyped --out with --overwrite must not wipe other data.
        throw new IllegalArgumentException("--out " + out + " already exists and " + mismatch + "; --overwrite only"
            + " replaces an ingest output or an empty directory. Fix: choose another --out, or remove it yourself");
      } else {
        reason = "--overwrite: " + mismatch;
      }
    }

    timings.mark("upToDate");
    return write(new Job(sc, settings, o, input, target, sources, targets, config, fs, outPath, started, t0, timings),
        reason, Map.of());
  }

  /**
   * Reads every file of the job and writes the output in a temporary sibling, renamed into place; {@code extra}
   * manifest keys (an incremental ingest's) go after {@code reason}.
   */
  static Result write(Job j, String reason, Map<String, Object> extra) throws IOException {
    JavaSparkContext sc = j.sc();
    IngestOptions o = j.o();
    String input = j.input();
    String target = j.target();
    List<InputFile> sources = j.sources();
    List<InputFile> targets = j.targets();
    List<InputFile> files = j.files();
    Configuration conf = sc.hadoopConfiguration();
    Map<String, Object> config = j.config();
    FileSystem fs = j.fs();
    Path outPath = j.out();
    IngestTimings timings = j.timings();
    HadoopConf shipped = new HadoopConf(sc);
    Path tmp = temporary(outPath);
    if (o.format() == IngestOptions.Format.CSV) {
      if (target != null) {
        throw new IllegalArgumentException("--target with ingest.format = csv: parallel files are text. Fix: drop"
            + " --target, or --set ingest.format=lines");
      }
      try {
        Map.Entry<List<FileReport>, Map<String, Object>> csv = CsvSeries.write(sc, sources,
            CsvSeries.Options.from(j.settings(), o), tmp, shipped);
        timings.mark("csv");
        return commit(fs, tmp, outPath, reason, IngestManifest.withExtra(IngestManifest.build(j.started().join(), input,
            null, files, csv.getKey(), csv.getValue(), config, sc.master(), (System.nanoTime() - j.t0()) / 1e9, reason),
            extra), timings);
      } finally {
        if (fs.exists(tmp)) {
          fs.delete(tmp, true);
        }
        timings.mark("cleanup");
      }
    }
    if (o.format() == IngestOptions.Format.LABELLED || o.format() == IngestOptions.Format.TAGGED) {
      String format = o.format().name().toLowerCase(java.util.Locale.ROOT);
      if (target != null) {
        throw new IllegalArgumentException("--target with ingest.format = " + format + ": the labels are in the same"
            + " files as the text. Fix: drop --target, or --set ingest.format=lines for parallel files");
      }
      try {
        fs.mkdirs(tmp);
        Map.Entry<List<FileReport>, Map<String, Object>> sided = LabelledIngest.write(sc, j.settings(), sources, o,
            tmp, shipped);
        timings.mark(format);
        return commit(fs, tmp, outPath, reason, IngestManifest.withExtra(IngestManifest.build(j.started().join(), input,
            null, files, sided.getKey(), sided.getValue(), config, sc.master(), (System.nanoTime() - j.t0()) / 1e9,
            reason), extra), timings);
      } finally {
        if (fs.exists(tmp)) {
          fs.delete(tmp, true);
        }
        timings.mark("cleanup");
      }
    }
    boolean splittable = o.format() != IngestOptions.Format.PARAGRAPHS;
    List<ReadTask> tasks = new ArrayList<>(ReadTask.plan(sources, 0, 0, conf, o.splitBytes(), splittable));
    tasks.addAll(ReadTask.plan(targets, 1, sources.size(), conf, o.splitBytes(), splittable));
    boolean parallel = target != null;
    // One-sided text: the read tasks' reports come back by accumulator, so reading and the map side of the vocabulary
    // count are one job (one task per range) instead of two. Parallel files collect them (pairing needs them first).
    CollectionAccumulator<FileReport> readReports = parallel ? null : sc.sc().collectionAccumulator("ingest reports");
    JavaRDD<Block> blocks = readBlocks(sc, tasks, o, parallel, shipped, readReports);
    try {
      List<FileReport> reports;
      Map<String, Object> manifest;
      if (parallel) {
        List<FileReport> parts = blocks.map(b -> b.report).collect();
        reports = checked(FileReport.merge(parts));
        timings.mark("read");
        ParallelPairs.checkLineCounts(reports, sources.size());
        fs.mkdirs(tmp);
        manifest = ParallelPairs.write(sc, blocks, parts, reports, o, tmp, shipped);
        timings.mark("pairs");
      } else {
        // Few reduce tasks: each sums a share of the distinct tokens, cheap next to reading; one per core suffices.
        int r = Math.max(1, Math.min(blocks.getNumPartitions(), sc.defaultParallelism()));
        List<DistributedVocabulary.Ranked> counted = DistributedVocabulary.reduce(blocks.flatMapToPair(b -> b.counts(r)), r,
            o.minCount(), o.maxVocabSize());
        timings.mark("read+count");
        reports = checked(FileReport.merge(onePerTask(readReports.value())));
        fs.mkdirs(new Path(tmp, TokenShards.SHARD_DIR));
        manifest = writeSide(sc, blocks, counted, reports, o, tmp, shipped, timings);
      }
      return commit(fs, tmp, outPath, reason, IngestManifest.withExtra(IngestManifest.build(j.started().join(), input,
          target, files, reports, manifest, config, sc.master(), (System.nanoTime() - j.t0()) / 1e9, reason), extra),
          timings);
    } finally {
      blocks.unpersist(false);
      if (fs.exists(tmp)) {
        fs.delete(tmp, true);
      }
      timings.mark("cleanup");
    }
  }

  /**
   * The read pass: one task per {@link ReadTask}, each keeping its text as one cached {@link Block} numbered by its
   * task; with {@code readReports} each block's report also goes there (one-sided text).
   */
  static JavaRDD<Block> readBlocks(JavaSparkContext sc, List<ReadTask> tasks, IngestOptions o, boolean parallel,
      HadoopConf shipped, CollectionAccumulator<FileReport> readReports) {
    return sc.parallelize(tasks, tasks.size())
        .mapPartitionsWithIndex((Integer partition, Iterator<ReadTask> it) -> {
          Block b = TextFileReader.read(it.next(), o, parallel, shipped.get());
          b.partition = partition;
          if (readReports != null) {
            readReports.add(b.report);
          }
          return List.of(b).iterator();
        }, true)
        .persist(StorageLevel.MEMORY_AND_DISK());
  }

  /** The temporary sibling an output is written into before the rename. */
  static Path temporary(Path outPath) {
    return new Path(outPath.getParent(), "." + outPath.getName() + ".tmp-" + System.nanoTime());
  }

  /** Writes the manifest into the complete {@code tmp} and renames it into place. */
  static Result commit(FileSystem fs, Path tmp, Path outPath, String reason, Map<String, Object> manifest,
      IngestTimings timings) throws IOException {
    write(fs, new Path(tmp, MANIFEST), (Json.writePretty(manifest) + "\n").getBytes(StandardCharsets.UTF_8));
    replace(fs, tmp, outPath);
    timings.mark("commit");
    return new Result(false, outPath.toString(), reason, manifest, timings);
  }

  /** The merged reports, unless a {@code fail} policy tripped: then one error, before anything is written. */
  static List<FileReport> checked(List<FileReport> reports) {
    for (FileReport r : reports) {
      if (r.failure != null) {
        throw new IllegalArgumentException(r.failureMessage() + ". Fix: repair the input, or set the policy to skip"
            + " (--set ingest.<policy>=skip); nothing was written");
      }
    }
    return reports;
  }

  /**
   * One report per read task: an accumulator filled inside a transformation gets a task's report again if Spark
   * re-runs it (a retry, a lost cached block), and every run of a task reports the same.
   */
  static List<FileReport> onePerTask(List<FileReport> reports) {
    Map<List<Integer>, FileReport> byTask = new LinkedHashMap<>();
    for (FileReport r : reports) {
      byTask.putIfAbsent(List.of(r.side, r.fileIndex, r.range), r);
    }
    return new ArrayList<>(byTask.values());
  }

  /**
   * Vocabulary (from the reduced counts), shards and vocab.tsv of one-sided text from its blocks; returns the
   * manifest's vocabulary part.
   */
  private static Map<String, Object> writeSide(JavaSparkContext sc, JavaRDD<Block> blocks, List<DistributedVocabulary.Ranked> counted,
      List<FileReport> reports, IngestOptions o, Path dir, HadoopConf conf, IngestTimings timings) throws IOException {
    long examples = 0;
    long tokens = 0;
    for (FileReport r : reports) {
      examples += r.examples;
      tokens += r.tokens;
    }
    Vocabulary vocab = DistributedVocabulary.assemble(counted, tokens, o.maxVocabSize(), o.eosPerLine() ? examples : 0);
    timings.mark("vocabulary");
    return writeShards(sc, blocks, vocab, examples, tokens, o, dir, conf, timings, 0);
  }

  /**
   * Encodes the blocks with {@code vocab} and writes their shards (numbered from {@code firstShard}) and vocab.tsv
   * under {@code dir}; returns the manifest's vocabulary part, {@code examples} and {@code tokens} being the blocks'.
   */
  static Map<String, Object> writeShards(JavaSparkContext sc, JavaRDD<Block> blocks, Vocabulary vocab, long examples,
      long tokens, IngestOptions o, Path dir, HadoopConf conf, IngestTimings timings, int firstShard)
      throws IOException {
    Broadcast<PackedCounts> bc = sc.broadcast(tokenList(vocab));
    timings.mark("broadcast");
    // The driver writes vocab.tsv and hashes it while the executors write the shards.
    FileSystem fs = dir.getFileSystem(conf.get());
    CompletableFuture<String> vocabFile = CompletableFuture.supplyAsync(() -> {
      try {
        writeVocabulary(fs, new Path(dir, TokenShards.VOCABULARY_FILE), vocab);
        return vocab.contentHash();
      } catch (IOException e) {
        throw new UncheckedIOException(e);
      }
    });
    String shardDir = new Path(dir, TokenShards.SHARD_DIR).toString();
    List<ShardOutput.ShardInfo> shards;
    try {
      shards = o.shards() == 0 || examples == 0
          ? ShardOutput.writeBlocks(blocks, bc, sc.defaultParallelism(), shardDir, conf, firstShard)
          : ShardOutput.write(ShardOutput.reshard(ShardOutput.encode(blocks, bc), o.shards(), examples), shardDir, conf,
              firstShard);
    } catch (RuntimeException | Error e) {
      vocabFile.handle((h, x) -> h).join(); // done writing before the caller deletes the directory
      throw e;
    }
    bc.destroy();
    timings.mark("shards");
    String vocabularySha256;
    try {
      vocabularySha256 = vocabFile.join();
    } catch (CompletionException e) {
      if (e.getCause() instanceof UncheckedIOException io) {
        throw io.getCause();
      }
      throw e;
    }
    timings.mark("vocab.tsv");
    return IngestManifest.side(vocab, vocabularySha256, examples, tokens, shards, "");
  }

  /** The vocabulary's tokens in id order, packed (primitive arrays broadcast far faster than a String[]). */
  static PackedCounts tokenList(Vocabulary vocab) {
    PackedCounts tokenList = new PackedCounts();
    for (int i = 0; i < vocab.size(); i++) {
      tokenList.add(vocab.token(i), vocab.count(i));
    }
    return tokenList;
  }

  /** The previous manifest if {@code dir} holds one of kind {@link #KIND}, else null. */
  static Map<String, Object> readManifest(FileSystem fs, Path dir) {
    Path m = new Path(dir, MANIFEST);
    try (InputStream in = fs.open(m)) {
      Map<String, Object> map = Json.readMap(new String(in.readAllBytes(), StandardCharsets.UTF_8));
      return KIND.equals(map.get("kind")) ? map : null;
    } catch (IOException | IllegalArgumentException e) {
      return null;
    }
  }

  static boolean emptyDirectory(FileSystem fs, Path dir) throws IOException {
    return fs.getFileStatus(dir).isDirectory() && fs.listStatus(dir).length == 0;
  }

  static String diff(Object before, Map<String, Object> now) {
    List<String> d = new ArrayList<>();
    Map<?, ?> b = before instanceof Map<?, ?> m ? m : Map.of();
    for (Map.Entry<String, Object> e : now.entrySet()) {
      if (!String.valueOf(b.get(e.getKey())).equals(String.valueOf(e.getValue()))) {
        d.add(e.getKey() + " " + b.get(e.getKey()) + " -> " + e.getValue());
      }
    }
    return d.isEmpty() ? "(different key set)" : String.join(", ", d);
  }

  static void writeVocabulary(FileSystem fs, Path target, Vocabulary vocab) throws IOException {
    // Vocabulary saves to java.nio paths; go through a local temp file so the output may live on any Hadoop FS.
    java.nio.file.Path local = Files.createTempFile("seqspark-vocab", ".tsv");
    try {
      vocab.save(local);
      write(fs, target, Files.readAllBytes(local));
    } finally {
      Files.deleteIfExists(local);
    }
  }

  private static void write(FileSystem fs, Path target, byte[] bytes) throws IOException {
    try (OutputStream out = fs.create(target, true)) {
      out.write(bytes);
    }
  }

  /**
   * Renames the complete {@code tmp} into {@code target}. A rename cannot replace a non-empty directory, so an
   * existing target is first renamed aside and deleted after; if the new one cannot be renamed in, the old one is put
   * back.
   */
  static void replace(FileSystem fs, Path tmp, Path target) throws IOException {
    fs.mkdirs(target.getParent());
    Path aside = null;
    if (fs.exists(target)) {
      aside = new Path(target.getParent(), "." + target.getName() + ".old-" + System.nanoTime());
      if (!fs.rename(target, aside)) {
        throw new IOException("cannot move the old " + target + " aside to " + aside);
      }
    }
    if (!fs.rename(tmp, target)) {
      if (aside != null) {
        fs.rename(aside, target);
      }
      throw new IOException("cannot rename " + tmp + " to " + target);
    }
    if (aside != null) {
      fs.delete(aside, true);
    }
  }
}
