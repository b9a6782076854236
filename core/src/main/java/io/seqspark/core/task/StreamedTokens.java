package io.seqspark.core.task;

import io.seqspark.core.data.Batch;
import io.seqspark.core.data.ShardExamples;
import io.seqspark.core.data.TokenStreamBatcher;
import io.seqspark.core.data.Vocabulary;
import io.seqspark.core.train.BatchSource;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.Arrays;

/**
 * A partition's truncated-BPTT batches streamed from its shards every epoch ({@code data.cache = stream} in the
 * stream regime): the same batches as {@link TokenStreamBatcher} over the partition's token stream (its examples in
 * order, each followed by {@code </s>} when {@code eos}), but each of the {@code rows} rows reads its own part of the
 * stream through its own cursor, so memory is {@code rows} read buffers plus 4 bytes per example (the lengths, to
 * find where each row starts). Batches are read in order; any other batch (a resume, a retried task, a new epoch)
 * repositions the rows first.
 */
public final class StreamedTokens implements BatchSource<Batch> {
  private final ShardExamples examples;
  private final int rows;
  private final int bptt;
  private final boolean eos;
  private final int[] lengths;
  private final long rowLength;
  private final Row[] cursors;
  private int nextBatch = -1;

  /** Reads the examples' lengths (the index only); the rows open their cursors at the first batch. */
  public StreamedTokens(ShardExamples examples, int rows, int bptt, boolean eos) throws IOException {
    if (rows < 1 || bptt < 1) {
      throw new IllegalArgumentException("rows and bptt must be >= 1, got rows=" + rows + " bptt=" + bptt);
    }
    this.examples = examples;
    this.rows = rows;
    this.bptt = bptt;
    this.eos = eos;
    this.lengths = examples.lengths();
    long n = 0;
    for (int l : lengths) {
      n += l + (eos ? 1 : 0);
    }
    if (n / rows < 2) {
      throw new IllegalArgumentException("a stream of " + n + " tokens is too short for rows=" + rows
          + ": each row needs at least 2 tokens (one input, one target); use fewer rows or more data");
    }
    if (n / rows > Integer.MAX_VALUE) {
      throw new IllegalArgumentException(n + " tokens in rows of " + n / rows + " exceed an int index; use more"
          + " rows (train.batchSize) or more partitions");
    }
    this.rowLength = n / rows;
    this.cursors = new Row[rows];
  }

  /** Batches per epoch: {@code ceil((L - 1) / T)}, as {@link TokenStreamBatcher#numBatches()}. */
  @Override
  public int numBatches(int epoch) {
    return (int) ((rowLength - 1 + bptt - 1) / bptt);
  }

  @Override
  public long tokens(int epoch) {
    return rows * (rowLength - 1);
  }

  @Override
  public synchronized Batch batch(int epoch, int k) {
    if (k < 0 || k >= numBatches(epoch)) {
      throw new IllegalArgumentException("batch " + k + " is out of range 0.." + (numBatches(epoch) - 1));
    }
    try {
      if (k != nextBatch) {
        for (int r = 0; r < rows; r++) {
          if (cursors[r] != null) {
            cursors[r].close();
          }
          cursors[r] = new Row(r * rowLength + (long) k * bptt);
        }
      }
      int steps = (int) Math.min(bptt, rowLength - 1 - (long) k * bptt);
      int[] inputs = new int[steps * rows];
      int[] targets = new int[steps * rows];
      float[] mask = new float[steps * rows];
      Arrays.fill(mask, 1f);
      int[] len = new int[rows];
      long[] ids = new long[rows];
      for (int r = 0; r < rows; r++) {
        Row row = cursors[r];
        for (int t = 0; t < steps; t++) {
          inputs[t * rows + r] = row.last;
          row.advance();
          targets[t * rows + r] = row.last;
        }
        len[r] = steps;
        ids[r] = r;
      }
      nextBatch = k + 1;
      if (nextBatch == numBatches(epoch)) {
        for (int r = 0; r < rows; r++) {
          cursors[r].close();
          cursors[r] = null;
        }
        nextBatch = -1;
      }
      return new Batch(steps, rows, inputs, targets, mask, len, ids);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  @Override
  public boolean carriesState() {
    return true;
  }

  /** One row's reading position in the partition's token stream; {@code last} is the token at that position. */
  private final class Row {
    private final ShardExamples.Cursor cursor;
    private int[] example;
    private int at;
    int last;

    Row(long token) throws IOException {
      long before = 0;
      int e = 0;
      while (e < lengths.length && before + lengths[e] + (eos ? 1 : 0) <= token) {
        before += lengths[e] + (eos ? 1 : 0);
        e++;
      }
      cursor = examples.cursor(e);
      example = cursor.next();
      at = (int) (token - before);
      last = current();
    }

    /** The token at the position: the example's id, or its {@code </s>} just after it. */
    private int current() {
      return at < example.length ? example[at] : Vocabulary.EOS_ID;
    }

    void advance() {
      at++;
      while (at >= example.length + (eos ? 1 : 0)) {
        example = cursor.next();
        at = 0;
      }
      last = current();
    }

    void close() throws IOException {
      cursor.close();
    }
  }
}
