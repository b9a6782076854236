package io.seqspark.core.task;

import io.seqspark.core.config.Settings;
import io.seqspark.core.data.ParallelShards;
import io.seqspark.core.io.Json;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeSet;

/**
 * What {@code classify} and {@code tag} share about reading an ingest output of labelled lines or tagged sentences
 * ({@link ParallelShards#LABELLED}, {@link ParallelShards#TAGGED}): its manifest (the label list and the settings the
 * ingest encoded with), and the check that training uses the same settings, so the ids mean what the local path's do.
 */
final class IngestedSides {
  private IngestedSides() {
  }

  /** Whether {@code dir} (a local path, may be null) is an ingest output with the sides of {@code sides}. */
  static boolean is(Path dir, ParallelShards.Sides sides) {
    return dir != null && Files.isDirectory(dir) && ParallelShards.isParallel(dir, sides)
        && Files.isRegularFile(dir.resolve("manifest.json"));
  }

  /** The manifest.json of a local ingest output. */
  static Map<String, Object> manifest(Path dir) throws IOException {
    return Json.readMap(Files.readString(dir.resolve("manifest.json")));
  }

  /**
   * Fails unless the ingest recorded each of {@code keys} with the value {@code s} has: the ids in the shards were
   * made with those settings (tokenizer, lower-casing, unknown-word classes, label layout).
   */
  @SuppressWarnings("unchecked")
  static void requireSameSettings(Settings s, Map<String, Object> manifest, String dir, ParallelShards.Sides sides,
                                  List<String> keys) {
    Object c = manifest.get("config");
    if (!(c instanceof Map<?, ?>) || !sides.format().equals(((Map<String, Object>) c).get("ingest.format"))) {
      throw new IllegalArgumentException("data.train = " + dir + ": not an ingest with ingest.format = "
          + sides.format() + " (its manifest.json says "
          + (c instanceof Map<?, ?> m ? m.get("ingest.format") : "nothing")
          + "). Fix: bin/seqspark ingest --input FILES --out DIR --set ingest.format=" + sides.format());
    }
    Map<String, Object> config = (Map<String, Object>) c;
    List<String> differ = new ArrayList<>();
    StringBuilder sets = new StringBuilder();
    for (String k : keys) {
      String had = String.valueOf(config.get(k));
      if (!had.equals(s.getString(k))) {
        differ.add(k + " = " + s.getString(k) + " (the ingest used " + had + ")");
        sets.append(" --set ").append(k).append('=').append(had);
      }
    }
    if (!differ.isEmpty()) {
      throw new IllegalArgumentException("data.train = " + dir + ": the ingest encoded its ids with other settings: "
          + String.join(", ", differ) + ". The ids would not mean what training from the text files gives. Fix: train"
          + " with" + sets + ", or re-ingest with this config");
    }
  }

  /** The sorted names of the label side {@code key} ("labels", "tags"): its manifest entry's {@code counts}. */
  static List<String> sortedNames(Map<String, Object> manifest, String key, String dir) {
    if (!(manifest.get(key) instanceof Map<?, ?> side) || !(side.get("counts") instanceof Map<?, ?> m) || m.isEmpty()) {
      throw new IllegalArgumentException("data.train = " + dir + ": its manifest.json has no \"" + key
          + "\".counts; the"
          + " output is damaged or older than this version. Fix: re-run seqspark ingest");
    }
    TreeSet<String> names = new TreeSet<>();
    m.keySet().forEach(k -> names.add(String.valueOf(k)));
    return List.copyOf(names);
  }
}
