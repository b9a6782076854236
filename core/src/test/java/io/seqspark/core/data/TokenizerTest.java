package io.seqspark.core.data;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import org.junit.jupiter.api.Test;

class TokenizerTest {

  @Test
  void word_default_splitsOnUnicodeWhitespaceOnly() {
    // \u00A0 (no-break space) and \u2003 (em space) are not Character.isWhitespace but are Unicode spaces.
    assertEquals(List.of("The", "cat,", "sat."), new WordTokenizer().tokenize("  The\tcat,\u00A0sat.\u2003 "));
    assertEquals(List.of(), new WordTokenizer().tokenize(" \t "));
  }

  @Test
  void word_options_lowercaseAndSplitPunctuation() {
    assertEquals(List.of("the", "cat", ",", "sat", "."), new WordTokenizer(true, true).tokenize("The cat, sat."));
    assertEquals(List.of("<unk>", "n't"), new WordTokenizer(true, false).tokenize(" <UNK> n't "));
  }

  @Test
  void char_eachCodePointIsATokenAndSpacesBecomeUnderscore() {
    // U+1F600 is one code point but two chars: it must stay one token.
    assertEquals(List.of("a", "_", "B", "_", "\uD83D\uDE00"), new CharTokenizer().tokenize(" a B\t\uD83D\uDE00 "));
    assertEquals(List.of("a", "b"), new CharTokenizer(true).tokenize("AB"));
  }

  @Test
  void of_badMode_namesValueAndAllowedValues() {
    assertInstanceOf(WordTokenizer.class, Tokenizer.of("word", false, false));
    assertInstanceOf(CharTokenizer.class, Tokenizer.of("char", true, false));
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> Tokenizer.of("bpe", false, false));
    assertTrue(e.getMessage().contains("'bpe'") && e.getMessage().contains("word, char"), e.getMessage());
  }
}
