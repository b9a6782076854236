package io.seqspark.core.config;

import com.typesafe.config.Config;
import com.typesafe.config.ConfigFactory;
import com.typesafe.config.ConfigParseOptions;
import com.typesafe.config.ConfigRenderOptions;
import com.typesafe.config.ConfigValue;
import com.typesafe.config.ConfigValueFactory;
import com.typesafe.config.ConfigValueType;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;

/**
 * The resolved, validated configuration of one run: immutable, and complete (every key of {@code reference.conf}).
 *
 * <p>Layers, later ones winning: {@code reference.conf} → each conf file in order (a path, or the name of a bundled
 * preset such as {@code lm-ptb}) → each {@code --set key=value}. All validation happens in the factories, before any
 * work: every problem (unknown keys with a suggestion, wrong types, out-of-range values, unknown choices) is
 * collected and thrown as one {@link ConfigException}. Getters therefore never fail on a documented key.
 */
public final class Settings {

  static final String SET_ORIGIN = "--set";

  private static final ConfigRenderOptions HOCON =
      ConfigRenderOptions.defaults().setOriginComments(false).setComments(false).setJson(false).setFormatted(true);

  /** Loaded once: the reference config and the schema read from its comments. */
  private static final class Reference {
    static final Config CONFIG;
    static final Schema SCHEMA;

    static {
      ClassLoader loader = Presets.loader();
      if (loader.getResource(Presets.REFERENCE) == null) {
        throw new IllegalStateException(Presets.REFERENCE + " is not on the classpath; seqspark-core's jar carries"
            + " it (core/pom.xml copies conf/ there). In an IDE, run 'mvn -pl core process-resources' first.");
      }
      CONFIG = ConfigFactory.parseResources(loader, Presets.REFERENCE,
          ConfigParseOptions.defaults().setAllowMissing(false));
      SCHEMA = Schema.of(CONFIG);
    }
  }

  private final Config config;

  private Settings(Config resolvedAndValid) {
    this.config = resolvedAndValid;
  }

  /**
   * Loads reference → {@code confFiles} in order → {@code setOverrides} ({@code key=value}, the value parsed as a
   * HOCON value; for string, path and choice keys the text is taken literally unless quoted).
   *
   * @throws ConfigException listing every problem found
   */
  public static Settings load(List<Path> confFiles, List<String> setOverrides) {
    List<String> problems = new ArrayList<>();
    Config merged = Reference.CONFIG;
    for (Path file : confFiles) {
      Config layer = readConf(file, problems);
      if (layer != null) {
        merged = layer.withFallback(merged);
      }
    }
    for (String set : setOverrides) {
      Config layer = parseSet(set, problems);
      if (layer != null) {
        merged = layer.withFallback(merged);
      }
    }
    return validated(merged, problems);
  }

  /** The defaults of {@code reference.conf}. */
  public static Settings defaults() {
    return load(List.of(), List.of());
  }

  /** Parses HOCON text (a run's {@code config.conf}) over the reference defaults and validates it like {@link #load}. */
  public static Settings parse(String hoconText) {
    return parse(hoconText, "config text");
  }

  /** As {@link #parse(String)}, naming the text {@code originName} (e.g. a file name) in error messages. */
  public static Settings parse(String hoconText, String originName) {
    List<String> problems = new ArrayList<>();
    Config merged = Reference.CONFIG;
    try {
      merged = ConfigFactory.parseString(hoconText, ConfigParseOptions.defaults().setOriginDescription(originName))
          .withFallback(merged);
    } catch (com.typesafe.config.ConfigException e) {
      problems.add(originName + ": cannot parse: " + e.getMessage());
    }
    return validated(merged, problems);
  }

  /** The documented keys, their defaults, docs and rules (for help output). */
  public static Schema schema() {
    return Reference.SCHEMA;
  }

  /** Names of the presets bundled in the jar (usable as conf files by name), e.g. {@code [lm-demo, lm-ptb]}. */
  public static List<String> presets() {
    return Presets.names();
  }

  /**
   * A copy with {@code --set key=value} overrides applied on top, parsed and validated exactly as {@link #load} parses
   * them (e.g. {@code lm generate --set eval.temperature=0.7} over a trained model's settings).
   *
   * @throws ConfigException listing every problem found
   */
  public Settings withSets(List<String> setOverrides) {
    List<String> problems = new ArrayList<>();
    Config merged = config;
    for (String set : setOverrides) {
      Config layer = parseSet(set, problems);
      if (layer != null) {
        merged = layer.withFallback(merged);
      }
    }
    return validated(merged, problems);
  }

  /**
   * A copy with the HOCON (or JSON) object {@code hoconText} layered on top, as a conf file would be: what a pipeline
   * stage's {@code set} block is. {@code originName} names the text in error messages.
   *
   * @throws ConfigException listing every problem found
   */
  public Settings withOverrides(String hoconText, String originName) {
    List<String> problems = new ArrayList<>();
    Config merged = config;
    try {
      merged = ConfigFactory.parseString(hoconText, ConfigParseOptions.defaults().setOriginDescription(originName))
          .withFallback(merged);
    } catch (com.typesafe.config.ConfigException e) {
      problems.add(originName + ": cannot parse: " + e.getMessage());
    }
    return validated(merged, problems);
  }

  /**
   * A copy with {@code key} set to {@code value} (a String, Number, Boolean, Path, enum constant, List or Map).
   *
   * @throws ConfigException if the result is invalid
   */
  public Settings with(String key, Object value) {
    Object v = value instanceof Path ? value.toString()
        : value instanceof Enum<?> e ? e.name().toLowerCase(Locale.ROOT) : value;
    String origin = "Settings.with(" + key + ")";
    try {
      return validated(config.withValue(key, ConfigValueFactory.fromAnyRef(v, origin)), new ArrayList<>());
    } catch (com.typesafe.config.ConfigException e) {
      throw new ConfigException(List.of(origin + ": " + e.getMessage()), e);
    }
  }

  private static Settings validated(Config merged, List<String> problems) {
    Config resolved = null;
    try {
      resolved = merged.resolve();
    } catch (com.typesafe.config.ConfigException e) {
      problems.add("cannot resolve substitutions: " + e.getMessage());
    }
    if (resolved != null) {
      problems.addAll(Reference.SCHEMA.validate(resolved));
    }
    if (!problems.isEmpty()) {
      throw new ConfigException(problems);
    }
    return new Settings(resolved);
  }

  private static Config readConf(Path file, List<String> problems) {
    ConfigParseOptions options = ConfigParseOptions.defaults().setAllowMissing(false);
    try {
      if (Files.isRegularFile(file)) {
        return ConfigFactory.parseFile(file.toFile(), options);
      }
      if (Files.exists(file)) {
        problems.add("conf file " + file + ": is not a regular file. Fix: name a .conf file or a bundled preset.");
        return null;
      }
      String resource = Presets.resourceFor(file.toString());
      if (resource != null) {
        return ConfigFactory.parseResources(Presets.loader(), resource, options);
      }
      problems.add("conf file " + file + ": no such file (relative paths start at "
          + Path.of("").toAbsolutePath() + ") and no bundled preset of that name. Fix: correct the path, or name"
          + " one of the bundled presets " + presets() + " without a directory, e.g. lm-ptb.");
    } catch (com.typesafe.config.ConfigException e) {
      problems.add("conf file " + file + ": cannot parse: " + e.getMessage());
    }
    return null;
  }

  private static Config parseSet(String set, List<String> problems) {
    int eq = set.indexOf('=');
    if (eq <= 0) {
      problems.add("--set " + set + ": expected key=value. Fix: write e.g. --set train.learningRate=0.5.");
      return null;
    }
    String key = set.substring(0, eq).trim();
    String raw = set.substring(eq + 1).trim();
    try {
      return ConfigFactory.empty().withValue(key, parseSetValue(key, raw));
    } catch (com.typesafe.config.ConfigException e) {
      problems.add("--set " + set + ": '" + key + "' is not a valid key path (" + e.getMessage() + "). Fix: write"
          + " a dotted key such as train.learningRate.");
      return null;
    }
  }

  /**
   * Numbers, booleans, lists and substitutions parse as HOCON; text is kept literally, so {@code /a/b//c.txt},
   * {@code hdfs://nn/x} and {@code 007} survive (unquoted HOCON would read {@code //} as a comment).
   */
  private static ConfigValue parseSetValue(String key, String raw) {
    Schema.Key known = Reference.SCHEMA.key(key);
    boolean textual = known != null && (known.rule().kind() == Rule.Kind.STRING
        || known.rule().kind() == Rule.Kind.PATH || known.rule().kind() == Rule.Kind.ONE_OF);
    boolean hoconSyntax = raw.startsWith("\"") || raw.startsWith("[") || raw.startsWith("{") || raw.contains("${");
    if (textual && !hoconSyntax) {
      return ConfigValueFactory.fromAnyRef(raw, SET_ORIGIN);
    }
    try {
      ConfigValue v = ConfigFactory.parseString("v = " + raw,
          ConfigParseOptions.defaults().setOriginDescription(SET_ORIGIN)).root().get("v");
      if (v == null || (!hoconSyntax && v.valueType() == ConfigValueType.STRING)) {
        return ConfigValueFactory.fromAnyRef(raw, SET_ORIGIN);
      }
      return v;
    } catch (com.typesafe.config.ConfigException e) {
      return ConfigValueFactory.fromAnyRef(raw, SET_ORIGIN);
    }
  }

  public int getInt(String key) {
    long v = getLong(key);
    if (v < Integer.MIN_VALUE || v > Integer.MAX_VALUE) {
      throw new ConfigException(List.of(key + " = " + v + ": too large for this use (at most "
          + Integer.MAX_VALUE + "). Fix: set " + key + " to a smaller whole number."));
    }
    return (int) v;
  }

  public long getLong(String key) {
    known(key);
    return config.getLong(key);
  }

  public double getDouble(String key) {
    known(key);
    return config.getDouble(key);
  }

  public boolean getBoolean(String key) {
    known(key);
    return config.getBoolean(key);
  }

  public String getString(String key) {
    known(key);
    return config.getString(key);
  }

  /**
   * The path under {@code key}, or null if it is empty. For URIs ({@code hdfs://...}) use {@link #getString}:
   * {@link Path} would collapse the double slash.
   */
  public Path getPath(String key) {
    String s = getString(key);
    return s.isEmpty() ? null : Path.of(s);
  }

  public List<String> getStringList(String key) {
    known(key);
    return List.copyOf(config.getStringList(key));
  }

  /** The enum constant whose name matches the value case-insensitively ({@code lstm} → {@code Cell.LSTM}). */
  public <E extends Enum<E>> E getEnum(String key, Class<E> type) {
    String s = getString(key).trim();
    for (E e : type.getEnumConstants()) {
      if (e.name().equalsIgnoreCase(s)) {
        return e;
      }
    }
    throw new IllegalArgumentException(key + " = \"" + s + "\": no constant of " + type.getSimpleName()
        + " matches (constants: " + Arrays.toString(type.getEnumConstants()) + "); the Rule in reference.conf and"
        + " the enum disagree");
  }

  private void known(String key) {
    if (Reference.SCHEMA.key(key) == null) {
      String hint = Reference.SCHEMA.suggestKey(key);
      throw new IllegalArgumentException("'" + key + "' is not a documented config key (see reference.conf)"
          + (hint == null ? "" : "; did you mean " + hint + "?"));
    }
  }

  /** The fully resolved config as HOCON text without comments: what a run writes to {@code config.conf}. */
  public String render() {
    return config.root().render(HOCON);
  }

  /** Every key (dotted path, sorted) to its plain Java value: Integer/Long/Double, Boolean, String or List. */
  public Map<String, Object> flatten() {
    Map<String, Object> flat = new TreeMap<>();
    Schema.walk(config.root(), new ArrayList<>(), (path, value) -> flat.put(path, value.unwrapped()));
    return flat;
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof Settings s && config.root().equals(s.config.root());
  }

  @Override
  public int hashCode() {
    return config.root().hashCode();
  }

  @Override
  public String toString() {
    return render();
  }
}
