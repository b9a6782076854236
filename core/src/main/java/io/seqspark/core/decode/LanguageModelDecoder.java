package io.seqspark.core.decode;

import io.seqspark.core.model.LanguageModel;
import java.util.Arrays;
import java.util.List;
import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * A {@link LanguageModel} as an {@link IncrementalDecoder}: each step is one time step of the model over all rows,
 * continuing from the carried state ({@link LanguageModel#nextTokenProbabilities}). The decoder keeps its rows' state
 * itself and lends it to the model for the length of a step (restore, forward, take back, reset), so the model is left
 * carrying nothing between steps and two decoders over one model do not disturb each other. {@link #select} gathers
 * state rows: a recurrent layer's h (and c), a TCN block's convolution histories — both time-major per row, so
 * reordering costs one row copy per state row and no recomputation.
 *
 * <p>After a step the model is left with carrying on and no state, as the sampler always left it.
 */
public final class LanguageModelDecoder implements IncrementalDecoder {
  private final LanguageModel model;
  private final int[] start;
  private int rows;
  private List<INDArray> state; // empty = the zero state (a fresh model)

  private LanguageModelDecoder(LanguageModel model, int[] start, List<INDArray> state) {
    this.model = model;
    this.start = start;
    this.rows = start.length;
    this.state = state;
  }

  /**
   * {@code count} rows, each starting from the model's zero state and feeding {@code startToken} first ({@code <s>},
   * or {@code </s>} for a model trained on a stream where each line ends with it).
   */
  public static LanguageModelDecoder fromStart(LanguageModel model, int startToken, int count) {
    if (count < 1) {
      throw new IllegalArgumentException("decoding needs at least one row, got " + count);
    }
    checkId(model, startToken, "start token");
    int[] s = new int[count];
    Arrays.fill(s, startToken);
    return new LanguageModelDecoder(model, s, List.of());
  }

  /**
   * One row per prefix (each at least one token, usually beginning with {@code <s>}): all but the last token of each
   * are run through the model now; the last is the row's {@link #startTokens() start token}. Rows advance together,
   * one time step per call, the rows whose prefix has ended sitting out.
   */
  public static LanguageModelDecoder fromPrefixes(LanguageModel model, List<int[]> prefixes) {
    if (prefixes.isEmpty()) {
      throw new IllegalArgumentException("decoding needs at least one prefix, got none");
    }
    int n = prefixes.size();
    int[] start = new int[n];
    int longest = 0;
    for (int r = 0; r < n; r++) {
      int[] p = prefixes.get(r);
      if (p.length == 0) {
        throw new IllegalArgumentException("prefix " + r + " is empty: it needs at least the token it continues from "
            + "(<s> for a sentence start)");
      }
      for (int id : p) {
        checkId(model, id, "prefix " + r + " token");
      }
      start[r] = p[p.length - 1];
      longest = Math.max(longest, p.length - 1);
    }
    LanguageModelDecoder d = new LanguageModelDecoder(model, start, List.of());
    List<INDArray> full = null;
    for (int t = 0; t < longest; t++) {
      int active = 0;
      for (int[] p : prefixes) {
        active += p.length - 1 > t ? 1 : 0;
      }
      int[] rows = new int[active];
      int[] tokens = new int[active];
      for (int r = 0, i = 0; r < n; r++) {
        if (prefixes.get(r).length - 1 > t) {
          rows[i] = r;
          tokens[i++] = prefixes.get(r)[t];
        }
      }
      // rows still inside their prefix advance by one token; the others keep their state
      List<INDArray> part = full == null ? List.of() : StateRows.gather(full, n, rows, d.cell());
      full = StateRows.scatter(full, n, d.advance(part, tokens).state, rows, d.cell());
    }
    d.state = full == null ? List.of() : full;
    return d;
  }

  private static void checkId(LanguageModel model, int id, String what) {
    int v = model.spec().vocabSize();
    if (id < 0 || id >= v) {
      throw new IllegalArgumentException(what + " " + id + " is outside the model's vocabulary [0, " + v + ")");
    }
  }

  private String cell() {
    return model.spec().cell();
  }

  @Override
  public int vocabSize() {
    return model.spec().vocabSize();
  }

  @Override
  public int rows() {
    return rows;
  }

  @Override
  public int[] startTokens() {
    return start.clone();
  }

  @Override
  public double[] step(int[] lastTokens) {
    if (lastTokens.length != rows) {
      throw new IllegalArgumentException("step needs one token per row: " + rows + " rows, got " + lastTokens.length);
    }
    for (int id : lastTokens) {
      checkId(model, id, "token");
    }
    if (rows == 0) {
      return new double[0];
    }
    Step s = advance(state, lastTokens);
    state = s.state;
    return s.logProbabilities;
  }

  private record Step(List<INDArray> state, double[] logProbabilities) {
  }

  /** One time step from {@code from} (rows = tokens.length); the model is left reset. */
  private Step advance(List<INDArray> from, int[] tokens) {
    model.setCarryState(true);
    model.restoreState(from);
    INDArray p = model.nextTokenProbabilities(tokens);
    // p is a view into the model's scratch: copy it out before the next forward
    double[] lp = p.dup('c').data().asDouble();
    List<INDArray> after = model.state();
    model.resetState();
    for (int i = 0; i < lp.length; i++) {
      lp[i] = Math.log(lp[i]);
    }
    return new Step(after, lp);
  }

  @Override
  public void select(int[] keep) {
    for (int r : keep) {
      if (r < 0 || r >= rows) {
        throw new IllegalArgumentException("select: row " + r + " is outside [0, " + rows + ")");
      }
    }
    state = StateRows.gather(state, rows, keep, cell());
    rows = keep.length;
  }
}
