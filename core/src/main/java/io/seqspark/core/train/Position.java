package io.seqspark.core.train;

/**
 * Where training stands: the next batch to run is batch {@code batch} of 1-based {@code epoch}; {@code step}
 * steps have run so far; {@code selection} is where the best-parameter selection, plateau decay and early stopping
 * stand ({@link Selection}).
 */
public record Position(int epoch, int batch, long step, Selection.State selection) {

  /** A position whose selection knows only the best validation loss (NaN if none): no decay, no bad epochs. */
  public Position(int epoch, int batch, long step, double bestValidLoss) {
    this(epoch, batch, step, new Selection.State(null, bestValidLoss, 0, 0, 1.0));
  }

  public Position {
    if (selection == null) {
      throw new IllegalArgumentException("a position needs a selection state; use Selection.State.initial()");
    }
  }

  public static Position start() {
    return new Position(1, 0, 0, Selection.State.initial());
  }

  /** The best value of the selection metric so far (train.selectBy: the mean validation loss by default; NaN if none). */
  public double best() {
    return selection.best();
  }

  /** {@link #best()}, under its name from before train.selectBy (it is the validation loss unless that key is set). */
  public double bestValidLoss() {
    return selection.best();
  }
}
