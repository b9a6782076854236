package io.seqspark.core.config;

import com.typesafe.config.Config;
import com.typesafe.config.ConfigObject;
import com.typesafe.config.ConfigOrigin;
import com.typesafe.config.ConfigRenderOptions;
import com.typesafe.config.ConfigUtil;
import com.typesafe.config.ConfigValue;
import com.typesafe.config.ConfigValueType;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.function.BiConsumer;
import java.util.regex.Pattern;

/**
 * Every documented key with its default, doc and {@link Rule}, read from the comments of {@code reference.conf}.
 *
 * <p>Keeping the rules in the reference file (rather than in Java) makes that file the one source of truth: the
 * comment a user reads is the check that runs. A key without a parseable {@code Rule:} comment makes the schema
 * fail to load, which the test suite turns into a build error.
 */
public final class Schema {

  /** One documented key. {@code doc} is the comment without its {@code Rule:} part. */
  public record Key(String path, Rule rule, ConfigValue defaultValue, String doc) {

    /** The default as it would be written in a conf file, e.g. {@code 200}, {@code lstm}, {@code ""}. */
    public String defaultRendered() {
      Object raw = defaultValue.unwrapped();
      return raw instanceof String str && str.matches("[A-Za-z0-9_.-]+") ? str : render(defaultValue);
    }
  }

  private static final Pattern TRAILING_LINE = Pattern.compile(":\\s*\\d+$");

  private final Map<String, Key> keys;
  private final List<String> sections;

  private Schema(Map<String, Key> keys) {
    this.keys = Collections.unmodifiableMap(keys);
    List<String> s = new ArrayList<>();
    for (String k : keys.keySet()) {
      List<String> parts = ConfigUtil.splitPath(k);
      for (int i = 1; i < parts.size(); i++) {
        s.add(ConfigUtil.joinPath(parts.subList(0, i)));
      }
    }
    this.sections = List.copyOf(new java.util.TreeSet<>(s));
  }

  /**
   * Builds a schema from a parsed reference config whose leaves carry {@code Rule:} comments.
   *
   * @throws IllegalStateException listing every key without a parseable rule, or whose default breaks its rule
   */
  static Schema of(Config reference) {
    Map<String, Key> keys = new LinkedHashMap<>();
    List<String> problems = new ArrayList<>();
    walk(reference.root(), new ArrayList<>(), (path, value) -> {
      if (value.valueType() == ConfigValueType.NULL) {
        problems.add(path + " (" + where(value.origin()) + "): a default must not be null; use \"\" for none");
        return;
      }
      String rule = null;
      StringBuilder doc = new StringBuilder();
      for (String line : value.origin().comments()) {
        int at = line.indexOf("Rule:");
        String before = at < 0 ? line : line.substring(0, at);
        if (!before.isBlank()) {
          doc.append(doc.length() == 0 ? "" : " ").append(before.trim());
        }
        if (at >= 0) {
          if (rule != null) {
            problems.add(path + " (" + where(value.origin()) + "): more than one Rule: comment");
          }
          rule = line.substring(at + "Rule:".length()).trim();
          if (rule.endsWith(".")) {
            rule = rule.substring(0, rule.length() - 1);
          }
        }
      }
      if (rule == null) {
        problems.add(path + " (" + where(value.origin()) + "): no 'Rule:' comment above the key");
        return;
      }
      try {
        Rule parsed = Rule.parse(rule);
        String broken = parsed.check(value);
        if (broken != null) {
          problems.add(path + " = " + render(value) + " (" + where(value.origin()) + "): the default " + broken);
        }
        keys.put(path, new Key(path, parsed, value, doc.toString()));
      } catch (IllegalArgumentException e) {
        problems.add(path + " (" + where(value.origin()) + "): " + e.getMessage());
      }
    });
    if (!problems.isEmpty()) {
      throw new IllegalStateException("reference.conf is broken (every key needs a comment line 'Rule: <rule>'"
          + " and a default that satisfies it):\n  " + String.join("\n  ", problems));
    }
    return new Schema(keys);
  }

  /** All documented keys in file order. */
  public Collection<Key> keys() {
    return keys.values();
  }

  /** The documented key {@code path}, or null. */
  public Key key(String path) {
    return keys.get(path);
  }

  /**
   * Validates a resolved config against this schema.
   *
   * @return one message per problem, each naming the key, the value, its origin, the rule and the fix
   */
  List<String> validate(Config config) {
    List<String> problems = new ArrayList<>();
    Map<String, Boolean> seen = new LinkedHashMap<>();
    walkUntilKnown(config.root(), new ArrayList<>(), problems, seen);
    Collections.sort(problems); // config objects are hash maps: report in a stable order, by key
    for (Key k : keys.values()) {
      if (!seen.containsKey(k.path()) && !coveredBySeenPrefix(k.path(), seen)) {
        problems.add(k.path() + ": missing. Fix: " + k.rule().fix(k.path(), k.defaultRendered()) + ".");
      }
    }
    return problems;
  }

  private void walkUntilKnown(ConfigObject obj, List<String> prefix, List<String> problems, Map<String, Boolean> seen) {
    for (Map.Entry<String, ConfigValue> e : obj.entrySet()) {
      List<String> p = new ArrayList<>(prefix);
      p.add(e.getKey());
      String path = ConfigUtil.joinPath(p);
      ConfigValue value = e.getValue();
      Key key = keys.get(path);
      if (key != null) {
        seen.put(path, true);
        String broken = key.rule().check(value);
        if (broken != null) {
          problems.add(path + " = " + render(value) + " (from " + where(value.origin()) + "): " + broken
              + ". Fix: " + sentence(key.rule().fix(path, key.defaultRendered()) + suggestChoice(key, value)));
        }
      } else if (value.valueType() == ConfigValueType.OBJECT) {
        walkUntilKnown((ConfigObject) value, p, problems, seen);
      } else if (sections.contains(path)) {
        seen.put(path, true);
        problems.add(path + " = " + render(value) + " (from " + where(value.origin()) + "): must be a section"
            + " (an object holding keys such as " + firstKeysUnder(path) + "), got " + Rule.describe(value)
            + ". Fix: write " + path + " { ... } or set its keys one by one, e.g. " + firstKeysUnder(path) + ".");
      } else if (REPLACED.containsKey(path)) {
        problems.add(path + " (from " + where(value.origin()) + "): this key was replaced by " + REPLACED.get(path)
            + ", which every model family shares. Fix: set " + REPLACED.get(path) + " = " + render(value) + " instead.");
      } else {
        String hint = suggestKey(path);
        problems.add(path + " (from " + where(value.origin()) + "): unknown key. Fix: " + sentence("remove it or use"
            + " one of the documented keys (see reference.conf)" + (hint == null ? "" : "; did you mean " + hint + "?")));
      }
    }
  }

  /**
   * Family-specific keys that duplicated shared ones, and the shared key that replaced each (one name, one default,
   * one rule per idea; a family's own defaults live in its conf/family-*.conf layer).
   */
  static final Map<String, String> REPLACED = Map.ofEntries(
      Map.entry("forecast.hidden", "model.hiddenSize"), Map.entry("forecast.layers", "model.layers"),
      Map.entry("forecast.tcnKernel", "model.tcnKernel"), Map.entry("forecast.initScale", "model.initScale"),
      Map.entry("forecast.epochs", "train.epochs"), Map.entry("forecast.batchSize", "train.batchSize"),
      Map.entry("forecast.learningRate", "train.learningRate"), Map.entry("forecast.clipNorm", "train.clipNorm"),
      Map.entry("forecast.threads", "run.threads"), Map.entry("w2v.epochs", "train.epochs"),
      Map.entry("w2v.minCount", "data.minCount"), Map.entry("w2v.threads", "run.threads"));

  private static String sentence(String s) {
    return s.endsWith("?") ? s : s + ".";
  }

  private static boolean coveredBySeenPrefix(String path, Map<String, Boolean> seen) {
    for (String s : seen.keySet()) {
      if (path.startsWith(s + ".")) {
        return true;
      }
    }
    return false;
  }

  private String firstKeysUnder(String section) {
    List<String> under = new ArrayList<>();
    for (String k : keys.keySet()) {
      if (k.startsWith(section + ".") && under.size() < 2) {
        under.add(k);
      }
    }
    return String.join(", ", under);
  }

  private static String suggestChoice(Key key, ConfigValue value) {
    if (key.rule().kind() != Rule.Kind.ONE_OF || value.valueType() != ConfigValueType.STRING) {
      return "";
    }
    String best = Suggest.closest(String.valueOf(value.unwrapped()).toLowerCase(Locale.ROOT), key.rule().choices());
    return best == null ? "" : "; did you mean " + best + "?";
  }

  /** The documented key closest to an unknown one, or null if none is close. */
  String suggestKey(String unknown) {
    String best = Suggest.closest(unknown, keys.keySet());
    if (best != null) {
      return best;
    }
    // Right name in the wrong section (train.hiddenSize for model.hiddenSize).
    List<String> parts = ConfigUtil.splitPath(unknown);
    String leaf = parts.get(parts.size() - 1);
    for (String k : keys.keySet()) {
      List<String> kp = ConfigUtil.splitPath(k);
      if (kp.get(kp.size() - 1).equalsIgnoreCase(leaf)) {
        return k;
      }
    }
    return null;
  }

  /** Visits every leaf (non-object value, nulls included) with its quoted path. */
  static void walk(ConfigObject obj, List<String> prefix, BiConsumer<String, ConfigValue> visitor) {
    for (Map.Entry<String, ConfigValue> e : obj.entrySet()) {
      List<String> p = new ArrayList<>(prefix);
      p.add(e.getKey());
      if (e.getValue().valueType() == ConfigValueType.OBJECT) {
        walk((ConfigObject) e.getValue(), p, visitor);
      } else {
        visitor.accept(ConfigUtil.joinPath(p), e.getValue());
      }
    }
  }

  static String render(ConfigValue value) {
    return value.render(ConfigRenderOptions.concise());
  }

  /** Where a value came from: {@code conf/my.conf:4}, {@code seqspark-conf/lm-ptb.conf:12}, or {@code --set}. */
  static String where(ConfigOrigin origin) {
    if (origin.filename() != null) {
      return origin.filename() + (origin.lineNumber() >= 0 ? ":" + origin.lineNumber() : "");
    }
    if (origin.resource() != null) {
      return origin.resource() + (origin.lineNumber() >= 0 ? ":" + origin.lineNumber() : "");
    }
    String d = origin.description();
    if (d.startsWith(Settings.SET_ORIGIN)) {
      return Settings.SET_ORIGIN;
    }
    return origin.lineNumber() >= 0 ? TRAILING_LINE.matcher(d).replaceFirst("") + ":" + origin.lineNumber() : d;
  }
}
