package io.seqspark.core.w2v;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class EmbeddingEvaluationTest {

  @TempDir
  Path dir;

  /** Vectors where man:king = woman:queen holds exactly by construction, and the restricted vocabulary matters. */
  private static WordVectors toy() {
    List<String> words = List.of("man", "woman", "king", "queen", "apple", "rare");
    float[][] v = {{1, 0, 0}, {1, 1, 0}, {1, 0, 1}, {1, 1, 1}, {-1, 0, 0}, {0, 0, -1}};
    Vectors vec = new Vectors(new Vectors.Layout(words.size(), 3, 2));
    for (int i = 0; i < v.length; i++) {
      vec.setRow(i, v[i]);
    }
    return new WordVectors(words, vec, 0);
  }

  @Test
  void analogies_3CosAdd_countsCorrectAnswersAndSkipsWordsOutsideTheRestriction() throws Exception {
    Path q = dir.resolve("q.txt");
    // b - a + c for Man King Woman = (1,1,1) = queen; the second is wrong (answer 'apple' is not the argmax);
    // the third uses 'rare', outside the 5 most frequent words, so it is skipped
    Files.writeString(q, ": family\nMan King Woman Queen\nman woman king apple\nman rare king queen\n");
    EmbeddingEvaluation.Analogy a = EmbeddingEvaluation.analogies(toy(), q, 5);
    assertEquals(3, a.questions());
    assertEquals(2, a.answered());
    assertEquals(1, a.correct());
    assertEquals(0.5, a.accuracy());
    assertEquals(2 / 3.0, a.coverage(), 1e-12);
  }

  @Test
  void spearman_usesAverageRanksForTies() {
    // ranks of x: 1, 2.5, 2.5, 4; y is monotone in x except the tie -> rho from the tie-corrected Pearson formula
    double[] x = {1, 2, 2, 3};
    double[] y = {10, 20, 30, 40};
    assertArrayEquals(new double[] {1, 2.5, 2.5, 4}, EmbeddingEvaluation.ranks(x), 0);
    // Pearson of (1,2.5,2.5,4) and (1,2,3,4): cov = 1.5*1.5+0+0+1.5*1.5 ... = 4.5/ sqrt(4.5 * 5)
    assertEquals(4.5 / Math.sqrt(4.5 * 5), EmbeddingEvaluation.spearman(x, y), 1e-12);
    assertEquals(-1, EmbeddingEvaluation.spearman(new double[] {1, 2, 3}, new double[] {3, 2, 1}), 1e-12);
  }

  @Test
  void similarity_reportsCoverage_andNeighboursAreByCosine() throws Exception {
    Path p = dir.resolve("ws.tsv");
    Files.writeString(p, "# header\nking\tqueen\t9\nman\tapple\t1\nwoman\tqueen\t8\nking\tunicorn\t5\n");
    EmbeddingEvaluation.Similarity s = EmbeddingEvaluation.similarity(toy(), p);
    assertEquals(4, s.pairs());
    assertEquals(3, s.used());
    // cosines: king-queen 2/sqrt(6)=.816, man-apple -1, woman-queen 2/sqrt(6)=.816: ranks (2.5,1,2.5) vs human (3,1,2)
    assertEquals(EmbeddingEvaluation.pearson(new double[] {3, 1, 2}, new double[] {2.5, 1, 2.5}), s.spearman(), 1e-12);
    var n = EmbeddingEvaluation.neighbours(toy(), "king", 2);
    // king (1,0,1): queen 2/sqrt(6) = .816, man 1/sqrt(2) = .707, woman .5, apple and rare -.707
    assertEquals(List.of("queen", "man"), n.stream().map(EmbeddingEvaluation.Neighbour::word).toList());
    assertEquals(2 / Math.sqrt(6), n.get(0).cosine(), 1e-6);
  }
}
