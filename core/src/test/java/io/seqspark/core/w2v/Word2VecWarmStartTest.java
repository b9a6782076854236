package io.seqspark.core.w2v;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.seqspark.core.config.Settings;
import io.seqspark.core.data.Vocabulary;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class Word2VecWarmStartTest {
  @TempDir
  Path tmp;

  /** Sentences from topics "a" and "b" (as W2vFixtures) and, with {@code withC}, a third topic of new words. */
  static Corpus corpus(int sentences, long seed, boolean withC) {
    Random r = new Random(seed);
    List<String[]> lines = new ArrayList<>();
    Vocabulary.Builder vb = Vocabulary.builder();
    for (int s = 0; s < sentences; s++) {
      int k = r.nextInt(withC ? 3 : 2);
      String topic = k == 0 ? "a" : k == 1 ? "b" : "c";
      String[] line = new String[8 + r.nextInt(8)];
      for (int i = 0; i < line.length; i++) {
        line[i] = topic + r.nextInt(W2vFixtures.TOPIC_WORDS);
        vb.add(line[i]);
      }
      lines.add(line);
    }
    Vocabulary vocab = vb.build(1, 0);
    Corpus.Builder cb = new Corpus.Builder(vocab.size(), 1000);
    long raw = 0;
    for (String[] l : lines) {
      cb.add(vocab.encode(List.of(l)));
      raw += l.length;
    }
    return cb.build(vocab, raw);
  }

  static SkipGramOptions options(int epochs) {
    return new SkipGramOptions(8, 3, 3, 0, 0.05, 1e-4, epochs, 1, 7, false);
  }

  /** Trains a model on topics a, b and saves it as a w2v model archive; returns the archive. */
  Path previous(int epochs) throws Exception {
    Word2VecModel m = Word2VecTrainer.train(corpus(400, 1, false), options(epochs), 0, null, 1).model();
    Path zip = tmp.resolve("prev-" + epochs + ".zip");
    Word2VecArchive.write(zip, Settings.load(List.of(), List.of("w2v.dim=8")), m, Map.of());
    return zip;
  }

  @Test
  void initialise_carriesSharedWordsRows_andStartsNewWordsAsAFreshModel() throws Exception {
    Path zip = previous(2);
    Word2VecModel before = Word2VecArchive.read(zip).model();
    Vocabulary vocab = corpus(300, 9, true).vocabulary(); // other counts, so other ids, and the new words c0..c9
    SkipGramOptions o = options(1).withWarmStart(zip.toString());
    Word2VecModel warm = Word2VecWarmStart.initialise(vocab, o, 0);
    Word2VecModel cold = Word2VecModel.initialise(vocab, o.dim(), o.seed(), 0);
    int carried = 0;
    for (int id = Corpus.FIRST_WORD; id < vocab.size(); id++) {
      String w = vocab.token(id);
      if (w.startsWith("c")) {
        assertArrayEquals(cold.in().row(id), warm.in().row(id), w);
        assertArrayEquals(new float[8], warm.out().row(id), w);
      } else {
        int old = before.vocabulary().id(w);
        assertArrayEquals(before.in().row(old), warm.in().row(id), w);
        assertArrayEquals(before.out().row(old), warm.out().row(id), w);
        carried++;
      }
    }
    assertEquals(2 * W2vFixtures.TOPIC_WORDS, carried);
    Word2VecWarmStart.Summary s = Word2VecWarmStart.check(o, vocab);
    assertEquals(carried, s.carried());
    assertEquals(W2vFixtures.TOPIC_WORDS, s.fresh());
    // A run directory works as well as its model.zip.
    java.nio.file.Files.copy(zip, java.nio.file.Files.createDirectories(tmp.resolve("run")).resolve("model.zip"));
    Word2VecModel viaDir = Word2VecWarmStart.initialise(vocab, options(1).withWarmStart(tmp.resolve("run").toString()), 0);
    assertTrue(viaDir.in().sameValues(warm.in()) && viaDir.out().sameValues(warm.out()));
  }

  @Test
  void warmStart_onTheSameData_hasALowerFirstEpochLossThanACold_andIsReproducible() throws Exception {
    Path zip = previous(5);
    Corpus data = corpus(400, 1, false);
    double cold = Word2VecTrainer.train(data, options(1), 0, null, 1).meanLoss();
    Word2VecTrainer.Result a = Word2VecTrainer.train(data, options(1).withWarmStart(zip.toString()), 0, null, 1);
    Word2VecTrainer.Result b = Word2VecTrainer.train(data, options(1).withWarmStart(zip.toString()), 0, null, 1);
    assertTrue(a.meanLoss() < 0.95 * cold, "warm " + a.meanLoss() + " vs cold " + cold);
    assertTrue(a.model().in().sameValues(b.model().in()) && a.model().out().sameValues(b.model().out()));
  }

  @Test
  void otherWidth_failsNamingTheKeyAndBothWidths() throws Exception {
    Path zip = previous(1);
    SkipGramOptions wide = new SkipGramOptions(16, 3, 3, 0, 0.05, 1e-4, 1, 1, 7, false, zip.toString());
    Vocabulary vocab = corpus(50, 2, false).vocabulary();
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> Word2VecWarmStart.check(wide, vocab));
    assertTrue(e.getMessage().contains("8 wide, but w2v.dim = 16") && e.getMessage().contains("Fix"), e.getMessage());
    assertThrows(IllegalArgumentException.class, () -> Word2VecWarmStart.initialise(vocab, wide, 0));
    IllegalArgumentException missing = assertThrows(IllegalArgumentException.class, () -> Word2VecWarmStart.check(
        options(1).withWarmStart(tmp.resolve("nope").toString()), vocab));
    assertTrue(missing.getMessage().startsWith("w2v.warmStart = "), missing.getMessage());
  }
}
