package io.seqspark.core.model;

/**
 * What defines a language model's architecture; validated here, once.
 *
 * @param vocabSize     output classes and embedding rows
 * @param embeddingSize embedding width
 * @param hiddenSize    recurrent width
 * @param layers        stacked recurrent layers
 * @param cell          recurrent cell: lstm, gru (Cho et al. 2014) or rnn (Elman, tanh)
 * @param dropout       dropout on non-recurrent connections, in [0, 1)
 * @param initScale     parameters start uniform in [-initScale, initScale]
 */
public record LanguageModelSpec(int vocabSize, int embeddingSize, int hiddenSize, int layers, String cell, double dropout,
                                double initScale) {
  /** The recurrent cells the language model supports (config rule of {@code model.cell}). */
  public static final java.util.List<String> CELLS = java.util.List.of("lstm", "gru", "rnn");

  public LanguageModelSpec {
    require(vocabSize >= 5, "vocabSize", vocabSize, ">= 5 (4 reserved tokens + at least one word)");
    require(embeddingSize >= 1, "model.embeddingSize", embeddingSize, ">= 1");
    require(hiddenSize >= 1, "model.hiddenSize", hiddenSize, ">= 1");
    require(layers >= 1, "model.layers", layers, ">= 1");
    require(dropout >= 0 && dropout < 1, "model.dropout", dropout, "in [0, 1)");
    require(initScale > 0, "model.initScale", initScale, "> 0");
    require(CELLS.contains(cell), "model.cell", cell, "one of " + String.join(", ", CELLS));
  }

  private static void require(boolean ok, String key, Object value, String rule) {
    if (!ok) {
      throw new IllegalArgumentException(key + " = " + value + ": must be " + rule);
    }
  }
}
