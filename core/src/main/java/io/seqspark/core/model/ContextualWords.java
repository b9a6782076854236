package io.seqspark.core.model;

import io.seqspark.core.nn.InputFeatures;
import io.seqspark.core.nn.Seq;
import java.util.ArrayList;
import java.util.List;
import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * {@link ElmoFeatures} as a downstream model's extra input ({@code model.contextual}): the token ids of a batch are
 * spelled with the downstream vocabulary ({@code words}, by id) and the frozen biLM reads those words. A word the
 * downstream vocabulary lacks reaches the biLM as the token it was encoded to ({@code <unk>} or the tagger's shape
 * class), so the features of known words are the ones {@code elmo embed} gives for the same sentence.
 */
public final class ContextualWords implements InputFeatures {
  private final ElmoFeatures features;
  private final List<String> words;

  /**
   * @param features the biLM and its mix (declared in the downstream model's buffer)
   * @param words    the downstream vocabulary's tokens by id
   */
  public ContextualWords(ElmoFeatures features, List<String> words) {
    this.features = features;
    this.words = List.copyOf(words);
  }

  /** The biLM features (their mix). */
  public ElmoFeatures features() {
    return features;
  }

  @Override
  public int outputSize() {
    return features.outputSize();
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
    return features.forward(sentences(ids, seq), seq.steps());
  }

  @Override
  public void backward(INDArray d) {
    features.backward(d);
  }
}
