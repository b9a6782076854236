package io.seqspark.core.pipeline;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/** The seqspark jobs a pipeline stage can be, with what the pipeline needs to know about each. */
public enum StageJob {
  INGEST("ingest", Kind.INGEST, null, List.of(), null),
  W2V_TRAIN("w2v train", Kind.TRAIN, "w2v", List.of(Path.of("family-w2v")), "w2v.warmStart"),
  ELMO_TRAIN("elmo train", Kind.TRAIN, "elmo", List.of(), "elmo.warmStart"),
  LM_TRAIN("lm train", Kind.TRAIN, "lm", List.of(), null),
  CLASSIFY_TRAIN("classify train", Kind.TRAIN, "classify", List.of(), null),
  TAG_TRAIN("tag train", Kind.TRAIN, "tag", List.of(), null),
  TRANSLATE_TRAIN("translate train", Kind.TRAIN, "translate", List.of(), null),
  W2V_EVAL("w2v eval", Kind.EVAL, "w2v", List.of(), null),
  ELMO_EVAL("elmo eval", Kind.EVAL, "elmo", List.of(), null),
  LM_EVAL("lm eval", Kind.EVAL, "lm", List.of(), null),
  CLASSIFY_EVAL("classify eval", Kind.EVAL, "classify", List.of(), null),
  TAG_EVAL("tag eval", Kind.EVAL, "tag", List.of(), null),
  TRANSLATE_EVAL("translate eval", Kind.EVAL, "translate", List.of(), null);

  /** What a stage of the job produces: an ingest output, a run directory, or a metrics file. */
  public enum Kind { INGEST, TRAIN, EVAL }

  private final String command;
  private final Kind kind;
  private final String family;
  private final List<Path> defaults;
  private final String warmStartKey;

  StageJob(String command, Kind kind, String family, List<Path> defaults, String warmStartKey) {
    this.command = command;
    this.kind = kind;
    this.family = family;
    this.defaults = defaults;
    this.warmStartKey = warmStartKey;
  }

  /** As written in a pipeline file and on the command line, e.g. {@code "w2v train"}. */
  public String command() {
    return command;
  }

  public Kind kind() {
    return kind;
  }

  /** The model family ({@code lm}, {@code w2v}, ...); null for ingest. */
  public String family() {
    return family;
  }

  /** Presets the job loads before the stage's own conf files (w2v: its family defaults). */
  public List<Path> defaults() {
    return defaults;
  }

  /** The config key that starts training from an earlier model ({@code w2v.warmStart}), or null. */
  public String warmStartKey() {
    return warmStartKey;
  }

  /**
   * Whether an interrupted run continues from its checkpoint ({@code --resume}); w2v has no checkpoints and restarts,
   * ingest and eval stages simply run again.
   */
  public boolean resumable() {
    return kind == Kind.TRAIN && this != W2V_TRAIN;
  }

  /** Whether the stage's settings are a config (reference.conf keys): everything but the family-generic evals. */
  public boolean hasSettings() {
    return kind != Kind.EVAL || this == W2V_EVAL;
  }

  /** The job written as {@code command}, or null. */
  public static StageJob of(String command) {
    String c = command.trim().replaceAll("\\s+", " ");
    for (StageJob j : values()) {
      if (j.command.equals(c)) {
        return j;
      }
    }
    return null;
  }

  /** All commands, for messages. */
  public static List<String> commands() {
    List<String> out = new ArrayList<>();
    for (StageJob j : values()) {
      out.add(j.command);
    }
    return out;
  }
}
