package io.seqspark.core.model;

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
    require(vocabSize >= 5, "vocabSize", vocabSize, ">= 5 (4 reserved tokens + at least one word)");
    require(tags >= 2, "tags", tags, ">= 2 (<unk> + at least one tag from the training data)");
    require(embeddingSize >= 1, "model.embeddingSize", embeddingSize, ">= 1");
    require(hiddenSize >= 1, "model.hiddenSize", hiddenSize, ">= 1");
    require(layers >= 1, "model.layers", layers, ">= 1");
    require(dropout >= 0 && dropout < 1, "model.dropout", dropout, "in [0, 1)");
    require(initScale > 0, "model.initScale", initScale, "> 0");
    require(CELLS.contains(cell), "model.cell", cell, "one of " + String.join(", ", CELLS)
        + " for a tagger (tcn stacks are built for language models only)");
    require(merge != null, "tag.merge", null, "concat or sum");
  }

  /** Width of the features the output layer reads at every position. */
  public int featureSize() {
    return bidirectional && merge == Bidirectional.Merge.CONCAT ? 2 * hiddenSize : hiddenSize;
  }

  private static void require(boolean ok, String key, Object value, String rule) {
    if (!ok) {
      throw new IllegalArgumentException(key + " = " + value + ": must be " + rule);
    }
  }
}
