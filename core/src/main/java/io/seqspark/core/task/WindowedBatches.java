package io.seqspark.core.task;

import io.seqspark.core.data.Minibatch;
import io.seqspark.core.data.Shard;
import io.seqspark.core.data.ShardExamples;
import io.seqspark.core.train.BatchSource;
import io.seqspark.core.train.TrainStep;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.function.BiFunction;
import java.util.function.Function;

/**
 * A partition's length-bucketed batches streamed from its shards every epoch ({@code data.cache = stream}): the
 * examples are cut into windows of {@code window} consecutive examples (a "maxi-batch", as fairseq and Marian do),
 * each window is bucketed under the token budget on its own, and an epoch is the windows' batches in window order
 * (shuffled within each window). Memory: one window of examples plus 8 bytes per example (its shape: length and first
 * element, kept to count the batches of any epoch without reading ids; the first element is a pair's source length,
 * see {@link io.seqspark.core.data.PairBatcher#encode}, so translation pairs stream the same way as sentences). Padding: a window sorts fewer examples together than the whole
 * partition, so its batches are padded a little more (see docs/BENCHMARKS.md); a window holding the whole partition
 * gives exactly the in-memory batches. Batches are read in order; asking for an earlier batch, or a batch of another
 * window (resume, retried task), reopens the shards at that window.
 *
 * @param <B> the batch type
 */
public final class WindowedBatches<B extends Minibatch> implements BatchSource<B> {
  private final ShardExamples examples;
  private final int window;
  private final Function<List<int[]>, Shard> shardOf;
  private final BiFunction<Shard, Integer, BatchSource<B>> sourceOf;
  /** Per window: the shapes of its shard's examples after the family's encoding ({@link #shape}). */
  private final List<long[]> shapes = new ArrayList<>();
  private int partition;
  private int countedEpoch = -1;
  private long[] firstBatch;
  private int loadedEpoch = -1;
  private int loadedWindow = -1;
  private BatchSource<B> loaded;
  private ShardExamples.Cursor cursor;
  private int cursorWindow = -1;

  /**
   * Reads every window once to learn its encoded shapes.
   *
   * @param shardOf  a window's ingested examples as the family's shard (its sentences encoded)
   * @param sourceOf a window's shard as batches (window w shuffled from its own seed)
   */
  public WindowedBatches(ShardExamples examples, int window, Function<List<int[]>, Shard> shardOf,
                         BiFunction<Shard, Integer, BatchSource<B>> sourceOf) throws IOException {
    if (window < 1) {
      throw new IllegalArgumentException("data.streamWindow must be >= 1, got " + window);
    }
    this.examples = examples;
    this.window = window;
    this.shardOf = shardOf;
    this.sourceOf = sourceOf;
    try (ShardExamples.Cursor c = examples.cursor(0)) {
      while (c.hasNext()) {
        Shard shard = shardOf.apply(take(c));
        if (shard.sentences() == null) {
          throw new IllegalArgumentException("a streamed partition batches sentences; the stream regime streams"
              + " its tokens instead (LanguageModelFamily.streamedSource)");
        }
        partition = shard.partition();
        long[] l = new long[shard.sentences().length];
        for (int i = 0; i < l.length; i++) {
          l[i] = shape(shard.sentences()[i]);
        }
        shapes.add(l);
      }
    }
  }

  /**
   * What batching looks at in an encoded example: its length (sentences) and its first element (a pair's source
   * length); the ids themselves never decide a batch.
   */
  private static long shape(int[] example) {
    return ((long) example.length << 32) | (example.length == 0 ? 0 : example[0] & 0xFFFFFFFFL);
  }

  /** An example of {@code shape} with every other id 0. */
  private static int[] skeleton(long shape) {
    int[] out = new int[(int) (shape >>> 32)];
    if (out.length > 0) {
      out[0] = (int) shape;
    }
    return out;
  }

  /** The seed window {@code window} (>= 1) of a streamed partition shuffles from. */
  public static long windowSeed(long seed, int window) {
    return TrainStep.stepSeed(seed, -(1L << 40) - window);
  }

  /** Windows in the partition. */
  public int windows() {
    return shapes.size();
  }

  private List<int[]> take(ShardExamples.Cursor c) {
    List<int[]> out = new ArrayList<>(window);
    while (out.size() < window && c.hasNext()) {
      out.add(c.next());
    }
    return out;
  }

  private synchronized long[] firstBatches(int epoch) {
    if (countedEpoch != epoch) {
      long[] first = new long[shapes.size() + 1];
      Map<Long, int[]> skeletons = new HashMap<>();
      for (int w = 0; w < shapes.size(); w++) {
        long[] l = shapes.get(w);
        int[][] skeleton = new int[l.length][];
        for (int i = 0; i < l.length; i++) {
          skeleton[i] = skeletons.computeIfAbsent(l[i], WindowedBatches::skeleton);
        }
        first[w + 1] = first[w] + sourceOf.apply(new Shard(partition, null, skeleton), w).numBatches(epoch);
      }
      firstBatch = first;
      countedEpoch = epoch;
    }
    return firstBatch;
  }

  @Override
  public int numBatches(int epoch) {
    return (int) firstBatches(epoch)[shapes.size()];
  }

  @Override
  public synchronized B batch(int epoch, int k) {
    long[] first = firstBatches(epoch);
    if (k < 0 || k >= first[shapes.size()]) {
      throw new IllegalArgumentException("batch " + k + " is out of range 0.." + (first[shapes.size()] - 1)
          + " for epoch " + epoch);
    }
    int w = 0;
    while (first[w + 1] <= k) {
      w++;
    }
    if (loadedEpoch != epoch || loadedWindow != w) {
      load(epoch, w, (int) (first[w + 1] - first[w]));
    }
    return loaded.batch(epoch, (int) (k - first[w]));
  }

  private void load(int epoch, int w, int expected) {
    try {
      if (cursor == null || cursorWindow != w) {
        if (cursor != null) {
          cursor.close();
        }
        cursor = examples.cursor((long) w * window);
        cursorWindow = w;
      }
      List<int[]> ex = take(cursor);
      cursorWindow = w + 1;
      loaded = sourceOf.apply(shardOf.apply(ex), w);
      loadedEpoch = epoch;
      loadedWindow = w;
      if (loaded.numBatches(epoch) != expected) {
        throw new IllegalStateException("window " + w + " read " + loaded.numBatches(epoch) + " batches, "
            + expected + " expected: the shards changed while training");
      }
      if (w == shapes.size() - 1) {
        cursor.close();
        cursor = null;
        cursorWindow = -1;
      }
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  @Override
  public boolean carriesState() {
    return false;
  }
}
