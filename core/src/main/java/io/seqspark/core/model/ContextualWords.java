package io.seqspark.core.model;

import io.seqspark.core.nn.InputFeatures;
import io.seqspark.core.nn.Seq;
import java.util.ArrayList;
import java.util.List;
import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * {@link ElmoFeatures} as a downstream model's extra input ({@code model.contextual}): the token ids of a batch are
 * spelled with {@code words} (by id) and the frozen biLM reads those words. The first ids are the downstream
 * vocabulary's; ids past it (the tagger's spellings of words its vocabulary lacks) are words the biLM reads by their
 * own spelling while the word embedding reads their fallback row ({@code <unk>} or the shape class).
 */
public final class ContextualWords implements InputFeatures {
  private final ElmoFeatures features;
  private final List<String> words;
  private final int embeddingRows;
  private final int[] fallbacks;

  /**
   * @param features  the biLM and its mix (declared in the downstream model's buffer)
   * @param words     the downstream vocabulary's tokens by id, then the spellings of ids past it
   * @param fallbacks for each id past the vocabulary (in order), the embedding row it reads
   */
  public ContextualWords(ElmoFeatures features, List<String> words, int[] fallbacks) {
    this.features = features;
    this.words = List.copyOf(words);
    this.fallbacks = fallbacks.clone();
    this.embeddingRows = words.size() - fallbacks.length;
  }

  @Override
  public int[] embeddingIds(int[] ids) {
    if (fallbacks.length == 0) {
      return ids;
    }
    int[] out = ids.clone();
    for (int k = 0; k < out.length; k++) {
      if (out[k] >= embeddingRows) {
        out[k] = fallbacks[out[k] - embeddingRows];
      }
    }
    return out;
  }

  /** The biLM features (their mix). */
  public ElmoFeatures features() {
    return features;
  }

  @Override
  public int outputSize() {
    return features.outputSize();
  }

  @Override
  public int atOutputSize() {
    return features.atOutputSize();
  }

  @Override
  public INDArray atOutput() {
    return features.atOutput();
  }

  @Override
  public void backwardAtOutput(INDArray d) {
    features.backwardAtOutput(d);
  }

  /** The words of each row of a time-major batch of ids (its real steps only). */
  public List<List<String>> sentences(int[] ids, Seq seq) {
    int rows = seq.rows();
    List<List<String>> out = new ArrayList<>(rows);
    for (int r = 0; r < rows; r++) {
      int n = seq.lengths()[r];
      List<String> w = new ArrayList<>(n);
      for (int t = 0; t < n; t++) {
        w.add(words.get(ids[t * rows + r]));
      }
      out.add(w);
    }
    return out;
  }

  @Override
  public INDArray forward(int[] ids, Seq seq) {
    return features.forward(sentences(ids, seq), seq);
  }

  @Override
  public boolean keeps() {
    return features.cache() != null;
  }

  @Override
  public void keep(int[] ids, Seq seq) {
    features.keep(sentences(ids, seq));
  }

  @Override
  public String kept() {
    return features.cache() == null ? "" : features.cache().summary();
  }

  @Override
  public void backward(INDArray d) {
    features.backward(d);
  }
}
