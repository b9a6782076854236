package io.seqspark.core.data;

import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * A part-of-speech (or any token-level) tagged corpus in CoNLL style: UTF-8 (plain or {@code .gz}), one token per
 * line as {@code WORD<TAB>TAG}, a blank line between sentences (several blank lines count as one, a missing final
 * one is fine). Every malformed line fails the read with the file, the line number, the rule and the fix.
 *
 * <p>From the sentences it builds what a tagger trains on: the word {@link Vocabulary} (optionally lower-cased, so
 * "The" and "the" share an embedding; words it drops encode to {@code <unk>} or, optionally, to their
 * {@link UnknownWords} class), the {@link TagSet} (sorted, stable ids) and {@link Tagged} examples for
 * {@link SentenceBatcher.Layout#TAGGING}. Nothing here depends on ND4J.
 */
public final class TaggedCorpus {

  /**
   * One sentence.
   *
   * @param words the tokens as written
   * @param tags  one tag per word
   * @param line  line number of its first token in the file (1-based), for error messages
   */
  public record Sentence(List<String> words, List<String> tags, int line) {
    public Sentence {
      words = List.copyOf(words);
      tags = List.copyOf(tags);
      if (words.size() != tags.size() || words.isEmpty()) {
        throw new IllegalArgumentException("a sentence needs one tag per word and at least one word, got "
            + words.size() + " words and " + tags.size() + " tags");
      }
    }
  }

  private final Path source;
  private final List<Sentence> sentences;

  private TaggedCorpus(Path source, List<Sentence> sentences) {
    this.source = source;
    this.sentences = List.copyOf(sentences);
  }

  /** A corpus of sentences already in memory (tests, synthetic data); {@code source} may be null. */
  public static TaggedCorpus of(Path source, List<Sentence> sentences) {
    return new TaggedCorpus(source, sentences);
  }

  /**
   * Reads {@code file}. Line ends may be LF or CRLF; a leading byte-order mark is ignored; a line of only white
   * space separates sentences like an empty one.
   *
   * @throws IllegalArgumentException naming the file and line for malformed UTF-8, a line without exactly one tab,
   *                                  an empty word or tag, white space around the word or inside the tag
   */
  public static TaggedCorpus read(Path file) throws IOException {
    List<Sentence> out = new ArrayList<>();
    List<String> words = new ArrayList<>();
    List<String> tags = new ArrayList<>();
    int[] lineNo = {0};
    int[] first = {0};
    // TextCorpus decodes strictly and calls the "tokenizer" once per line, in order, blank lines included: the count
    // is the line number. Nothing is returned to it; the sentences are collected here.
    TextCorpus.readLines(file, raw -> {
      int line = ++lineNo[0];
      if (raw.isBlank()) {
        if (!words.isEmpty()) {
          out.add(new Sentence(words, tags, first[0]));
          words.clear();
          tags.clear();
        }
        return List.of();
      }
      int tab = raw.indexOf('\t');
      if (tab < 0) {
        throw malformed(file, line, raw, "it has no tab; each token line must be WORD<TAB>TAG",
            "separate word and tag with one tab (not spaces)");
      }
      if (raw.indexOf('\t', tab + 1) >= 0) {
        throw malformed(file, line, raw, "it has more than one tab; each token line must be exactly WORD<TAB>TAG",
            "keep only the word and tag columns (cut -f1,2 for a CoNLL file with more columns)");
      }
      String word = raw.substring(0, tab);
      String tag = raw.substring(tab + 1);
      if (word.isEmpty() || tag.isEmpty()) {
        throw malformed(file, line, raw, "the " + (word.isEmpty() ? "word" : "tag") + " is empty",
            "give every token a word and a tag");
      }
      if (!word.strip().equals(word)) {
        throw malformed(file, line, raw, "the word has white space around it",
            "strip the word (a space-separated line is not WORD<TAB>TAG)");
      }
      if (tag.codePoints().anyMatch(Tokenizer::isSpace)) {
        throw malformed(file, line, raw, "the tag '" + tag + "' contains white space; a tag is one token",
            "remove trailing spaces or extra columns after the tag");
      }
      if (tag.equals(TagSet.UNKNOWN)) {
        throw malformed(file, line, raw, "the tag " + TagSet.UNKNOWN + " is reserved for tags missing from the training"
            + " data", "rename that tag");
      }
      if (words.isEmpty()) {
        first[0] = line;
      }
      words.add(word);
      tags.add(tag);
      return List.of();
    });
    if (!words.isEmpty()) {
      out.add(new Sentence(words, tags, first[0]));
    }
    if (out.isEmpty()) {
      throw new IllegalArgumentException(file + ": no tagged tokens; expected WORD<TAB>TAG lines with a blank line "
          + "between sentences");
    }
    return new TaggedCorpus(file, out);
  }

  private static IllegalArgumentException malformed(Path file, int line, String raw, String rule, String fix) {
    String shown = raw.length() > 80 ? raw.substring(0, 80) + "..." : raw;
    return new IllegalArgumentException(file + ": line " + line + " '" + shown.replace("\t", "\\t") + "' is malformed: "
        + rule + ". Fix: " + fix);
  }

  /** The file read, or null for an in-memory corpus. */
  public Path source() {
    return source;
  }

  /** The sentences in file order. */
  public List<Sentence> sentences() {
    return sentences;
  }

  /** Number of tagged tokens. */
  public long tokens() {
    long n = 0;
    for (Sentence s : sentences) {
      n += s.words().size();
    }
    return n;
  }

  /**
   * How words become ids; build the vocabulary and encode every split with the same value (a model archive stores it).
   *
   * @param lowerCase      look words up lower-cased ({@link Locale#ROOT}), so "The" and "the" share an embedding
   * @param unknownClasses encode a word missing from the vocabulary as its {@link UnknownWords} class (capitalised,
   *                       number, suffix, ...) instead of the bare {@code <unk>}
   */
  public record WordEncoding(boolean lowerCase, boolean unknownClasses) {
    /** The form a word is counted and looked up by: itself, or lower-cased. */
    public String key(String word) {
      return lowerCase ? word.toLowerCase(Locale.ROOT) : word;
    }

    /** The id of {@code word}: its own, else (with unknown classes) its class's if the vocabulary has it, else unk. */
    public int id(Vocabulary vocabulary, String word) {
      String key = key(word);
      if (vocabulary.contains(key) || !unknownClasses) {
        return vocabulary.id(key);
      }
      return vocabulary.id(UnknownWords.classOf(word));
    }

    /**
     * Which ids of {@code vocabulary} stand for words it does not have: {@code <unk>} and the unknown-word classes
     * (for the tagging metrics of the eval package).
     */
    public java.util.function.IntPredicate outOfVocabulary(Vocabulary vocabulary) {
      boolean[] unknown = new boolean[vocabulary.size()];
      for (int id = 0; id < unknown.length; id++) {
        unknown[id] = id == Vocabulary.UNK_ID || unknownClasses && UnknownWords.isUnknown(vocabulary.token(id));
      }
      return id -> id >= 0 && id < unknown.length && unknown[id];
    }
  }

  /**
   * The word vocabulary of this corpus (build it from the training split only).
   *
   * @param minCount keep words seen at least this often; rarer ones encode to {@code <unk>} or, with unknown classes,
   *                 are counted into their class token (with 2, the singletons teach the model what to do with words
   *                 it has never seen)
   * @param maxSize  at most this many entries, specials included; 0 = unlimited
   */
  public Vocabulary wordVocabulary(int minCount, int maxSize, WordEncoding encoding) {
    Map<String, Long> counts = new HashMap<>();
    for (Sentence s : sentences) {
      for (String w : s.words()) {
        counts.merge(encoding.key(w), 1L, Long::sum);
      }
    }
    Vocabulary.Builder b = Vocabulary.builder();
    for (Sentence s : sentences) {
      for (String w : s.words()) {
        String key = encoding.key(w);
        // a rare word is counted as its class; Vocabulary.build then drops rare words into <unk> as usual
        b.add(encoding.unknownClasses() && counts.get(key) < minCount ? UnknownWords.classOf(w) : key);
      }
    }
    return b.build(minCount, maxSize);
  }

  /** The sorted tags of this corpus (build it from the training split only). */
  public TagSet tagSet() {
    List<String> all = new ArrayList<>();
    for (Sentence s : sentences) {
      all.addAll(s.tags());
    }
    return TagSet.of(all);
  }

  /**
   * Every sentence as a {@link Tagged} example: word ids ({@link WordEncoding#id}) then tag ids (unknown tags →
   * {@link TagSet#UNKNOWN_ID}).
   *
   * @param encoding must be the one {@code words} was built with
   */
  public List<int[]> encode(Vocabulary words, TagSet tags, WordEncoding encoding) {
    List<int[]> out = new ArrayList<>(sentences.size());
    for (Sentence s : sentences) {
      int n = s.words().size();
      int[] w = new int[n];
      int[] t = new int[n];
      for (int i = 0; i < n; i++) {
        w[i] = encoding.id(words, s.words().get(i));
        t[i] = tags.id(s.tags().get(i));
      }
      out.add(Tagged.encode(w, t));
    }
    return out;
  }
}
