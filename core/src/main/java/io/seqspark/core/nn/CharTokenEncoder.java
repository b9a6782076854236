package io.seqspark.core.nn;

import java.util.ArrayList;
import java.util.List;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * A word's characters → one token vector, ELMo's context-independent token representation (Peters et al. 2018,
 * after Kim et al. 2016): character embeddings → convolutions of several widths, max over time ({@link CharCnn})
 * → {@code highways} {@link Highway} layers → a linear projection to {@code outputSize}. Works on any list of
 * words, so a word never seen in training still gets a vector from its characters.
 *
 * <p>Parameters, in order: {@code <name>.cnn.*}, {@code <name>.highway<k>.*}, {@code <name>.proj.*}.
 */
public final class CharTokenEncoder {
  private final CharCnn cnn;
  private final List<Highway> highways = new ArrayList<>();
  private final Dense projection;
  private final Seq unused = new Seq(1, 1, null, false, 0);

  /**
   * @param charVocab  rows of the character embedding (id 0 = padding)
   * @param charDim    character embedding width
   * @param widths     convolution widths
   * @param filters    filters per width
   * @param highways   highway layers over the Σ filters features
   * @param outputSize width of the projected token vector
   */
  public CharTokenEncoder(ParamStore.Builder pb, String name, int charVocab, int charDim, int[] widths, int[] filters,
                          int highways, int outputSize, Init init, DataType dtype) {
    cnn = new CharCnn(pb, name + ".cnn", charVocab, charDim, widths, filters, init, dtype);
    for (int k = 0; k < highways; k++) {
      // gate bias −2: carry the CNN features through at first (Kim et al. 2016)
      this.highways.add(new Highway(pb, name + ".highway" + k, cnn.outputSize(), -2.0, init, dtype));
    }
    projection = new Dense(pb, name + ".proj", cnn.outputSize(), outputSize, Dense.Activation.IDENTITY, init, dtype);
  }

  /** Width of a token vector. */
  public int outputSize() {
    return projection.outputSize();
  }

  /**
   * Token vectors [words, outputSize] (a buffer owned by this encoder, valid until its next forward).
   *
   * @param chars    words × maxChars character ids, word-major
   * @param lengths  real characters of each word, in 1..maxChars
   */
  public INDArray forward(int[] chars, int words, int maxChars, int[] lengths) {
    INDArray h = cnn.forward(chars, words, maxChars, lengths);
    for (Highway hw : highways) {
      h = hw.forward(h, unused);
    }
    return projection.forward(h, unused);
  }

  /** Adds all parameter gradients for ∂L/∂(token vectors) {@code dy} [words, outputSize] of the last forward. */
  public void backward(INDArray dy) {
    INDArray d = projection.backward(dy, unused);
    for (int k = highways.size() - 1; k >= 0; k--) {
      d = highways.get(k).backward(d, unused);
    }
    cnn.backward(d);
  }
}
