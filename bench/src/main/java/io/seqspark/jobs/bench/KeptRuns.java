package io.seqspark.jobs.bench;

import io.seqspark.core.config.Settings;
import io.seqspark.core.io.AtomicFiles;
import io.seqspark.core.io.Json;
import io.seqspark.core.io.RunDirectory;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.TreeSet;

/**
 * The run directories a bench keeps with {@code --keep DIR}: a finished run there (manifest end time set, model.zip
 * present) with the same resolved config is reused, an unfinished one with checkpoints is resumed, anything else is
 * trained (again); a run trained with other settings is refused, naming the keys. Shared by the benches that keep
 * their runs (translate, elmo).
 */
final class KeptRuns {
  /** What to do with a run directory. */
  enum State {
    /** Nothing usable there: train into it (replacing an unfinished run without checkpoints). */
    TRAIN,
    /** Unfinished with checkpoints: resume it with its own config.conf. */
    RESUME,
    /** Finished with the same config: read its results. */
    REUSE
  }

  private KeptRuns() {
  }

  /** Whether {@code dir} holds a run directory (its marker). */
  static boolean exists(Path dir) {
    return Files.isDirectory(dir) && Files.isRegularFile(dir.resolve(RunDirectory.MARKER));
  }

  /**
   * What to do with {@code dir} for a run of config {@code s}; fails when the run there was trained with other settings
   * ({@code keep} names the --keep directory in the message). Two differences are not refused:
   * <ul>
   *   <li>more epochs ({@code train.epochs} larger, {@code train.maxSeconds} free to differ, nothing else): a run
   *       with checkpoints is extended, RESUME from its last checkpoint with {@code s} written into its config.conf.
   *       No schedule depends on the epoch count (it only bounds the loop), so the extended run is the run a fresh
   *       start with that many epochs trains;</li>
   *   <li>a finished run that reads ELMo features ({@code model.contextual}) from a biLM whose archive has changed
   *       since (another SHA-256 than the one in its dims): TRAIN again, its features are no longer that biLM's.</li>
   * </ul>
   */
  static State state(Path dir, Settings s, Path keep) throws IOException {
    if (!exists(dir)) {
      return State.TRAIN;
    }
    Path manifestFile = dir.resolve("manifest.json");
    Map<String, Object> manifest = Files.isRegularFile(manifestFile) ? Json.readMap(Files.readString(manifestFile))
        : Map.of();
    boolean resumable = Files.isRegularFile(dir.resolve("config.conf")) && hasFiles(dir.resolve("checkpoints"));
    if (manifest.get("config") instanceof Map<?, ?> old) {
      List<String> diff = differences(old, s.flatten());
      if (!diff.isEmpty()) {
        if (resumable && longer(old, s)) {
          AtomicFiles.writeString(dir.resolve("config.conf"), s.render());
          return State.RESUME;
        }
        throw new IllegalArgumentException("--keep " + keep + ": the run " + dir + " was trained with other settings ("
            + String.join("; ", diff) + "). Fix: remove " + dir + " to train it again, or use another --keep DIR");
      }
    }
    if (manifest.get("endTime") != null && Files.isRegularFile(dir.resolve("model.zip"))) {
      return staleContextual(manifest, s) ? State.TRAIN : State.REUSE;
    }
    return resumable ? State.RESUME : State.TRAIN;
  }

  private static final List<String> LENGTH_KEYS = List.of("train.epochs", "train.maxSeconds");

  /** Whether {@code s} asks {@code old}'s run for more epochs and differs in nothing else (but the time budget). */
  static boolean longer(Map<?, ?> old, Settings s) {
    Map<String, Object> a = new java.util.HashMap<>(Json.readMap(Json.write(old)));
    Map<String, Object> b = new java.util.HashMap<>(s.flatten());
    if (!(a.get("train.epochs") instanceof Number before) || s.getInt("train.epochs") <= before.intValue()) {
      return false;
    }
    LENGTH_KEYS.forEach(k -> {
      a.remove(k);
      b.remove(k);
    });
    return differences(a, b).isEmpty();
  }

  /** Whether a finished run's model.contextual biLM is no longer the archive (SHA-256) it was trained with. */
  static boolean staleContextual(Map<String, Object> manifest, Settings s) throws IOException {
    String contextual = s.getString("model.contextual");
    if (contextual.isEmpty() || !(manifest.get("dims") instanceof Map<?, ?> dims)
        || !(dims.get("labels") instanceof Map<?, ?> labels) || !(labels.get("contextual") instanceof List<?> ref)
        || ref.size() < 2) {
      return false;
    }
    Path zip;
    try {
      zip = io.seqspark.core.task.ContextualLm.archive(contextual);
    } catch (IllegalArgumentException gone) {
      return true; // training again fails naming model.contextual
    }
    return !io.seqspark.core.io.Manifest.sha256(zip).equals(String.valueOf(ref.get(1)));
  }

  private static boolean hasFiles(Path dir) throws IOException {
    if (!Files.isDirectory(dir)) {
      return false;
    }
    try (var files = Files.list(dir)) {
      return files.findAny().isPresent();
    }
  }

  /** A run directory's manifest. */
  static Map<String, Object> manifest(Path dir) throws IOException {
    return Json.readMap(Files.readString(dir.resolve("manifest.json")));
  }

  /**
   * Up to 5 config keys whose values differ, "key: old vs new". A key the old run's config lacks (added to
   * reference.conf after the run) counts as equal when the new value is its default: the old run trained with that
   * behaviour.
   */
  static List<String> differences(Map<?, ?> old, Map<String, Object> now) {
    Map<String, Object> a = Json.readMap(Json.write(old));
    Map<String, Object> b = Json.readMap(Json.write(now));
    Map<String, Object> defaults = Json.readMap(Json.write(Settings.defaults().flatten()));
    List<String> out = new ArrayList<>();
    TreeSet<String> keys = new TreeSet<>(a.keySet());
    keys.addAll(b.keySet());
    for (String k : keys) {
      if (!a.containsKey(k) && Objects.equals(b.get(k), defaults.get(k))) {
        continue;
      }
      if (!Objects.equals(a.get(k), b.get(k)) && out.size() < 5) {
        out.add(k + ": " + a.get(k) + " vs " + b.get(k));
      }
    }
    return out;
  }
}
