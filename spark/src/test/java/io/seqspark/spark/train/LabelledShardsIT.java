package io.seqspark.spark.train;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.seqspark.core.config.Settings;
import io.seqspark.core.io.Json;
import io.seqspark.core.io.RunDirectory;
import io.seqspark.core.io.RunRecorder;
import io.seqspark.core.task.ClassifierFamily;
import io.seqspark.core.task.Family;
import io.seqspark.core.task.TaggerFamily;
import io.seqspark.core.task.TrainingRun;
import io.seqspark.spark.ingest.Ingest;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Issue 14 for {@code classify} and {@code tag}: {@code ingest.format = labelled} and {@code tagged} outputs (real
 * files, three inputs = three shards, Spark local[2]). Training from the ingest output locally equals training from
 * the original text files bit for bit; one partition read on an executor equals the local trainer; two partitions read
 * on the executors equal the driver reading the same pieces; {@code data.cache = stream} and {@code disk} equal
 * {@code memory} when a window holds a partition. Held-out fractions under --master and an ingest made with other
 * settings are refused with the keys and the fix.
 */
class LabelledShardsIT {
  @TempDir
  static Path dir;
  static Path reviews;
  static Path reviewsValid;
  static Path reviewShards;
  static Path tagged;
  static Path taggedDev;
  static Path taggedShards;
  static Path resharded;

  @BeforeAll
  static void ingest() throws IOException {
    SplittableRandom r = new SplittableRandom(14);
    String[] filler = {"the", "film", "was", "a", "plot", "and", "cast", "very", "it", "so"};
    List<String> all = new ArrayList<>();
    for (int f = 0; f <= 3; f++) {
      List<String> lines = new ArrayList<>();
      for (int i = 0; i < (f == 3 ? 40 : 40 + 30 * f); i++) {
        boolean pos = r.nextInt(3) == 0;
        List<String> w = new ArrayList<>();
        int n = 2 + r.nextInt(6);
        for (int k = 0; k < n; k++) {
          // a few words seen once: data.minCount = 2 counts them into <unk>
          w.add(r.nextInt(15) == 0 ? "rare" + r.nextInt(1000) : filler[r.nextInt(filler.length)]);
        }
        if (pos) {
          w.set(r.nextInt(n), "good");
        }
        String label = i % 17 == 5 ? "mixed" : pos ? "pos" : "neg";
        lines.add(label + "\t" + (i % 23 == 7 ? "" : String.join(" ", w))); // a label without text is skipped
      }
      if (f == 3) {
        reviewsValid = Files.write(dir.resolve("reviews-valid.tsv"), lines);
      } else {
        Files.write(dir.resolve("reviews" + f + ".tsv"), lines);
        all.addAll(lines);
      }
    }
    reviews = Files.write(dir.resolve("reviews-all.tsv"), all);
    String[] nouns = {"dog", "cat", "man", "city", "song", "day"};
    String[] verbs = {"sees", "likes", "hears", "finds"};
    List<String> allTagged = new ArrayList<>();
    for (int f = 0; f <= 3; f++) {
      List<String> lines = new ArrayList<>();
      for (int i = 0; i < (f == 3 ? 30 : 30 + 20 * f); i++) {
        if (r.nextBoolean()) {
          lines.addAll(List.of("They\tP", "run\tV", "fast\tR"));
        } else {
          lines.addAll(List.of("the\tD", "run\tN", verbs[r.nextInt(4)] + "\tV", "The\tD", nouns[r.nextInt(6)] + "\tN"));
        }
        if (r.nextInt(4) == 0) {
          // rare shapes: counted as their unknown-word class (capitalised, -ing, number)
          String[] rare = {"Zork" + r.nextInt(50), "blorking" + (char) ('a' + r.nextInt(26)) + "ing", "" + r.nextInt(999)};
          lines.add(rare[r.nextInt(3)] + "\tX");
        }
        lines.add("");
      }
      if (f == 3) {
        taggedDev = Files.write(dir.resolve("tagged-dev.conll"), lines);
      } else {
        Files.write(dir.resolve("tagged" + f + ".conll"), lines);
        allTagged.addAll(lines);
      }
    }
    tagged = Files.write(dir.resolve("tagged-all.conll"), allTagged);
    reviewShards = dir.resolve("reviews.shards");
    taggedShards = dir.resolve("tagged.shards");
    SparkTrainingIT.withSpark("local[2]", Map.of(), sc -> {
      try {
        Ingest.run(sc, Settings.load(List.of(), List.of("ingest.format=labelled", "data.minCount=2")),
            dir.resolve("reviews[0-9].tsv").toString(), reviewShards.toString(), false, List.of("test"));
        Ingest.run(sc, Settings.load(List.of(), List.of("ingest.format=tagged", "data.minCount=2",
            "data.lowercase=true")), dir.resolve("tagged[0-9].conll").toString(), taggedShards.toString(), false,
            List.of("test"));
        resharded = dir.resolve("reviews-5.shards");
        Ingest.run(sc, Settings.load(List.of(), List.of("ingest.format=labelled", "data.minCount=2",
            "ingest.shards=5")), dir.resolve("reviews[0-9].tsv").toString(), resharded.toString(), false,
            List.of("test"));
      } catch (IOException e) {
        throw new UncheckedIOException(e);
      }
      return null;
    });
  }

  static List<String> classify(String... extra) {
    List<String> s = new ArrayList<>(List.of("data.train=" + reviewShards, "data.valid=" + reviewsValid,
        "data.minCount=2", "classify.bidirectional=true", "classify.pooling=max", "model.cell=gru",
        "model.embeddingSize=6", "model.hiddenSize=6", "model.layers=1", "model.dropout=0.1", "train.optimizer=adam",
        "train.learningRate=0.03", "train.epochs=2", "data.maxTokensPerBatch=40", "spark.averagingFrequency=2",
        "run.logEverySeconds=1e-9", "run.checkpointEverySteps=0", "seed=8"));
    s.addAll(List.of(extra));
    return s;
  }

  static List<String> tag(String... extra) {
    List<String> s = new ArrayList<>(List.of("data.train=" + taggedShards, "data.valid=" + taggedDev,
        "data.test=" + taggedDev, "data.minCount=2", "data.lowercase=true", "model.embeddingSize=8",
        "model.hiddenSize=8", "model.layers=1", "model.dropout=0.1", "train.optimizer=adam", "train.learningRate=0.05",
        "train.epochs=2", "data.maxTokensPerBatch=60", "spark.averagingFrequency=2", "run.logEverySeconds=1e-9",
        "run.checkpointEverySteps=0", "seed=2"));
    s.addAll(List.of(extra));
    return s;
  }

  static List<String> with(List<String> base, String... extra) {
    List<String> s = new ArrayList<>(base);
    s.addAll(List.of(extra));
    return s;
  }

  /** Trains in a new run directory: locally (master null), or on Spark, executors or (driverReads) the driver reading. */
  static RunRecorder.Result train(Family<?, ?, ?> family, String name, String master, boolean driverReads,
                                  List<String> sets) {
    Path out = dir.resolve(family.name() + "-" + name);
    try {
      Settings s = Settings.load(List.of(), sets);
      RunDirectory rd = RunDirectory.create(out, false);
      PrintStream quiet = new PrintStream(new ByteArrayOutputStream());
      RunRecorder.Result r = master == null
          ? TrainingRun.run(family, s, rd, false, List.of("test"), quiet, TrainingRun.local())
          : SparkTrainingIT.withSpark(master, Map.of(), sc -> {
            try {
              return TrainingRun.run(family, s, rd, false, List.of("test"), quiet,
                  new SparkTrainingLoop(sc, null, driverReads));
            } catch (IOException e) {
              throw new UncheckedIOException(e);
            }
          });
      if (master != null && s.getString("data.train").endsWith(".shards")) {
        Object trainer = Json.readMap(Files.readString(out.resolve("manifest.json"))).get("trainer");
        String who = (driverReads ? "the driver reads" : "executors read") + " 3 shard files";
        assertTrue(trainer.toString().contains(who), "manifest trainer: " + trainer);
      }
      return r;
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  static double[] params(RunRecorder.Result r) {
    try {
      return SparkTrainingIT.params(r.runDir());
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  @Test
  void labelledIngest_writesAlignedSides_withTheSortedLabels() throws IOException {
    Map<String, Object> m = Json.readMap(Files.readString(reviewShards.resolve("manifest.json")));
    Map<?, ?> counts = (Map<?, ?>) ((Map<?, ?>) m.get("labels")).get("counts");
    assertEquals(List.of("mixed", "neg", "pos"), List.copyOf(counts.keySet()));
    assertEquals(List.of("mixed\t" + counts.get("mixed"), "neg\t" + counts.get("neg"), "pos\t" + counts.get("pos")),
        Files.readAllLines(reviewShards.resolve("labels/vocab.tsv")));
    assertEquals(m.get("examples"), ((Map<?, ?>) m.get("text")).get("examples"));
    assertEquals(((List<?>) ((Map<?, ?>) m.get("text")).get("shards")).size(),
        ((List<?>) ((Map<?, ?>) m.get("labels")).get("shards")).size());
    Map<String, Object> t = Json.readMap(Files.readString(taggedShards.resolve("manifest.json")));
    assertEquals(Map.of("lowercase", true, "unknownClasses", true), t.get("wordEncoding"));
    assertEquals("<unk>\t0", Files.readAllLines(taggedShards.resolve("tags/vocab.tsv")).get(0));
    assertTrue(Files.readString(taggedShards.resolve("words/vocab.tsv")).contains("<unk-"),
        "rare words counted as their classes");
  }

  @Test
  void classify_ingestOutputTrainedLocally_equalsTheTextFiles_bitForBit() {
    RunRecorder.Result text = train(ClassifierFamily.INSTANCE, "text", null, false,
        classify("data.train=" + reviews));
    RunRecorder.Result shards = train(ClassifierFamily.INSTANCE, "shards", null, false, classify());
    SparkTrainingIT.assertBitIdentical(params(text), params(shards));
    assertEquals(text.results().get("valid_accuracy"), shards.results().get("valid_accuracy"));
    // held-out fractions locally: the same seeded split of the same examples
    String[] held = {"data.valid=", "classify.validFraction=0.1", "classify.testFraction=0.2"};
    RunRecorder.Result textHeld = train(ClassifierFamily.INSTANCE, "text-held", null, false,
        with(classify("data.train=" + reviews), held));
    RunRecorder.Result shardsHeld = train(ClassifierFamily.INSTANCE, "shards-held", null, false, with(classify(), held));
    SparkTrainingIT.assertBitIdentical(params(textHeld), params(shardsHeld));
    assertEquals(textHeld.results().get("test_accuracy"), shardsHeld.results().get("test_accuracy"));
    // ingest.shards = 5 re-cuts the same examples in corpus order: the same training
    SparkTrainingIT.assertBitIdentical(params(text), params(train(ClassifierFamily.INSTANCE, "resharded", null, false,
        classify("data.train=" + resharded))));
  }

  @Test
  void tag_ingestOutputTrainedLocally_equalsTheTextFiles_bitForBit() {
    RunRecorder.Result text = train(TaggerFamily.INSTANCE, "text", null, false, tag("data.train=" + tagged));
    RunRecorder.Result shards = train(TaggerFamily.INSTANCE, "shards", null, false, tag());
    SparkTrainingIT.assertBitIdentical(params(text), params(shards));
    assertEquals(text.results().get("test_accuracy"), shards.results().get("test_accuracy"));
  }

  @Test
  void onePartitionReadOnAnExecutor_equalsTheLocalTrainer_bitForBit() {
    for (Family<?, ?, ?> f : List.of(ClassifierFamily.INSTANCE, TaggerFamily.INSTANCE)) {
      List<String> s = with(f == ClassifierFamily.INSTANCE ? classify() : tag(), "train.epochs=1",
          "spark.averagingFrequency=1000");
      double[] local = params(train(f, "local-1", null, false, s));
      SparkTrainingIT.assertBitIdentical(local, params(train(f, "one", "local[2]", false,
          with(s, "spark.workers=1"))));
      SparkTrainingIT.assertBitIdentical(local, params(train(f, "one-stream", "local[2]", false,
          with(s, "spark.workers=1", "data.cache=stream", "data.streamWindow=100000"))));
    }
  }

  @Test
  void twoPartitions_executorRead_equalsDriverRead_andStreamAndDiskEqualMemory() {
    for (Family<?, ?, ?> f : List.of(ClassifierFamily.INSTANCE, TaggerFamily.INSTANCE)) {
      List<String> base = with(f == ClassifierFamily.INSTANCE ? classify() : tag(), "spark.workers=2");
      double[] driver = params(train(f, "driver", "local[2]", true, base));
      double[] memory = params(train(f, "memory", "local[2]", false, base));
      SparkTrainingIT.assertBitIdentical(driver, memory);
      SparkTrainingIT.assertBitIdentical(memory, params(train(f, "stream", "local[2]", false,
          with(base, "data.cache=stream", "data.streamWindow=100000"))));
      SparkTrainingIT.assertBitIdentical(memory, params(train(f, "disk", "local[2]", false,
          with(base, "data.cache=disk", "data.streamWindow=100000"))));
    }
  }

  @Test
  void aFileBreakingTheParsersRule_failsTheIngestOnce_withItsPathAndLine_andWritesNothing() throws IOException {
    Path bad = Files.write(dir.resolve("bad-reviews.tsv"), List.of("pos\tgood film", "no label here", "neg\tbad"));
    Path badTagged = Files.write(dir.resolve("bad.conll"), List.of("The\tD", "dog barks"));
    SparkTrainingIT.withSpark("local[2]", Map.of(), sc -> {
      IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> Ingest.run(sc,
          Settings.load(List.of(), List.of("ingest.format=labelled")), bad.toString(),
          dir.resolve("bad.shards").toString(), false, List.of("test")));
      assertTrue(e.getMessage().contains(bad + ": line 2 has no label") && e.getMessage().contains("classify.format"),
          e.getMessage());
      IllegalArgumentException t = assertThrows(IllegalArgumentException.class, () -> Ingest.run(sc,
          Settings.load(List.of(), List.of("ingest.format=tagged")), badTagged.toString(),
          dir.resolve("bad-tagged.shards").toString(), false, List.of("test")));
      assertTrue(t.getMessage().contains(badTagged + ": line 2") && t.getMessage().contains("no tab"), t.getMessage());
      return null;
    });
    assertTrue(Files.notExists(dir.resolve("bad.shards")) && Files.notExists(dir.resolve("bad-tagged.shards")));
  }

  @Test
  void heldOutFractionsUnderMaster_andOtherIngestSettings_areRefusedWithTheFix() {
    IllegalArgumentException held = assertThrows(IllegalArgumentException.class, () -> train(
        ClassifierFamily.INSTANCE, "fractions", "local[2]", false, classify("classify.validFraction=0.1",
            "data.valid=")));
    assertTrue(held.getMessage().contains("classify.validFraction = 0.1") && held.getMessage()
        .contains("data.valid = FILE"), held.getMessage());
    IllegalArgumentException lower = assertThrows(IllegalArgumentException.class, () -> train(
        TaggerFamily.INSTANCE, "cased", null, false, tag("data.lowercase=false")));
    assertTrue(lower.getMessage().contains("data.lowercase = false (the ingest used true)")
        && lower.getMessage().contains("--set data.lowercase=true"), lower.getMessage());
  }
}
