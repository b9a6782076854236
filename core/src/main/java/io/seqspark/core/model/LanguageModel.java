package io.seqspark.core.model;

import io.seqspark.core.data.Batch;
import io.seqspark.core.nn.Dropout;
import io.seqspark.core.nn.Cells;
import io.seqspark.core.nn.Embedding;
import io.seqspark.core.nn.Init;
import io.seqspark.core.nn.ParamStore;
import io.seqspark.core.nn.Phases;
import io.seqspark.core.nn.Recurrent;
import io.seqspark.core.nn.Seq;
import io.seqspark.core.nn.SoftmaxOutput;
import io.seqspark.core.nn.StatefulLayer;
import io.seqspark.core.nn.TcnBlock;
import io.seqspark.core.train.StepStats;
import io.seqspark.core.train.Trainable;
import java.util.ArrayList;
import java.util.List;
import java.util.OptionalInt;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * A causal language model: embedding → dropout → stacked recurrent layers (dropout between) → dropout → softmax
 * over the vocabulary, trained on next-token targets. With {@code cell = tcn} the stack is a TCN of residual blocks
 * with dilations 1, 2, 4, … (dropout inside the blocks, as Bai et al.), and the model has a finite receptive field.
 */
public final class LanguageModel implements Trainable<Batch> {
  private final LanguageModelSpec spec;
  private final ParamStore params;
  private final Embedding embedding;
  private final List<StatefulLayer> layers = new ArrayList<>();
  private final OptionalInt receptiveField;
  private final String stackPhase;
  private final List<Dropout> dropouts = new ArrayList<>();
  private final SoftmaxOutput output;

  public LanguageModel(LanguageModelSpec spec, DataType dtype, long seed) {
    this.spec = spec;
    Init init = Init.uniform(spec.initScale());
    ParamStore.Builder pb = ParamStore.builder();
    embedding = new Embedding(pb, "embedding", spec.vocabSize(), spec.embeddingSize(), init, dtype);
    int in = spec.embeddingSize();
    boolean tcn = spec.cell().equals("tcn");
    if (tcn) {
      List<TcnBlock> blocks = TcnBlock.stack(pb, "tcn", in, spec.hiddenSize(), spec.layers(), spec.tcnKernel(),
          spec.tcnNorm().equals("weight"), spec.dropout(), spec.layers() + 1L, init, dtype);
      layers.addAll(blocks);
      receptiveField = OptionalInt.of(TcnBlock.receptiveField(blocks));
    } else {
      for (int l = 0; l < spec.layers(); l++) {
        layers.add(Cells.recurrent(spec.cell(), pb, spec.cell() + l, in, spec.hiddenSize(), init, dtype));
        in = spec.hiddenSize();
      }
      receptiveField = OptionalInt.empty();
    }
    stackPhase = tcn ? "tcn" : "recurrent";
    for (int l = 0; l <= spec.layers(); l++) {
      // a TCN drops out inside its blocks; between them (not first or last) it adds none
      boolean between = l > 0 && l < spec.layers();
      dropouts.add(new Dropout(tcn && between ? 0.0 : spec.dropout(), l, dtype));
    }
    output = new SoftmaxOutput(pb, "output", spec.hiddenSize(), spec.vocabSize(), init);
    params = pb.build(dtype, seed);
  }

  /** The token embedding (for pretrained initialisation and freezing). */
  public Embedding embedding() {
    return embedding;
  }

  public LanguageModelSpec spec() {
    return spec;
  }

  /**
   * How many tokens one prediction sees (the current one included): R = 1 + 2·(K−1)·(2^levels − 1) for a TCN; empty
   * for recurrent cells, whose context is unbounded.
   */
  public OptionalInt receptiveField() {
    return receptiveField;
  }

  @Override
  public ParamStore params() {
    return params;
  }

  private INDArray hidden(Batch batch, Seq seq) {
    long t0 = Phases.start();
    INDArray h = dropouts.get(0).forward(embedding.forward(batch.inputs()), seq);
    Phases.stop("embedding.forward", t0);
    for (int l = 0; l < layers.size(); l++) {
      long t1 = Phases.start();
      h = dropouts.get(l + 1).forward(layers.get(l).forward(h, seq), seq);
      Phases.stop(stackPhase + ".forward", t1);
    }
    return h;
  }

  @Override
  public StepStats forwardBackward(Batch batch, double gradScale, long stepSeed) {
    Seq seq = new Seq(batch.steps(), batch.rows(), batch.lengths(), true, stepSeed);
    double loss = output.lossSum(hidden(batch, seq), batch.targets(), batch.mask(), gradScale);
    INDArray d = output.inputGradient();
    for (int l = layers.size() - 1; l >= 0; l--) {
      long t0 = Phases.start();
      d = layers.get(l).backward(dropouts.get(l + 1).backward(d), seq);
      Phases.stop(stackPhase + ".backward", t0);
    }
    long t1 = Phases.start();
    embedding.backward(dropouts.get(0).backward(d));
    Phases.stop("embedding.backward", t1);
    return StepStats.of(loss, batch);
  }

  @Override
  public StepStats evaluate(Batch batch) {
    Seq seq = new Seq(batch.steps(), batch.rows(), batch.lengths(), false, 0);
    double loss = output.lossSum(hidden(batch, seq), batch.targets(), batch.mask(), 0);
    return StepStats.of(loss, batch);
  }

  /**
   * Next-token distributions for one step of {@code tokens.length} parallel streams, continuing from the carried
   * state (call {@link #setCarryState(boolean) setCarryState(true)} and {@link #resetState()} first).
   *
   * @return [streams, vocab] probabilities (a buffer owned by the model)
   */
  public INDArray nextTokenProbabilities(int[] tokens) {
    Seq seq = new Seq(1, tokens.length, null, false, 0);
    Batch b = new Batch(1, tokens.length, tokens, new int[tokens.length], new float[tokens.length], ones(tokens.length),
        new long[tokens.length]);
    return output.probabilities(hidden(b, seq));
  }

  private static int[] ones(int n) {
    int[] a = new int[n];
    java.util.Arrays.fill(a, 1);
    return a;
  }

  @Override
  public void setCarryState(boolean carry) {
    layers.forEach(l -> l.setCarryState(carry));
  }

  @Override
  public void resetState() {
    layers.forEach(StatefulLayer::resetState);
  }

  @Override
  public List<INDArray> state() {
    List<INDArray> s = new ArrayList<>();
    for (StatefulLayer l : layers) {
      s.addAll(List.of(l.carriedState()));
    }
    return s;
  }

  @Override
  public void restoreState(List<INDArray> state) {
    if (state.isEmpty()) {
      resetState();
      return;
    }
    int per = state.size() / layers.size();
    for (int l = 0; l < layers.size(); l++) {
      layers.get(l).restoreState(state.subList(l * per, (l + 1) * per).toArray(new INDArray[0]));
    }
  }
}
