package io.seqspark.core.w2v;

import io.seqspark.core.config.Settings;
import io.seqspark.core.data.Vocabulary;
import io.seqspark.core.nn.Embedding;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;

/** Initialises any family's token embedding from {@code model.embedding.pretrained} (word2vec files or a w2v run). */
public final class PretrainedEmbedding {
  private PretrainedEmbedding() {
  }

  /**
   * Copies model.embedding.pretrained's vectors (word2vec text/binary, or a seqspark w2v run or model.zip) into the
   * embedding rows of the words they cover: a word's own vector, else its lower-cased form's (so a case-kept
   * vocabulary, e.g. a tagger's, uses vectors trained on lower-cased text).
   *
   * @return the number of vocabulary words without a vector, or -1 if no file is configured
   */
  public static int initialise(Settings s, Embedding embedding, Vocabulary vocab) throws IOException {
    return initialise(s, "model.embedding.pretrained", embedding, vocab);
  }

  /**
   * As {@link #initialise(Settings, Embedding, Vocabulary)} from the vectors the path key {@code key} names (e.g.
   * translate.sourceEmbedding); -1 if it is empty.
   */
  public static int initialise(Settings s, String key, Embedding embedding, Vocabulary vocab) throws IOException {
    Path p = s.getPath(key);
    if (p == null) {
      return -1;
    }
    if (!Files.exists(p)) {
      throw new IllegalArgumentException(key + " = " + p + ": no such file (looked in "
          + p.toAbsolutePath() + "); point it at a word2vec file or a w2v run, or set it to \"\"");
    }
    WordVectors wv = Word2VecArchive.load(p);
    Map<String, Integer> index = wv.index(false, wv.size());
    return embedding.initialise(vocab, w -> {
      Integer i = index.get(w);
      if (i == null) {
        i = index.get(w.toLowerCase(java.util.Locale.ROOT)); // case-kept words over lower-cased vectors (text8, PTB)
      }
      return i == null ? null : wv.vector(i);
    });
  }
}
