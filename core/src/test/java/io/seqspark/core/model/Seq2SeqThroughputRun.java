package io.seqspark.core.model;

import io.seqspark.core.data.Batch;
import io.seqspark.core.data.PairBatch;
import io.seqspark.core.nn.Attention;
import io.seqspark.core.nn.Phases;
import io.seqspark.core.train.Optimizer;
import io.seqspark.core.train.TrainStep;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import org.nd4j.linalg.api.buffer.DataType;

/**
 * A measuring run, not a unit test: training throughput (real target tokens per second) of {@link Seq2Seq} on random
 * data at the shapes of ../shared/bench/torch_seq2seq_bench.py (vocabularies 8k/8k, embedding and hidden 256, one GRU
 * layer per side, batch 64, source and target lengths uniform in [12, 20], Adam, clip 1). Arguments:
 * {@code bidirectional inputFeeding score steps [profile]}, e.g. {@code false false GENERAL 60} for the PyTorch
 * script's {@code --attn luong}. Run it as the launcher runs jobs ({@code OPENBLAS_CORETYPE=SkylakeX},
 * {@code OMP_WAIT_POLICY=PASSIVE}, the {@code -onednn-avx512} natives), alternating with the PyTorch script.
 */
final class Seq2SeqThroughputRun {
  private Seq2SeqThroughputRun() {
  }

  public static void main(String[] args) {
    boolean bidirectional = Boolean.parseBoolean(args[0]);
    boolean feed = Boolean.parseBoolean(args[1]);
    Attention.Score score = Attention.Score.valueOf(args[2]);
    int steps = Integer.parseInt(args[3]);
    Seq2Seq m = new Seq2Seq(new Seq2SeqSpec(8000, 8000, 256, 256, 1, 1, "gru", bidirectional, score, 0, feed, 0.0, 0.0,
        0.1), DataType.FLOAT, 1);
    TrainStep<PairBatch> step = new TrainStep<>(m, Optimizer.create("adam", m.params().size(), DataType.FLOAT, 0.9,
        0.999, 1e-8), 1.0, TrainStep.LossScale.TOKENS);
    SplittableRandom rng = new SplittableRandom(1);
    List<PairBatch> batches = new ArrayList<>();
    for (int k = 0; k < 20; k++) {
      int[][] src = new int[64][];
      int[][] zeros = new int[64][];
      int[][] tin = new int[64][];
      int[][] tout = new int[64][];
      long[] ids = new long[64];
      for (int r = 0; r < 64; r++) {
        int sl = rng.nextInt(12, 21);
        int tl = rng.nextInt(12, 21);
        src[r] = new int[sl];
        zeros[r] = new int[sl];
        for (int i = 0; i < sl; i++) {
          src[r][i] = rng.nextInt(4, 8000);
        }
        tin[r] = new int[tl];
        tout[r] = new int[tl];
        tin[r][0] = 2;
        for (int i = 0; i < tl; i++) {
          tout[r][i] = rng.nextInt(4, 8000);
          if (i + 1 < tl) {
            tin[r][i + 1] = tout[r][i];
          }
        }
        ids[r] = r;
      }
      batches.add(new PairBatch(Batch.padded(src, zeros, ids), Batch.padded(tin, tout, ids)));
    }
    for (int s = 1; s <= 15; s++) {
      step.run(batches.get(s % batches.size()), 1e-3, s, 7);
    }
    Phases.enable(args.length > 4);
    long tokens = 0;
    long t0 = System.nanoTime();
    for (int s = 1; s <= steps; s++) {
      PairBatch b = batches.get(s % batches.size());
      step.run(b, 1e-3, 100 + s, 7);
      tokens += b.tokens();
    }
    double seconds = (System.nanoTime() - t0) / 1e9;
    System.out.printf("bidirectional=%s inputFeeding=%s score=%s: %.0f target tokens/s (%.1f ms/step, %d steps)%n",
        bidirectional, feed, score, tokens / seconds, seconds * 1000 / steps, steps);
    if (args.length > 4) {
      System.out.println(Phases.snapshotMillisPerCall(steps));
    }
  }
}
