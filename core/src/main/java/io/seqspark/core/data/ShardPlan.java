package io.seqspark.core.data;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.SplittableRandom;

/**
 * Which ingested shard files (or example ranges of them) each Spark partition reads, decided on the driver from the
 * manifest's counts alone. Balanced by tokens and deterministic from the seed:
 * <ol>
 *   <li>while there are fewer pieces than partitions, the piece with the most tokens (first on ties) is halved by
 *       examples;</li>
 *   <li>the pieces are shuffled with {@link SplittableRandom}{@code (seed)}, then sorted by tokens, most first
 *       (stable: the shuffle breaks ties);</li>
 *   <li>each goes to the partition with the fewest tokens so far (lowest index on ties);</li>
 *   <li>each partition reads its pieces in corpus order (file, then first example).</li>
 * </ol>
 * One partition therefore reads the whole corpus in its input order, exactly as the local trainer does.
 */
public final class ShardPlan {
  private ShardPlan() {
  }

  /**
   * Assigns {@code files} (whole files, corpus order) to {@code partitions}.
   *
   * @throws IllegalArgumentException if there are fewer examples than partitions
   */
  public static List<List<ShardPiece>> assign(List<ShardPiece> files, int partitions, long seed) {
    if (partitions < 1) {
      throw new IllegalArgumentException("partitions must be >= 1, got " + partitions);
    }
    List<ShardPiece> pieces = new ArrayList<>();
    for (ShardPiece f : files) {
      if (f.examples() > 0) {
        pieces.add(f);
      }
    }
    while (pieces.size() < partitions) {
      int big = -1;
      for (int i = 0; i < pieces.size(); i++) {
        if (pieces.get(i).examples() >= 2 && (big < 0 || pieces.get(i).tokens() > pieces.get(big).tokens())) {
          big = i;
        }
      }
      if (big < 0) {
        long n = pieces.stream().mapToLong(ShardPiece::examples).sum();
        throw new IllegalArgumentException("the shards hold " + n + " examples, fewer than the " + partitions
            + " partitions (spark.workers); use fewer partitions or more data");
      }
      ShardPiece p = pieces.remove(big);
      long mid = p.firstExample() + p.examples() / 2;
      long t = Math.round(p.tokens() * ((double) (mid - p.firstExample()) / p.examples()));
      pieces.add(big, new ShardPiece(p.file(), mid, p.endExample(), p.tokens() - t));
      pieces.add(big, new ShardPiece(p.file(), p.firstExample(), mid, t));
    }
    SplittableRandom rnd = new SplittableRandom(seed);
    for (int i = pieces.size() - 1; i > 0; i--) {
      int j = rnd.nextInt(i + 1);
      ShardPiece tmp = pieces.get(i);
      pieces.set(i, pieces.get(j));
      pieces.set(j, tmp);
    }
    pieces.sort(Comparator.comparingLong(ShardPiece::tokens).reversed());
    List<List<ShardPiece>> out = new ArrayList<>();
    long[] load = new long[partitions];
    for (int p = 0; p < partitions; p++) {
      out.add(new ArrayList<>());
    }
    for (ShardPiece piece : pieces) {
      int best = 0;
      for (int p = 1; p < partitions; p++) {
        if (load[p] < load[best]) {
          best = p;
        }
      }
      out.get(best).add(piece);
      load[best] += piece.tokens();
    }
    Comparator<ShardPiece> corpusOrder = Comparator.comparing(ShardPiece::file)
        .thenComparingLong(ShardPiece::firstExample);
    for (List<ShardPiece> l : out) {
      l.sort(corpusOrder);
    }
    for (int p = 0; p < partitions; p++) {
      if (out.get(p).isEmpty()) {
        throw new IllegalArgumentException("partition " + p + " of " + partitions + " got no shard; use fewer"
            + " partitions (spark.workers) or more data");
      }
    }
    return out;
  }

  /** Tokens per partition, as the plan counts them. */
  public static long[] tokens(List<List<ShardPiece>> plan) {
    long[] t = new long[plan.size()];
    for (int p = 0; p < t.length; p++) {
      for (ShardPiece s : plan.get(p)) {
        t[p] += s.tokens();
      }
    }
    return t;
  }
}
