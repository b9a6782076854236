package io.seqspark.core.w2v;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class Word2VecFormatTest {

  @TempDir
  Path dir;

  @Test
  void textAndBinary_roundTripEveryVectorBitForBit() throws Exception {
    Word2VecModel m = Word2VecTrainer.train(W2vFixtures.topics(200, 5), W2vFixtures.options(1), 0, null, 1).model();
    WordVectors wv = WordVectors.of(m);
    Word2VecFormat.writeText(dir.resolve("v.txt"), wv);
    Word2VecFormat.writeBinary(dir.resolve("v.bin"), wv);
    for (String f : new String[] {"v.txt", "v.bin"}) {
      WordVectors back = Word2VecFormat.read(dir.resolve(f));
      assertEquals(wv.words(), back.words(), f);
      for (int i = 0; i < wv.size(); i++) {
        assertArrayEquals(wv.vector(i), back.vector(i), 0f, f + " word " + wv.words().get(i));
      }
    }
    assertFalse(Word2VecFormat.isBinary(dir.resolve("v.txt")));
    assertTrue(Word2VecFormat.isBinary(dir.resolve("v.bin")));
  }

  /**
   * Files built here byte by byte from the format's description (as the C word2vec tool writes them: header,
   * then "word " + little-endian float32s + '\n'), not by our writer.
   */
  @Test
  void filesWrittenByHandFromTheSpec_load() throws Exception {
    float[][] v = {{1.5f, -0.25f, 3e-7f}, {0f, 2f, -1f}};
    String[] words = {"der", "größe"};
    ByteArrayOutputStream bin = new ByteArrayOutputStream();
    bin.write("2 3\n".getBytes(StandardCharsets.US_ASCII));
    StringBuilder txt = new StringBuilder("2 3\n");
    for (int w = 0; w < 2; w++) {
      bin.write(words[w].getBytes(StandardCharsets.UTF_8));
      bin.write(' ');
      txt.append(words[w]);
      for (float f : v[w]) {
        int bits = Float.floatToIntBits(f);
        for (int k = 0; k < 4; k++) {
          bin.write((bits >>> (8 * k)) & 0xFF);
        }
        txt.append(' ').append(String.format(java.util.Locale.ROOT, "%.9e", f));
      }
      bin.write('\n');
      txt.append(" \n");
    }
    Files.write(dir.resolve("hand.bin"), bin.toByteArray());
    Files.writeString(dir.resolve("hand.txt"), txt.toString());
    for (String f : new String[] {"hand.bin", "hand.txt"}) {
      WordVectors back = Word2VecFormat.read(dir.resolve(f));
      assertEquals(List.of(words), back.words(), f);
      assertArrayEquals(v[0], back.vector(0), 0f, f);
      assertArrayEquals(v[1], back.vector(1), 0f, f);
    }
  }

  @Test
  void truncatedFile_failsNamingItAndTheWordCount() throws Exception {
    Files.writeString(dir.resolve("cut.txt"), "3 2\na 1 2\nb 3 4\n");
    var e = org.junit.jupiter.api.Assertions.assertThrows(IllegalArgumentException.class,
        () -> Word2VecFormat.readText(dir.resolve("cut.txt")));
    assertTrue(e.getMessage().contains("cut.txt") && e.getMessage().contains("promises 3 words"), e.getMessage());
  }
}
