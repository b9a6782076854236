package io.seqspark.jobs.bench;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.seqspark.jobs.SeqSpark;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.util.List;
import org.junit.jupiter.api.Test;
import picocli.CommandLine;

class BenchCommandTest {

  @Test
  void seqspark_hasTheBenchCommand_whenThisModuleIsOnTheClassPath() {
    PrintStream out = System.out;
    ByteArrayOutputStream buffer = new ByteArrayOutputStream();
    int code;
    try {
      System.setOut(new PrintStream(buffer, true, StandardCharsets.UTF_8));
      code = SeqSpark.run("bench", "--help");
    } finally {
      System.setOut(out);
    }
    String help = buffer.toString(StandardCharsets.UTF_8);
    assertEquals(0, code, help);
    List<String> benches = List.of("lm-throughput", "ingest", "averaging", "classify", "forecast", "w2v", "translate",
        "scaling", "elmo");
    assertEquals(benches, List.copyOf(new CommandLine(new BenchCommand()).getSubcommands().keySet()));
    for (String b : benches) {
      assertTrue(help.contains("  " + b + " "), b + " missing from:\n" + help);
    }
  }
}
