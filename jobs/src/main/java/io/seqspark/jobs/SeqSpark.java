package io.seqspark.jobs;

import java.io.UncheckedIOException;
import picocli.CommandLine;
import picocli.CommandLine.Command;

/** The {@code seqspark} command line: one entry point for local runs and {@code spark-submit}. */
@Command(name = "seqspark", mixinStandardHelpOptions = true, versionProvider = SeqSpark.Version.class,
    description = "Train sequence models (LSTM language models, ...) locally or data-parallel on Spark.",
    subcommands = {DemoCommand.class, LmCommand.class, ClassifyCommand.class, TagCommand.class, TranslateCommand.class, ElmoCommand.class, IngestCommand.class, ForecastCommand.class, W2vCommand.class, PipelineCommand.class, CommandLine.HelpCommand.class})
public final class SeqSpark {

  public static void main(String[] args) {
    System.exit(run(args));
  }

  /** Runs the CLI and returns the exit code: 0 ok, 2 bad input (one clear message), 1 internal error. */
  public static int run(String... args) {
    CommandLine cli = new CommandLine(new SeqSpark());
    try {
      // `bench` lives in the bench module, outside the shaded jar: bin/seqspark puts it on the class path for `bench`
      cli.addSubcommand(Class.forName("io.seqspark.jobs.bench.BenchCommand").getDeclaredConstructor().newInstance());
    } catch (ReflectiveOperationException absent) {
      // not on the class path: no bench command
    }
    cli.setExecutionExceptionHandler((ex, cmd, parsed) -> {
      Throwable t = ex;
      while ((t instanceof UncheckedIOException || t instanceof java.util.concurrent.CompletionException) && t.getCause() != null
          && !(t instanceof UncheckedIOException && t.getMessage() != null && !t.getMessage().isEmpty())) {
        t = t.getCause();
      }
      if (t instanceof IllegalArgumentException || t instanceof UncheckedIOException || t instanceof java.io.IOException) {
        cmd.getErr().println("seqspark: error: " + t.getMessage());
        return 2;
      }
      t.printStackTrace(cmd.getErr());
      return 1;
    });
    return cli.execute(args);
  }

  /** The version from the jar manifest, or "dev" when run from classes. */
  static final class Version implements CommandLine.IVersionProvider {
    @Override
    public String[] getVersion() {
      String v = SeqSpark.class.getPackage().getImplementationVersion();
      return new String[] {"seqspark " + (v == null ? "dev" : v) + " (Java " + System.getProperty("java.version") + ")"};
    }
  }
}
