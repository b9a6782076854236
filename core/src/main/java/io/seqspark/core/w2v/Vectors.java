package io.seqspark.core.w2v;

import java.io.Serializable;
import java.util.Arrays;

/**
 * A rows × dim matrix of floats stored as blocks of at most {@link Layout#blockRows()} rows each, so a model is not
 * capped by one Java array (2^31 elements; 2M words × 300 dims is 600M floats, 10M × 300 would not fit one array).
 * Row {@code r} lives in {@code blocks[r >>> shift]} at offset {@code (r & mask) * dim}; block rows are a power of two
 * so locating a row costs a shift and a mask, not a division, in the training kernel's inner loop.
 */
public final class Vectors implements Serializable {

  private static final long serialVersionUID = 1L;

  /** Largest block the default layout allocates: 2^26 floats (256 MiB). */
  static final long DEFAULT_BLOCK_FLOATS = 1L << 26;

  /** Where rows go; computed in longs so sizes beyond {@code Integer.MAX_VALUE} elements cannot overflow. */
  public record Layout(long rows, int dim, int blockRows) implements Serializable {
    public Layout {
      if (rows < 0 || dim < 1 || blockRows < 1 || Integer.bitCount(blockRows) != 1) {
        throw new IllegalArgumentException("layout needs rows >= 0, dim >= 1 and a power-of-two blockRows, got rows="
            + rows + " dim=" + dim + " blockRows=" + blockRows);
      }
      if ((long) blockRows * dim > Integer.MAX_VALUE - 8) {
        throw new IllegalArgumentException("a block of " + blockRows + " rows x " + dim + " dims exceeds one Java array");
      }
      if (rows > Integer.MAX_VALUE) {
        throw new IllegalArgumentException(rows + " rows: row ids are ints, so at most " + Integer.MAX_VALUE + " rows");
      }
    }

    /** The default layout: the largest power-of-two block of at most {@link #DEFAULT_BLOCK_FLOATS} floats. */
    public static Layout of(long rows, int dim) {
      return new Layout(rows, dim, Integer.highestOneBit((int) Math.max(1, DEFAULT_BLOCK_FLOATS / dim)));
    }

    public long totalFloats() {
      return rows * dim;
    }

    public int blocks() {
      return (int) ((rows + blockRows - 1) / blockRows);
    }

    /** Rows in block {@code b} (the last one may be short). */
    public int rowsInBlock(int b) {
      return (int) Math.min(blockRows, rows - (long) b * blockRows);
    }

    int shift() {
      return Integer.numberOfTrailingZeros(blockRows);
    }
  }

  private final Layout layout;
  final int dim;
  final int shift;
  final int mask;
  final float[][] blocks;

  public Vectors(Layout layout) {
    this.layout = layout;
    this.dim = layout.dim();
    this.shift = layout.shift();
    this.mask = layout.blockRows() - 1;
    this.blocks = new float[layout.blocks()][];
    for (int b = 0; b < blocks.length; b++) {
      blocks[b] = new float[layout.rowsInBlock(b) * dim];
    }
  }

  public Layout layout() {
    return layout;
  }

  public int rows() {
    return (int) layout.rows();
  }

  public int dim() {
    return dim;
  }

  /** The array holding row {@code r}; with {@link #offset(int)} this is how the kernel reads rows in place. */
  public float[] block(int r) {
    return blocks[r >>> shift];
  }

  public int offset(int r) {
    return (r & mask) * dim;
  }

  /** A copy of row {@code r}. */
  public float[] row(int r) {
    float[] out = new float[dim];
    System.arraycopy(block(r), offset(r), out, 0, dim);
    return out;
  }

  public void setRow(int r, float[] values) {
    if (values.length != dim) {
      throw new IllegalArgumentException("row of length " + values.length + " for vectors of dim " + dim);
    }
    System.arraycopy(values, 0, block(r), offset(r), dim);
  }

  /** A deep copy with the same layout. */
  public Vectors copy() {
    Vectors c = new Vectors(layout);
    for (int b = 0; b < blocks.length; b++) {
      System.arraycopy(blocks[b], 0, c.blocks[b], 0, blocks[b].length);
    }
    return c;
  }

  /** A deep copy in another layout (e.g. other block size); same values row by row. */
  public Vectors relayout(int blockRows) {
    Vectors c = new Vectors(new Layout(layout.rows(), dim, blockRows));
    for (int r = 0; r < rows(); r++) {
      System.arraycopy(block(r), offset(r), c.block(r), c.offset(r), dim);
    }
    return c;
  }

  /** True if both hold the same floats bit for bit, whatever their block sizes. */
  public boolean sameValues(Vectors o) {
    if (o.rows() != rows() || o.dim != dim) {
      return false;
    }
    for (int r = 0; r < rows(); r++) {
      if (!Arrays.equals(block(r), offset(r), offset(r) + dim, o.block(r), o.offset(r), o.offset(r) + dim)) {
        return false;
      }
    }
    return true;
  }
}
