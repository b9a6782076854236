package io.seqspark.core.config;

import java.util.List;

/**
 * The rule checks every model spec runs in its constructor, with one message shape: {@code key = value: must be rule}.
 */
public final class Require {
  private Require() {
  }

  /** Fails with {@code key = value: must be rule} unless {@code ok}. */
  public static void that(boolean ok, String key, Object value, String rule) {
    if (!ok) {
      throw new IllegalArgumentException(key + " = " + value + ": must be " + rule);
    }
  }

  /**
   * The rules of an embedding → recurrent stack shared by the language model, the classifier and the tagger
   * (model.embeddingSize, hiddenSize, layers, dropout, initScale, cell); {@code what} names the family in the cell
   * rule ("for a tagger").
   */
  public static void stack(int embeddingSize, int hiddenSize, int layers, double dropout, double initScale, String cell,
                           List<String> cells, String what) {
    that(embeddingSize >= 1, "model.embeddingSize", embeddingSize, ">= 1");
    that(hiddenSize >= 1, "model.hiddenSize", hiddenSize, ">= 1");
    that(layers >= 1, "model.layers", layers, ">= 1");
    that(dropout >= 0 && dropout < 1, "model.dropout", dropout, "in [0, 1)");
    that(initScale > 0, "model.initScale", initScale, "> 0");
    that(cells.contains(cell), "model.cell", cell, "one of " + String.join(", ", cells) + what);
  }
}
