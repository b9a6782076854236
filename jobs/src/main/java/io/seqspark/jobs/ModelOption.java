package io.seqspark.jobs;

import io.seqspark.core.task.LanguageModelFamily;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import picocli.CommandLine.Option;

/** {@code --model RUN_DIR|ZIP}: a finished run directory or its {@code model.zip}. */
public final class ModelOption {
  @Option(names = "--model", required = true, paramLabel = "RUN_DIR|ZIP", description = "A finished run directory or its model.zip.")
  Path model;

  io.seqspark.core.task.Family.Loaded<io.seqspark.core.model.LanguageModel> load() throws IOException {
    return LanguageModelFamily.load(archive());
  }

  /** The model.zip named by --model. */
  Path archive() {
    Path zip = Files.isDirectory(model) ? model.resolve("model.zip") : model;
    if (!Files.isRegularFile(zip)) {
      throw new IllegalArgumentException("--model " + model + ": no model.zip there; pass a finished run directory or its model.zip");
    }
    return zip;
  }
}
