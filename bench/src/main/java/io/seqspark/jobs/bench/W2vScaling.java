package io.seqspark.jobs.bench;

import io.seqspark.core.config.Settings;
import io.seqspark.core.w2v.Corpus;
import io.seqspark.core.w2v.EmbeddingEvaluation;
import io.seqspark.core.w2v.SkipGramOptions;
import io.seqspark.core.w2v.Word2VecTrainer;
import io.seqspark.core.w2v.Word2VecTraining;
import io.seqspark.core.w2v.WordVectors;
import io.seqspark.spark.w2v.DistributedWord2Vec;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.apache.spark.SparkConf;
import org.apache.spark.api.java.JavaSparkContext;

/**
 * Issue 13's Word2Vec scaling figures, for {@code bench scaling}: analogy accuracy of the local trainer and of the
 * Spark trainer with 1, 4 and 8 partitions, on one corpus file for the same epochs, with the settings of
 * {@code seqspark w2v train --conf w2v} (gensim's skip-gram defaults, min count 5, lower-cased, run.threads = 2
 * locally) and Spark {@code local[2]}. Accuracy is 3CosAdd over the questions file among the w2v.restrictVocab most
 * frequent words, as {@code w2v train} reports it. The Spark figures are deterministic for a seed; the local one
 * varies slightly between runs (two Hogwild threads).
 *
 * <p>As a program (for measuring one configuration by hand):
 * {@code java -cp ... io.seqspark.jobs.bench.W2vScaling CORPUS QUESTIONS EPOCHS [local,1,4,8] [key=value ...]}.
 */
public final class W2vScaling {

  private W2vScaling() {
  }

  /** The four accuracies (fractions of the questions answered correctly) and each run's training seconds. */
  public record Result(double local, double p1, double p4, double p8, Map<String, Double> seconds) {
    /** The RESULT keys: {@code w2v_analogy_local}, {@code _p1}, {@code _p4}, {@code _p8}. */
    public Map<String, Object> resultKeys() {
      Map<String, Object> m = new LinkedHashMap<>();
      m.put("w2v_analogy_local", local);
      m.put("w2v_analogy_p1", p1);
      m.put("w2v_analogy_p4", p4);
      m.put("w2v_analogy_p8", p8);
      return m;
    }
  }

  /**
   * Trains locally and on Spark {@code local[2]} with 1, 4 and 8 partitions for {@code epochs} epochs on
   * {@code corpusFile} and scores each on {@code questions}.
   */
  public static Result run(Path corpusFile, Path questions, int epochs) throws IOException {
    Map<String, Double> acc = run(corpusFile, questions, epochs, List.of("local", "1", "4", "8"), List.of());
    Map<String, Double> sec = new LinkedHashMap<>();
    acc.forEach((k, v) -> {
      if (k.startsWith("seconds_")) {
        sec.put(k.substring(8), v);
      }
    });
    return new Result(acc.get("local"), acc.get("p1"), acc.get("p4"), acc.get("p8"), sec);
  }

  /**
   * The runs named in {@code which} ({@code local} or a partition count), with extra {@code key=value} settings;
   * returns accuracy by run ({@code local}, {@code p1}, ...) and training seconds ({@code seconds_local}, ...).
   */
  public static Map<String, Double> run(Path corpusFile, Path questions, int epochs, List<String> which, List<String> sets)
      throws IOException {
    List<String> all = new ArrayList<>(List.of("data.train=\"" + corpusFile + "\"", "w2v.questions=\"" + questions + "\"",
        "train.epochs=" + epochs));
    all.addAll(sets);
    Settings s = Settings.load(List.of(Word2VecTraining.DEFAULTS, Path.of("w2v")), all);
    SkipGramOptions o = Word2VecTraining.options(s);
    Corpus corpus = Word2VecTraining.corpus(s);
    int restrict = s.getInt("w2v.restrictVocab");
    Map<String, Double> out = new LinkedHashMap<>();
    JavaSparkContext sc = null;
    try {
      for (String w : which) {
        Word2VecTrainer.Result r;
        String key;
        if (w.equals("local")) {
          key = "local";
          r = Word2VecTrainer.train(corpus, o, 0, null, 10);
        } else {
          int p = Integer.parseInt(w);
          key = "p" + p;
          if (sc == null) {
            sc = new JavaSparkContext(new SparkConf().setMaster("local[2]").setAppName("w2v scaling")
                .set("spark.driver.host", "127.0.0.1").set("spark.ui.enabled", "false"));
            sc.setLogLevel("WARN");
          }
          String name = key;
          DistributedWord2Vec.Options opts = DistributedWord2Vec.Options.of(s, o, p);
          r = DistributedWord2Vec.train(sc, corpus, opts, (e, round, done, total, lr, loss, sec) -> {
            if (round == opts.roundsPerEpoch() - 1) {
              System.err.printf("w2v scaling %s: epoch %d done, loss %.4f, %.1f s%n", name, e + 1, loss, sec);
            }
          });
        }
        double a = EmbeddingEvaluation.analogies(WordVectors.of(r.model()), questions, restrict).accuracy();
        out.put(key, a);
        out.put("seconds_" + key, r.seconds());
        System.err.printf("w2v scaling %s: analogy %.4f, %.1f s training, %,d words/epoch%n", key, a, r.seconds(),
            corpus.words());
      }
    } finally {
      if (sc != null) {
        sc.stop();
      }
    }
    return out;
  }

  /** {@code CORPUS QUESTIONS EPOCHS [local,1,4,8] [key=value ...]}: prints {@code RESULT {json}}. */
  public static void main(String[] args) throws IOException {
    if (args.length < 3) {
      throw new IllegalArgumentException("usage: W2vScaling CORPUS QUESTIONS EPOCHS [local,1,4,8] [key=value ...]");
    }
    List<String> which = args.length > 3 ? List.of(args[3].split(",")) : List.of("local", "1", "4", "8");
    List<String> sets = args.length > 4 ? List.of(args).subList(4, args.length) : List.of();
    Map<String, Double> r = run(Path.of(args[0]), Path.of(args[1]), Integer.parseInt(args[2]), which, sets);
    Map<String, Object> m = new LinkedHashMap<>(r);
    m.put("sets", String.join(" ", sets));
    System.out.println("RESULT " + io.seqspark.core.io.Json.write(m));
  }
}
