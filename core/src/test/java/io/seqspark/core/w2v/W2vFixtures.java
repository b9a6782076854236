package io.seqspark.core.w2v;

import io.seqspark.core.data.Vocabulary;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;

/** A small synthetic corpus: two topics of words; a sentence draws all its words from one topic. */
final class W2vFixtures {
  private W2vFixtures() {
  }

  static final int TOPIC_WORDS = 10;

  static Corpus topics(int sentences, long seed) {
    Random r = new Random(seed);
    List<String[]> lines = new ArrayList<>();
    Vocabulary.Builder vb = Vocabulary.builder();
    for (int s = 0; s < sentences; s++) {
      String topic = r.nextBoolean() ? "a" : "b";
      String[] line = new String[8 + r.nextInt(8)];
      for (int i = 0; i < line.length; i++) {
        line[i] = topic + r.nextInt(TOPIC_WORDS);
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

  static SkipGramOptions options(int threads) {
    return new SkipGramOptions(8, 3, 3, 0, 0.05, 1e-4, 2, threads, 7, false);
  }
}
