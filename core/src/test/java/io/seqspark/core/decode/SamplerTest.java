package io.seqspark.core.decode;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.seqspark.core.data.Vocabulary;
import io.seqspark.core.model.LanguageModel;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.nd4j.linalg.api.buffer.DataType;

class SamplerTest {

  private static List<String> generate(String cell, int start, int count, double temperature, long seed) {
    LanguageModel m = Fixtures.model(cell, DataType.FLOAT);
    return Sampler.generate(m, Fixtures.vocabulary(), start, count, 12, temperature, seed).stream()
        .map(s -> String.join(" ", s)).toList();
  }

  /** Sentences the sampler gave before it was rebuilt on {@link IncrementalDecoder}: `lm generate` must not change. */
  @Test
  void generate_pinnedSentences_areUnchanged() {
    assertEquals(List.of("then sat sat then sat sat then sat then a and a", "then sat sat then sat sat then sat then a and a"),
        generate("lstm", Vocabulary.BOS_ID, 2, 0, 1));
    assertEquals(List.of("cat and home then sat a a and the and mat ran",
        "sat dog ran home dog then ran sat dog home on sat",
        "away then dog then a and the away then <unk> dog and", ""), generate("lstm", Vocabulary.BOS_ID, 4, 1.0, 5));
    assertEquals(List.of("and away sat sat sat mat away sat sat away away sat", "mat home dog and",
        "and then sat sat sat sat sat ran sat <unk> dog <unk>", ""), generate("gru", Vocabulary.BOS_ID, 4, 1.0, 5));
    assertEquals(List.of("mat mat mat mat mat home mat sat", "mat mat mat mat mat mat then mat mat mat",
        "mat mat mat mat mat mat the mat mat mat the the", "mat mat mat mat mat mat sat"),
        generate("gru", Vocabulary.EOS_ID, 4, 0.7, 11));
    assertEquals(List.of("ran mat the on the on sat a a a a", "ran then on the on the the on the on the the",
        "ran then on the on", "mat the on the on the on the the away ran then"), generate("tcn", Vocabulary.BOS_ID, 4, 1.0, 5));
  }
}
