package io.seqspark.core.config;

import com.typesafe.config.ConfigList;
import com.typesafe.config.ConfigValue;
import com.typesafe.config.ConfigValueType;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The machine-readable rule of one config key, parsed from the {@code Rule:} comment in {@code reference.conf}.
 *
 * <p>The grammar is deliberately tiny so that the comment a person reads is exactly what is checked:
 * {@code int >= a}, {@code int > a}, {@code int in [a, b]}, {@code number >= a}, {@code number > a},
 * {@code number in [a, b]} (any of {@code [ ] ( )} as brackets), {@code one of x, y, z}, {@code bool},
 * {@code string}, {@code path} (a string, empty allowed) and {@code list of string}. Values are accepted the way
 * Typesafe Config's typed getters accept them (a quoted {@code "5"} is an int, {@code yes} is a boolean), so a value
 * that passes the rule can always be read by {@link Settings}' getters.
 */
public final class Rule {

  /** What kind of value a key holds. */
  public enum Kind { INT, NUMBER, ONE_OF, BOOL, STRING, PATH, STRING_LIST }

  private static final Pattern BOUND = Pattern.compile("(int|number)\\s*(>=|>)\\s*(\\S+)");
  private static final Pattern RANGE =
      Pattern.compile("(int|number)\\s+in\\s*([\\[(])\\s*([^,\\s]+)\\s*,\\s*([^\\])\\s]+)\\s*([\\])])");

  private final String text;
  private final Kind kind;
  private final double lower;
  private final boolean lowerInclusive;
  private final double upper;
  private final boolean upperInclusive;
  private final List<String> choices;

  private Rule(String text, Kind kind, double lower, boolean lowerInclusive, double upper, boolean upperInclusive,
      List<String> choices) {
    this.text = text;
    this.kind = kind;
    this.lower = lower;
    this.lowerInclusive = lowerInclusive;
    this.upper = upper;
    this.upperInclusive = upperInclusive;
    this.choices = List.copyOf(choices);
  }

  /**
   * Parses a rule as written after {@code Rule:}.
   *
   * @throws IllegalArgumentException if the text is not in the grammar
   */
  public static Rule parse(String ruleText) {
    String t = ruleText.trim().replaceAll("\\s+", " ");
    double inf = Double.POSITIVE_INFINITY;
    switch (t) {
      case "bool": return new Rule(t, Kind.BOOL, -inf, true, inf, true, List.of());
      case "string": return new Rule(t, Kind.STRING, -inf, true, inf, true, List.of());
      case "path": return new Rule(t, Kind.PATH, -inf, true, inf, true, List.of());
      case "list of string": return new Rule(t, Kind.STRING_LIST, -inf, true, inf, true, List.of());
      default: break;
    }
    if (t.startsWith("one of ")) {
      List<String> choices = new ArrayList<>();
      for (String c : t.substring("one of ".length()).split(",")) {
        if (!c.isBlank()) {
          choices.add(c.trim());
        }
      }
      if (choices.isEmpty()) {
        throw new IllegalArgumentException("rule '" + ruleText + "' names no choices");
      }
      return new Rule(t, Kind.ONE_OF, -inf, true, inf, true, choices);
    }
    Matcher m = BOUND.matcher(t);
    if (m.matches()) {
      Kind kind = m.group(1).equals("int") ? Kind.INT : Kind.NUMBER;
      return new Rule(t, kind, number(m.group(3), ruleText), m.group(2).equals(">="), inf, true, List.of());
    }
    m = RANGE.matcher(t);
    if (m.matches()) {
      Kind kind = m.group(1).equals("int") ? Kind.INT : Kind.NUMBER;
      double lo = number(m.group(3), ruleText);
      double hi = number(m.group(4), ruleText);
      if (lo > hi) {
        throw new IllegalArgumentException("rule '" + ruleText + "' has an empty range");
      }
      return new Rule(t, kind, lo, m.group(2).equals("["), hi, m.group(5).equals("]"), List.of());
    }
    throw new IllegalArgumentException("rule '" + ruleText + "' is not one of: int >= a, int > a, int in [a, b],"
        + " number >= a, number > a, number in [a, b] (or with open brackets), one of x, y, z, bool, string, path,"
        + " list of string");
  }

  private static double number(String s, String ruleText) {
    try {
      return Double.parseDouble(s);
    } catch (NumberFormatException e) {
      throw new IllegalArgumentException("rule '" + ruleText + "': '" + s + "' is not a number", e);
    }
  }

  /** The rule as written (whitespace normalised), e.g. {@code int >= 1}. */
  public String text() {
    return text;
  }

  public Kind kind() {
    return kind;
  }

  /** The allowed values of a {@code one of} rule, as written; empty for other kinds. */
  public List<String> choices() {
    return choices;
  }

  /**
   * Checks one value.
   *
   * @return null if the value satisfies the rule, else why not, e.g. {@code must be int >= 1 (got a string)}
   */
  String check(ConfigValue value) {
    ConfigValueType type = value.valueType();
    String must = "must be " + text;
    switch (kind) {
      case INT:
      case NUMBER: {
        Double d = asNumber(value);
        if (d == null) {
          return must + " (got " + describe(value) + ")";
        }
        if (kind == Kind.INT && (d != Math.rint(d) || Math.abs(d) > 9.007199254740992E15)) {
          return must + " (got a fractional number)";
        }
        boolean ok = (lowerInclusive ? d >= lower : d > lower) && (upperInclusive ? d <= upper : d < upper);
        return ok ? null : must;
      }
      case BOOL: {
        if (type == ConfigValueType.BOOLEAN) {
          return null;
        }
        if (type == ConfigValueType.STRING) {
          String s = ((String) value.unwrapped()).trim().toLowerCase(Locale.ROOT);
          if (List.of("true", "false", "yes", "no", "on", "off").contains(s)) {
            return null;
          }
        }
        return must + " (got " + describe(value) + ")";
      }
      case STRING:
      case PATH:
        return isScalar(type) ? null : must + " (got " + describe(value) + ")";
      case ONE_OF: {
        if (!isScalar(type)) {
          return must + " (got " + describe(value) + ")";
        }
        return choice(String.valueOf(value.unwrapped())) != null ? null : must;
      }
      case STRING_LIST: {
        if (type != ConfigValueType.LIST) {
          return must + " (got " + describe(value) + ")";
        }
        for (ConfigValue element : (ConfigList) value) {
          if (!isScalar(element.valueType())) {
            return must + " (got a list holding " + describe(element) + ")";
          }
        }
        return null;
      }
      default:
        throw new AssertionError(kind);
    }
  }

  /** The choice a value names, matched case-insensitively; null if none. */
  String choice(String value) {
    for (String c : choices) {
      if (c.equalsIgnoreCase(value.trim())) {
        return c;
      }
    }
    return null;
  }

  /** The "Fix:" sentence for a key with this rule, e.g. {@code set a.b to a whole number >= 1 (default 200)}. */
  String fix(String key, String defaultRendered) {
    return "set " + key + " to " + wanted() + " (default " + defaultRendered + ")";
  }

  private String wanted() {
    String what = kind == Kind.INT ? "a whole number" : "a number";
    switch (kind) {
      case INT:
      case NUMBER:
        if (upper == Double.POSITIVE_INFINITY) {
          return what + (lowerInclusive ? " >= " : " > ") + fmt(lower);
        }
        if (kind == Kind.INT && lowerInclusive && upperInclusive) {
          return what + " from " + fmt(lower) + " to " + fmt(upper);
        }
        return what + " in " + (lowerInclusive ? "[" : "(") + fmt(lower) + ", " + fmt(upper)
            + (upperInclusive ? "]" : ")");
      case BOOL: return "true or false";
      case STRING: return "a string (quote it if it holds characters such as : / $ { } or #)";
      case PATH: return "a file path in quotes (empty = not given)";
      case ONE_OF: return "one of " + String.join(", ", choices);
      case STRING_LIST: return "a list of strings, like [\"a\", \"b\"]";
      default: throw new AssertionError(kind);
    }
  }

  private static String fmt(double d) {
    return d == Math.rint(d) && Math.abs(d) < 1e15 ? Long.toString((long) d) : Double.toString(d);
  }

  private static Double asNumber(ConfigValue value) {
    if (value.valueType() == ConfigValueType.NUMBER) {
      return ((Number) value.unwrapped()).doubleValue();
    }
    if (value.valueType() == ConfigValueType.STRING) {
      try {
        double d = Double.parseDouble(((String) value.unwrapped()).trim());
        return Double.isFinite(d) ? d : null;
      } catch (NumberFormatException e) {
        return null;
      }
    }
    return null;
  }

  private static boolean isScalar(ConfigValueType type) {
    return type == ConfigValueType.STRING || type == ConfigValueType.NUMBER || type == ConfigValueType.BOOLEAN;
  }

  static String describe(ConfigValue value) {
    switch (value.valueType()) {
      case STRING: return "a string";
      case NUMBER: return "a number";
      case BOOLEAN: return "a boolean";
      case LIST: return "a list";
      case OBJECT: return "an object";
      case NULL: return "null";
      default: return value.valueType().name().toLowerCase(Locale.ROOT);
    }
  }

  @Override
  public String toString() {
    return text;
  }
}
