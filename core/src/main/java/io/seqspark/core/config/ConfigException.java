package io.seqspark.core.config;

import java.util.List;

/**
 * Every problem found in a configuration, reported at once before any work starts.
 *
 * <p>Each problem names the key as spelled, its value, where it came from (file:line or --set), the rule it breaks
 * and how to fix it, so one failed launch is enough to correct all of them.
 */
public class ConfigException extends IllegalArgumentException {

  private static final long serialVersionUID = 1L;

  private final List<String> problems;

  public ConfigException(List<String> problems) {
    super(message(problems));
    this.problems = List.copyOf(problems);
  }

  public ConfigException(List<String> problems, Throwable cause) {
    super(message(problems), cause);
    this.problems = List.copyOf(problems);
  }

  /** One line per problem, in the order found. */
  public List<String> problems() {
    return problems;
  }

  private static String message(List<String> problems) {
    if (problems.size() == 1) {
      return "Invalid configuration: " + problems.get(0);
    }
    return "Invalid configuration (" + problems.size() + " problems):\n  " + String.join("\n  ", problems);
  }
}
