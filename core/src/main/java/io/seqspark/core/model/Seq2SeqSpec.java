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
 */
public record Seq2SeqSpec(int sourceVocabSize, int targetVocabSize, int embeddingSize, int hiddenSize,
                          int encoderLayers, int decoderLayers, String cell, boolean bidirectional,
                          Attention.Score attention, int attentionSize, boolean inputFeeding, double dropout,
                          double labelSmoothing, double initScale) {
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
