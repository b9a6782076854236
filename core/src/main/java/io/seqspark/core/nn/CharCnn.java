package io.seqspark.core.nn;

import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

/**
 * A word's characters → one feature vector (Kim et al. 2016; ELMo's token encoder before its highway layers):
 * character embeddings, then for each width w a convolution with {@code filters[w]} filters and tanh, then the
 * maximum over positions. Word {@code i} has {@code len_i} real characters; a width-w filter is applied at positions
 * {@code 0 .. max(1, len_i − w + 1) − 1}, and characters past the word's end read as zero vectors, so padding never
 * changes a word's features (a padded batch of words gives each word the features it gets alone).
 *
 * <p>Per width, the windows of all words are laid out as one im2col matrix [words·P, w·D] and convolved by ONE GEMM
 * with the filter bank [w·D, F]. Backward routes ∂y to each filter's arg-max position only, then
 * ∂K = Xᵀ·∂Z and ∂X = ∂Z·Kᵀ (GEMMs), and scatters ∂X back onto the character embedding rows.
 */
public final class CharCnn {
  private final ParamRef table;
  private final int dim;
  private final int[] widths;
  private final int[] filters;
  private final ParamRef[] kernels;
  private final ParamRef[] biases;
  private final int outputSize;
  private final Scratch scratch;
  // the last forward
  private int[] chars;
  private int words;
  private int maxChars;
  private int[] lengths;
  private INDArray[] cols;
  private int[][] argmax; // per width: [words, F] position
  private double[][] ys; // per width: [words, F] tanh value at the arg-max

  /**
   * @param charVocab rows of the character embedding (id 0 is padding and never read)
   * @param dim       character embedding width D
   * @param widths    convolution widths, e.g. 1..7 in ELMo
   * @param filters   filters per width
   */
  public CharCnn(ParamStore.Builder params, String name, int charVocab, int dim, int[] widths, int[] filters, Init init,
                 DataType dtype) {
    if (widths.length == 0 || widths.length != filters.length) {
      throw new IllegalArgumentException("char-CNN needs one filter count per width, got " + widths.length + " widths and "
          + filters.length + " filter counts");
    }
    this.table = params.add(name + ".E", init, charVocab, dim);
    this.dim = dim;
    this.widths = widths.clone();
    this.filters = filters.clone();
    this.kernels = new ParamRef[widths.length];
    this.biases = new ParamRef[widths.length];
    int out = 0;
    for (int k = 0; k < widths.length; k++) {
      kernels[k] = params.add(name + ".K" + widths[k], init, (long) widths[k] * dim, filters[k]);
      biases[k] = params.add(name + ".b" + widths[k], Init.zeros(), 1, filters[k]);
      out += filters[k];
    }
    this.outputSize = out;
    this.scratch = new Scratch(dtype);
  }

  public int outputSize() {
    return outputSize;
  }

  public ParamRef table() {
    return table;
  }

  /**
   * Features [words, Σ filters] (a buffer owned by this layer).
   *
   * @param chars    words × maxChars character ids, word-major ({@code chars[i*maxChars + c]})
   * @param lengths  real characters of each word, each in 1..maxChars
   */
  public INDArray forward(int[] chars, int words, int maxChars, int[] lengths) {
    if (chars.length != words * maxChars || lengths.length != words) {
      throw new IllegalArgumentException("char-CNN input needs words*maxChars = " + words * maxChars + " ids and " + words
          + " lengths, got " + chars.length + " and " + lengths.length);
    }
    this.chars = chars;
    this.words = words;
    this.maxChars = maxChars;
    this.lengths = lengths;
    double[] e = new double[(int) table.length()];
    Host.of(table.value()).read(0, e, 0, e.length);
    long vocab = table.shape()[0];
    cols = new INDArray[widths.length];
    argmax = new int[widths.length][];
    ys = new double[widths.length][];
    double[] out = new double[words * outputSize];
    int offset = 0;
    for (int k = 0; k < widths.length; k++) {
      int w = widths[k];
      int f = filters[k];
      int positions = Math.max(1, maxChars - w + 1);
      double[] x = new double[words * positions * w * dim];
      for (int i = 0; i < words; i++) {
        for (int p = 0; p < validPositions(i, w); p++) {
          for (int j = 0; j < w && p + j < lengths[i]; j++) {
            int c = chars[i * maxChars + p + j];
            if (c < 0 || c >= vocab) {
              throw new IllegalArgumentException("character id " + c + " of word " + i + " is outside [0, " + vocab + ")");
            }
            System.arraycopy(e, c * dim, x, ((i * positions + p) * w + j) * dim, dim);
          }
        }
      }
      INDArray xm = scratch.get("X" + w, (long) words * positions, (long) w * dim);
      Host.of(xm).write(0, x, 0, x.length);
      cols[k] = xm;
      INDArray z = scratch.get("Z" + w, (long) words * positions, f);
      Nd4j.gemm(xm, kernels[k].value(), z, false, false, 1.0, 0.0);
      z.addiRowVector(biases[k].value());
      double[] zs = new double[words * positions * f];
      Host.of(z).read(0, zs, 0, zs.length);
      argmax[k] = new int[words * f];
      ys[k] = new double[words * f];
      for (int i = 0; i < words; i++) {
        for (int c = 0; c < f; c++) {
          double best = Double.NEGATIVE_INFINITY;
          int at = 0;
          for (int p = 0; p < validPositions(i, w); p++) {
            double v = zs[(i * positions + p) * f + c];
            if (v > best) {
              best = v;
              at = p;
            }
          }
          double y = Math.tanh(best); // tanh is monotone: max then tanh = max of tanh
          argmax[k][i * f + c] = at;
          ys[k][i * f + c] = y;
          out[i * outputSize + offset + c] = y;
        }
      }
      offset += f;
    }
    INDArray y = scratch.get("Y", words, outputSize);
    Host.of(y).write(0, out, 0, out.length);
    return y;
  }

  private int validPositions(int word, int w) {
    return Math.max(1, lengths[word] - w + 1);
  }

  /** Adds the gradients of the filters, biases and character embeddings for ∂L/∂features {@code dy} [words, Σ F]. */
  public void backward(INDArray dy) {
    double[] d = new double[words * outputSize];
    Host.of(dy).read(0, d, 0, d.length);
    double[] de = new double[(int) table.length()];
    int offset = 0;
    for (int k = 0; k < widths.length; k++) {
      int w = widths[k];
      int f = filters[k];
      int positions = Math.max(1, maxChars - w + 1);
      double[] dz = new double[words * positions * f];
      for (int i = 0; i < words; i++) {
        for (int c = 0; c < f; c++) {
          double y = ys[k][i * f + c];
          dz[(i * positions + argmax[k][i * f + c]) * f + c] = d[i * outputSize + offset + c] * (1 - y * y);
        }
      }
      INDArray dZ = scratch.get("dZ" + w, (long) words * positions, f);
      Host.of(dZ).write(0, dz, 0, dz.length);
      Nd4j.gemm(cols[k], dZ, kernels[k].grad(), true, false, 1.0, 1.0);
      Nd4j.gemm(scratch.ones((long) words * positions), dZ, biases[k].grad(), false, false, 1.0, 1.0);
      INDArray dX = scratch.get("dX" + w, (long) words * positions, (long) w * dim);
      Nd4j.gemm(dZ, kernels[k].value(), dX, false, true, 1.0, 0.0);
      double[] dx = new double[words * positions * w * dim];
      Host.of(dX).read(0, dx, 0, dx.length);
      for (int i = 0; i < words; i++) {
        for (int p = 0; p < validPositions(i, w); p++) {
          for (int j = 0; j < w && p + j < lengths[i]; j++) {
            int ch = chars[i * maxChars + p + j];
            int src = ((i * positions + p) * w + j) * dim;
            for (int q = 0; q < dim; q++) {
              de[ch * dim + q] += dx[src + q];
            }
          }
        }
      }
      offset += f;
    }
    Host.of(table.grad()).add(0, de, 0, de.length);
  }
}
