package io.seqspark.spark.train;

import java.io.Serializable;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;

/**
 * Float vectors from several partitions on their way to a token-weighted mean, Σ w_p·v_p / Σ w_p, summed in one
 * fixed order whatever path the values took.
 *
 * <p>The order is a tree of fan-out f (spark.treeFanOut) over the partition indices: node j of level l + 1 is the sum
 * of its children, nodes f·j … f·j + f − 1 of level l, added left to right in double onto +0.0 (a leaf contributes
 * w_p·v_p, exact in double); a node with a single child present is that child, unchanged. The mean is the top node
 * divided by Σ w_p, rounded once to float32; a single partition's values come out exactly as sent. With N ≤ f
 * partitions this is one pass in partition order. Every transport forms the same nodes: the driver folds what
 * reached it ({@code direct}: every partition's values; {@code spark}: the same, through the treeAggregate), and the
 * {@code tree} transport folds the lower levels on executors ({@link TreeReduce}), so all give identical bits.
 * Each value travels as its partition's float32 array (half the bytes of a double) until it is folded.
 */
final class WeightedValues implements Serializable {
  private static final long serialVersionUID = 2L;

  /** A node of the fixed tree: a partition's floats (level 0, or a lone leaf moved up) or a double sum. */
  private static final class Node implements Serializable {
    private static final long serialVersionUID = 1L;
    final int level;
    final int index;
    final long weight;
    final int attempt;
    float[] leaf;
    double[] sum;

    Node(int level, int index, long weight, int attempt, float[] leaf, double[] sum) {
      this.level = level;
      this.index = index;
      this.weight = weight;
      this.attempt = attempt;
      this.leaf = leaf;
      this.sum = sum;
    }

    boolean pending() {
      return leaf == null && sum == null;
    }

    int length() {
      return leaf != null ? leaf.length : sum.length;
    }
  }

  private final List<Node> nodes = new ArrayList<>();

  static WeightedValues of(int partition, float[] values, long weight) {
    WeightedValues w = new WeightedValues();
    w.nodes.add(new Node(0, partition, weight, 0, values, null));
    return w;
  }

  /** A part whose values were uploaded elsewhere ({@link ParameterChannel}); {@link #resolve} fetches them. */
  static WeightedValues pending(int partition, int attempt, long weight) {
    WeightedValues w = new WeightedValues();
    w.nodes.add(new Node(0, partition, weight, attempt, null, null));
    return w;
  }

  /** Where the values of pending parts are: (partition, attempt) → values. */
  interface Uploads {
    float[] get(int partition, int attempt);
  }

  /** Fills every pending part from {@code uploads}; returns this. */
  WeightedValues resolve(Uploads uploads) {
    for (Node n : nodes) {
      if (n.pending()) {
        float[] v = uploads.get(n.index, n.attempt);
        if (v == null) {
          throw new IllegalStateException("partition " + n.index + " (attempt " + n.attempt + ") finished its task"
              + " but its values never reached the driver's parameter channel");
        }
        n.leaf = v;
      }
    }
    return this;
  }

  boolean isEmpty() {
    return nodes.isEmpty();
  }

  /** Adds {@code o}'s parts into this one and returns it; {@code o} may be null or empty. Nothing is summed here. */
  WeightedValues plus(WeightedValues o) {
    if (o != null) {
      nodes.addAll(o.nodes);
    }
    return this;
  }

  /** The values' length (0 when empty). */
  int length() {
    return nodes.isEmpty() ? 0 : nodes.get(0).length();
  }

  /**
   * Replaces the nodes (all of one level l) by their parents at level l + 1, each the sum of its children present, in
   * index order (a lone child moves up unchanged); returns this.
   */
  WeightedValues foldLevel(int fanOut) {
    if (fanOut < 2) {
      throw new IllegalArgumentException("spark.treeFanOut = " + fanOut + ": must be >= 2");
    }
    if (nodes.isEmpty()) {
      return this;
    }
    nodes.sort(Comparator.comparingInt((Node n) -> n.index));
    int level = nodes.get(0).level;
    List<Node> parents = new ArrayList<>();
    int from = 0;
    while (from < nodes.size()) {
      int parent = nodes.get(from).index / fanOut;
      int to = from;
      while (to < nodes.size() && nodes.get(to).index / fanOut == parent) {
        to++;
      }
      parents.add(parent(nodes.subList(from, to), level, parent));
      from = to;
    }
    nodes.clear();
    nodes.addAll(parents);
    return this;
  }

  private static Node parent(List<Node> children, int level, int parent) {
    long weight = 0;
    for (Node c : children) {
      if (c.level != level) {
        throw new IllegalStateException("nodes of levels " + level + " and " + c.level + " cannot be folded together");
      }
      if (c.pending()) {
        throw new IllegalStateException("partition " + c.index + "'s values have not been resolved");
      }
      weight += c.weight;
    }
    if (children.size() == 1) {
      Node c = children.get(0);
      return new Node(level + 1, parent, weight, 0, c.leaf, c.sum);
    }
    int n = children.get(0).length();
    double[] s = new double[n];
    for (Node c : children) {
      if (c.length() != n) {
        throw new IllegalStateException("partitions sent " + n + " and " + c.length() + " values");
      }
      if (c.leaf != null) {
        float[] v = c.leaf;
        double w = c.weight;
        for (int i = 0; i < n; i++) {
          s[i] += v[i] * w;
        }
      } else {
        double[] v = c.sum;
        for (int i = 0; i < n; i++) {
          s[i] += v[i];
        }
      }
    }
    return new Node(level + 1, parent, weight, 0, null, s);
  }

  /**
   * The weighted mean as float32: the nodes folded up the fixed tree of fan-out {@code fanOut} to one, divided by the
   * total weight and rounded once; a single partition's values are returned as they are.
   */
  float[] mean(int fanOut) {
    if (nodes.isEmpty()) {
      return new float[0];
    }
    while (nodes.size() > 1) {
      foldLevel(fanOut);
    }
    Node top = nodes.get(0);
    if (top.pending()) {
      throw new IllegalStateException("partition " + top.index + "'s values have not been resolved");
    }
    if (top.leaf != null) {
      return top.leaf;
    }
    double total = top.weight;
    float[] out = new float[top.sum.length];
    for (int i = 0; i < out.length; i++) {
      out[i] = (float) (top.sum[i] / total);
    }
    return out;
  }
}
