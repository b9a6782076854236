package io.seqspark.core.model;

import io.seqspark.core.config.Require;
import io.seqspark.core.nn.Bidirectional;

/**
 * What defines a sequence tagger's architecture; validated here, once.
 *
 * @param vocabSize     embedding rows
 * @param tags          output classes: the {@link io.seqspark.core.data.TagSet} size, {@code <unk>} included (&gt;= 2)
 * @param embeddingSize embedding width
 * @param hiddenSize    recurrent width (per direction)
 * @param layers        stacked recurrent layers
 * @param cell          lstm, gru or rnn
 * @param bidirectional each layer runs both directions (the backward one from each row's own last real word); a
 *                      forward-only tagger sees only the words up to the one it tags
 * @param merge         how the two directions combine: concat (2 × hidden wide) or sum
 * @param dropout       dropout on the embedding, between layers and before the output, in [0, 1)
 * @param initScale     parameters start uniform in [-initScale, initScale]
 */
public record SequenceTaggerSpec(int vocabSize, int tags, int embeddingSize, int hiddenSize, int layers, String cell,
                                 boolean bidirectional, Bidirectional.Merge merge, double dropout, double initScale) {
  /** The recurrent cells a tagger stack supports. */
  public static final java.util.List<String> CELLS = java.util.List.of("lstm", "gru", "rnn");

  public SequenceTaggerSpec {
    Require.that(vocabSize >= 5, "vocabSize", vocabSize, ">= 5 (4 reserved tokens + at least one word)");
    Require.that(tags >= 2, "tags", tags, ">= 2 (<unk> + at least one tag from the training data)");
    Require.stack(embeddingSize, hiddenSize, layers, dropout, initScale, cell, CELLS,
        " for a tagger (tcn stacks are built for language models only)");
    Require.that(merge != null, "tag.merge", null, "concat or sum");
  }

  /** Width of the features the output layer reads at every position. */
  public int featureSize() {
    return bidirectional && merge == Bidirectional.Merge.CONCAT ? 2 * hiddenSize : hiddenSize;
  }

}
