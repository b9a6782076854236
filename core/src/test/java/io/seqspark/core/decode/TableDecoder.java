package io.seqspark.core.decode;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.SplittableRandom;

/**
 * A decoder whose next-token distribution is a fixed pseudo-random function (logits uniform in [-4, 4]) of (input, every token fed so far), so
 * any sequence's probability can be computed directly and all sequences enumerated. Ids: 0 {@code <pad>},
 * 1 {@code <unk>}, 2 {@code <s>}, 3 {@code </s>}, then words. The reserved ids get a bonus logit, so a decoder that
 * failed to exclude them would pick them. The state of a row is its history: a wrong {@link #select} changes every
 * later distribution of that row.
 */
class TableDecoder implements IncrementalDecoder {
  static final int V = 7;
  private final long seed;
  private final double reservedBonus;
  private final double eosBonus;
  private final int[] start;
  private final List<int[]> inputOf = new ArrayList<>(); // per row: {input}
  private final List<int[]> history = new ArrayList<>(); // per row: tokens fed so far
  int steps; // step calls, for tests of early stopping
  int rowsStepped;

  /**
   * @param reservedBonus added to the logits of {@code <pad>}, {@code <unk>} and {@code <s>}
   * @param eosBonus      added to the logit of {@code </s>} (negative: longer sentences)
   */
  TableDecoder(long seed, double reservedBonus, double eosBonus, int... startTokens) {
    this.seed = seed;
    this.reservedBonus = reservedBonus;
    this.eosBonus = eosBonus;
    this.start = startTokens.clone();
    for (int i = 0; i < start.length; i++) {
      inputOf.add(new int[] {i});
      history.add(new int[0]);
    }
  }

  /** log p(· | input, fed) over the V ids. */
  double[] distribution(int input, int[] fed) {
    SplittableRandom r = new SplittableRandom(seed * 1_000_003L + input * 7919L + Arrays.hashCode(fed));
    double[] logits = new double[V];
    for (int j = 0; j < V; j++) {
      logits[j] = 8 * r.nextDouble() - 4 + (j == 0 || j == 1 || j == 2 ? reservedBonus : 0)
          + (j == 3 ? eosBonus : 0);
    }
    double max = Arrays.stream(logits).max().getAsDouble();
    double z = 0;
    for (double l : logits) {
      z += Math.exp(l - max);
    }
    double logZ = max + Math.log(z);
    for (int j = 0; j < V; j++) {
      logits[j] -= logZ;
    }
    return logits;
  }

  /** log P of emitting {@code tokens} from input {@code input}'s start, each conditioned on all before it. */
  double logProbability(int input, int... tokens) {
    int[] fed = {start[input]};
    double lp = 0;
    for (int y : tokens) {
      lp += distribution(input, fed)[y];
      fed = Arrays.copyOf(fed, fed.length + 1);
      fed[fed.length - 1] = y;
    }
    return lp;
  }

  @Override
  public int vocabSize() {
    return V;
  }

  @Override
  public int rows() {
    return history.size();
  }

  @Override
  public int[] startTokens() {
    return start.clone();
  }

  @Override
  public double[] step(int[] lastTokens) {
    if (lastTokens.length != rows()) {
      throw new IllegalArgumentException(lastTokens.length + " tokens for " + rows() + " rows");
    }
    steps++;
    rowsStepped += rows();
    double[] out = new double[rows() * V];
    for (int r = 0; r < rows(); r++) {
      int[] h = Arrays.copyOf(history.get(r), history.get(r).length + 1);
      h[h.length - 1] = lastTokens[r];
      history.set(r, h);
      System.arraycopy(distribution(inputOf.get(r)[0], h), 0, out, r * V, V);
    }
    return out;
  }

  @Override
  public void select(int[] rows) {
    List<int[]> in = new ArrayList<>();
    List<int[]> h = new ArrayList<>();
    for (int r : rows) {
      in.add(inputOf.get(r));
      h.add(history.get(r));
    }
    inputOf.clear();
    inputOf.addAll(in);
    history.clear();
    history.addAll(h);
  }
}
