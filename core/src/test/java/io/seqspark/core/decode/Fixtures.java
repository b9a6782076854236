package io.seqspark.core.decode;

import io.seqspark.core.data.Vocabulary;
import io.seqspark.core.model.LanguageModel;
import io.seqspark.core.model.LanguageModelSpec;
import org.nd4j.linalg.api.buffer.DataType;

/** A small vocabulary and untrained language models with peaked distributions (init scale 1.5), for decoding tests. */
final class Fixtures {
  private Fixtures() {
  }

  /** The 4 specials, then 12 words (ids 4..15). */
  static Vocabulary vocabulary() {
    String[] words = {"a", "and", "away", "cat", "dog", "home", "mat", "on", "ran", "sat", "the", "then"};
    String[] tokens = new String[4 + words.length];
    long[] counts = new long[tokens.length];
    for (int i = 0; i < 4; i++) {
      tokens[i] = Vocabulary.SPECIALS.get(i);
    }
    for (int i = 0; i < words.length; i++) {
      tokens[4 + i] = words[i];
      counts[4 + i] = 1;
    }
    return Vocabulary.ofRanked(tokens, counts);
  }

  /** A 2-layer model of {@code cell} over {@link #vocabulary()}: embedding 8, hidden 16, seed 7. */
  static LanguageModel model(String cell, DataType dtype) {
    return new LanguageModel(new LanguageModelSpec(16, 8, 16, 2, cell, 0.0, 1.5), dtype, 7);
  }
}
