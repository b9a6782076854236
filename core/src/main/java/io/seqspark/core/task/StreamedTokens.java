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
 * repositions the rows first. {@linkplain #reversed Reversed}, the batches are those of the reversed stream (what
 * the ELMo biLM's backward direction reads): each row walks the partition's stream backwards, reading its examples in
 * blocks of {@link #REVERSE_BLOCK}.
 */
public final class StreamedTokens implements BatchSource<Batch> {
  private final ShardExamples examples;
  private final int rows;
  private final int bptt;
  private final boolean eos;
  private final boolean reversed;
  private final int[] lengths;
  private final long total;
  private final long rowLength;
  private final Position[] cursors;
  private int nextBatch = -1;

  /** Reads the examples' lengths (the index only); the rows open their cursors at the first batch. */
  public StreamedTokens(ShardExamples examples, int rows, int bptt, boolean eos) throws IOException {
    this(examples, rows, bptt, eos, false);
  }

  /** Examples a reversed row reads at once: a row walking backwards holds at most this many in memory. */
  public static final int REVERSE_BLOCK = 256;

  /**
   * The batches of the partition's stream reversed (token i of the reversed stream is token n-1-i of the stream):
   * those of {@link TokenStreamBatcher} over the reversed stream.
   */
  public static StreamedTokens reversed(ShardExamples examples, int rows, int bptt, boolean eos) throws IOException {
    return new StreamedTokens(examples, rows, bptt, eos, true);
  }

  private StreamedTokens(ShardExamples examples, int rows, int bptt, boolean eos, boolean reversed)
      throws IOException {
    if (rows < 1 || bptt < 1) {
      throw new IllegalArgumentException("rows and bptt must be >= 1, got rows=" + rows + " bptt=" + bptt);
    }
    this.examples = examples;
    this.rows = rows;
    this.bptt = bptt;
    this.eos = eos;
    this.reversed = reversed;
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
    this.total = n;
    this.rowLength = n / rows;
    this.cursors = new Position[rows];
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
          long at = r * rowLength + (long) k * bptt;
          cursors[r] = reversed ? new ReverseRow(total - 1 - at) : new Row(at);
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
        Position row = cursors[r];
        for (int t = 0; t < steps; t++) {
          inputs[t * rows + r] = row.last();
          row.advance();
          targets[t * rows + r] = row.last();
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

  /** One row's reading position: {@code last()} is the token there, {@code advance()} moves to the row's next token. */
  private interface Position {
    int last();

    void advance();

    void close() throws IOException;
  }

  /** One row's reading position in the partition's token stream; {@code last} is the token at that position. */
  private final class Row implements Position {
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

    @Override
    public int last() {
      return last;
    }

    @Override
    public void advance() {
      at++;
      while (at >= example.length + (eos ? 1 : 0)) {
        example = cursor.next();
        at = 0;
      }
      last = current();
    }

    @Override
    public void close() throws IOException {
      cursor.close();
    }
  }

  /**
   * A reversed row's position: token {@code token} of the (forward) stream, moving towards its start. It holds the
   * block of at most {@link #REVERSE_BLOCK} examples ending at its example and reads the block before when it leaves
   * it.
   */
  private final class ReverseRow implements Position {
    private int[][] block;
    private int blockFirst;
    private int e;
    private int at;
    private int last;

    ReverseRow(long token) throws IOException {
      long before = 0;
      int x = 0;
      while (x < lengths.length && before + lengths[x] + (eos ? 1 : 0) <= token) {
        before += lengths[x] + (eos ? 1 : 0);
        x++;
      }
      e = x;
      at = (int) (token - before);
      load(e);
      last = current();
    }

    /** Reads the block of examples ending at example {@code end}. */
    private void load(int end) throws IOException {
      blockFirst = Math.max(0, end - REVERSE_BLOCK + 1);
      block = new int[end - blockFirst + 1][];
      try (ShardExamples.Cursor c = examples.cursor(blockFirst)) {
        for (int i = 0; i < block.length; i++) {
          block[i] = c.next();
        }
      }
    }

    private int current() {
      int[] example = block[e - blockFirst];
      return at < example.length ? example[at] : Vocabulary.EOS_ID;
    }

    @Override
    public int last() {
      return last;
    }

    @Override
    public void advance() {
      at--;
      try {
        while (at < 0) {
          e--;
          if (e < blockFirst) {
            load(e);
          }
          at = block[e - blockFirst].length + (eos ? 1 : 0) - 1;
        }
      } catch (IOException ex) {
        throw new UncheckedIOException(ex);
      }
      last = current();
    }

    @Override
    public void close() {
      block = null;
    }
  }
}
