package io.seqspark.core.nn;

import java.util.List;
import org.nd4j.linalg.api.buffer.DataType;

/**
 * The one factory of recurrent layers by name, shared by every model family (language model, classifier, forecaster
 * encoder and decoder). A family validates its own config key against {@link #RECURRENT} (or a subset) before it
 * calls here, so the error below is for code that skipped that check.
 */
public final class Cells {
  /** The recurrent cells by name: {@link Lstm}, {@link Gru}, {@link ElmanRnn}. */
  public static final List<String> RECURRENT = List.of("lstm", "gru", "rnn");

  private Cells() {
  }

  /**
   * A recurrent layer {@code name} of the given {@code cell} from {@code in} to {@code hidden} features. Its
   * parameters are declared in {@code pb} as {@code name.Wx}, {@code name.Wh}, {@code name.b} (and the GRU's
   * {@code name.Ws}), in that order.
   */
  public static Recurrent recurrent(String cell, ParamStore.Builder pb, String name, int in, int hidden, Init init,
                                    DataType dtype) {
    return switch (cell) {
      case "lstm" -> new Lstm(pb, name, in, hidden, init, dtype);
      case "gru" -> new Gru(pb, name, in, hidden, init, dtype);
      case "rnn" -> new ElmanRnn(pb, name, in, hidden, init, dtype);
      default -> throw new IllegalArgumentException("recurrent cell '" + cell + "' (layer " + name + "): must be one of "
          + String.join(", ", RECURRENT) + "; validate the config key that names it before building the model");
    };
  }
}
