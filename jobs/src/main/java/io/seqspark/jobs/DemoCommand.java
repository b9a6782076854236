package io.seqspark.jobs;

import io.seqspark.core.config.Settings;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Spec;

/**
 * {@code seqspark demo}: a small LSTM language model on the bundled Brown sample (preset lm-demo), trained the way
 * jobs run on a cluster: through Spark (local[*] unless --master says otherwise) and parameter averaging.
 */
@Command(name = "demo", mixinStandardHelpOptions = true,
    description = "Train a small LSTM language model on the bundled sample (data/sample) through Spark local mode (parameter"
        + " averaging over 2 partitions), print validation perplexity and generated sentences.")
public final class DemoCommand implements Callable<Integer> {
  @Mixin
  RunOptions run;
  @Spec
  picocli.CommandLine.Model.CommandSpec spec;

  @Override
  public Integer call() throws Exception {
    Settings s = run.settings(List.of(Path.of("lm-demo")));
    // the preset's sample paths are relative to the project root; resolve them there when run from elsewhere
    String home = System.getProperty("seqspark.home");
    for (String key : new String[] {"data.train", "data.valid"}) {
      Path p = s.getPath(key);
      if (p != null && !p.isAbsolute() && !java.nio.file.Files.exists(p) && home != null) {
        s = s.with(key, Path.of(home).resolve(p).toString());
      }
    }
    if (run.master() == null) {
      run.master = "local[*]"; // the demo shows the main path: Spark local mode, 2 partitions (spark.workers in lm-demo)
    }
    System.err.println("demo: a 1-layer LSTM language model on data/sample (a Brown corpus excerpt), on Spark " + run.master());
    Path dir = LmCommand.train(run, s, "demo", spec);
    System.out.println("report:             " + dir.resolve("report.html"));
    return 0;
  }
}
