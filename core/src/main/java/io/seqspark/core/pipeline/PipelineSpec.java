package io.seqspark.core.pipeline;

import com.typesafe.config.Config;
import com.typesafe.config.ConfigFactory;
import com.typesafe.config.ConfigObject;
import com.typesafe.config.ConfigParseOptions;
import com.typesafe.config.ConfigRenderOptions;
import com.typesafe.config.ConfigValue;
import com.typesafe.config.ConfigValueType;
import io.seqspark.core.config.ConfigException;
import io.seqspark.core.config.Rule;
import io.seqspark.core.config.Schema;
import io.seqspark.core.config.Settings;
import io.seqspark.core.config.Suggest;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.regex.Matcher;

/**
 * A parsed and checked pipeline file. {@link #parse} reads the HOCON, then checks the whole stage graph before any
 * work: unknown keys and jobs, references to stages that do not exist, cycles, inputs that name no file, and each
 * stage's config against reference.conf — every problem at once, each naming the stage and the key
 * ({@link PipelineException}). The format is documented in docs/FORMATS.md and conf/pipeline-demo.conf.
 *
 * @param file the pipeline file
 * @param name {@code pipeline.name} (default: the file name without .conf)
 * @param dir {@code pipeline.dir}: where outputs, state, logs and the lock live
 * @param keepVersions {@code pipeline.keepVersions}: published versions kept per stage
 * @param stages in an order where every stage comes after the stages it reads (file order among independent ones)
 */
public record PipelineSpec(Path file, String name, Path dir, int keepVersions, List<StageSpec> stages) {

  private static final List<String> ROOT_KEYS = List.of("pipeline", "stages");
  private static final List<String> PIPELINE_KEYS = List.of("name", "dir", "keepVersions");
  private static final List<String> STAGE_KEYS = List.of("job", "input", "conf", "set", "model", "data", "warmStart",
      "warmStartEpochs", "incremental", "out");

  /** The stage called {@code name}, or null. */
  public StageSpec stage(String name) {
    for (StageSpec s : stages) {
      if (s.name().equals(name)) {
        return s;
      }
    }
    return null;
  }

  /** Parses and checks {@code file}; {@code dirOverride} (the CLI's --dir) wins over {@code pipeline.dir}. */
  public static PipelineSpec parse(Path file, Path dirOverride) {
    String where = file.toString();
    if (!Files.isRegularFile(file)) {
      throw new PipelineException(where, List.of("no such file (relative paths start at "
          + Path.of("").toAbsolutePath() + "). Fix: pass the pipeline's .conf file, e.g. conf/pipeline-demo.conf"));
    }
    Config raw;
    try {
      raw = ConfigFactory.parseFile(file.toFile(), ConfigParseOptions.defaults().setAllowMissing(false));
    } catch (com.typesafe.config.ConfigException e) {
      throw new PipelineException(where, List.of("cannot parse: " + e.getMessage()));
    }
    List<String> problems = new ArrayList<>();
    for (String k : raw.root().keySet()) {
      if (!ROOT_KEYS.contains(k)) {
        problems.add(unknown("top-level key '" + k + "'", k, ROOT_KEYS));
      }
    }
    if (!(raw.root().get("stages") instanceof ConfigObject stagesObj) || stagesObj.isEmpty()) {
      problems.add("no stages: write a 'stages { NAME { job = ..., ... } }' block (see docs/FORMATS.md)");
      throw new PipelineException(where, problems);
    }
    // ${stages.X.out} stands for stage X's published output, known only at run time: let HOCON resolve it to the
    // reference text itself, so quoted and unquoted references read the same and unknown stages fail to resolve
    Map<String, Object> outs = new HashMap<>();
    for (String stage : stagesObj.keySet()) {
      outs.put("stages.\"" + stage + "\".out", "${stages." + stage + ".out}");
    }
    Config resolved;
    try {
      resolved = raw.withFallback(ConfigFactory.parseMap(outs)).resolve();
    } catch (com.typesafe.config.ConfigException e) {
      String msg = e.getMessage();
      Matcher m = java.util.regex.Pattern.compile("\\$\\{\\s*stages\\.([^.}]+)").matcher(msg);
      String hint = m.find() ? "; '" + m.group(1) + "' is not a stage of this pipeline (stages: " + stagesObj.keySet()
          + ")" : "";
      throw new PipelineException(where, List.of("cannot resolve a substitution: " + msg + hint
          + ". Fix: reference an earlier stage's output as ${stages.NAME.out}"));
    }

    String name = file.getFileName().toString().replaceFirst("\\.conf$", "");
    Path dir = null;
    int keep = 2;
    if (resolved.hasPath("pipeline")) {
      Config p = resolved.getConfig("pipeline");
      for (String k : p.root().keySet()) {
        if (!PIPELINE_KEYS.contains(k)) {
          problems.add(unknown("key pipeline." + k, k, PIPELINE_KEYS));
        }
      }
      name = p.hasPath("name") ? p.getString("name") : name;
      dir = p.hasPath("dir") ? Path.of(p.getString("dir")) : null;
      if (p.hasPath("keepVersions")) {
        try {
          keep = p.getInt("keepVersions");
        } catch (com.typesafe.config.ConfigException e) {
          keep = -1;
        }
        if (keep < 1) {
          problems.add("pipeline.keepVersions = " + p.getValue("keepVersions").unwrapped() + ": must be a whole"
              + " number >= 1 (the newest version is always kept). Fix: e.g. keepVersions = 2");
        }
      }
    }
    if (dirOverride != null) {
      dir = dirOverride;
    }
    if (dir == null) {
      dir = Path.of("runs", "pipelines", name);
    }

    // stages in file order
    ConfigObject stages = resolved.getObject("stages");
    List<String> order = new ArrayList<>(stages.keySet());
    order.sort(Comparator.comparingInt((String s) -> stages.get(s).origin().lineNumber()).thenComparing(s -> s));
    Map<String, StageSpec> specs = new LinkedHashMap<>();
    for (String s : order) {
      StageSpec spec = stage(s, stages.get(s), stages.keySet(), problems);
      if (spec != null) {
        specs.put(s, spec);
      }
    }
    List<StageSpec> sorted = topological(specs, problems);
    for (StageSpec s : sorted) {
      check(s, problems);
    }
    if (!problems.isEmpty()) {
      throw new PipelineException(where, problems);
    }
    return new PipelineSpec(file, name, dir, keep, sorted);
  }

  private static String unknown(String what, String key, List<String> known) {
    String hint = Suggest.closest(key, known);
    return what + " is not a pipeline key" + (hint == null ? "" : "; did you mean " + hint + "?") + " Known: " + known;
  }

  private static StageSpec stage(String name, ConfigValue value, Set<String> all, List<String> problems) {
    String at = "stage " + name;
    if (!name.matches("[A-Za-z0-9_-]+")) {
      problems.add(at + ": a stage name may hold letters, digits, '_' and '-' only. Fix: rename it");
      return null;
    }
    if (!(value instanceof ConfigObject obj)) {
      problems.add(at + " (line " + value.origin().lineNumber() + "): must be an object { job = ..., ... }");
      return null;
    }
    Config c = obj.toConfig();
    for (String k : obj.keySet()) {
      if (!STAGE_KEYS.contains(k)) {
        problems.add(unknown(at + ": key '" + k + "'", k, STAGE_KEYS));
      }
    }
    if (c.hasPath("out") && !c.getValue("out").unwrapped().equals("${stages." + name + ".out}")) {
      problems.add(at + ": key 'out' is where the pipeline publishes the stage's output; it cannot be set. Fix:"
          + " remove it (read it elsewhere as ${stages." + name + ".out})");
    }
    StageJob job = null;
    if (!c.hasPath("job")) {
      problems.add(at + ": no 'job'. Fix: add job = one of " + StageJob.commands());
    } else {
      job = StageJob.of(c.getValue("job").unwrapped().toString());
      if (job == null) {
        problems.add(at + ": job = \"" + c.getValue("job").unwrapped() + "\" is not a pipeline job. Fix: use one of "
            + StageJob.commands());
      }
    }
    List<String> inputs = strings(c, "input", at, problems);
    List<String> confs = strings(c, "conf", at, problems);
    String setJson = "{}";
    if (c.hasPath("set")) {
      if (c.getValue("set").valueType() != ConfigValueType.OBJECT) {
        problems.add(at + ": set must be an object of config keys, e.g. set { train.epochs = 2 }");
      } else {
        setJson = c.getObject("set").render(ConfigRenderOptions.concise());
      }
    }
    String model = c.hasPath("model") ? c.getValue("model").unwrapped().toString() : "";
    String data = c.hasPath("data") ? c.getValue("data").unwrapped().toString() : "";
    boolean warm = bool(c, "warmStart", false, at, problems);
    boolean incremental = bool(c, "incremental", true, at, problems);
    int warmEpochs = 0;
    if (c.hasPath("warmStartEpochs")) {
      try {
        warmEpochs = c.getInt("warmStartEpochs");
      } catch (com.typesafe.config.ConfigException e) {
        warmEpochs = -1;
      }
      if (warmEpochs < 1) {
        problems.add(at + ": warmStartEpochs = " + c.getValue("warmStartEpochs").unwrapped() + ": must be a whole"
            + " number >= 1 (epochs of a warm-started run). Fix: e.g. warmStartEpochs = 1, or remove it");
      }
    }
    if (job != null) {
      if (job.kind() == StageJob.Kind.INGEST && inputs.isEmpty()) {
        problems.add(at + " (ingest): no 'input'. Fix: input = \"corpus/*.txt\" (a path, directory or glob)");
      }
      if (job.kind() != StageJob.Kind.INGEST && !inputs.isEmpty()) {
        problems.add(at + " (" + job.command() + "): 'input' is for ingest stages; a " + job.command() + " reads"
            + " data.train etc. Fix: set { data.train = \"...\" }");
      }
      if (job.kind() == StageJob.Kind.EVAL && job != StageJob.W2V_EVAL && model.isEmpty()) {
        problems.add(at + " (" + job.command() + "): no 'model'. Fix: model = \"${stages.NAME.out}\" (the train stage)");
      }
      if (job == StageJob.W2V_EVAL && model.isEmpty()) {
        problems.add(at + " (w2v eval): no 'model'. Fix: model = \"${stages.NAME.out}\" (the w2v train stage)");
      }
      if (job.kind() != StageJob.Kind.EVAL && (!model.isEmpty() || !data.isEmpty())) {
        problems.add(at + " (" + job.command() + "): 'model' and 'data' are for eval stages. Fix: remove them");
      }
      if (job.kind() == StageJob.Kind.EVAL && !job.hasSettings() && !confs.isEmpty()) {
        problems.add(at + " (" + job.command() + "): an eval stage reads its model's own config; remove 'conf'");
      }
      if (warm && job.warmStartKey() == null) {
        problems.add(at + " (" + job.command() + "): warmStart = true: only w2v train and elmo train stages can"
            + " warm-start. Fix: remove it");
      }
      if (c.hasPath("incremental") && job.kind() != StageJob.Kind.INGEST) {
        problems.add(at + " (" + job.command() + "): 'incremental' is for ingest stages. Fix: remove it");
      }
    }
    // references anywhere in the stage
    Set<String> deps = new LinkedHashSet<>();
    List<String> texts = new ArrayList<>(inputs);
    texts.add(setJson);
    texts.add(model);
    texts.add(data);
    for (String t : texts) {
      Matcher m = StageSpec.REFERENCE.matcher(t);
      while (m.find()) {
        String ref = m.group(1);
        if (!all.contains(ref)) {
          problems.add(at + ": ${stages." + ref + ".out} names no stage of this pipeline (stages: " + all + ")");
        } else {
          deps.add(ref);
        }
      }
    }
    return job == null ? null : new StageSpec(name, job, value.origin().lineNumber(), inputs, confs, setJson, model,
        data, warm, warmEpochs, incremental, deps);
  }

  private static List<String> strings(Config c, String key, String at, List<String> problems) {
    if (!c.hasPath(key)) {
      return List.of();
    }
    ConfigValue v = c.getValue(key);
    List<String> out = new ArrayList<>();
    if (v.valueType() == ConfigValueType.LIST) {
      for (Object o : (List<?>) v.unwrapped()) {
        out.add(String.valueOf(o));
      }
    } else if (v.valueType() == ConfigValueType.STRING) {
      out.add((String) v.unwrapped());
    } else {
      problems.add(at + ": " + key + " must be a string or a list of strings, not " + v.valueType());
    }
    return out;
  }

  private static boolean bool(Config c, String key, boolean dflt, String at, List<String> problems) {
    if (!c.hasPath(key)) {
      return dflt;
    }
    try {
      return c.getBoolean(key);
    } catch (com.typesafe.config.ConfigException e) {
      problems.add(at + ": " + key + " = " + c.getValue(key).unwrapped() + ": must be true or false");
      return dflt;
    }
  }

  /** Stages ordered so that each follows what it reads; a cycle is one problem naming its stages. */
  private static List<StageSpec> topological(Map<String, StageSpec> specs, List<String> problems) {
    List<StageSpec> out = new ArrayList<>();
    Map<String, Integer> state = new HashMap<>(); // 1 = on the path, 2 = done
    for (String s : specs.keySet()) {
      visit(s, specs, state, new ArrayList<>(), out, problems);
    }
    return out;
  }

  private static boolean visit(String s, Map<String, StageSpec> specs, Map<String, Integer> state, List<String> path,
                               List<StageSpec> out, List<String> problems) {
    Integer st = state.get(s);
    if (st != null && st == 2) {
      return true;
    }
    if (st != null && st == 1) {
      List<String> cycle = new ArrayList<>(path.subList(path.indexOf(s), path.size()));
      cycle.add(s);
      problems.add("stages " + String.join(" -> ", cycle) + " form a cycle (each reads the next one's output). Fix:"
          + " remove one of these references");
      return false;
    }
    StageSpec spec = specs.get(s);
    if (spec == null) {
      return true; // reported already (a bad stage)
    }
    state.put(s, 1);
    path.add(s);
    boolean ok = true;
    for (String d : spec.dependsOn()) {
      ok &= visit(d, specs, state, path, out, problems);
      if (!ok) {
        break;
      }
    }
    path.remove(path.size() - 1);
    state.put(s, 2);
    out.add(spec);
    return ok;
  }

  /** The stage's config against reference.conf, and its raw inputs against the file system. */
  private static void check(StageSpec s, List<String> problems) {
    String at = "stage " + s.name();
    for (String in : s.inputs()) {
      if (StageSpec.REFERENCE.matcher(in).find() || ContentHashes.isUri(in)) {
        continue;
      }
      try {
        if (ContentHashes.expand(in).isEmpty()) {
          problems.add(at + ", key input: '" + in + "' names no file (relative paths start at "
              + Path.of("").toAbsolutePath() + "). Fix: correct the path or glob, or add the files");
        }
      } catch (IOException e) {
        problems.add(at + ", key input: '" + in + "': cannot list it: " + e.getMessage());
      }
    }
    if (!s.data().isEmpty() && !StageSpec.REFERENCE.matcher(s.data()).find() && !Files.exists(Path.of(s.data()))) {
      problems.add(at + ", key data: no such file " + s.data() + ". Fix: correct the path, or remove 'data' to"
          + " evaluate on the run's own test/valid split");
    }
    if (!s.model().isEmpty() && !StageSpec.REFERENCE.matcher(s.model()).find() && !Files.exists(Path.of(s.model()))) {
      problems.add(at + ", key model: no such file or run directory " + s.model());
    }
    if (!s.job().hasSettings()) {
      return;
    }
    Settings settings;
    try {
      settings = s.settings(StageSpec::placeholder);
    } catch (ConfigException e) {
      for (String p : e.problems()) {
        problems.add(at + ": " + p);
      }
      return;
    }
    // raw (non-reference) files named by path keys must exist: a missing one is found now, not after earlier stages
    Schema schema = Settings.schema();
    for (Map.Entry<String, Object> e : settings.flatten().entrySet()) {
      Schema.Key k = schema.key(e.getKey());
      if (k == null || k.rule().kind() != Rule.Kind.PATH || !(e.getValue() instanceof String v) || v.isEmpty()
          || v.startsWith("stage:") || ContentHashes.isUri(v)) {
        continue;
      }
      if (!Files.exists(Path.of(v))) {
        problems.add(at + ", key " + e.getKey() + ": no such file or directory " + v + " (relative paths start at "
            + Path.of("").toAbsolutePath() + "). Fix: correct the path, or read an earlier stage's output as"
            + " ${stages.NAME.out}");
      }
    }
  }
}
