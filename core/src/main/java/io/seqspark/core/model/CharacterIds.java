package io.seqspark.core.model;

import io.seqspark.core.data.Vocabulary;
import java.nio.charset.StandardCharsets;

/**
 * A token → the character ids the biLM's encoder reads: its UTF-8 bytes (byte b → id b + 1), between a
 * begin-of-word and an end-of-word marker, cut to {@code maxCharacters} ids (the end marker is always kept). The
 * sentence markers {@code <s>} and {@code </s>} get one reserved character each instead of their spelling, as in
 * bilm-tf. Id 0 is padding. Needs no character vocabulary, so any word, seen in training or not, has ids.
 */
public final class CharacterIds {
  /** Rows of the character embedding: padding, 256 bytes, 4 markers. */
  public static final int VOCAB = 261;
  public static final int PAD = 0;
  public static final int BEGIN_WORD = 257;
  public static final int END_WORD = 258;
  public static final int BEGIN_SENTENCE = 259;
  public static final int END_SENTENCE = 260;

  private CharacterIds() {
  }

  /** The character ids of {@code token}, at most {@code maxCharacters} of them (at least 3). */
  public static int[] of(String token, int maxCharacters) {
    if (token.equals(Vocabulary.BOS)) {
      return new int[] {BEGIN_WORD, BEGIN_SENTENCE, END_WORD};
    }
    if (token.equals(Vocabulary.EOS)) {
      return new int[] {BEGIN_WORD, END_SENTENCE, END_WORD};
    }
    byte[] bytes = token.getBytes(StandardCharsets.UTF_8);
    int n = Math.min(bytes.length, maxCharacters - 2);
    int[] out = new int[n + 2];
    out[0] = BEGIN_WORD;
    for (int i = 0; i < n; i++) {
      out[i + 1] = (bytes[i] & 0xff) + 1;
    }
    out[n + 1] = END_WORD;
    return out;
  }
}
