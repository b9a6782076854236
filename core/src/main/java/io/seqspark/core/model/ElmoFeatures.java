package io.seqspark.core.model;

import io.seqspark.core.data.Vocabulary;
import io.seqspark.core.nn.Dropout;
import io.seqspark.core.nn.ParamStore;
import io.seqspark.core.nn.ScalarMix;
import io.seqspark.core.nn.Seq;
import java.util.ArrayList;
import java.util.List;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

/**
 * ELMo features for a downstream model (Peters et al. 2018, Eq. 1): a FROZEN pretrained {@link BiLm} gives every
 * token its L + 1 layer representations ({@link BiLm#embed}), and a trainable {@link ScalarMix} (declared in the
 * downstream model's parameter buffer) mixes them into one vector of width 2P per token. Only the mix learns: its
 * backward adds the gradients of s and γ, and nothing reaches the biLM. The layout is the downstream models'
 * time-major [T*B, 2P] (row t*B + r), zero at padded positions. In training, an optional dropout of its own acts on the
 * mixed features (Peters et al. 2018, Sect. 3.3: "a moderate amount of dropout to ELMo"), before the downstream model's
 * input dropout.
 *
 * <p>Optionally (Peters et al. 2018, Sect. 3.3: "including ELMo at the output of the task RNN") a second mix with weights
 * of its own, {@code <name>.out.w} and {@code <name>.out.gamma}, mixes the same layers once more for the downstream
 * model's output side ({@link #atOutput}): no dropout of its own (the downstream model's output dropout covers it).
 */
public final class ElmoFeatures {
  /** The salt of the features' dropout mask (apart from the downstream model's layer indices). */
  static final long DROPOUT_SALT = 0x454C4D4FL;

  private final BiLm lm;
  private final Vocabulary vocabulary;
  private final int forwardStart;
  private final int backwardStart;
  private final ScalarMix mix;
  /** The output-side mix, or null. */
  private final ScalarMix outMix;
  /** The output-side features of the last forward (null without the output-side mix). */
  private INDArray outY;
  private final DataType dtype;
  private final Dropout dropout;
  private final SentenceFeatureCache cache;
  private float[] mask;
  /** Whether the last forward applied the dropout (training): its backward then applies the same mask. */
  private boolean dropped;

  /**
   * @param lm          the pretrained biLM (not trained further)
   * @param vocabulary  its vocabulary
   * @param starts      the tokens each direction read before a sentence in training (see ElmoFamily.starts)
   * @param layerNorm   normalise each layer per position before mixing
   */
  public ElmoFeatures(BiLm lm, Vocabulary vocabulary, int[] starts, ParamStore.Builder pb, String name,
                      boolean layerNorm, DataType dtype) {
    this(lm, vocabulary, starts, pb, name, layerNorm, 0, 1, null, false, dtype);
  }

  /**
   * As above, with dropout probability {@code dropout} on the mixed features in training, the mix's scale γ starting
   * at {@code scale}, the biLM's layers of each sentence kept in {@code cache} once a batch has computed them
   * (null: computed for each batch, every time) and, with {@code atOutput}, a second mix for the output side declared
   * right after the first.
   */
  public ElmoFeatures(BiLm lm, Vocabulary vocabulary, int[] starts, ParamStore.Builder pb, String name,
                      boolean layerNorm, double dropout, double scale, SentenceFeatureCache cache, boolean atOutput,
                      DataType dtype) {
    this.lm = lm;
    this.vocabulary = vocabulary;
    this.forwardStart = starts[0];
    this.backwardStart = starts[1];
    this.mix = new ScalarMix(pb, name, lm.spec().layers() + 1, outputSize(), layerNorm, scale, dtype);
    this.outMix = atOutput ? new ScalarMix(pb, name + ".out", lm.spec().layers() + 1, outputSize(), layerNorm, scale,
        dtype) : null;
    this.dtype = dtype;
    this.dropout = new Dropout(dropout, DROPOUT_SALT, dtype);
    this.cache = cache;
  }

  /** 2P. */
  public int outputSize() {
    return 2 * lm.spec().projectionSize();
  }

  /** The cache of the biLM's layers per sentence, or null (computed per batch). */
  public SentenceFeatureCache cache() {
    return cache;
  }

  /** Width of the output-side features: 2P with the output-side mix, else 0. */
  public int atOutputSize() {
    return outMix == null ? 0 : outputSize();
  }

  /** The output-side features [steps*B, 2P] of the last forward (zero at padded positions), or null without them. */
  public INDArray atOutput() {
    return outY;
  }

  /** Adds the output-side mix's gradients for ∂L/∂(output-side features) {@code dy} of the last forward. */
  public void backwardAtOutput(INDArray dy) {
    outMix.backward(padZero(dy.dup()));
  }

  /** The mix (its weights s and γ). */
  public ScalarMix mix() {
    return mix;
  }

  /**
   * Mixed features [steps*B, 2P] of {@code sentences} (B rows, each at most {@code steps} tokens), time-major, without
   * dropout (whatever the forward before it was).
   */
  public INDArray forward(List<List<String>> sentences, int steps) {
    dropped = false;
    return mixed(sentences, steps);
  }

  private INDArray mixed(List<List<String>> sentences, int steps) {
    int rows = sentences.size();
    int dim = outputSize();
    int layers = lm.spec().layers() + 1;
    List<float[][][]> reps = layers(sentences);
    List<INDArray> perLayer = new ArrayList<>();
    mask = new float[steps * rows];
    for (int l = 0; l < layers; l++) {
      float[] flat = new float[steps * rows * dim];
      for (int r = 0; r < rows; r++) {
        int n = sentences.get(r).size();
        if (n > steps) {
          throw new IllegalArgumentException("sentence " + r + " has " + n + " tokens, more than the batch's " + steps
              + " steps");
        }
        for (int t = 0; t < n; t++) {
          System.arraycopy(reps.get(r)[l][t], 0, flat, (t * rows + r) * dim, dim);
          mask[t * rows + r] = 1f;
        }
      }
      perLayer.add(Nd4j.createFromArray(flat).reshape(steps * rows, dim).castTo(dtype));
    }
    outY = outMix == null ? null : padZero(outMix.forward(perLayer).dup());
    return padZero(mix.forward(perLayer).dup());
  }

  /** {@code y} with its padded positions zero, whatever the layer norm made of their zero rows. */
  private INDArray padZero(INDArray y) {
    for (int k = 0; k < mask.length; k++) {
      if (mask[k] == 0f) {
        y.getRow(k).assign(0);
      }
    }
    return y;
  }

  /**
   * The biLM's layers of each sentence: with a cache, the kept ones; the others (all, without a cache) from one
   * forward of the whole batch — what this batch alone computes — kept if the cache has room.
   */
  private List<float[][][]> layers(List<List<String>> sentences) {
    if (cache == null) {
      return lm.embed(sentences, vocabulary, forwardStart, backwardStart);
    }
    List<float[][][]> out = new ArrayList<>(sentences.size());
    boolean missing = false;
    for (List<String> s : sentences) {
      float[][][] e = cache.get(s);
      out.add(e);
      missing |= e == null;
    }
    if (missing) {
      List<float[][][]> batch = lm.embed(sentences, vocabulary, forwardStart, backwardStart);
      for (int r = 0; r < out.size(); r++) {
        if (out.get(r) == null) {
          out.set(r, cache.offer(sentences.get(r), batch.get(r)));
        }
      }
    }
    return out;
  }

  /** Computes and keeps (with a cache) the biLM's layers of a batch's sentences, as its forward would. */
  public void keep(List<List<String>> sentences) {
    if (cache != null) {
      layers(sentences);
    }
  }

  /** As {@link #forward(List, int)} for a batch {@code seq} (steps, training, step seed), with the features' dropout. */
  public INDArray forward(List<List<String>> sentences, Seq seq) {
    INDArray y = dropout.forward(mixed(sentences, seq.steps()), seq);
    dropped = true;
    return y;
  }

  /** Adds the mix's gradients for ∂L/∂features {@code dy} of the last forward (padded rows ignored). */
  public void backward(INDArray dy) {
    mix.backward(padZero((dropped ? dropout.backward(dy) : dy).dup()));
  }
}
