package io.seqspark.core.eval;

import java.util.ArrayList;
import java.util.List;

/**
 * sacreBLEU's reference convention, shared by {@link Bleu} and {@link Chrf}: references come as streams (one list per
 * reference translation, each parallel to the hypotheses), and a {@code null} line means "this segment has no such
 * reference", which makes the number of references vary by segment ({@code nrefs:var} in the signature).
 */
final class ReferenceStreams {
  /** The reference count of a corpus whose segments have different numbers of references. */
  static final int VARIABLE = -1;

  private ReferenceStreams() {}

  /**
   * The references of each segment (nulls dropped) and the count for the signature.
   *
   * @param bySegment one list per hypothesis, its non-null references in stream order
   * @param nrefs     the number of references of every segment, or {@link #VARIABLE}
   */
  record Segments(List<List<String>> bySegment, int nrefs) {}

  /** Checks the shapes and regroups the streams by segment; {@code metric} names the caller in errors. */
  static Segments bySegment(String metric, List<String> hyps, List<List<String>> streams) {
    if (hyps.isEmpty()) {
      throw new IllegalArgumentException(metric + ": no hypotheses; a corpus score needs at least one line");
    }
    if (streams.isEmpty()) {
      throw new IllegalArgumentException(metric + ": no reference streams; pass one list of reference lines per "
          + "reference translation, each with one line per hypothesis");
    }
    for (int k = 0; k < streams.size(); k++) {
      if (streams.get(k).size() != hyps.size()) {
        throw new IllegalArgumentException(metric + ": reference stream " + k + " has " + streams.get(k).size()
            + " lines but there are " + hyps.size() + " hypotheses; every stream needs one line per hypothesis "
            + "(null where a segment lacks that reference)");
      }
    }
    List<List<String>> out = new ArrayList<>(hyps.size());
    int nrefs = 0;
    for (int i = 0; i < hyps.size(); i++) {
      if (hyps.get(i) == null) {
        throw new IllegalArgumentException(metric + ": hypothesis line " + i + " is null; use \"\" for an empty "
            + "output");
      }
      List<String> refs = present(streams, i);
      if (refs.isEmpty()) {
        throw new IllegalArgumentException(metric + ": segment " + i + " has no reference (null in every one of the "
            + streams.size() + " streams)");
      }
      nrefs = i == 0 ? refs.size() : (nrefs == refs.size() ? nrefs : VARIABLE);
      out.add(refs);
    }
    return new Segments(out, nrefs);
  }

  /** The non-null references of one sentence; fails when there is none. */
  static List<String> forSentence(String metric, String hyp, List<String> refs) {
    if (hyp == null) {
      throw new IllegalArgumentException(metric + ": the hypothesis is null; use \"\" for an empty output");
    }
    List<String> out = new ArrayList<>(refs.size());
    for (String r : refs) {
      if (r != null) {
        out.add(r);
      }
    }
    if (out.isEmpty()) {
      throw new IllegalArgumentException(metric + ": no reference for the sentence; pass at least one non-null line");
    }
    return out;
  }

  /** Fails unless one segment's statistics can be taken: a hypothesis and at least one reference, none null. */
  static void checkSegment(String metric, String hyp, List<String> refs) {
    boolean anyNull = hyp == null;
    for (String r : refs) {
      anyNull |= r == null;
    }
    if (anyNull || refs.isEmpty()) {
      throw new IllegalArgumentException(metric + ": a segment needs a hypothesis and at least one reference, none "
          + "null (got " + (hyp == null ? "a null hypothesis" : "hypothesis '" + hyp + "'") + " and " + refs.size()
          + " references); corpus() and sentence() drop null references for you");
    }
  }

  /** sacreBLEU's {@code nrefs:} value: the count, or {@code var}. */
  static String signatureValue(int nrefs) {
    return nrefs == VARIABLE ? "var" : Integer.toString(nrefs);
  }

  private static List<String> present(List<List<String>> streams, int i) {
    List<String> refs = new ArrayList<>(streams.size());
    for (List<String> stream : streams) {
      String r = stream.get(i);
      if (r != null) {
        refs.add(r);
      }
    }
    return refs;
  }
}
