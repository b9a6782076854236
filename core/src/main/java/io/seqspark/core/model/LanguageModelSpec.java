package io.seqspark.core.model;

import io.seqspark.core.config.Require;
/**
 * What defines a language model's architecture; validated here, once.
 *
 * @param vocabSize     output classes and embedding rows
 * @param embeddingSize embedding width
 * @param hiddenSize    recurrent width, or TCN channels
 * @param layers        stacked recurrent layers, or TCN levels (dilations 1, 2, 4, …)
 * @param cell          lstm, gru (Cho et al. 2014), rnn (Elman, tanh) or tcn (Bai et al. 2018 residual blocks)
 * @param dropout       dropout on non-recurrent connections, in [0, 1); for tcn also after each convolution
 * @param initScale     parameters start uniform in [-initScale, initScale]
 * @param tcnKernel     tcn only: kernel size K of every causal convolution
 * @param tcnNorm       tcn only: weight (weight normalization of every causal convolution) or none
 */
public record LanguageModelSpec(int vocabSize, int embeddingSize, int hiddenSize, int layers, String cell, double dropout,
                                double initScale, int tcnKernel, String tcnNorm) {
  /** The cells the language model supports (config rule of {@code model.cell}). */
  public static final java.util.List<String> CELLS = java.util.List.of("lstm", "gru", "rnn", "tcn");
  /** The TCN normalizations (config rule of {@code model.tcnNorm}). */
  public static final java.util.List<String> TCN_NORMS = java.util.List.of("weight", "none");

  public LanguageModelSpec {
    Require.that(vocabSize >= 5, "vocabSize", vocabSize, ">= 5 (4 reserved tokens + at least one word)");
    Require.stack(embeddingSize, hiddenSize, layers, dropout, initScale, cell, CELLS, "");
    Require.that(tcnKernel >= 2 && tcnKernel <= 16, "model.tcnKernel", tcnKernel, "in [2, 16]");
    Require.that(TCN_NORMS.contains(tcnNorm), "model.tcnNorm", tcnNorm, "one of " + String.join(", ", TCN_NORMS));
    Require.that(!cell.equals("tcn") || layers <= 16, "model.layers", layers, "<= 16 for tcn (dilation 2^(levels-1))");
  }

  /** A recurrent model (or a TCN with kernel 3 and weight normalization, the defaults of conf/reference.conf). */
  public LanguageModelSpec(int vocabSize, int embeddingSize, int hiddenSize, int layers, String cell, double dropout,
                           double initScale) {
    this(vocabSize, embeddingSize, hiddenSize, layers, cell, dropout, initScale, 3, "weight");
  }

}
