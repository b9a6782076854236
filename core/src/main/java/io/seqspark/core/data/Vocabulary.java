package io.seqspark.core.data;

import java.io.IOException;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;

/**
 * Token ↔ id mapping, counted while mutable ({@link Builder}) and then frozen, so a trained model and its data can
 * never disagree about what an id means.
 *
 * <p>Ids 0..3 are reserved: {@code <pad>}, {@code <unk>}, {@code <s>}, {@code </s>}; then words by descending count,
 * ties broken by the word itself so every build of the same counts gives the same ids. A corpus token spelled like a
 * special (PTB's literal {@code <unk>}) is that special, and its count is added to the special's. Words dropped by
 * {@code minCount} or {@code maxSize} are counted into {@code <unk>}, because that is what they encode to: the counts
 * then describe the encoded corpus and {@link #totalCount()} equals its token count.
 *
 * <p>Saved as UTF-8 TSV, {@code token<TAB>count}, one line per id in id order; {@link #contentHash()} is the SHA-256
 * of exactly those bytes, which is what run manifests record.
 */
public final class Vocabulary {

  public static final String PAD = "<pad>";
  public static final String UNK = "<unk>";
  public static final String BOS = "<s>";
  public static final String EOS = "</s>";
  public static final int PAD_ID = 0;
  public static final int UNK_ID = 1;
  public static final int BOS_ID = 2;
  public static final int EOS_ID = 3;
  /** The reserved tokens, index = id. */
  public static final List<String> SPECIALS = List.of(PAD, UNK, BOS, EOS);

  private final String[] tokens;
  private final long[] counts;
  private final Map<String, Integer> ids;
  private final long totalCount;

  private Vocabulary(String[] tokens, long[] counts) {
    this.tokens = tokens;
    this.counts = counts;
    this.ids = new HashMap<>(tokens.length * 2);
    long total = 0;
    for (int i = 0; i < tokens.length; i++) {
      ids.put(tokens[i], i);
      total += counts[i];
    }
    this.totalCount = total;
  }

  public static Builder builder() {
    return new Builder();
  }

  /** Counts tokens; not thread-safe. Freeze with {@link #build(int, int)}. */
  public static final class Builder {
    private final Map<String, Long> counts = new HashMap<>();

    private Builder() {
    }

    public Builder add(String token) {
      return add(token, 1);
    }

    public Builder add(String token, long count) {
      checkToken(token);
      if (count < 0) {
        throw new IllegalArgumentException("count for token '" + token + "' must be >= 0, got " + count);
      }
      counts.merge(token, count, Long::sum);
      return this;
    }

    /**
     * Freezes the counts into a vocabulary.
     *
     * @param minCount keep words seen at least this often (values below 1 keep every word)
     * @param maxSize  at most this many entries, the 4 specials included; 0 = unlimited
     */
    public Vocabulary build(int minCount, int maxSize) {
      if (maxSize != 0 && maxSize < SPECIALS.size()) {
        throw new IllegalArgumentException("maxSize must be 0 (unlimited) or >= " + SPECIALS.size()
            + " (the reserved tokens count), got " + maxSize);
      }
      long[] specialCounts = new long[SPECIALS.size()];
      List<Map.Entry<String, Long>> words = new ArrayList<>();
      for (Map.Entry<String, Long> e : counts.entrySet()) {
        int special = SPECIALS.indexOf(e.getKey());
        if (special >= 0) {
          specialCounts[special] += e.getValue();
        } else if (e.getValue() >= minCount) {
          words.add(e);
        } else {
          specialCounts[UNK_ID] += e.getValue();
        }
      }
      words.sort(Map.Entry.<String, Long>comparingByValue().reversed().thenComparing(Map.Entry.comparingByKey()));
      int keep = maxSize == 0 ? words.size() : Math.min(words.size(), maxSize - SPECIALS.size());
      for (int i = keep; i < words.size(); i++) {
        specialCounts[UNK_ID] += words.get(i).getValue();
      }
      String[] tokens = new String[SPECIALS.size() + keep];
      long[] c = new long[tokens.length];
      for (int i = 0; i < SPECIALS.size(); i++) {
        tokens[i] = SPECIALS.get(i);
        c[i] = specialCounts[i];
      }
      for (int i = 0; i < keep; i++) {
        tokens[SPECIALS.size() + i] = words.get(i).getKey();
        c[SPECIALS.size() + i] = words.get(i).getValue();
      }
      return new Vocabulary(tokens, c);
    }
  }

  /**
   * A vocabulary from entries already in the order {@link Builder#build} gives them: the specials at ids 0-3, then
   * words by count descending, ties by token. For callers that rank the words elsewhere (distributed ingest sorts on
   * the executors and merges the sorted parts); the order is checked, not sorted again.
   */
  public static Vocabulary ofRanked(String[] tokens, long[] counts) {
    if (tokens.length != counts.length || tokens.length < SPECIALS.size()) {
      throw new IllegalArgumentException("ranked vocabulary: " + tokens.length + " tokens and " + counts.length
          + " counts; need as many of each, at least the " + SPECIALS.size() + " specials");
    }
    for (int i = 0; i < tokens.length; i++) {
      if (counts[i] < 0) {
        throw new IllegalArgumentException("count for token '" + tokens[i] + "' must be >= 0, got " + counts[i]);
      }
      if (i < SPECIALS.size()) {
        if (!SPECIALS.get(i).equals(tokens[i])) {
          throw new IllegalArgumentException("ranked vocabulary: id " + i + " must be " + SPECIALS.get(i) + ", got '"
              + tokens[i] + "'");
        }
        continue;
      }
      checkToken(tokens[i]);
      if (SPECIALS.contains(tokens[i])) {
        throw new IllegalArgumentException("ranked vocabulary: special " + tokens[i] + " again at id " + i);
      }
      if (i > SPECIALS.size() && (counts[i - 1] < counts[i]
          || counts[i - 1] == counts[i] && tokens[i - 1].compareTo(tokens[i]) >= 0)) {
        throw new IllegalArgumentException("ranked vocabulary: '" + tokens[i - 1] + "' (" + counts[i - 1] + ") before '"
            + tokens[i] + "' (" + counts[i] + ") breaks the order: count descending, then token ascending, no repeats");
      }
    }
    return new Vocabulary(tokens.clone(), counts.clone());
  }

  /**
   * A vocabulary whose words are not in the builder's order: an incremental ingest keeps an earlier vocabulary's ids
   * and appends new words after them. The specials must be at ids 0-3 and tokens must be distinct; the order of the
   * rest is the caller's.
   */
  public static Vocabulary of(String[] tokens, long[] counts) {
    if (tokens.length != counts.length || tokens.length < SPECIALS.size()) {
      throw new IllegalArgumentException("vocabulary: " + tokens.length + " tokens and " + counts.length
          + " counts; need as many of each, at least the " + SPECIALS.size() + " specials");
    }
    Map<String, Integer> seen = new HashMap<>();
    for (int i = 0; i < tokens.length; i++) {
      checkToken(tokens[i]);
      if (counts[i] < 0) {
        throw new IllegalArgumentException("count for token '" + tokens[i] + "' must be >= 0, got " + counts[i]);
      }
      if (i < SPECIALS.size() ? !SPECIALS.get(i).equals(tokens[i]) : SPECIALS.contains(tokens[i])) {
        throw new IllegalArgumentException("vocabulary: id " + i + " holds '" + tokens[i] + "'; the specials "
            + SPECIALS + " must be ids 0-3 and appear nowhere else");
      }
      Integer before = seen.put(tokens[i], i);
      if (before != null) {
        throw new IllegalArgumentException("vocabulary: '" + tokens[i] + "' at ids " + before + " and " + i);
      }
    }
    return new Vocabulary(tokens.clone(), counts.clone());
  }

  private static void checkToken(String token) {
    if (token == null || token.isEmpty()) {
      throw new IllegalArgumentException("a token must be non-empty, got " + (token == null ? "null" : "''"));
    }
    if (token.indexOf('\t') >= 0 || token.indexOf('\n') >= 0 || token.indexOf('\r') >= 0) {
      throw new IllegalArgumentException("token '" + token.replace("\t", "\\t").replace("\n", "\\n").replace("\r", "\\r")
          + "' contains a tab or line break, which the vocabulary's TSV form cannot store");
    }
  }

  /** Number of entries, specials included. */
  public int size() {
    return tokens.length;
  }

  /** The id of {@code token}, or {@link #UNK_ID} if it is not in the vocabulary. */
  public int id(String token) {
    Integer id = ids.get(token);
    return id == null ? UNK_ID : id;
  }

  public boolean contains(String token) {
    return ids.containsKey(token);
  }

  public String token(int id) {
    checkId(id);
    return tokens[id];
  }

  /** How often the token was counted while building (for {@code <unk>}: also every dropped word). */
  public long count(int id) {
    checkId(id);
    return counts[id];
  }

  /** Sum of all counts: the number of tokens the vocabulary was built from. */
  public long totalCount() {
    return totalCount;
  }

  public int[] encode(List<String> tokens) {
    int[] out = new int[tokens.size()];
    for (int i = 0; i < out.length; i++) {
      out[i] = id(tokens.get(i));
    }
    return out;
  }

  public List<String> decode(int[] ids) {
    List<String> out = new ArrayList<>(ids.length);
    for (int id : ids) {
      out.add(token(id));
    }
    return out;
  }

  private void checkId(int id) {
    if (id < 0 || id >= tokens.length) {
      throw new IllegalArgumentException("id " + id + " is outside the vocabulary (size " + tokens.length + ")");
    }
  }

  /** Hex SHA-256 of the saved TSV bytes. */
  public String contentHash() {
    try {
      return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(tsvBytes()));
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("SHA-256 is missing from this JVM", e);
    }
  }

  private byte[] tsvBytes() {
    StringBuilder sb = new StringBuilder(tokens.length * 12);
    for (int i = 0; i < tokens.length; i++) {
      sb.append(tokens[i]).append('\t').append(counts[i]).append('\n');
    }
    return sb.toString().getBytes(StandardCharsets.UTF_8);
  }

  /** Writes the TSV form atomically (temp file in the same directory, then an atomic rename). */
  public void save(Path file) throws IOException {
    Path abs = file.toAbsolutePath();
    Path tmp = Files.createTempFile(abs.getParent(), abs.getFileName().toString(), ".tmp");
    try {
      Files.write(tmp, tsvBytes());
      Files.move(tmp, abs, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
    } finally {
      Files.deleteIfExists(tmp);
    }
  }

  /** Reads a vocabulary written by {@link #save(Path)}; any deviation from that format is an error. */
  public static Vocabulary load(Path file) throws IOException {
    List<String> lines;
    try {
      lines = Files.readAllLines(file, StandardCharsets.UTF_8);
    } catch (CharacterCodingException e) {
      throw new IllegalArgumentException(file + ": vocabulary is not valid UTF-8", e);
    }
    String[] tokens = new String[lines.size()];
    long[] counts = new long[lines.size()];
    Map<String, Integer> seen = new HashMap<>();
    for (int i = 0; i < lines.size(); i++) {
      String line = lines.get(i);
      int tab = line.indexOf('\t');
      if (tab <= 0 || line.indexOf('\t', tab + 1) >= 0) {
        throw malformed(file, i, line, "each line must be a non-empty token, one tab, and a count");
      }
      tokens[i] = line.substring(0, tab);
      try {
        counts[i] = Long.parseLong(line.substring(tab + 1));
      } catch (NumberFormatException e) {
        throw malformed(file, i, line, "the count must be a whole number");
      }
      if (counts[i] < 0) {
        throw malformed(file, i, line, "the count must be >= 0");
      }
      if (i < SPECIALS.size() && !tokens[i].equals(SPECIALS.get(i))) {
        throw malformed(file, i, line, "lines 1-4 must be the reserved tokens " + SPECIALS + " in that order");
      }
      Integer previous = seen.put(tokens[i], i);
      if (previous != null) {
        throw malformed(file, i, line, "token already listed on line " + (previous + 1));
      }
    }
    if (lines.size() < SPECIALS.size()) {
      throw new IllegalArgumentException(file + ": vocabulary has " + lines.size()
          + " lines; it must start with the reserved tokens " + SPECIALS);
    }
    return new Vocabulary(tokens, counts);
  }

  private static IllegalArgumentException malformed(Path file, int index, String line, String rule) {
    return new IllegalArgumentException(file + ": line " + (index + 1) + " '" + line + "' is malformed: " + rule);
  }

  @Override
  public String toString() {
    return "Vocabulary[size=" + tokens.length + ", totalCount=" + totalCount + "]";
  }
}
