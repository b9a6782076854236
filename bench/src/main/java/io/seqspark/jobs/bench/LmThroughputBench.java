package io.seqspark.jobs.bench;

import io.seqspark.core.data.Batch;
import io.seqspark.core.io.Json;
import io.seqspark.core.model.LanguageModel;
import io.seqspark.core.model.LanguageModelSpec;
import io.seqspark.core.nn.Phases;
import io.seqspark.core.train.Optimizer;
import io.seqspark.core.train.TrainStep;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.SplittableRandom;
import java.util.concurrent.Callable;
import org.nd4j.linalg.api.buffer.DataType;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * Training throughput of the PTB-small language model shape (vocab 10k, embedding 200, T=35, batch 20, full softmax,
 * SGD with global-norm clipping 0.25 as the PyTorch recipe) with a 2×200 LSTM or GRU, or a TCN of 4 levels, kernel 3,
 * 200 channels ({@code --cell}), seqspark against PyTorch (and DL4J's MultiLayerNetwork for the LSTM, the only one of
 * the three DL4J has), measured alternately in rounds within one run.
 */
@Command(name = "lm-throughput", mixinStandardHelpOptions = true,
    description = "LM training tokens/s: seqspark vs PyTorch (if python3-torch is installed), and DL4J for the LSTM.")
public final class LmThroughputBench implements Callable<Integer> {
  static final int VOCAB = 10_000;
  static final int EMB = 200;
  static final int HIDDEN = 200;
  static final int LAYERS = 2;
  static final int T = 35;
  static final int B = 20;
  static final int TCN_LEVELS = 4;
  static final int TCN_KERNEL = 3;

  @Option(names = "--cell", defaultValue = "lstm", description = "lstm, gru (2x200) or tcn (4 levels, kernel 3, 200 channels).")
  String cell;
  @Option(names = "--tcn-norm", defaultValue = "weight",
      description = "TCN normalization, weight or none; PyTorch runs the same (--weight-norm when weight).")
  String tcnNorm;

  @Option(names = "--warmup", defaultValue = "5", description = "Untimed steps before each measurement.")
  int warmup;
  @Option(names = "--steps", defaultValue = "30", description = "Timed steps per measurement.")
  int steps;
  @Option(names = "--rounds", defaultValue = "2", description = "Alternating rounds (seqspark, DL4J, PyTorch).")
  int rounds;
  @Option(names = "--dl4j-steps", defaultValue = "10", description = "Timed steps for DL4J (it is ~13x slower).")
  int dl4jSteps;
  @Option(names = "--no-dl4j", description = "Skip the DL4J baseline.")
  boolean noDl4j;
  @Option(names = "--no-pytorch", description = "Skip the PyTorch baseline.")
  boolean noPytorch;

  /**
   * Training FLOPs per token: forward (LSTM 2·(in+H)·4H per layer, GRU the same with 3H, TCN 2·K·C·C per convolution
   * and two per level (EMB = C: no 1×1 residual), softmax 2·H·V) times 3 for forward + backward.
   */
  static double flopsPerToken(String cell) {
    double forward = 0;
    int in = EMB;
    if (cell.equals("tcn")) {
      forward += TCN_LEVELS * 2 * 2.0 * TCN_KERNEL * HIDDEN * HIDDEN;
    } else {
      int gates = cell.equals("gru") ? 3 : 4;
      for (int l = 0; l < LAYERS; l++) {
        forward += 2.0 * (in + HIDDEN) * gates * HIDDEN;
        in = HIDDEN;
      }
    }
    forward += 2.0 * HIDDEN * VOCAB;
    return 3 * forward;
  }

  @Override
  public Integer call() {
    if (!List.of("lstm", "gru", "tcn").contains(cell) || !List.of("weight", "none").contains(tcnNorm)) {
      System.err.println("--cell must be lstm, gru or tcn (got " + cell + "); --tcn-norm weight or none (got " + tcnNorm + ")");
      return 2;
    }
    boolean withDl4j = !noDl4j && cell.equals("lstm");
    List<String> torchArgs = cell.equals("tcn") && tcnNorm.equals("weight") ? List.of("--weight-norm") : List.of();
    List<Double> ours = new ArrayList<>();
    List<Double> dl4j = new ArrayList<>();
    List<Double> torch = new ArrayList<>();
    String torchWhy = null;
    Ours engine = new Ours(cell, tcnNorm);
    for (int r = 0; r < rounds; r++) {
      double t = engine.measure(warmup, steps);
      ours.add(t);
      System.err.printf("round %d: seqspark %,.0f tokens/s%n", r + 1, t);
      if (withDl4j) {
        double d = Dl4jLmBaseline.run(2, dl4jSteps, 1).tokensPerSecond();
        dl4j.add(d);
        System.err.printf("round %d: DL4J     %,.0f tokens/s%n", r + 1, d);
      }
      if (!noPytorch && torchWhy == null) {
        if (!PyTorchBaseline.available()) {
          torchWhy = "python3-torch not importable by /usr/bin/python3 (run bench/setup.sh)";
        } else {
          Optional<Map<String, Object>> res = PyTorchBaseline.run(cell, torchArgs, Duration.ofMinutes(5));
          if (res.isPresent() && res.get().get("tokens_per_s") instanceof Number n) {
            torch.add(n.doubleValue());
            System.err.printf("round %d: PyTorch  %,.0f tokens/s%n", r + 1, n.doubleValue());
          } else {
            torchWhy = "the PyTorch script gave no tokens_per_s: " + res;
          }
        }
      }
    }
    Phases.enable(true);
    engine.measure(1, 10);
    Map<String, Double> phases = Phases.snapshotMillisPerCall(10);
    Phases.enable(false);
    System.err.println("per-step phase profile (ms): " + phases);

    double tps = median(ours);
    Map<String, Object> result = new LinkedHashMap<>();
    result.put("bench", "lm-throughput");
    result.put("cell", cell);
    result.put("shape", "vocab 10000, emb 200, " + (cell.equals("tcn") ? "TCN 4 levels x 200 channels, kernel 3, "
        + (tcnNorm.equals("weight") ? "weight norm" : "no norm") + ", receptive field " + engine.receptiveField()
        : "2x200 " + cell.toUpperCase(java.util.Locale.ROOT)) + ", T 35, batch 20, full softmax, SGD, clip 0.25");
    result.put("tokens_per_s", round(tps));
    result.put("gflops", round(tps * flopsPerToken(cell) / 1e9));
    result.put("ceiling_tokens_per_s_at_200_gflops", round(200e9 / flopsPerToken(cell)));
    if (!dl4j.isEmpty()) {
      result.put("dl4j_tokens_per_s", round(median(dl4j)));
      result.put("ratio_vs_dl4j", round(tps / median(dl4j)));
    }
    if (!torch.isEmpty()) {
      result.put("pytorch_tokens_per_s", round(median(torch)));
      result.put("ratio_vs_pytorch", round(tps / median(torch)));
    } else if (!noPytorch) {
      result.put("pytorch_skipped", torchWhy);
    }
    if (!noDl4j && !withDl4j) {
      result.put("dl4j_skipped", "DL4J has no " + cell.toUpperCase(java.util.Locale.ROOT) + " language model baseline here");
    }
    result.put("rounds", Map.of("seqspark", ours, "dl4j", dl4j, "pytorch", torch));
    result.put("phase_ms_per_step", phases);
    result.put("openblas_coretype", String.valueOf(System.getenv("OPENBLAS_CORETYPE")));
    System.out.println("RESULT " + Json.write(result));
    return 0;
  }

  private static double round(double v) {
    return Math.round(v * 100) / 100.0;
  }

  static double median(List<Double> v) {
    double[] a = v.stream().mapToDouble(Double::doubleValue).sorted().toArray();
    return a.length % 2 == 1 ? a[a.length / 2] : (a[a.length / 2 - 1] + a[a.length / 2]) / 2;
  }

  /** Our model and TrainStep at the benchmark shape, on random tokens (speed does not depend on the data). */
  static final class Ours {
    private final TrainStep step;
    private final LanguageModel model;
    private final Batch[] batches = new Batch[8];
    private long count;

    Ours(String cell, String tcnNorm) {
      LanguageModel m = new LanguageModel(new LanguageModelSpec(VOCAB, EMB, HIDDEN, cell.equals("tcn") ? TCN_LEVELS : LAYERS,
          cell, 0.0, 0.1, TCN_KERNEL, tcnNorm), DataType.FLOAT, 1);
      model = m;
      // as the PyTorch script: RNN state carried (truncated BPTT), the TCN without state
      m.setCarryState(!cell.equals("tcn"));
      step = new TrainStep(m, Optimizer.create("sgd", m.params().size(), DataType.FLOAT, 0, 0, 0), 0.25,
          TrainStep.LossScale.TOKENS);
      SplittableRandom rnd = new SplittableRandom(1);
      for (int k = 0; k < batches.length; k++) {
        int[] in = new int[T * B];
        int[] tg = new int[T * B];
        float[] mask = new float[T * B];
        for (int i = 0; i < T * B; i++) {
          in[i] = rnd.nextInt(VOCAB);
          tg[i] = rnd.nextInt(VOCAB);
          mask[i] = 1;
        }
        int[] len = new int[B];
        Arrays.fill(len, T);
        batches[k] = new Batch(T, B, in, tg, mask, len, new long[B]);
      }
    }

    int receptiveField() {
      return model.receptiveField().orElse(0);
    }

    double measure(int warmupSteps, int timedSteps) {
      for (int i = 0; i < warmupSteps; i++) {
        step.run(batches[(int) (count % batches.length)], 1.0, ++count, 1);
      }
      long t0 = System.nanoTime();
      for (int i = 0; i < timedSteps; i++) {
        step.run(batches[(int) (count % batches.length)], 1.0, ++count, 1);
      }
      double secs = (System.nanoTime() - t0) / 1e9;
      return (double) timedSteps * T * B / secs;
    }
  }
}
