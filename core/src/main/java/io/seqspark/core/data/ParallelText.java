package io.seqspark.core.data;

import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * Two aligned text files, line i of the source translating line i of the target, tokenised with one tokenizer.
 *
 * @param source one token list per source line
 * @param target one token list per target line, as many as source lines
 */
public record ParallelText(Path sourceFile, Path targetFile, List<List<String>> source, List<List<String>> target) {

  /** Reads both files; fails naming both files and their line counts when they are not aligned. */
  public static ParallelText read(Path sourceFile, Path targetFile, Tokenizer tokenizer) throws IOException {
    List<List<String>> s = TextCorpus.readLines(sourceFile, tokenizer);
    List<List<String>> t = TextCorpus.readLines(targetFile, tokenizer);
    if (s.size() != t.size()) {
      throw new IllegalArgumentException(sourceFile + " has " + s.size() + " lines but " + targetFile + " has "
          + t.size() + ": parallel files must be aligned line by line. Fix: pass the two sides of the same corpus");
    }
    return new ParallelText(sourceFile, targetFile, s, t);
  }

  public int size() {
    return source.size();
  }

  /** Every pair as {@link PairBatcher#encode}d ids; pairs with an empty side are left out (counted by the caller). */
  public List<int[]> encode(Vocabulary sourceVocabulary, Vocabulary targetVocabulary) {
    List<int[]> out = new ArrayList<>(source.size());
    for (int i = 0; i < source.size(); i++) {
      if (source.get(i).isEmpty() || target.get(i).isEmpty()) {
        continue;
      }
      out.add(PairBatcher.encode(sourceVocabulary.encode(source.get(i)), targetVocabulary.encode(target.get(i))));
    }
    return out;
  }
}
