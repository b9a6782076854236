package io.seqspark.core.model;

import io.seqspark.core.nn.Bidirectional;
import io.seqspark.core.nn.Pooling;

/**
 * What defines a sequence classifier's architecture; validated here, once.
 *
 * @param vocabSize     embedding rows
 * @param classes       output classes (&gt;= 2)
 * @param embeddingSize embedding width
 * @param hiddenSize    recurrent width (per direction)
 * @param layers        stacked recurrent layers
 * @param cell          lstm, gru or rnn
 * @param bidirectional each layer runs both directions (backward from each row's own last real step)
 * @param merge         how the two directions combine: concat (2 × hidden wide) or sum
 * @param pooling       last (the last real step: a causal stack's many-to-one read-out), max or mean over real steps
 * @param dropout       dropout on the embedding, between layers and on the pooled features, in [0, 1)
 * @param initScale     parameters start uniform in [-initScale, initScale]
 */
public record SequenceClassifierSpec(int vocabSize, int classes, int embeddingSize, int hiddenSize, int layers, String cell,
                                     boolean bidirectional, Bidirectional.Merge merge, Pooling.Mode pooling, double dropout,
                                     double initScale) {
  public SequenceClassifierSpec {
    require(vocabSize >= 5, "vocabSize", vocabSize, ">= 5 (4 reserved tokens + at least one word)");
    require(classes >= 2, "classes", classes, ">= 2 (the training data must contain at least two labels)");
    require(embeddingSize >= 1, "model.embeddingSize", embeddingSize, ">= 1");
    require(hiddenSize >= 1, "model.hiddenSize", hiddenSize, ">= 1");
    require(layers >= 1, "model.layers", layers, ">= 1");
    require(dropout >= 0 && dropout < 1, "model.dropout", dropout, "in [0, 1)");
    require(initScale > 0, "model.initScale", initScale, "> 0");
    require(LanguageModelSpec.CELLS.contains(cell), "model.cell", cell, "one of " + String.join(", ", LanguageModelSpec.CELLS));
    require(!(bidirectional && pooling == Pooling.Mode.LAST), "classify.pooling", "last",
        "max or mean when classify.bidirectional = true (at the last step the backward direction has read one token)");
  }

  /** Width of the pooled features. */
  public int featureSize() {
    return bidirectional && merge == Bidirectional.Merge.CONCAT ? 2 * hiddenSize : hiddenSize;
  }

  private static void require(boolean ok, String key, Object value, String rule) {
    if (!ok) {
      throw new IllegalArgumentException(key + " = " + value + ": must be " + rule);
    }
  }
}
