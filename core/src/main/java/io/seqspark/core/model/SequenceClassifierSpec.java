package io.seqspark.core.model;

import io.seqspark.core.config.Require;
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
  /** The recurrent cells a classifier stack supports. */
  public static final java.util.List<String> CELLS = java.util.List.of("lstm", "gru", "rnn");

  public SequenceClassifierSpec {
    Require.that(vocabSize >= 5, "vocabSize", vocabSize, ">= 5 (4 reserved tokens + at least one word)");
    Require.that(classes >= 2, "classes", classes, ">= 2 (the training data must contain at least two labels)");
    Require.stack(embeddingSize, hiddenSize, layers, dropout, initScale, cell, CELLS,
        " for a classifier (tcn stacks are built for language models only)");
    Require.that(!(bidirectional && pooling == Pooling.Mode.LAST), "classify.pooling", "last",
        "max or mean when classify.bidirectional = true (at the last step the backward direction has read one token)");
  }

  /** Width of the pooled features. */
  public int featureSize() {
    return bidirectional && merge == Bidirectional.Merge.CONCAT ? 2 * hiddenSize : hiddenSize;
  }

}
