package io.seqspark.jobs.bench;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The scaling bench's reading of a run: validation points in tokens, and the tokens to a target perplexity. */
class ScalingBenchTest {
  @TempDir
  Path dir;

  @Test
  void points_countTokensOverAllWorkers_andTheLastRecordOfAStepWins() throws IOException {
    // a resumed run logs some steps twice; the later record is the one that counts
    Files.writeString(dir.resolve("metrics.jsonl"), String.join("\n",
        "{\"step\":10,\"epoch\":1,\"train_loss\":5.0}",
        "{\"step\":10,\"epoch\":1,\"valid_loss\":5.5,\"valid_ppl\":250.0}",
        "{\"step\":20,\"epoch\":1,\"valid_loss\":5.2,\"valid_ppl\":181.0}",
        "{\"step\":20,\"epoch\":1,\"valid_loss\":5.2,\"valid_ppl\":180.0}") + "\n");
    List<ScalingBench.Point> ps = ScalingBench.points(dir, 4);
    // 4 workers x 400 tokens (20 streams x 20 steps) per optimizer step of one worker
    assertEquals(List.of(new ScalingBench.Point(16_000, 250.0), new ScalingBench.Point(32_000, 180.0)), ps);
  }

  @Test
  void tokensTo_interpolatesInLogPerplexity_andIsNullWhenNeverReached() {
    List<ScalingBench.Point> ps = List.of(new ScalingBench.Point(100, 300), new ScalingBench.Point(200, 200),
        new ScalingBench.Point(300, 100));
    // 150 lies between 200 (at 200 tokens) and 100 (at 300): ln(200/150) / ln(200/100) of the way = 0.415
    long expected = Math.round(200 + 100 * Math.log(200.0 / 150) / Math.log(2));
    assertEquals(expected, ScalingBench.tokensTo(ps, 150));
    assertEquals(200L, ScalingBench.tokensTo(ps, 200), "a point exactly at the target is where it is reached");
    assertEquals(100L, ScalingBench.tokensTo(ps, 400), "already below the target at the first point");
    assertNull(ScalingBench.tokensTo(ps, 50));
    assertNull(ScalingBench.tokensTo(null, 150));
  }
}
