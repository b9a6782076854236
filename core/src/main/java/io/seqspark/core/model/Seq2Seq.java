package io.seqspark.core.model;

import io.seqspark.core.data.Batch;
import io.seqspark.core.data.PairBatch;
import io.seqspark.core.nn.Cells;
import io.seqspark.core.nn.Dense;
import io.seqspark.core.nn.Dropout;
import io.seqspark.core.nn.Embedding;
import io.seqspark.core.nn.Init;
import io.seqspark.core.nn.Ops;
import io.seqspark.core.nn.ParamRef;
import io.seqspark.core.nn.ParamStore;
import io.seqspark.core.nn.Phases;
import io.seqspark.core.nn.Recurrent;
import io.seqspark.core.nn.RecurrentStack;
import io.seqspark.core.nn.RecurrentState;
import io.seqspark.core.nn.Scratch;
import io.seqspark.core.nn.Seq;
import io.seqspark.core.nn.SoftmaxOutput;
import io.seqspark.core.nn.Views;
import io.seqspark.core.train.StepStats;
import io.seqspark.core.train.Trainable;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.api.ops.impl.transforms.gradient.TanhDerivative;
import org.nd4j.linalg.api.ops.impl.transforms.strict.Tanh;
import org.nd4j.linalg.factory.Nd4j;

/**
 * An attention encoder–decoder (Luong et al. 2015) over {@link PairBatch}es:
 * <pre>
 *   encoder   source embedding → dropout → recurrent stack (bidirectional by default; outputs M, [S*B, E])
 *   bridge    [h_fwd at the last real step ; h_bwd at step 0] (unidirectional: h at the last real step)
 *             → tanh(·W + b) → every decoder layer's initial h (and the LSTM's c)
 *   decoder   target embedding (with input feeding: [emb_t ; h̃_{t-1}]) → dropout → recurrent stack (dropout between)
 *             → top state h_t → c_t = attention(h_t, M) over each row's real source steps
 *             → h̃_t = tanh([c_t ; h_t]·Wc + bc) → dropout → softmax over the target vocabulary
 * </pre>
 * Teacher forcing: the target batch's inputs are {@code <s> y1 .. yn}, its targets {@code y1 .. yn </s>}; the loss is
 * a SUM over real target positions (label-smoothed in training when {@code labelSmoothing > 0}; evaluation reports
 * the plain negative log-likelihood). Without input feeding the decoder runs each layer over the whole target at
 * once (input projections of all steps in one GEMM) and attends for all steps in one block; with it, the layers run
 * unrolled ({@link Recurrent#beginSteps}) and back-propagate step by step. Either way the combination layer's and
 * the attention projections' weight gradients are single GEMMs over all steps. Masks: padded source steps get
 * attention weight 0 and the backward encoder direction starts at each row's last real word; padded target
 * positions cost no softmax work and send no gradient, so every pair in a padded batch gets the loss and gradients
 * it gets alone.
 *
 * <p>Scheduled sampling ({@link Seq2SeqSpec#teacherForcing()} &lt; 1, training only): at each decoder step t &gt; 0
 * each sentence is fed, with probability 1 − ratio drawn from the step seed (salt 3000), the arg max of its own
 * prediction at step t − 1 (after the output dropout, i.e. of the distribution the loss at t − 1 is computed from)
 * instead of the reference; the decoder then runs unrolled whatever the input feeding. The fed token is a constant:
 * the gradient is the teacher-forced gradient of the batch whose decoder inputs are the fed tokens
 * ({@link #fedInputs()}). Ratio 1 runs the teacher-forced code unchanged.
 *
 * <p>Dropout streams are salted per site (source embedding 0, encoder stack 1.., target embedding 1000, decoder
 * layers 1001.., h̃ 2000) and seeded from the step seed. With {@link Seq2SeqSpec#tieEmbeddings()} the output layer's
 * weights are the target embedding's rows (logits = h̃·Eᵀ + b): E gets the gradient of both uses.
 *
 * <p>Decoding ({@link #startDecoding}, {@link #decodeStep}) encodes the sources once and advances immutable
 * {@link DecoderState}s one token at a time; {@code io.seqspark.core.decode.Seq2SeqDecoder} wraps it for beam search.
 *
 * <p>Over 400 lines because training (two decoder schedules sharing one combination layer) and decoding share the
 * encoder, bridge and attention code; the attention kernel lives in {@link Seq2SeqAttention}.
 */
public final class Seq2Seq implements Trainable<PairBatch> {
  private final Seq2SeqSpec spec;
  private final ParamStore params;
  private final Embedding sourceEmbedding;
  private final Dropout sourceDropout;
  private final RecurrentStack encoder;
  private final Dense bridge;
  private final Embedding targetEmbedding;
  private final Dropout targetDropout;
  private final List<Recurrent> decoder = new ArrayList<>();
  private final List<Dropout> between = new ArrayList<>();
  private final Seq2SeqAttention attention;
  private final ParamRef wc;
  private final ParamRef bc;
  private final Dropout outputDropout;
  private final SoftmaxOutput output;
  private final Scratch scratch;
  private int[] fed;
  private final int h;
  private final int e;
  private final int d;
  private final int k;

  /**
   * @param dtype parameter and activation type (FLOAT to train, DOUBLE for gradient checks)
   * @param seed  drives the parameter initialisation
   */
  public Seq2Seq(Seq2SeqSpec spec, DataType dtype, long seed) {
    this.spec = spec;
    Init init = Init.uniform(spec.initScale());
    h = spec.hiddenSize();
    e = spec.memorySize();
    d = spec.embeddingSize();
    ParamStore.Builder pb = ParamStore.builder();
    sourceEmbedding = new Embedding(pb, "sourceEmbedding", spec.sourceVocabSize(), d, init, dtype);
    sourceDropout = new Dropout(spec.dropout(), 0, dtype);
    encoder = new RecurrentStack(pb, spec.cell(), d, h, spec.encoderLayers(), spec.bidirectional(),
        io.seqspark.core.nn.Bidirectional.Merge.CONCAT, spec.dropout(), init, dtype);
    targetEmbedding = new Embedding(pb, "targetEmbedding", spec.targetVocabSize(), d, init, dtype);
    targetDropout = new Dropout(spec.dropout(), 1000, dtype);
    for (int l = 0; l < spec.decoderLayers(); l++) {
      int in = l == 0 ? d + (spec.inputFeeding() ? h : 0) : h;
      decoder.add(Cells.recurrent(spec.cell(), pb, "decoder" + l, in, h, init, dtype));
      if (l > 0) {
        between.add(new Dropout(spec.dropout(), 1000 + l, dtype));
      }
    }
    k = decoder.get(0).stateSize();
    bridge = new Dense(pb, "bridge", e, spec.decoderLayers() * k * h, Dense.Activation.TANH, init, dtype);
    attention = new Seq2SeqAttention(pb, "attention", spec.attention(), h, e, spec.attentionWidth(), init, dtype);
    wc = pb.add("combine.W", init, e + h, h);
    bc = pb.add("combine.b", Init.zeros(), 1, h);
    outputDropout = new Dropout(spec.dropout(), 2000, dtype);
    output = spec.tieEmbeddings() ? SoftmaxOutput.tied(pb, "output", targetEmbedding)
        : new SoftmaxOutput(pb, "output", h, spec.targetVocabSize(), init);
    params = pb.build(dtype, seed);
    scratch = new Scratch(dtype);
  }

  /** The architecture this model was built from. */
  public Seq2SeqSpec spec() {
    return spec;
  }

  /** The source embedding (for pretrained initialisation and freezing). */
  public Embedding sourceEmbedding() {
    return sourceEmbedding;
  }

  /** The target embedding (for pretrained initialisation and freezing). */
  public Embedding targetEmbedding() {
    return targetEmbedding;
  }

  @Override
  public ParamStore params() {
    return params;
  }

  @Override
  public StepStats forwardBackward(PairBatch batch, double gradScale, long stepSeed) {
    if (gradScale == 0) {
      throw new IllegalArgumentException("forwardBackward needs gradScale != 0 (it back-propagates); use evaluate for "
          + "a forward pass");
    }
    Pass p = new Pass(batch, true, stepSeed, spec.teacherForcing());
    INDArray feats = forward(p);
    long t0 = Phases.start();
    double loss = output.lossSum(feats, batch.target().targets(), batch.target().mask(), gradScale,
        spec.labelSmoothing());
    Phases.stop("softmax", t0);
    backward(p, outputDropout.backward(output.inputGradient()));
    return StepStats.of(loss, batch);
  }

  @Override
  public StepStats evaluate(PairBatch batch) {
    Pass p = new Pass(batch, false, 0, 1.0);
    return StepStats.of(output.lossSum(forward(p), batch.target().targets(), batch.target().mask(), 0), batch);
  }

  /**
   * Teacher-forced next-token log-probabilities at every target position (no dropout): row-major [T*B, V], time-major
   * rows like the batch (position (t, r) is row {@code t * rows + r}); rows of padded positions are unspecified.
   */
  public double[] logProbabilities(PairBatch batch) {
    Pass p = new Pass(batch, false, 0, 1.0);
    INDArray probs = output.probabilities(forward(p));
    double[] lp = Seq2SeqAttention.read(probs, new double[(int) probs.length()]);
    for (int i = 0; i < lp.length; i++) {
      lp[i] = Math.log(lp[i]);
    }
    return lp;
  }

  /**
   * The decoder inputs the last training pass fed, time-major like its target batch (position (t, r) at
   * {@code t * rows + r}): the reference where teacher-forced, the model's arg max where scheduled sampling chose to
   * feed its own prediction. Null before any training pass.
   */
  public int[] fedInputs() {
    return fed == null ? null : fed.clone();
  }

  /** One batch's shapes, dropout setting and scheduled-sampling draws. */
  private static final class Pass {
    final PairBatch batch;
    final Seq src;
    final Seq tgt;
    final int rows;
    final int steps;
    /** Scheduled sampling: whether position (t, r) is fed the model's prediction; null = teacher forcing. */
    final boolean[] sampled;
    INDArray[] masks; // unrolled decoder: between-layer dropout masks over all steps, null where inactive
    INDArray embMask; // scheduled sampling: the target embedding's and h̃'s dropout masks, null where inactive
    INDArray outMask;
    int[] fed;
    List<RecurrentState> initial;

    Pass(PairBatch batch, boolean training, long seed, double teacherForcing) {
      this.batch = batch;
      Batch s = batch.source();
      Batch t = batch.target();
      src = new Seq(s.steps(), s.rows(), s.lengths(), training, seed);
      tgt = new Seq(t.steps(), t.rows(), t.lengths(), training, seed);
      rows = t.rows();
      steps = t.steps();
      sampled = training && teacherForcing < 1 ? draw(seed, teacherForcing, steps, rows, t.lengths()) : null;
    }

    /**
     * One draw per (step t &gt; 0, row), all drawn whatever the lengths so a row's draws do not depend on the others'
     * lengths; only real input positions (t &lt; length) are ever fed a prediction.
     */
    private static boolean[] draw(long seed, double ratio, int steps, int rows, int[] lengths) {
      java.util.SplittableRandom r = new java.util.SplittableRandom(seed * 0x9E3779B97F4A7C15L + 3000);
      boolean[] out = new boolean[steps * rows];
      for (int t = 1; t < steps; t++) {
        for (int b = 0; b < rows; b++) {
          out[t * rows + b] = r.nextDouble() >= ratio && t < lengths[b];
        }
      }
      return out;
    }
  }

  /** Encoder, bridge and decoder of one batch: h̃ for every target position after dropout, [T*B, H]. */
  private INDArray forward(Pass p) {
    Batch src = p.batch.source();
    long t0 = Phases.start();
    INDArray memory = encoder.forward(sourceDropout.forward(sourceEmbedding.forward(src.inputs()), p.src), p.src);
    attention.memory(memory, p.rows, src.lengths(), p.steps * p.rows);
    p.initial = initialStates(summary(memory, p.rows, src.lengths()));
    Phases.stop("encoder.forward", t0);
    long t1 = Phases.start();
    int n = p.steps * p.rows;
    if (p.sampled != null) {
      p.embMask = mask(targetDropout, p, "embMask", "onesD", n, d);
      p.outMask = mask(outputDropout, p, "outMask", "ones", n, h);
      p.fed = p.batch.target().inputs().clone();
    }
    INDArray x = targetDropout.forward(targetEmbedding.forward(p.batch.target().inputs()), p.tgt);
    INDArray htil = spec.inputFeeding() || p.sampled != null ? unrolledForward(p, x) : sequenceForward(p, x);
    if (p.sampled != null) {
      targetEmbedding.forward(p.fed); // the rows the backward pass scatters into: the tokens actually fed
      fed = p.fed;
    }
    Phases.stop("decoder.forward", t1);
    return outputDropout.forward(htil, p.tgt);
  }

  /** The mask {@code dropout} draws for an [n, width] input of this pass (a copy), or null when it is inactive. */
  private INDArray mask(Dropout dropout, Pass p, String key, String ones, int n, int width) {
    if (!p.tgt.training() || spec.dropout() == 0) {
      return null;
    }
    return scratch.get(key, n, width).assign(dropout.forward(scratch.get(ones, n, width).assign(1), p.tgt));
  }

  /**
   * Scheduled sampling before decoder step t: the rows drawn for it are fed the arg max of their prediction at step
   * t − 1 (from h̃ of rows [(t−1)·B, t·B) of {@code htil}, after the output dropout), written into the embedding
   * columns of {@code x0}'s step-t rows (after the target embedding's dropout) and recorded in {@code p.fed}.
   */
  private void feedPredictions(Pass p, INDArray x0, INDArray htil, int t) {
    int b = p.rows;
    boolean any = false;
    for (int r = 0; r < b && !any; r++) {
      any = p.sampled[t * b + r];
    }
    if (!any) {
      return;
    }
    long r0 = (long) (t - 1) * b;
    INDArray prev = Views.rows(htil, r0, r0 + b);
    if (p.outMask != null) {
      INDArray dropped = scratch.get("ssH", b, h);
      prev.mul(Views.rows(p.outMask, r0, r0 + b), dropped);
      prev = dropped;
    }
    int[] best = output.probabilities(prev).argMax(1).toIntVector();
    int[] ids = new int[b];
    for (int r = 0; r < b; r++) {
      int i = t * b + r;
      if (p.sampled[i]) {
        p.fed[i] = best[r];
      }
      ids[r] = p.fed[i];
    }
    INDArray e = scratch.get("ssE", b, d);
    Nd4j.pullRows(targetEmbedding.table().value(), e, 1, ids);
    if (p.embMask != null) {
      e.muli(Views.rows(p.embMask, (long) t * b, (long) (t + 1) * b));
    }
    Views.rows(Views.cols(x0, 0, d), (long) t * b, (long) (t + 1) * b).assign(e);
  }

  private INDArray sequenceForward(Pass p, INDArray x) {
    INDArray top = x;
    for (int l = 0; l < decoder.size(); l++) {
      INDArray in = l == 0 ? top : between.get(l - 1).forward(top, p.tgt);
      top = decoder.get(l).forward(in, p.tgt, p.initial.get(l));
    }
    int n = p.steps * p.rows;
    int[] memRows = new int[n];
    for (int i = 0; i < n; i++) {
      memRows[i] = i % p.rows;
    }
    INDArray ctx = attention.forward(top, 0, memRows);
    return combine(ctx, top, 0, n, n);
  }

  private INDArray unrolledForward(Pass p, INDArray x) {
    int b = p.rows;
    int steps = p.steps;
    int n = steps * b;
    boolean feed = spec.inputFeeding();
    INDArray x0 = scratch.get(feed ? "X0" : "X0plain", n, feed ? d + h : d);
    Views.cols(x0, 0, d).assign(x);
    if (feed) {
      Views.rows(Views.cols(x0, d, d + h), 0, b).assign(0);
    }
    p.masks = new INDArray[decoder.size()];
    for (int l = 0; l < decoder.size(); l++) {
      decoder.get(l).beginSteps(p.initial.get(l), steps);
      if (l > 0 && p.tgt.training() && spec.dropout() > 0) {
        p.masks[l] = between.get(l - 1).forward(scratch.get("ones", n, h).assign(1), p.tgt); // the mask itself
      }
    }
    int[] memRows = identity(b);
    INDArray htil = null;
    for (int t = 0; t < steps; t++) {
      if (p.sampled != null && t > 0) {
        feedPredictions(p, x0, htil, t);
      }
      INDArray top = decoder.get(0).step(Views.rows(x0, (long) t * b, (long) (t + 1) * b));
      for (int l = 1; l < decoder.size(); l++) {
        INDArray in = top;
        if (p.masks[l] != null) {
          in = scratch.get("Xl", b, h);
          top.mul(Views.rows(p.masks[l], (long) t * b, (long) (t + 1) * b), in);
        }
        top = decoder.get(l).step(in);
      }
      INDArray ctx = attention.forward(top, t * b, memRows);
      htil = combine(ctx, top, t * b, (t + 1) * b, n);
      if (feed && t + 1 < steps) {
        Views.rows(Views.cols(x0, d, d + h), (long) (t + 1) * b, (long) (t + 2) * b)
            .assign(Views.rows(htil, (long) t * b, (long) (t + 1) * b));
      }
    }
    return htil;
  }

  /**
   * h̃ = tanh([ctx ; top]·Wc + bc) for rows [r0, r1) of an n-row pass: records [ctx ; top] and the pre-activation,
   * returns the whole h̃ buffer [n, H].
   */
  private INDArray combine(INDArray ctx, INDArray top, int r0, int r1, int n) {
    INDArray cat = Views.rows(scratch.get("Cat", n, e + h), r0, r1);
    Views.cols(cat, 0, e).assign(ctx);
    Views.cols(cat, e, e + h).assign(top);
    INDArray z = Views.rows(scratch.get("Z", n, h), r0, r1);
    Nd4j.gemm(cat, wc.value(), z, false, false, 1.0, 0.0);
    z.addiRowVector(bc.value());
    INDArray all = scratch.get("Htil", n, h);
    Nd4j.exec(new Tanh(z, Views.rows(all, r0, r1)));
    return all;
  }

  /** ∂L/∂[ctx ; top] [r1-r0, E+H] of rows [r0, r1) from ∂L/∂h̃ of those rows; records ∂L/∂z for the weights. */
  private INDArray combineBackward(INDArray dHtil, int r0, int r1, int n) {
    INDArray z = Views.rows(scratch.get("Z", n, h), r0, r1);
    INDArray dz = Views.rows(scratch.get("dZ", n, h), r0, r1);
    Nd4j.exec(new TanhDerivative(z, dHtil, dz));
    INDArray dCat = scratch.get("dCat", r1 - r0, e + h);
    Nd4j.gemm(dz, wc.value(), dCat, false, true, 1.0, 0.0);
    return dCat;
  }

  private void backward(Pass p, INDArray dHtil) {
    long t0 = Phases.start();
    int n = p.steps * p.rows;
    INDArray dEmb = spec.inputFeeding() || p.sampled != null ? unrolledBackward(p, dHtil) : sequenceBackward(p, dHtil);
    Nd4j.gemm(scratch.get("Cat", n, e + h), scratch.get("dZ", n, h), wc.grad(), true, false, 1.0, 1.0);
    Nd4j.gemm(scratch.ones(n), scratch.get("dZ", n, h), bc.grad(), false, false, 1.0, 1.0);
    targetEmbedding.backward(targetDropout.backward(dEmb));
    INDArray dMemory = attention.finish();
    Phases.stop("decoder.backward", t0);
    long t1 = Phases.start();
    bridgeBackward(dMemory, p);
    INDArray dx = encoder.backward(dMemory, p.src);
    sourceEmbedding.backward(sourceDropout.backward(dx));
    Phases.stop("encoder.backward", t1);
  }

  private INDArray sequenceBackward(Pass p, INDArray dHtil) {
    int n = p.steps * p.rows;
    INDArray dCat = combineBackward(dHtil, 0, n, n);
    INDArray dq = attention.backward(Views.cols(dCat, 0, e), 0);
    INDArray dTop = scratch.get("dTop", n, h);
    dTop.assign(Views.cols(dCat, e, e + h)).addi(dq);
    INDArray dIn = dTop;
    for (int l = decoder.size() - 1; l >= 0; l--) {
      dIn = decoder.get(l).backward(dIn, p.tgt);
      if (l > 0) {
        dIn = between.get(l - 1).backward(dIn);
      }
    }
    return dIn;
  }

  private INDArray unrolledBackward(Pass p, INDArray dHtil) {
    int b = p.rows;
    int steps = p.steps;
    int n = steps * b;
    boolean feed = spec.inputFeeding();
    INDArray dEmb = scratch.get("dEmb", n, d);
    INDArray dFeed = scratch.get("dFeed", b, h);
    INDArray g = scratch.get("dHt", b, h);
    INDArray dTop = scratch.get("dTopStep", b, h);
    for (int t = steps - 1; t >= 0; t--) {
      long r0 = (long) t * b;
      long r1 = r0 + b;
      g.assign(Views.rows(dHtil, r0, r1));
      if (feed && t + 1 < steps) {
        g.addi(dFeed);
      }
      INDArray dCat = combineBackward(g, (int) r0, (int) r1, n);
      INDArray dq = attention.backward(Views.cols(dCat, 0, e), (int) r0);
      dTop.assign(Views.cols(dCat, e, e + h)).addi(dq);
      INDArray dIn = dTop;
      for (int l = decoder.size() - 1; l >= 0; l--) {
        dIn = decoder.get(l).stepBackward(dIn);
        if (l > 0 && p.masks[l] != null) {
          INDArray masked = scratch.get("dXl", b, h);
          dIn.mul(Views.rows(p.masks[l], r0, r1), masked);
          dIn = masked;
        }
      }
      Views.rows(dEmb, r0, r1).assign(Views.cols(dIn, 0, d));
      if (feed) {
        dFeed.assign(Views.cols(dIn, d, d + h));
      }
    }
    return dEmb;
  }

  /**
   * The bridge's input per row: [forward h at the last real step ; backward h at step 0] of the encoder's top layer
   * for a bidirectional encoder (both directions' final states), else h at the last real step; [B, E].
   */
  private INDArray summary(INDArray memory, int rows, int[] lengths) {
    INDArray last = scratch.get("sumLast", rows, e);
    Nd4j.pullRows(memory, last, 1, lastRows(rows, lengths));
    if (!spec.bidirectional()) {
      return last;
    }
    INDArray first = scratch.get("sumFirst", rows, e);
    Nd4j.pullRows(memory, first, 1, identity(rows));
    INDArray s = scratch.get("summary", rows, e);
    Views.cols(s, 0, h).assign(Views.cols(last, 0, h));
    Views.cols(s, h, e).assign(Views.cols(first, h, e));
    return s;
  }

  private static int[] lastRows(int rows, int[] lengths) {
    int[] idx = new int[rows];
    for (int r = 0; r < rows; r++) {
      idx[r] = (lengths[r] - 1) * rows + r;
    }
    return idx;
  }

  private static int[] identity(int n) {
    int[] idx = new int[n];
    for (int i = 0; i < n; i++) {
      idx[i] = i;
    }
    return idx;
  }

  /** Every decoder layer's initial state from the bridge: layer l's tensor j is columns [(l·k + j)·H, +H). */
  private List<RecurrentState> initialStates(INDArray summary) {
    INDArray all = bridge.forward(summary, null);
    List<RecurrentState> out = new ArrayList<>();
    for (int l = 0; l < decoder.size(); l++) {
      List<INDArray> parts = new ArrayList<>();
      for (int j = 0; j < k; j++) {
        parts.add(Views.cols(all, (long) (l * k + j) * h, (long) (l * k + j + 1) * h));
      }
      out.add(RecurrentState.of(parts));
    }
    return out;
  }

  /** Back through the decoder layers' initial states and the bridge into ∂L/∂(encoder outputs), in place. */
  private void bridgeBackward(INDArray dMemory, Pass p) {
    int rows = p.rows;
    INDArray dInit = scratch.get("dInit", rows, (long) decoder.size() * k * h);
    for (int l = 0; l < decoder.size(); l++) {
      INDArray[] g = decoder.get(l).initialStateGradient();
      for (int j = 0; j < k; j++) {
        Views.cols(dInit, (long) (l * k + j) * h, (long) (l * k + j + 1) * h).assign(g[j]);
      }
    }
    INDArray dSummary = bridge.backward(dInit, null);
    int[] last = lastRows(rows, p.batch.source().lengths());
    if (!spec.bidirectional()) {
      Ops.scatterAddRows(dMemory, last, dSummary);
      return;
    }
    INDArray updates = scratch.zeros("dSumRows", 2L * rows, e);
    Views.cols(Views.rows(updates, 0, rows), 0, h).assign(Views.cols(dSummary, 0, h));
    Views.cols(Views.rows(updates, rows, 2L * rows), h, e).assign(Views.cols(dSummary, h, e));
    int[] idx = Arrays.copyOf(last, 2 * rows);
    System.arraycopy(identity(rows), 0, idx, rows, rows);
    Ops.scatterAddRows(dMemory, idx, updates);
  }

  // ---------------------------------------------------------------- decoding

  /**
   * Where decoding stands for a set of hypotheses (rows): each decoder layer's state, the last attentional vector
   * (input feeding), and which source each row translates. Immutable: {@link Seq2Seq#decodeStep} and
   * {@link #select} return new states, so a beam search can branch from any of them. The encoded sources are shared.
   */
  public static final class DecoderState {
    private final Seq2SeqAttention.Memory memory;
    private final List<RecurrentState> layers;
    private final double[] feed;
    private final int[] sourceOf;

    private DecoderState(Seq2SeqAttention.Memory memory, List<RecurrentState> layers, double[] feed, int[] sourceOf) {
      this.memory = memory;
      this.layers = layers;
      this.feed = feed;
      this.sourceOf = sourceOf;
    }

    /** Hypotheses held. */
    public int rows() {
      return sourceOf.length;
    }

    /** The source (its index in {@link Seq2Seq#startDecoding}'s list) that row {@code row} translates. */
    public int source(int row) {
      return sourceOf[row];
    }

    /** Padded source length S: the width of each row of {@link Step#attention()}. */
    public int sourceSteps() {
      return memory.steps;
    }

    /** The real length of source {@code source}. */
    public int sourceLength(int source) {
      return memory.lengths[source];
    }

    /**
     * The state of rows {@code rows[0], rows[1], ...} of this one, in that order (repeats allowed, an empty array
     * keeps none): the decoder layers' states, the fed-back vectors and the source each row reads.
     */
    public DecoderState select(int[] rows) {
      int[] src = new int[rows.length];
      for (int i = 0; i < rows.length; i++) {
        if (rows[i] < 0 || rows[i] >= sourceOf.length) {
          throw new IllegalArgumentException("select: row " + rows[i] + " (position " + i + ") is outside [0, "
              + sourceOf.length + ")");
        }
        src[i] = sourceOf[rows[i]];
      }
      List<RecurrentState> ls = new ArrayList<>();
      if (rows.length > 0) {
        for (RecurrentState s : layers) {
          ls.add(s.select(rows));
        }
      }
      double[] f = null;
      if (feed != null) {
        int width = feed.length / Math.max(1, sourceOf.length);
        f = new double[rows.length * width];
        for (int i = 0; i < rows.length; i++) {
          System.arraycopy(feed, rows[i] * width, f, i * width, width);
        }
      }
      return new DecoderState(memory, ls, f, src);
    }
  }

  /**
   * One decoding step's result.
   *
   * @param next             the state after the step
   * @param logProbabilities row-major [rows, V] next-token log-probabilities ({@code -Infinity} where 0)
   * @param attention        row-major [rows, S] attention weights of the step (0 beyond each source's length)
   */
  public record Step(DecoderState next, double[] logProbabilities, double[] attention) {
  }

  /**
   * Encodes {@code sources} (token ids, each ending with {@code </s>} as in training) once, with no dropout, and
   * returns one row per source, positioned before its first target token (feed {@code <s>} first).
   */
  public DecoderState startDecoding(List<int[]> sources) {
    if (sources.isEmpty()) {
      throw new IllegalArgumentException("decoding needs at least one source sentence, got none");
    }
    int rows = sources.size();
    int[][] in = new int[rows][];
    long[] ids = new long[rows];
    for (int r = 0; r < rows; r++) {
      in[r] = sources.get(r);
      if (in[r].length == 0) {
        throw new IllegalArgumentException("source " + r + " is empty: it needs at least </s>");
      }
      ids[r] = r;
    }
    int[][] zeros = new int[rows][];
    for (int r = 0; r < rows; r++) {
      zeros[r] = new int[in[r].length];
    }
    Batch src = Batch.padded(in, zeros, ids);
    Seq s = new Seq(src.steps(), rows, src.lengths(), false, 0);
    INDArray memory = encoder.forward(sourceEmbedding.forward(src.inputs()), s);
    Seq2SeqAttention.Memory mem = attention.memory(memory, rows, src.lengths(), rows);
    List<RecurrentState> init = initialStates(summary(memory, rows, src.lengths()));
    double[] feed = spec.inputFeeding() ? new double[rows * h] : null;
    return new DecoderState(mem, init, feed, identity(rows));
  }

  /** Feeds one token per row of {@code state} and returns the next-token distributions and the state after it. */
  public Step decodeStep(DecoderState state, int[] tokens) {
    int n = state.rows();
    if (tokens.length != n) {
      throw new IllegalArgumentException("decodeStep needs one token per row: " + n + " rows, got " + tokens.length);
    }
    if (n == 0) {
      return new Step(state, new double[0], new double[0]);
    }
    INDArray x = targetEmbedding.forward(tokens);
    if (state.feed != null) {
      INDArray x0 = scratch.get("X0dec", n, d + h);
      Views.cols(x0, 0, d).assign(x);
      INDArray f = scratch.get("feedDec", n, h);
      Seq2SeqAttention.write(state.feed, f);
      Views.cols(x0, d, d + h).assign(f);
      x = x0;
    }
    List<RecurrentState> next = new ArrayList<>();
    INDArray top = x;
    for (int l = 0; l < decoder.size(); l++) {
      RecurrentState s = decoder.get(l).inferStep(top, state.layers.get(l));
      next.add(s);
      top = s.h();
    }
    attention.begin(state.memory, n);
    INDArray ctx = attention.forward(top, 0, state.sourceOf);
    INDArray htil = combine(ctx, top, 0, n, n);
    INDArray probs = output.probabilities(htil);
    double[] lp = Seq2SeqAttention.read(probs, new double[n * spec.targetVocabSize()]);
    for (int i = 0; i < lp.length; i++) {
      lp[i] = Math.log(lp[i]);
    }
    double[] feed = state.feed != null ? Seq2SeqAttention.read(htil, new double[n * h]) : null;
    return new Step(new DecoderState(state.memory, next, feed, state.sourceOf), lp, attention.weights(0, n));
  }
}
