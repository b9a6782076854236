package io.seqspark.core.w2v;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

/**
 * Scores word vectors the way the word2vec literature does, identically for every engine's vectors:
 * <ul>
 *   <li>analogies "a b c d" by 3CosAdd (argmax over words ≠ a, b, c of cos(w, b − a + c) with unit-length rows),
 *       over the {@code restrict} most frequent words like word2vec's compute-accuracy: a question with any word
 *       outside them is skipped and counted against coverage; case-insensitive (compute-accuracy upper-cases all);</li>
 *   <li>Spearman's ρ between human scores and cosine similarities (WordSim-353), pairs with an unknown word skipped;</li>
 *   <li>nearest neighbours by cosine.</li>
 * </ul>
 */
public final class EmbeddingEvaluation {

  private EmbeddingEvaluation() {
  }

  /** Accuracy = correct / answered; coverage = answered / questions in the file. */
  public record Analogy(long questions, long answered, long correct) {
    public double accuracy() {
      return answered == 0 ? Double.NaN : (double) correct / answered;
    }

    public double coverage() {
      return questions == 0 ? Double.NaN : (double) answered / questions;
    }
  }

  /** Spearman ρ over {@code used} of {@code pairs} pairs. */
  public record Similarity(long pairs, long used, double spearman) {
    public double coverage() {
      return pairs == 0 ? Double.NaN : (double) used / pairs;
    }
  }

  /** One neighbour. */
  public record Neighbour(String word, double cosine) {
  }

  /** 3CosAdd over questions-words.txt-style lines ({@code ": section"} headers skipped). */
  public static Analogy analogies(WordVectors wv, Path questions, int restrict) throws IOException {
    int n = Math.min(restrict, wv.size());
    Map<String, Integer> index = wv.index(true, n);
    List<int[]> qs = new ArrayList<>();
    long total = 0;
    int lineNo = 0;
    for (String line : Files.readAllLines(questions, StandardCharsets.UTF_8)) {
      lineNo++;
      String t = line.strip();
      if (t.isEmpty() || t.startsWith(":")) {
        continue;
      }
      String[] p = t.toLowerCase(Locale.ROOT).split("\\s+");
      if (p.length != 4) {
        throw new IllegalArgumentException(questions + ": line " + lineNo + " '" + line + "' is not an analogy"
            + " question; expected four words \"a b c d\" or a \": section\" header");
      }
      total++;
      int[] q = new int[4];
      boolean known = true;
      for (int k = 0; k < 4; k++) {
        Integer id = index.get(p[k]);
        known &= id != null;
        q[k] = id == null ? -1 : id;
      }
      if (known) {
        qs.add(q);
      }
    }
    float[] unit = unitRows(wv, n);
    int dim = wv.dim();
    INDArray w = Nd4j.create(unit, new long[] {n, dim}, DataType.FLOAT);
    long correct = 0;
    int batch = 256;
    INDArray scores = Nd4j.create(DataType.FLOAT, batch, n);
    for (int from = 0; from < qs.size(); from += batch) {
      int rows = Math.min(batch, qs.size() - from);
      float[] query = new float[batch * dim];
      for (int r = 0; r < rows; r++) {
        int[] q = qs.get(from + r);
        for (int d = 0; d < dim; d++) {
          query[r * dim + d] = unit[q[1] * dim + d] - unit[q[0] * dim + d] + unit[q[2] * dim + d];
        }
      }
      INDArray qa = Nd4j.create(query, new long[] {batch, dim}, DataType.FLOAT);
      Nd4j.gemm(qa, w, scores, false, true, 1.0, 0.0);
      float[] s = scores.data().asFloat();
      for (int r = 0; r < rows; r++) {
        int[] q = qs.get(from + r);
        int best = -1;
        float bestScore = Float.NEGATIVE_INFINITY;
        int base = r * n;
        for (int j = 0; j < n; j++) {
          if (s[base + j] > bestScore && j != q[0] && j != q[1] && j != q[2]) {
            bestScore = s[base + j];
            best = j;
          }
        }
        if (best == q[3]) {
          correct++;
        }
      }
    }
    return new Analogy(total, qs.size(), correct);
  }

  /** Rows 0..n-1 scaled to unit length (zero rows stay zero), one flat array. */
  private static float[] unitRows(WordVectors wv, int n) {
    int dim = wv.dim();
    float[] out = new float[n * dim];
    for (int i = 0; i < n; i++) {
      float[] v = wv.vector(i);
      double norm = 0;
      for (float x : v) {
        norm += (double) x * x;
      }
      double inv = norm > 0 ? 1 / Math.sqrt(norm) : 0;
      for (int d = 0; d < dim; d++) {
        out[i * dim + d] = (float) (v[d] * inv);
      }
    }
    return out;
  }

  /** WordSim-353-style pairs: "w1 TAB w2 TAB score" lines, '#' comments. */
  public static Similarity similarity(WordVectors wv, Path pairs) throws IOException {
    Map<String, Integer> index = wv.index(true, wv.size());
    List<double[]> used = new ArrayList<>();
    long total = 0;
    int lineNo = 0;
    for (String line : Files.readAllLines(pairs, StandardCharsets.UTF_8)) {
      lineNo++;
      if (line.isBlank() || line.startsWith("#")) {
        continue;
      }
      String[] p = line.strip().split("\t");
      if (p.length != 3) {
        throw new IllegalArgumentException(pairs + ": line " + lineNo + " '" + line + "' is not \"word1<TAB>word2<TAB>score\"");
      }
      total++;
      Integer a = index.get(p[0].toLowerCase(Locale.ROOT));
      Integer b = index.get(p[1].toLowerCase(Locale.ROOT));
      if (a != null && b != null) {
        used.add(new double[] {Double.parseDouble(p[2]), cosine(wv.vector(a), wv.vector(b))});
      }
    }
    double[] human = used.stream().mapToDouble(x -> x[0]).toArray();
    double[] model = used.stream().mapToDouble(x -> x[1]).toArray();
    return new Similarity(total, used.size(), used.size() < 2 ? Double.NaN : spearman(human, model));
  }

  static double cosine(float[] a, float[] b) {
    double dot = 0;
    double na = 0;
    double nb = 0;
    for (int i = 0; i < a.length; i++) {
      dot += (double) a[i] * b[i];
      na += (double) a[i] * a[i];
      nb += (double) b[i] * b[i];
    }
    return na == 0 || nb == 0 ? 0 : dot / Math.sqrt(na * nb);
  }

  /** Spearman's ρ: Pearson correlation of the ranks, ties given their average rank. */
  public static double spearman(double[] x, double[] y) {
    return pearson(ranks(x), ranks(y));
  }

  static double[] ranks(double[] v) {
    Integer[] order = new Integer[v.length];
    for (int i = 0; i < v.length; i++) {
      order[i] = i;
    }
    Arrays.sort(order, (a, b) -> Double.compare(v[a], v[b]));
    double[] r = new double[v.length];
    for (int i = 0; i < v.length; ) {
      int j = i;
      while (j + 1 < v.length && v[order[j + 1]] == v[order[i]]) {
        j++;
      }
      double avg = (i + j) / 2.0 + 1;
      for (int k = i; k <= j; k++) {
        r[order[k]] = avg;
      }
      i = j + 1;
    }
    return r;
  }

  static double pearson(double[] x, double[] y) {
    double mx = Arrays.stream(x).average().orElse(0);
    double my = Arrays.stream(y).average().orElse(0);
    double sxy = 0;
    double sxx = 0;
    double syy = 0;
    for (int i = 0; i < x.length; i++) {
      sxy += (x[i] - mx) * (y[i] - my);
      sxx += (x[i] - mx) * (x[i] - mx);
      syy += (y[i] - my) * (y[i] - my);
    }
    return sxx == 0 || syy == 0 ? Double.NaN : sxy / Math.sqrt(sxx * syy);
  }

  /** The {@code k} words most cosine-similar to {@code word} (itself excluded); empty if the word is unknown. */
  public static List<Neighbour> neighbours(WordVectors wv, String word, int k) {
    Integer id = wv.index(false, wv.size()).get(word);
    if (id == null) {
      id = wv.index(true, wv.size()).get(word.toLowerCase(Locale.ROOT));
    }
    if (id == null) {
      return List.of();
    }
    float[] q = wv.vector(id);
    java.util.PriorityQueue<Neighbour> top = new java.util.PriorityQueue<>(java.util.Comparator.comparingDouble(Neighbour::cosine));
    for (int i = 0; i < wv.size(); i++) {
      if (i == id) {
        continue;
      }
      double c = cosine(q, wv.vector(i));
      if (top.size() < k) {
        top.add(new Neighbour(wv.words().get(i), c));
      } else if (c > top.peek().cosine()) {
        top.poll();
        top.add(new Neighbour(wv.words().get(i), c));
      }
    }
    List<Neighbour> out = new ArrayList<>(top);
    out.sort(java.util.Comparator.comparingDouble(Neighbour::cosine).reversed());
    return out;
  }
}
