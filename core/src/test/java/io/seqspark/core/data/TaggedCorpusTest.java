package io.seqspark.core.data;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import java.util.zip.GZIPOutputStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** The CoNLL reader, the tag set, encoding, and tagging batches. */
class TaggedCorpusTest {

  @TempDir
  Path dir;

  private Path write(String name, String text) throws Exception {
    Path file = dir.resolve(name);
    Files.writeString(file, text);
    return file;
  }

  @Test
  void read_splitsSentencesAtBlankLines_plainAndGzip_crlfBomAndMissingFinalBlank() throws Exception {
    String text = "\uFEFFThe\tat\r\ndog\tnn\r\n\r\n\n  \nbarks\tvbz\n.\t.\n\nIt\tpps";
    Path plain = write("t.tsv", text);
    Path gz = dir.resolve("t.tsv.gz");
    try (OutputStream out = new GZIPOutputStream(Files.newOutputStream(gz))) {
      out.write(text.getBytes(StandardCharsets.UTF_8));
    }
    for (Path f : List.of(plain, gz)) {
      TaggedCorpus c = TaggedCorpus.read(f);
      assertEquals(List.of(
          new TaggedCorpus.Sentence(List.of("The", "dog"), List.of("at", "nn"), 1),
          new TaggedCorpus.Sentence(List.of("barks", "."), List.of("vbz", "."), 6),
          new TaggedCorpus.Sentence(List.of("It"), List.of("pps"), 9)), c.sentences(), f.toString());
      assertEquals(5, c.tokens());
      assertEquals(f, c.source());
    }
  }

  @ParameterizedTest(name = "{0}")
  @CsvSource(delimiter = '|', value = {
      "no tab      | a\\tb\\nword nn\\n | line 2 | no tab",
      "two tabs    | a\\tb\\n\\nw\\tnn\\tB-NP\\n | line 3 | more than one tab",
      "tag space   | a\\tb\\nw\\tn n\\n | line 2 | contains white space",
      "tag trailing| a\\tb\\nw\\tnn \\n | line 2 | contains white space",
      "empty tag   | a\\tb\\nw\\t\\n | line 2 | the tag is empty",
      "empty word  | \\tnn\\n | line 1 | the word is empty",
      "word spaces | a\\tb\\n w\\tnn\\n | line 2 | white space around it",
      "reserved    | a\\t<unk>\\n | line 1 | reserved"})
  void read_malformedLine_failsNamingFileLineAndRule(String what, String text, String line, String rule)
      throws Exception {
    Path file = write("bad.tsv", text.replace("\\t", "\t").replace("\\n", "\n"));
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> TaggedCorpus.read(file));
    String m = e.getMessage();
    assertTrue(m.contains(file.toString()) && m.contains(line + " ") && m.contains(rule) && m.contains("Fix:"), m);
  }

  @Test
  void read_fileWithoutTokens_fails() throws Exception {
    Path file = write("empty.tsv", "\n\n  \n");
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> TaggedCorpus.read(file));
    assertTrue(e.getMessage().contains(file.toString()) && e.getMessage().contains("no tagged tokens"), e.getMessage());
  }

  @Test
  void tagSet_isSortedWithUnknownFirst_andIndependentOfOrder() {
    TagSet a = TagSet.of(List.of("nn", "at", "vbz", "nn", "."));
    TagSet b = TagSet.of(List.of(".", "vbz", "at", "nn"));
    assertEquals(List.of(TagSet.UNKNOWN, ".", "at", "nn", "vbz"), a.tags());
    assertEquals(a.tags(), b.tags());
    assertEquals(3, a.id("nn"));
    assertEquals(TagSet.UNKNOWN_ID, a.id("fw"));
    assertEquals(a.tags(), TagSet.ofSaved(a.tags()).tags());
    assertThrows(IllegalArgumentException.class, () -> TagSet.ofSaved(List.of(TagSet.UNKNOWN, "nn", "at")));
    assertThrows(IllegalArgumentException.class, () -> TagSet.of(List.of("n n")));
  }

  @Test
  void encode_lowerCasesWhenAsked_andMapsUnknownWordsAndTags() {
    TaggedCorpus train = TaggedCorpus.of(null, List.of(
        new TaggedCorpus.Sentence(List.of("The", "dog", "the", "cat"), List.of("at", "nn", "at", "nn"), 1)));
    TaggedCorpus dev = TaggedCorpus.of(null, List.of(
        new TaggedCorpus.Sentence(List.of("THE", "cow"), List.of("at", "nn+md"), 1)));
    TaggedCorpus.WordEncoding lowerCase = new TaggedCorpus.WordEncoding(true, false);
    TaggedCorpus.WordEncoding cased = new TaggedCorpus.WordEncoding(false, false);
    Vocabulary lower = train.wordVocabulary(1, 0, lowerCase);
    assertEquals(4 + 3, lower.size(), "the, dog, cat");
    assertEquals(2, lower.count(lower.id("the")));
    TagSet tags = train.tagSet();
    int[] ex = dev.encode(lower, tags, lowerCase).get(0);
    assertArrayEquals(new int[] {lower.id("the"), Vocabulary.UNK_ID}, Tagged.words(ex));
    assertArrayEquals(new int[] {tags.id("at"), TagSet.UNKNOWN_ID}, Tagged.tags(ex));
    Vocabulary casedWords = train.wordVocabulary(1, 0, cased);
    assertEquals(4 + 4, casedWords.size());
    assertEquals(Vocabulary.UNK_ID, Tagged.words(dev.encode(casedWords, tags, cased).get(0))[0], "THE is unseen when cased");
    Vocabulary frequent = train.wordVocabulary(2, 0, lowerCase);
    assertEquals(4 + 1, frequent.size(), "only 'the' occurs twice");
  }

  @ParameterizedTest(name = "{0} -> {1}")
  @CsvSource({"walked, <unk-ed>", "Walking, <unk-cap-ing>", "NATO, <unk-caps>", "1960s, <unk-num-s>", "well-known, <unk-hyph>",
      "X-rays, <unk-cap-hyph-s>", "sly, <unk>", "zzz, <unk>", "quickly, <unk-ly>", "A, <unk-cap>", "3-D, <unk-num-hyph>"})
  void unknownWordClass_readsDigitsCaseHyphenAndSuffix(String word, String expected) {
    assertEquals(expected, UnknownWords.classOf(word));
    assertTrue(UnknownWords.isUnknown(expected));
  }

  @Test
  void unknownClasses_areCountedFromRareTrainingWords_andUsedForUnseenWords() {
    TaggedCorpus train = TaggedCorpus.of(null, List.of(
        new TaggedCorpus.Sentence(List.of("the", "dog", "the", "barked", "Smith", "jumped"),
            List.of("at", "nn", "at", "vbd", "np", "vbd"), 1)));
    TaggedCorpus.WordEncoding classes = new TaggedCorpus.WordEncoding(false, true);
    Vocabulary v = train.wordVocabulary(2, 0, classes);
    assertEquals(List.of("<pad>", "<unk>", "<s>", "</s>", "<unk-ed>", "the"), v.decode(new int[] {0, 1, 2, 3, 4, 5}),
        "barked and jumped counted as <unk-ed> (2), the (2); dog and Smith's class <unk-cap> seen once: dropped");
    assertEquals(2, v.count(v.id("<unk-ed>")));
    assertEquals(2, v.count(Vocabulary.UNK_ID), "dog and Smith");
    TaggedCorpus dev = TaggedCorpus.of(null, List.of(
        new TaggedCorpus.Sentence(List.of("the", "walked", "Jones", "cat"), List.of("at", "vbd", "np", "nn"), 1)));
    int[] words = Tagged.words(dev.encode(v, train.tagSet(), classes).get(0));
    assertArrayEquals(new int[] {v.id("the"), v.id("<unk-ed>"), Vocabulary.UNK_ID, Vocabulary.UNK_ID}, words,
        "Jones's class <unk-cap> is not in the vocabulary, so it is <unk>");
    java.util.function.IntPredicate oov = classes.outOfVocabulary(v);
    assertEquals(List.of(false, true, true, true), java.util.Arrays.stream(words).mapToObj(oov::test).toList());
    assertTrue(!new TaggedCorpus.WordEncoding(false, false).outOfVocabulary(v).test(v.id("<unk-ed>")),
        "without classes only <unk> itself is out of vocabulary");
  }

  @Test
  void taggingBatches_haveWordsAsInputsAndTagsAsTargetsAtTheSamePositions_everySentenceOncePerEpoch() {
    SplittableRandom random = new SplittableRandom(3);
    List<int[]> examples = new ArrayList<>();
    for (int i = 0; i < 200; i++) {
      int n = random.nextInt(1, 30);
      int[] w = new int[n];
      int[] t = new int[n];
      for (int j = 0; j < n; j++) {
        w[j] = 4 + i * 100 + j;
        t[j] = 1 + (i + j) % 7;
      }
      examples.add(Tagged.encode(w, t));
    }
    SentenceBatcher batcher = new SentenceBatcher(examples, new SentenceBatcher.Options(20,
        SentenceBatcher.OverLength.TRUNCATE, new LengthBucketing.Options(120, 0, false, 0), 7),
        SentenceBatcher.Layout.TAGGING);
    int[] seen = new int[examples.size()];
    for (int k = 0; k < batcher.numBatches(0); k++) {
      Batch b = batcher.batch(0, k);
      assertTrue((long) b.steps() * b.rows() <= 120, "token budget");
      for (int r = 0; r < b.rows(); r++) {
        int id = (int) b.exampleIds()[r];
        seen[id]++;
        int[] words = Tagged.words(examples.get(id));
        int[] tags = Tagged.tags(examples.get(id));
        int len = Math.min(20, words.length);
        assertEquals(len, b.lengths()[r], "truncated to data.maxLength");
        for (int t = 0; t < b.steps(); t++) {
          int p = t * b.rows() + r;
          assertEquals(t < len ? words[t] : 0, b.inputs()[p]);
          assertEquals(t < len ? tags[t] : 0, b.targets()[p]);
          assertEquals(t < len ? 1f : 0f, b.mask()[p]);
        }
      }
    }
    for (int count : seen) {
      assertEquals(1, count);
    }
  }

  @Test
  void tagged_rejectsMismatchedLengthsAndOddExamples() {
    assertThrows(IllegalArgumentException.class, () -> Tagged.encode(new int[] {4, 5}, new int[] {1}));
    assertThrows(IllegalArgumentException.class, () -> Tagged.length(new int[] {4, 5, 1}));
  }
}
