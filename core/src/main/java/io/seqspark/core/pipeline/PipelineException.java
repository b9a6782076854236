package io.seqspark.core.pipeline;

import java.util.List;

/**
 * Every problem found in a pipeline file, reported at once before any stage runs: each names the file, the stage and
 * the key, the value, the rule and the fix. The CLI exits 2 on it.
 */
public final class PipelineException extends IllegalArgumentException {
  private static final long serialVersionUID = 1L;

  private final List<String> problems;

  public PipelineException(String file, List<String> problems) {
    super(message(file, problems));
    this.problems = List.copyOf(problems);
  }

  public List<String> problems() {
    return problems;
  }

  private static String message(String file, List<String> problems) {
    if (problems.size() == 1) {
      return "pipeline " + file + ": " + problems.get(0);
    }
    return "pipeline " + file + " (" + problems.size() + " problems):\n  " + String.join("\n  ", problems);
  }
}
