package io.seqspark.core.model;

import io.seqspark.core.data.Batch;
import io.seqspark.core.data.Minibatch;

/**
 * One biLM training step's data: a language-model batch for each direction. The backward direction's batch is cut
 * from the REVERSED text (in the stream regime, the reversed stream, so its carried state is the state after the text
 * that follows), so the backward LM is the forward machinery run over reversed text. The loss counts both
 * directions' tokens.
 *
 * @param forward  next-token batch over the text
 * @param backward next-token batch over the reversed text
 */
public record BiLmBatch(Batch forward, Batch backward) implements Minibatch, java.io.Serializable {

  @Override
  public int rows() {
    return forward.rows() + backward.rows();
  }

  @Override
  public long tokens() {
    return forward.tokens() + backward.tokens();
  }

  @Override
  public long positions() {
    return forward.positions() + backward.positions();
  }

  /**
   * The backward-direction batch of a sentence batch: row r's sequence x_0 … x_{L-1}, y_{L-1} (inputs, then the
   * last target) read from the end: inputs y_{L-1}, x_{L-1} … x_1 and targets x_{L-1} … x_0.
   */
  public static Batch reversed(Batch b) {
    int T = b.steps();
    int B = b.rows();
    int[] in = new int[T * B];
    int[] tg = new int[T * B];
    float[] mask = new float[T * B];
    for (int r = 0; r < B; r++) {
      int len = b.lengths()[r];
      for (int i = 0; i < len; i++) {
        in[i * B + r] = b.targets()[(len - 1 - i) * B + r];
        tg[i * B + r] = b.inputs()[(len - 1 - i) * B + r];
        mask[i * B + r] = b.mask()[(len - 1 - i) * B + r];
      }
    }
    return new Batch(T, B, in, tg, mask, b.lengths().clone(), b.exampleIds().clone());
  }
}
