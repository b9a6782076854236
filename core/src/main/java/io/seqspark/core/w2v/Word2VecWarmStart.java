package io.seqspark.core.w2v;

import io.seqspark.core.config.Settings;
import io.seqspark.core.data.Vocabulary;
import io.seqspark.core.io.ModelArchive;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.zip.ZipEntry;
import java.util.zip.ZipFile;

/**
 * {@code w2v.warmStart}: a new model whose vocabulary comes from the new data starts every word it shares with a
 * previous w2v model at that model's input and output rows; every other word starts exactly as a fresh model of the
 * same seed starts it ({@link Word2VecModel#initialise}), so a warm-started run is as reproducible as a cold one.
 * Local and Spark training both build their first model here, then train for the configured epochs with the
 * configured learning-rate schedule (w2v.alpha decaying to w2v.minAlpha), as a cold run does.
 */
public final class Word2VecWarmStart {

  /** What a warm start carries: the archive read, words found in it, words started fresh. */
  public record Summary(String path, int carried, int fresh) {}

  private Word2VecWarmStart() {}

  /** The first model for {@code vocab}: fresh, or warm-started when {@code o.warmStart()} is set. */
  public static Word2VecModel initialise(Vocabulary vocab, SkipGramOptions o, int blockRows) {
    Word2VecModel model = Word2VecModel.initialise(vocab, o.dim(), o.seed(), blockRows);
    if (o.warmStart().isEmpty()) {
      return model;
    }
    Path zip = archive(o.warmStart());
    Word2VecModel previous;
    try {
      previous = Word2VecArchive.read(zip).model();
    } catch (IOException e) {
      throw new UncheckedIOException("w2v.warmStart = " + o.warmStart() + ": cannot read " + zip, e);
    }
    checkDim(o.warmStart(), previous.dim(), o.dim());
    carry(previous, model);
    return model;
  }

  /**
   * Copies the rows (input and output) of every word of {@code into} that {@code from} also holds; returns how many.
   * Reserved ids are not words and stay as they are.
   */
  static int carry(Word2VecModel from, Word2VecModel into) {
    Vocabulary old = from.vocabulary();
    Vocabulary vocab = into.vocabulary();
    int carried = 0;
    for (int id = Corpus.FIRST_WORD; id < vocab.size(); id++) {
      String word = vocab.token(id);
      if (!old.contains(word) || old.id(word) < Corpus.FIRST_WORD) {
        continue;
      }
      int src = old.id(word);
      copyRow(from.in(), src, into.in(), id);
      copyRow(from.out(), src, into.out(), id);
      carried++;
    }
    return carried;
  }

  private static void copyRow(Vectors from, int src, Vectors to, int dst) {
    System.arraycopy(from.block(src), from.offset(src), to.block(dst), to.offset(dst), to.dim());
  }

  /**
   * Checks a warm start before any work (the archive exists, its width is w2v.dim) and counts the words it carries,
   * from its config and vocabulary only; null without a warm start.
   */
  public static Summary check(SkipGramOptions o, Vocabulary vocab) throws IOException {
    if (o.warmStart().isEmpty()) {
      return null;
    }
    Path zip = archive(o.warmStart());
    Settings settings;
    Vocabulary old;
    try (ZipFile z = new ZipFile(zip.toFile())) {
      ZipEntry conf = z.getEntry("config.conf");
      ZipEntry tsv = z.getEntry("vocab.tsv");
      if (conf == null || tsv == null || z.getEntry("in.f32") == null || z.getEntry("out.f32") == null) {
        throw notAModel(o.warmStart(), zip);
      }
      try (InputStream in = z.getInputStream(conf)) {
        settings = Settings.parse(new String(in.readAllBytes(), StandardCharsets.UTF_8), zip + "!config.conf");
      }
      try (InputStream in = z.getInputStream(tsv)) {
        old = ModelArchive.vocabulary(in.readAllBytes());
      }
    } catch (java.util.zip.ZipException e) {
      throw notAModel(o.warmStart(), zip);
    }
    checkDim(o.warmStart(), settings.getInt("w2v.dim"), o.dim());
    int carried = 0;
    for (int id = Corpus.FIRST_WORD; id < vocab.size(); id++) {
      if (old.contains(vocab.token(id)) && old.id(vocab.token(id)) >= Corpus.FIRST_WORD) {
        carried++;
      }
    }
    return new Summary(zip.toString(), carried, vocab.size() - Corpus.FIRST_WORD - carried);
  }

  /** The model archive a w2v.warmStart value names: a run directory's model.zip, or the file itself. */
  static Path archive(String value) {
    Path p = Path.of(value);
    Path zip = Files.isDirectory(p) ? p.resolve("model.zip") : p;
    if (!Files.isRegularFile(zip)) {
      throw new IllegalArgumentException("w2v.warmStart = " + value + ": " + (Files.isDirectory(p)
          ? "the directory has no model.zip" : "no such file") + "; it must name a w2v train run directory or its"
          + " model.zip. Fix: point w2v.warmStart at a finished w2v run, or set it to \"\" for a cold start");
    }
    return zip;
  }

  private static void checkDim(String value, int was, int now) {
    if (was != now) {
      throw new IllegalArgumentException("w2v.warmStart = " + value + ": its vectors are " + was + " wide, but w2v.dim"
          + " = " + now + "; a warm start keeps the width. Fix: --set w2v.dim=" + was + ", or warm-start from a model"
          + " trained with w2v.dim = " + now);
    }
  }

  private static IllegalArgumentException notAModel(String value, Path zip) {
    return new IllegalArgumentException("w2v.warmStart = " + value + ": " + zip + " is not a seqspark w2v model"
        + " archive (config.conf, vocab.tsv, in.f32, out.f32); word2vec text/binary files hold no output vectors."
        + " Fix: point w2v.warmStart at a w2v train run directory or its model.zip");
  }
}
