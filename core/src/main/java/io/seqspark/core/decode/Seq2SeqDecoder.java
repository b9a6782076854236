package io.seqspark.core.decode;

import io.seqspark.core.data.Vocabulary;
import io.seqspark.core.model.Seq2Seq;
import java.util.Arrays;
import java.util.List;

/**
 * A {@link Seq2Seq} translation model as an {@link IncrementalDecoder}: the sources are encoded once when the decoder
 * is made, one row per source starting from {@code <s>}; each step feeds every row's last token and returns the
 * next-token log-probabilities. {@link #select} reorders the decoder layers' states, the fed-back attentional vectors
 * and which encoded source each row attends to (rows may repeat: a beam gives each source up to {@code beam} rows);
 * the encoder outputs themselves are shared, never copied. After each step {@link #attention(int)} holds that step's
 * attention weights per row, for unknown-word replacement and alignment plots.
 */
public final class Seq2SeqDecoder implements IncrementalDecoder {
  private final Seq2Seq model;
  private final int inputs;
  private Seq2Seq.DecoderState state;
  private double[] lastAttention;

  private Seq2SeqDecoder(Seq2Seq model, Seq2Seq.DecoderState state) {
    this.model = model;
    this.inputs = state.rows();
    this.state = state;
  }

  /**
   * One row per source sentence (token ids ending with {@code </s>}, as the model was trained on), encoded now.
   *
   * @throws IllegalArgumentException if there is no source, or one is empty or holds an id outside the source
   *                                  vocabulary
   */
  public static Seq2SeqDecoder of(Seq2Seq model, List<int[]> sources) {
    int v = model.spec().sourceVocabSize();
    for (int r = 0; r < sources.size(); r++) {
      for (int id : sources.get(r)) {
        if (id < 0 || id >= v) {
          throw new IllegalArgumentException("source " + r + " token " + id + " is outside the model's source "
              + "vocabulary [0, " + v + ")");
        }
      }
    }
    return new Seq2SeqDecoder(model, model.startDecoding(sources));
  }

  @Override
  public int vocabSize() {
    return model.spec().targetVocabSize();
  }

  @Override
  public int rows() {
    return state.rows();
  }

  /** {@code <s>} for every source. */
  @Override
  public int[] startTokens() {
    int[] s = new int[inputs];
    Arrays.fill(s, Vocabulary.BOS_ID);
    return s;
  }

  @Override
  public double[] step(int[] lastTokens) {
    if (lastTokens.length != state.rows()) {
      throw new IllegalArgumentException("step needs one token per row: " + state.rows() + " rows, got "
          + lastTokens.length);
    }
    int v = vocabSize();
    for (int id : lastTokens) {
      if (id < 0 || id >= v) {
        throw new IllegalArgumentException("token " + id + " is outside the model's target vocabulary [0, " + v + ")");
      }
    }
    Seq2Seq.Step s = model.decodeStep(state, lastTokens);
    state = s.next();
    lastAttention = s.attention();
    return s.logProbabilities();
  }

  @Override
  public void select(int[] rows) {
    state = state.select(rows);
    if (lastAttention != null) {
      int steps = state.sourceSteps();
      double[] a = new double[rows.length * steps];
      for (int i = 0; i < rows.length; i++) {
        System.arraycopy(lastAttention, rows[i] * steps, a, i * steps, steps);
      }
      lastAttention = a;
    }
  }

  /** The source (index into the list the decoder was made from) that row {@code row} translates. */
  public int source(int row) {
    return state.source(row);
  }

  /**
   * Row {@code row}'s attention weights over its source's real tokens at the last step (after any later
   * {@link #select}, for the row it now is).
   *
   * @throws IllegalStateException before the first step
   */
  @Override
  public double[] attention(int row) {
    if (lastAttention == null) {
      throw new IllegalStateException("no attention weights yet: call step first");
    }
    int steps = state.sourceSteps();
    return Arrays.copyOfRange(lastAttention, row * steps, row * steps + state.sourceLength(state.source(row)));
  }
}
