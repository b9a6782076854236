package io.seqspark.core.model;

import io.seqspark.core.config.Require;
import io.seqspark.core.nn.Attention;

/**
 * What defines an attention encoder–decoder's architecture; validated here, once.
 *
 * @param sourceVocabSize source embedding rows
 * @param targetVocabSize target embedding rows and output classes
 * @param embeddingSize   width of both embeddings
 * @param hiddenSize      recurrent width: the decoder's, and the encoder's per direction
 * @param encoderLayers   stacked encoder layers
 * @param decoderLayers   stacked decoder layers
 * @param cell            lstm, gru or rnn, for the encoder and the decoder
 * @param bidirectional   the encoder runs both directions (outputs concatenated: attention keys 2 × hidden wide)
 * @param attention       the score function: dot (needs keys as wide as the decoder state, i.e. a unidirectional
 *                        encoder), general (Luong's bilinear) or additive (Bahdanau's)
 * @param attentionSize   additive only: width of the score's hidden layer (0 = hiddenSize)
 * @param inputFeeding    feed the previous attentional vector h̃ beside the next target embedding (Luong et al.
 *                        2015, §3.3); the decoder then runs step by step in training too
 * @param dropout         dropout on both embeddings, between stacked layers and on h̃ before the output, in [0, 1)
 * @param labelSmoothing  ε: the training target puts 1 − ε on the reference word and ε/V on every class, in [0, 1);
 *                        evaluation always reports the plain negative log-likelihood
 * @param initScale       parameters start uniform in [-initScale, initScale]
 * @param teacherForcing  scheduled sampling (Bengio et al. 2015), in (0, 1]: at each training step t &gt; 0 of the
 *                        decoder a sentence is fed the reference token with this probability, else the arg max of the
 *                        model's own previous prediction (a constant for the gradient); 1 = plain teacher forcing
 * @param tieEmbeddings   the output projection's weights are the target embedding (transposed, Press &amp; Wolf 2017):
 *                        needs embeddingSize = hiddenSize, the width of the attentional vector h̃ the projection reads
 */
public record Seq2SeqSpec(int sourceVocabSize, int targetVocabSize, int embeddingSize, int hiddenSize,
                          int encoderLayers, int decoderLayers, String cell, boolean bidirectional,
                          Attention.Score attention, int attentionSize, boolean inputFeeding, double dropout,
                          double labelSmoothing, double initScale, double teacherForcing, boolean tieEmbeddings) {
  /** The recurrent cells an encoder–decoder supports. */
  public static final java.util.List<String> CELLS = java.util.List.of("lstm", "gru", "rnn");

  public Seq2SeqSpec {
    Require.that(sourceVocabSize >= 5, "sourceVocabSize", sourceVocabSize, ">= 5 (4 reserved tokens + at least one word)");
    Require.that(targetVocabSize >= 5, "targetVocabSize", targetVocabSize, ">= 5 (4 reserved tokens + at least one word)");
    Require.stack(embeddingSize, hiddenSize, encoderLayers, dropout, initScale, cell, CELLS,
        " for a translation model (tcn stacks are built for language models only)");
    Require.that(decoderLayers >= 1, "model.decoderLayers", decoderLayers, ">= 1");
    Require.that(attention != null, "model.attention", null, "one of dot, general, additive");
    Require.that(attentionSize >= 0, "model.attentionSize", attentionSize, ">= 0 (0 = hiddenSize)");
    Require.that(attention != Attention.Score.DOT || !bidirectional, "model.attention", "dot",
        "general or additive with a bidirectional encoder (its keys are 2 × hiddenSize wide, the decoder state "
            + "hiddenSize), or set model.bidirectional = false");
    Require.that(labelSmoothing >= 0 && labelSmoothing < 1, "model.labelSmoothing", labelSmoothing, "in [0, 1)");
    Require.that(teacherForcing > 0 && teacherForcing <= 1, "translate.teacherForcing", teacherForcing,
        "in (0, 1] (1 = always feed the reference; 0.75 feeds the model's own prediction a quarter of the time)");
    Require.that(!tieEmbeddings || embeddingSize == hiddenSize, "translate.tieEmbeddings", tieEmbeddings,
        "false when model.embeddingSize (" + embeddingSize + ") differs from model.hiddenSize (" + hiddenSize
            + "): the tied output projection reads h̃, hiddenSize wide, through the target embedding's rows;"
            + " set model.embeddingSize = model.hiddenSize or translate.tieEmbeddings = false");
  }

  /** Plain teacher forcing, untied output projection: the architecture as it was before scheduled sampling. */
  public Seq2SeqSpec(int sourceVocabSize, int targetVocabSize, int embeddingSize, int hiddenSize, int encoderLayers,
                     int decoderLayers, String cell, boolean bidirectional, Attention.Score attention,
                     int attentionSize, boolean inputFeeding, double dropout, double labelSmoothing,
                     double initScale) {
    this(sourceVocabSize, targetVocabSize, embeddingSize, hiddenSize, encoderLayers, decoderLayers, cell,
        bidirectional, attention, attentionSize, inputFeeding, dropout, labelSmoothing, initScale, 1.0, false);
  }

  /** This architecture with another teacher-forcing ratio (see {@link #teacherForcing()}). */
  public Seq2SeqSpec withTeacherForcing(double ratio) {
    return new Seq2SeqSpec(sourceVocabSize, targetVocabSize, embeddingSize, hiddenSize, encoderLayers, decoderLayers,
        cell, bidirectional, attention, attentionSize, inputFeeding, dropout, labelSmoothing, initScale, ratio,
        tieEmbeddings);
  }

  /** This architecture with the output projection tied to the target embedding, or not. */
  public Seq2SeqSpec withTiedEmbeddings(boolean tie) {
    return new Seq2SeqSpec(sourceVocabSize, targetVocabSize, embeddingSize, hiddenSize, encoderLayers, decoderLayers,
        cell, bidirectional, attention, attentionSize, inputFeeding, dropout, labelSmoothing, initScale,
        teacherForcing, tie);
  }

  /** Width of the encoder's outputs: the attention keys and values, and the bridge's input. */
  public int memorySize() {
    return bidirectional ? 2 * hiddenSize : hiddenSize;
  }

  /** The additive score's hidden width in use. */
  public int attentionWidth() {
    return attentionSize == 0 ? hiddenSize : attentionSize;
  }
}
