package io.seqspark.core.pipeline;

import io.seqspark.core.config.Settings;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.function.Function;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * One stage of a pipeline file as written: its job, conf files, {@code set} overrides (JSON, stage references still
 * in place), raw inputs (ingest), model and data (evaluations), and the warm-start and incremental switches.
 *
 * @param name the stage's name (the key under {@code stages})
 * @param job what it runs
 * @param line its line in the pipeline file
 * @param inputs ingest: paths or globs (may reference stages)
 * @param confs conf files or preset names, applied after the job's defaults and before {@code set}
 * @param setJson the {@code set} block as JSON; {@code ${stages.NAME.out}} references left as text
 * @param model eval: the run directory or model.zip to evaluate (usually a reference), else ""
 * @param data eval: the file to evaluate on ("" = the run's own test/valid split)
 * @param warmStart train (w2v, elmo): start from this stage's previous version when there is one
 * @param warmStartEpochs epochs of a warm-started run (sets {@code train.epochs}); 0 = the config's epochs
 * @param incremental ingest: when files were only added, ingest just those on top of the previous version
 * @param dependsOn the stages it references, in order of first reference
 */
public record StageSpec(String name, StageJob job, int line, List<String> inputs, List<String> confs, String setJson,
                        String model, String data, boolean warmStart, int warmStartEpochs, boolean incremental,
                        Set<String> dependsOn) {

  /** A reference to a stage's published output, as written in a pipeline file. */
  public static final Pattern REFERENCE = Pattern.compile("\\$\\{stages\\.([A-Za-z0-9_-]+)\\.out\\}");

  /** What a reference stands for in fingerprints: the stage's name (its fingerprint is counted separately). */
  public static String placeholder(String stage) {
    return "stage:" + stage;
  }

  /** {@code text} with every reference replaced by {@code value.apply(stageName)}. */
  public static String substitute(String text, Function<String, String> value) {
    Matcher m = REFERENCE.matcher(text);
    StringBuilder b = new StringBuilder();
    while (m.find()) {
      m.appendReplacement(b, Matcher.quoteReplacement(value.apply(m.group(1))));
    }
    m.appendTail(b);
    return b.toString();
  }

  /** As {@link #substitute}, for text inside a JSON string literal (the value is escaped). */
  static String substituteJson(String json, Function<String, String> value) {
    return substitute(json, s -> value.apply(s).replace("\\", "\\\\").replace("\"", "\\\""));
  }

  /**
   * The stage's settings: reference → the job's defaults → {@link #confs} → {@link #setJson}, with each reference
   * replaced by {@code refValue} (a placeholder for fingerprints and checks, the upstream output when running).
   *
   * @throws io.seqspark.core.config.ConfigException naming every problem
   */
  public Settings settings(Function<String, String> refValue) {
    List<Path> files = new ArrayList<>(job.defaults());
    for (String c : confs) {
      files.add(Path.of(c));
    }
    return Settings.load(files, List.of()).withOverrides(substituteJson(setJson, refValue),
        "stage " + name + " set");
  }

  /** The {@code set} block with references replaced by {@code refValue}: what the job gets as its last conf file. */
  public String setJson(Function<String, String> refValue) {
    return substituteJson(setJson, refValue);
  }
}
