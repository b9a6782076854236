package io.seqspark.core.pipeline;

import io.seqspark.core.config.Rule;
import io.seqspark.core.config.Schema;
import io.seqspark.core.config.Settings;
import io.seqspark.core.io.Json;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.TreeMap;

/**
 * What a stage's output is a function of, and its SHA-256: the job, the stage's resolved config (every key, flattened;
 * references to other stages written as {@code stage:NAME}), the size and SHA-256 of every raw input file (ingest's
 * inputs, files named by path keys, an eval's data), the fingerprints of the stages it reads, and the seqspark version.
 * Equal fingerprints mean the published output can be reused; {@link #changes} says which part differs.
 *
 * <p>How a rerun happens (warm start, incremental ingest, {@code warmStartEpochs}) is deliberately not part of it: those
 * switches decide how to rebuild an output that is out of date, not whether it is.
 *
 * @param hash lowercase hex SHA-256 of the canonical JSON of {@code components}
 * @param components {@code job}, {@code config}, {@code inputs} (path to "size sha256"), {@code upstream} (stage to
 *     fingerprint), {@code seqspark}
 * @param inputDetails per input file: size, modified (ms) and sha256, recorded to skip rehashing unchanged files
 */
public record Fingerprint(String hash, Map<String, Object> components, Map<String, Map<String, Object>> inputDetails) {

  /** Fingerprints {@code s}; {@code upstream} maps each stage it reads to its fingerprint. */
  public static Fingerprint of(StageSpec s, Map<String, String> upstream, Map<String, Object> hashCache, String version)
      throws IOException {
    Map<String, Object> config = new TreeMap<>();
    List<Path> files = new ArrayList<>();
    if (s.job().hasSettings()) {
      Settings settings = s.settings(StageSpec::placeholder);
      config.putAll(settings.flatten());
      Schema schema = Settings.schema();
      for (Map.Entry<String, Object> e : settings.flatten().entrySet()) {
        Schema.Key k = schema.key(e.getKey());
        if (k != null && k.rule().kind() == Rule.Kind.PATH && e.getValue() instanceof String v && !v.isEmpty()
            && !v.startsWith("stage:") && !ContentHashes.isUri(v) && Files.exists(Path.of(v))) {
          files.addAll(ContentHashes.expand(v));
        }
      }
    }
    if (!s.inputs().isEmpty()) {
      List<String> in = new ArrayList<>();
      for (String i : s.inputs()) {
        String p = StageSpec.substitute(i, StageSpec::placeholder);
        in.add(p);
        if (!p.contains("stage:") && !ContentHashes.isUri(p)) {
          files.addAll(ContentHashes.expand(p));
        }
      }
      config.put("stage.input", in);
    }
    if (s.job().kind() == StageJob.Kind.EVAL) {
      config.put("stage.model", StageSpec.substitute(s.model(), StageSpec::placeholder));
      String data = StageSpec.substitute(s.data(), StageSpec::placeholder);
      config.put("stage.data", data);
      if (!data.isEmpty() && !data.contains("stage:") && Files.exists(Path.of(data))) {
        files.addAll(ContentHashes.expand(data));
      }
    }
    Set<Path> unique = new LinkedHashSet<>(files);
    Map<String, Map<String, Object>> details = ContentHashes.hash(new ArrayList<>(unique), hashCache);
    Map<String, Object> inputs = new TreeMap<>();
    details.forEach((p, d) -> inputs.put(p, d.get("size") + " " + d.get("sha256")));
    Map<String, Object> c = new TreeMap<>();
    c.put("job", s.job().command());
    c.put("config", config);
    c.put("inputs", inputs);
    c.put("upstream", new TreeMap<>(upstream));
    c.put("seqspark", version);
    return new Fingerprint(sha256(Json.write(c)), c, details);
  }

  static String sha256(String text) {
    try {
      return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(text.getBytes(StandardCharsets.UTF_8)));
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("this JVM has no SHA-256", e);
    }
  }

  /** The first 12 hex digits, for tables and logs. */
  public String shortHash() {
    return hash.substring(0, 12);
  }

  /**
   * Why this fingerprint differs from {@code before} (the components a published version recorded), one phrase per
   * difference: {@code config key train.epochs 2 -> 3}, {@code input file /d/x.txt added}, {@code upstream vectors
   * changed}. Long lists end with a count of the rest.
   */
  public List<String> changes(Map<String, Object> before) {
    List<String> out = new ArrayList<>();
    if (!Objects.equals(before.get("job"), components.get("job"))) {
      out.add("job " + before.get("job") + " -> " + components.get("job"));
    }
    diff("config key ", map(before.get("config")), map(components.get("config")), out, true);
    Map<String, Object> inOld = map(before.get("inputs"));
    Map<String, Object> inNew = map(components.get("inputs"));
    for (String f : inNew.keySet()) {
      if (!inOld.containsKey(f)) {
        out.add("input file " + f + " added");
      } else if (!Objects.equals(inOld.get(f), inNew.get(f))) {
        out.add("input file " + f + " changed");
      }
    }
    for (String f : inOld.keySet()) {
      if (!inNew.containsKey(f)) {
        out.add("input file " + f + " removed");
      }
    }
    Map<String, Object> upOld = map(before.get("upstream"));
    Map<String, Object> upNew = map(components.get("upstream"));
    for (String u : upNew.keySet()) {
      if (!Objects.equals(upOld.get(u), upNew.get(u))) {
        out.add("upstream " + u + " changed");
      }
    }
    if (!Objects.equals(before.get("seqspark"), components.get("seqspark"))) {
      out.add("seqspark version " + before.get("seqspark") + " -> " + components.get("seqspark"));
    }
    if (out.size() > 8) {
      int rest = out.size() - 8;
      out = new ArrayList<>(out.subList(0, 8));
      out.add("and " + rest + " more");
    }
    return out;
  }

  /** Whether, against {@code before}, only input files were added (same config, upstream and version). */
  public boolean onlyInputsAdded(Map<String, Object> before) {
    Map<String, Object> inOld = map(before.get("inputs"));
    Map<String, Object> inNew = map(components.get("inputs"));
    if (!Objects.equals(before.get("job"), components.get("job"))
        || !Objects.equals(map(before.get("config")), map(components.get("config")))
        || !Objects.equals(map(before.get("upstream")), map(components.get("upstream")))
        || !Objects.equals(before.get("seqspark"), components.get("seqspark")) || inNew.size() <= inOld.size()) {
      return false;
    }
    for (Map.Entry<String, Object> e : inOld.entrySet()) {
      if (!Objects.equals(inNew.get(e.getKey()), e.getValue())) {
        return false;
      }
    }
    return true;
  }

  /** The input files present now and not in {@code before}. */
  public List<String> addedInputs(Map<String, Object> before) {
    Map<String, Object> inOld = map(before.get("inputs"));
    List<String> out = new ArrayList<>();
    for (String f : map(components.get("inputs")).keySet()) {
      if (!inOld.containsKey(f)) {
        out.add(f);
      }
    }
    return out;
  }

  private static void diff(String prefix, Map<String, Object> a, Map<String, Object> b, List<String> out,
                           boolean values) {
    Set<String> keys = new java.util.TreeSet<>(a.keySet());
    keys.addAll(b.keySet());
    for (String k : keys) {
      Object x = a.get(k);
      Object y = b.get(k);
      if (!Objects.equals(normal(x), normal(y))) {
        out.add(prefix + k + " " + show(x) + " -> " + show(y));
      }
    }
  }

  /** JSON read back gives Integer where the config gave Long (and so on): compare numbers by value. */
  private static Object normal(Object o) {
    if (o instanceof Number n) {
      double d = n.doubleValue();
      return d == Math.rint(d) ? (Object) (long) d : (Object) d;
    }
    return o;
  }

  private static String show(Object o) {
    if (o == null) {
      return "(unset)";
    }
    String s = o instanceof String str ? "\"" + str + "\"" : String.valueOf(o);
    return s.length() > 60 ? s.substring(0, 57) + "..." : s;
  }

  @SuppressWarnings("unchecked")
  static Map<String, Object> map(Object o) {
    if (o instanceof Map<?, ?> m) {
      Map<String, Object> t = new TreeMap<>();
      ((Map<String, Object>) m).forEach((k, v) -> t.put(k, normal(v)));
      return t;
    }
    return Map.of();
  }

  @Override
  public String toString() {
    return String.format(Locale.ROOT, "Fingerprint[%s]", shortHash());
  }
}
