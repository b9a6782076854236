package io.seqspark.core.model;

import io.seqspark.core.config.Require;
import java.util.Arrays;

/**
 * What defines an ELMo biLM's architecture (config section {@code elmo.*}); validated here, once.
 *
 * @param vocabSize         softmax classes (the word vocabulary)
 * @param maxCharacters     characters per token the encoder reads, begin/end-of-word markers included
 * @param charEmbeddingSize character embedding width
 * @param filterWidths      convolution widths of the character CNN
 * @param filters           filters per width
 * @param highways          highway layers after the CNN
 * @param projectionSize    token vector width = LSTMP projection (output) width = softmax input width
 * @param cellSize          LSTMP cell width
 * @param layers            LSTMP layers per direction
 * @param cellClip          |c| clip, 0 = none
 * @param projClip          |r| clip, 0 = none
 * @param residual          residual connections between layers (around every layer but the first)
 * @param dropout           dropout on the token vectors and each layer's output, in [0, 1)
 * @param initScale         parameters start uniform in [-initScale, initScale]
 * @param sampledSoftmax    classes sampled per batch for training (0 = full softmax); evaluation is always full
 */
public record BiLmSpec(int vocabSize, int maxCharacters, int charEmbeddingSize, int[] filterWidths, int[] filters,
                       int highways, int projectionSize, int cellSize, int layers, double cellClip, double projClip,
                       boolean residual, double dropout, double initScale, int sampledSoftmax) {

  public BiLmSpec {
    Require.that(vocabSize >= 5, "vocabSize", vocabSize, ">= 5 (4 reserved tokens + at least one word)");
    Require.that(maxCharacters >= 3 && maxCharacters <= 1000, "elmo.maxCharacters", maxCharacters,
        "in [3, 1000] (begin and end markers + at least one character)");
    Require.that(charEmbeddingSize >= 1, "elmo.charEmbeddingSize", charEmbeddingSize, ">= 1");
    Require.that(filterWidths.length >= 1 && filterWidths.length == filters.length, "elmo.filterWidths",
        Arrays.toString(filterWidths), "a non-empty list as long as elmo.filters (" + filters.length + ")");
    for (int w : filterWidths) {
      Require.that(w >= 1 && w <= maxCharacters, "elmo.filterWidths", Arrays.toString(filterWidths),
          "widths in [1, elmo.maxCharacters = " + maxCharacters + "]");
    }
    for (int f : filters) {
      Require.that(f >= 1, "elmo.filters", Arrays.toString(filters), "counts >= 1");
    }
    Require.that(highways >= 0, "elmo.highways", highways, ">= 0");
    Require.that(projectionSize >= 1, "elmo.projectionSize", projectionSize, ">= 1");
    Require.that(cellSize >= 1, "elmo.cellSize", cellSize, ">= 1");
    Require.that(layers >= 1, "elmo.layers", layers, ">= 1");
    Require.that(cellClip >= 0, "elmo.cellClip", cellClip, ">= 0 (0 = no clip)");
    Require.that(projClip >= 0, "elmo.projClip", projClip, ">= 0 (0 = no clip)");
    Require.that(dropout >= 0 && dropout < 1, "elmo.dropout", dropout, "in [0, 1)");
    Require.that(initScale > 0, "elmo.initScale", initScale, "> 0");
    Require.that(sampledSoftmax >= 0 && sampledSoftmax < vocabSize, "elmo.sampledSoftmax", sampledSoftmax,
        "0 (full softmax) or a sample count below the vocabulary size " + vocabSize + ". Fix: set elmo.sampledSoftmax"
            + " below " + vocabSize + " (a few thousand for a large vocabulary), or 0 for the full softmax");
    filterWidths = filterWidths.clone();
    filters = filters.clone();
  }

  @Override
  public int[] filterWidths() {
    return filterWidths.clone();
  }

  @Override
  public int[] filters() {
    return filters.clone();
  }
}
