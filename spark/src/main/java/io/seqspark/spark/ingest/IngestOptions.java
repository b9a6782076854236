package io.seqspark.spark.ingest;

import io.seqspark.core.config.Settings;
import io.seqspark.core.data.Tokenizer;
import java.io.Serializable;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * The validated settings of one ingest, shipped to the tasks (a record of primitives and enums, so it serializes
 * cheaply and the tasks never see the config library). Read from the {@code ingest.*} keys plus the {@code data.*}
 * keys that define tokens and the vocabulary, which lm train reads too, so one config drives both.
 */
public record IngestOptions(Format format, int maxLength, int maxLineBytes, Policy overLength, Policy malformed,
    Policy emptyLines, Policy corruptInput, int shards, int splitBytes, int streamExampleTokens, String tokenizer,
    boolean lowercase, boolean splitPunctuation, int minCount, int maxVocabSize, boolean eosPerLine)
    implements Serializable {

  /**
   * How text is cut into examples; CSV = time series, one normalized series per file (see {@link CsvSeries});
   * LABELLED = classify's labelled lines, TAGGED = tag's CoNLL-style sentences (see {@link LabelledIngest}).
   */
  public enum Format { LINES, PARAGRAPHS, STREAM, CSV, LABELLED, TAGGED }

  /** What happens to a record that breaks a rule; not every policy is allowed for every rule (see reference.conf). */
  public enum Policy { TRUNCATE, SKIP, REPLACE, FAIL }

  /** The config keys this record is read from, in manifest order; they decide whether an output is up to date. */
  static final String[] KEYS = {"ingest.format", "ingest.maxLength", "ingest.maxLineBytes", "ingest.overLength",
      "ingest.malformed", "ingest.emptyLines", "ingest.corruptInput", "ingest.shards", "ingest.splitBytes",
      "ingest.streamExampleTokens", "data.tokenizer", "data.lowercase", "data.splitPunctuation", "data.minCount",
      "data.maxVocabSize", "data.eosPerLine"};

  public static IngestOptions from(Settings s) {
    IngestOptions o = new IngestOptions(s.getEnum("ingest.format", Format.class), s.getInt("ingest.maxLength"),
        s.getInt("ingest.maxLineBytes"), s.getEnum("ingest.overLength", Policy.class),
        s.getEnum("ingest.malformed", Policy.class), s.getEnum("ingest.emptyLines", Policy.class),
        s.getEnum("ingest.corruptInput", Policy.class), s.getInt("ingest.shards"), s.getInt("ingest.splitBytes"),
        s.getInt("ingest.streamExampleTokens"), s.getString("data.tokenizer"), s.getBoolean("data.lowercase"),
        s.getBoolean("data.splitPunctuation"), s.getInt("data.minCount"), s.getInt("data.maxVocabSize"),
        s.getBoolean("data.eosPerLine"));
    if (o.format == Format.STREAM && !"word".equals(o.tokenizer)) {
      // Char mode turns each white-space character into a token, so a stream cut at white space would lose or
      // duplicate them at range boundaries; and a character stream has no words to align on.
      throw new IllegalArgumentException("ingest.format = stream with data.tokenizer = " + o.tokenizer
          + ": the stream format cuts at white space, which only the word tokenizer ignores. Fix: --set"
          + " data.tokenizer=word, or --set ingest.format=lines");
    }
    return o;
  }

  /** The keys above with their values as config text, for the manifest and the up-to-date check. */
  public static Map<String, Object> configOf(Settings s) {
    Map<String, Object> flat = s.flatten();
    Map<String, Object> out = new LinkedHashMap<>();
    for (String k : KEYS) {
      out.put(k, String.valueOf(flat.get(k)));
    }
    if ("csv".equals(out.get("ingest.format"))) {
      // Only csv ingests depend on these; keeping them out of text ingests keeps older text outputs up to date.
      for (String k : CsvSeries.KEYS) {
        out.put(k, String.valueOf(flat.get(k)));
      }
    }
    // the keys only these formats' parsers and encodings read; training checks them against its own (issue 14)
    if ("labelled".equals(out.get("ingest.format"))) {
      out.put("classify.format", String.valueOf(flat.get("classify.format")));
    }
    if ("tagged".equals(out.get("ingest.format"))) {
      out.put("tag.unknownClasses", String.valueOf(flat.get("tag.unknownClasses")));
    }
    return out;
  }

  public Tokenizer newTokenizer() {
    return Tokenizer.of(tokenizer, lowercase, splitPunctuation);
  }
}
