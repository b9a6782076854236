package io.seqspark.core.nn;

import java.util.ArrayList;
import java.util.List;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * A stack of recurrent layers ({@link Cells}), each optionally bidirectional, with dropout between consecutive layers:
 * the encoder the classifier and the tagger share (and a seq2seq encoder can). Layer l is named {@code <cell>l} (its
 * backward direction {@code <cell>lr}); the dropout between layers l and l+1 has salt l+1, so a model that puts its
 * own dropout with salt 0 before the stack and salt {@code layers} after it draws the same masks as one loop would.
 * Masks are honoured: padded positions give and get nothing, and a backward direction starts at each row's last real
 * step.
 */
public final class RecurrentStack {
  private final List<SeqLayer> layers = new ArrayList<>();
  private final List<Dropout> between = new ArrayList<>();
  private final int outputSize;

  /**
   * Adds the layers' parameters to {@code pb} in order: layer 0 (forward, then backward direction), layer 1, ...
   *
   * @param in input width (e.g. the embedding size)
   */
  public RecurrentStack(ParamStore.Builder pb, String cell, int in, int hidden, int layerCount, boolean bidirectional,
                        Bidirectional.Merge merge, double dropout, Init init, DataType dtype) {
    int width = in;
    for (int l = 0; l < layerCount; l++) {
      String name = cell + l;
      SeqLayer layer = Cells.recurrent(cell, pb, name, width, hidden, init, dtype);
      if (bidirectional) {
        layer = new Bidirectional(layer, Cells.recurrent(cell, pb, name + "r", width, hidden, init, dtype), merge, dtype);
      }
      layers.add(layer);
      width = layer.outputSize();
      if (l + 1 < layerCount) {
        between.add(new Dropout(dropout, l + 1, dtype));
      }
    }
    outputSize = width;
  }

  /** Width of the last layer's output per position. */
  public int outputSize() {
    return outputSize;
  }

  /** The layers, first to last. */
  public List<SeqLayer> layers() {
    return List.copyOf(layers);
  }

  /** Runs the stack over time-major inputs [T*B, in]; returns the last layer's outputs [T*B, outputSize]. */
  public INDArray forward(INDArray x, Seq seq) {
    INDArray h = x;
    for (int l = 0; l < layers.size(); l++) {
      long t = Phases.start();
      h = layers.get(l).forward(h, seq);
      Phases.stop("recurrent.forward", t);
      if (l < between.size()) {
        h = between.get(l).forward(h, seq);
      }
    }
    return h;
  }

  /** Back through the stack from the gradient of its outputs; returns the gradient of its inputs. */
  public INDArray backward(INDArray dOut, Seq seq) {
    INDArray d = dOut;
    for (int l = layers.size() - 1; l >= 0; l--) {
      if (l < between.size()) {
        d = between.get(l).backward(d);
      }
      long t = Phases.start();
      d = layers.get(l).backward(d, seq);
      Phases.stop("recurrent.backward", t);
    }
    return d;
  }
}
