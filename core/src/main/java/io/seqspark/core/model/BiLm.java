package io.seqspark.core.model;

import io.seqspark.core.data.Batch;
import io.seqspark.core.data.Vocabulary;
import io.seqspark.core.nn.CharTokenEncoder;
import io.seqspark.core.nn.Dropout;
import io.seqspark.core.nn.Init;
import io.seqspark.core.nn.LstmP;
import io.seqspark.core.nn.Ops;
import io.seqspark.core.nn.ParamRef;
import io.seqspark.core.nn.ParamStore;
import io.seqspark.core.nn.Phases;
import io.seqspark.core.nn.Residual;
import io.seqspark.core.nn.SampledSoftmax;
import io.seqspark.core.nn.Scratch;
import io.seqspark.core.nn.Seq;
import io.seqspark.core.nn.SoftmaxOutput;
import io.seqspark.core.nn.StatefulLayer;
import io.seqspark.core.train.StepStats;
import io.seqspark.core.train.Trainable;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.function.IntFunction;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

/**
 * ELMo's bidirectional language model (Peters et al. 2018): ONE character-aware token encoder
 * ({@link CharTokenEncoder}) and ONE softmax shared by a forward and a backward stack of {@link LstmP} layers
 * (residual connections around every layer but the first, dropout on the token vectors and after each layer). The
 * backward stack is the forward machinery run over reversed text ({@link BiLmBatch}): it predicts each token from
 * the tokens after it. The loss is the sum of both directions' negative log-likelihoods; training may use a sampled
 * softmax ({@link SampledSoftmax}), evaluation always uses the full one.
 *
 * <p>Token ids index the vocabulary's words, whose characters the model keeps ({@link CharacterIds}); within a
 * batch the encoder runs once over the distinct words of both directions, and its gradient is scattered back onto
 * them. {@link #embed} also accepts words outside the vocabulary: they get their vector from their characters.
 *
 * <p>Parameters, in order: {@code token.*} (encoder), {@code fwd<l>.*}, {@code bwd<l>.*}, {@code softmax.*}.
 *
 * <p>Just over 400 lines because {@link #embed} shares the distinct-token encoding, the gathers and the direction
 * stacks with training and evaluation; moving it out would expose those internals.
 */
public final class BiLm implements Trainable<BiLmBatch> {
  /** Dropout salts of the backward direction start here (the forward's are 0 .. layers). */
  private static final long BACKWARD_SALT = 1000;

  private final BiLmSpec spec;
  private final int[][] vocabChars;
  private final ParamStore params;
  private final CharTokenEncoder encoder;
  private final Direction fwd;
  private final Direction bwd;
  private final SoftmaxOutput softmax;
  private final SampledSoftmax sampled;
  private final Scratch scratch;
  private boolean carry;

  /** One direction's LSTMP stack and dropouts (index 0 on the token vectors, l + 1 after layer l). */
  private static final class Direction {
    final List<StatefulLayer> layers = new ArrayList<>();
    final List<Dropout> drops = new ArrayList<>();
    final String name;

    Direction(ParamStore.Builder pb, String name, BiLmSpec spec, long salt, Init init, DataType dtype) {
      this.name = name;
      for (int l = 0; l < spec.layers(); l++) {
        StatefulLayer layer = new LstmP(pb, name + l, spec.projectionSize(), spec.cellSize(), spec.projectionSize(),
            spec.cellClip(), spec.projClip(), init, dtype);
        layers.add(spec.residual() && l > 0 ? new Residual(layer, dtype) : layer);
      }
      for (int l = 0; l <= spec.layers(); l++) {
        drops.add(new Dropout(spec.dropout(), salt + l, dtype));
      }
    }

    /** Runs the stack; {@code keep}, when given, receives a copy of every layer's output. */
    INDArray forward(INDArray x, Seq seq, List<INDArray> keep) {
      INDArray h = drops.get(0).forward(x, seq);
      for (int l = 0; l < layers.size(); l++) {
        INDArray out = layers.get(l).forward(h, seq);
        if (keep != null) {
          keep.add(out.dup());
        }
        h = drops.get(l + 1).forward(out, seq);
      }
      return h;
    }

    INDArray backward(INDArray d, Seq seq) {
      for (int l = layers.size() - 1; l >= 0; l--) {
        d = layers.get(l).backward(drops.get(l + 1).backward(d), seq);
      }
      return drops.get(0).backward(d);
    }
  }

  /**
   * @param words the vocabulary's tokens by id ({@code words.size() == spec.vocabSize()})
   */
  public BiLm(BiLmSpec spec, List<String> words, DataType dtype, long seed) {
    if (words.size() != spec.vocabSize()) {
      throw new IllegalArgumentException("the biLM's vocabulary has " + spec.vocabSize() + " entries but "
          + words.size() + " words were given");
    }
    this.spec = spec;
    this.vocabChars = new int[words.size()][];
    for (int i = 0; i < words.size(); i++) {
      vocabChars[i] = CharacterIds.of(words.get(i), spec.maxCharacters());
    }
    Init init = Init.uniform(spec.initScale());
    ParamStore.Builder pb = ParamStore.builder();
    encoder = new CharTokenEncoder(pb, "token", CharacterIds.VOCAB, spec.charEmbeddingSize(), spec.filterWidths(),
        spec.filters(), spec.highways(), spec.projectionSize(), init, dtype);
    fwd = new Direction(pb, "fwd", spec, 0, init, dtype);
    bwd = new Direction(pb, "bwd", spec, BACKWARD_SALT, init, dtype);
    softmax = new SoftmaxOutput(pb, "softmax", spec.projectionSize(), spec.vocabSize(), init);
    params = pb.build(dtype, seed);
    sampled = spec.sampledSoftmax() > 0 ? new SampledSoftmax(ref("softmax.W"), ref("softmax.b")) : null;
    scratch = new Scratch(dtype);
  }

  private ParamRef ref(String name) {
    for (ParamRef r : params.refs()) {
      if (r.name().equals(name)) {
        return r;
      }
    }
    throw new IllegalStateException("no parameter block " + name);
  }

  /** The architecture. */
  public BiLmSpec spec() {
    return spec;
  }

  @Override
  public ParamStore params() {
    return params;
  }

  /** The distinct tokens of a batch, their character ids, and each position's row among them. */
  private record Tokens(int[] chars, int count, int[] lengths, int[][] rows) {
  }

  /** Collects the distinct ids of {@code idLists} (first-seen order) and their characters from {@code charsOf}. */
  private Tokens tokens(IntFunction<int[]> charsOf, int[]... idLists) {
    Map<Integer, Integer> slot = new HashMap<>();
    List<int[]> spelled = new ArrayList<>();
    int[][] rows = new int[idLists.length][];
    int maxLen = 1;
    for (int d = 0; d < idLists.length; d++) {
      int[] ids = idLists[d];
      rows[d] = new int[ids.length];
      for (int k = 0; k < ids.length; k++) {
        Integer s = slot.get(ids[k]);
        if (s == null) {
          s = spelled.size();
          slot.put(ids[k], s);
          int[] c = charsOf.apply(ids[k]);
          spelled.add(c);
          maxLen = Math.max(maxLen, c.length);
        }
        rows[d][k] = s;
      }
    }
    int u = spelled.size();
    int[] chars = new int[u * maxLen];
    int[] lengths = new int[u];
    for (int i = 0; i < u; i++) {
      int[] c = spelled.get(i);
      System.arraycopy(c, 0, chars, i * maxLen, c.length);
      lengths[i] = c.length;
    }
    return new Tokens(chars, maxLen, lengths, rows);
  }

  private int[] vocabularyChars(int id) {
    if (id < 0 || id >= vocabChars.length) {
      throw new IllegalArgumentException("token id " + id + " is outside the vocabulary [0, " + vocabChars.length + ")");
    }
    return vocabChars[id];
  }

  private INDArray encode(Tokens t) {
    return encoder.forward(t.chars(), t.lengths().length, t.count(), t.lengths());
  }

  private INDArray gather(String key, INDArray table, int[] rows) {
    INDArray x = scratch.get(key, rows.length, table.size(1));
    Nd4j.pullRows(table, x, 1, rows);
    return x;
  }

  private static Seq seq(Batch b, boolean training, long seed) {
    return new Seq(b.steps(), b.rows(), b.lengths(), training, seed);
  }

  /**
   * Forward and backward over both directions: ADDS {@code gradScale · ∂(loss sum)/∂θ} (nothing when the scale is
   * 0: then it is the training-mode loss alone, with dropout and sampled softmax as in training).
   */
  @Override
  public StepStats forwardBackward(BiLmBatch batch, double gradScale, long stepSeed) {
    long t0 = Phases.start();
    Tokens t = tokens(this::vocabularyChars, batch.forward().inputs(), batch.backward().inputs());
    INDArray table = encode(t);
    INDArray dTable = scratch.zeros("dU", table.size(0), table.size(1));
    Phases.stop("elmo.encoder.forward", t0);
    double loss = 0;
    Batch[] batches = {batch.forward(), batch.backward()};
    Direction[] dirs = {fwd, bwd};
    for (int d = 0; d < 2; d++) {
      Batch b = batches[d];
      Seq seq = seq(b, true, stepSeed);
      long t1 = Phases.start();
      INDArray h = dirs[d].forward(gather("X" + d, table, t.rows()[d]), seq, null);
      Phases.stop("elmo.stack.forward", t1);
      long t2 = Phases.start();
      if (sampled != null) {
        int[] samples = sampled.sampler().sample(spec.sampledSoftmax(),
            new SplittableRandom(stepSeed * 0x9E3779B97F4A7C15L + d));
        loss += sampled.lossSum(h, b.targets(), b.mask(), gradScale, samples);
      } else {
        loss += softmax.lossSum(h, b.targets(), b.mask(), gradScale);
      }
      Phases.stop("elmo.softmax", t2);
      if (gradScale != 0) {
        long t3 = Phases.start();
        INDArray dh = sampled != null ? sampled.inputGradient() : softmax.inputGradient();
        Ops.scatterAddRows(dTable, t.rows()[d], dirs[d].backward(dh, seq));
        Phases.stop("elmo.stack.backward", t3);
      }
    }
    if (gradScale != 0) {
      long t4 = Phases.start();
      encoder.backward(dTable);
      Phases.stop("elmo.encoder.backward", t4);
    }
    return StepStats.of(loss, batch);
  }

  @Override
  public StepStats evaluate(BiLmBatch batch) {
    StepStats[] s = evaluateDirections(batch);
    return s[0].plus(s[1]);
  }

  /** Forward only, full softmax: the forward direction's and the backward direction's loss sums. */
  public StepStats[] evaluateDirections(BiLmBatch batch) {
    Tokens t = tokens(this::vocabularyChars, batch.forward().inputs(), batch.backward().inputs());
    INDArray table = encode(t);
    Batch[] batches = {batch.forward(), batch.backward()};
    Direction[] dirs = {fwd, bwd};
    StepStats[] out = new StepStats[2];
    for (int d = 0; d < 2; d++) {
      Batch b = batches[d];
      INDArray h = dirs[d].forward(gather("X" + d, table, t.rows()[d]), seq(b, false, 0), null);
      out[d] = StepStats.of(softmax.lossSum(h, b.targets(), b.mask(), 0), b);
    }
    return out;
  }

  /** Context-independent token vectors [words, projectionSize] of any words, from their characters. */
  public INDArray tokenVectors(List<String> words) {
    Tokens t = tokens(i -> CharacterIds.of(words.get(i), spec.maxCharacters()), range(words.size()));
    return encode(t).dup();
  }

  private static int[] range(int n) {
    int[] a = new int[n];
    for (int i = 0; i < n; i++) {
      a[i] = i;
    }
    return a;
  }

  /**
   * The L + 1 layer representations of each token of each sentence, as ELMo defines them: layer 0 is the token
   * vector x (given as [x; x], so every layer is 2P wide), layer l is [→h_l; ←h_l], the forward stack's output after
   * reading the token and the backward stack's after reading the sentence from its end back to the token. Each
   * direction starts from zero state after its start token (what it read before a sentence in training:
   * {@code </s>} for both in the PTB stream convention). Words outside the vocabulary get their vectors from their characters. Nothing is
   * carried or recorded for training.
   *
   * @param forwardStart  the token the forward LM reads before a sentence
   * @param backwardStart the token the backward LM reads before a reversed sentence
   * @return per sentence, [layer][token][2P]
   */
  public List<float[][][]> embed(List<List<String>> sentences, Vocabulary vocabulary, int forwardStart,
                                 int backwardStart) {
    List<float[][][]> out = new ArrayList<>();
    if (sentences.isEmpty()) {
      return out;
    }
    // known words keep their vocabulary id; other words get ids past the vocabulary, spelled from their text
    Map<String, Integer> extra = new HashMap<>();
    List<String> extraWords = new ArrayList<>();
    int rows = sentences.size();
    int steps = 1;
    for (List<String> s : sentences) {
      steps = Math.max(steps, s.size() + 1);
    }
    int[] fIn = new int[steps * rows];
    int[] bIn = new int[steps * rows];
    int[] lengths = new int[rows];
    for (int r = 0; r < rows; r++) {
      List<String> s = sentences.get(r);
      int n = s.size();
      lengths[r] = n + 1;
      fIn[r] = forwardStart;
      bIn[r] = backwardStart;
      for (int i = 0; i < n; i++) {
        String w = s.get(i);
        int id = vocabulary.contains(w) ? vocabulary.id(w)
            : extra.computeIfAbsent(w, k -> {
              extraWords.add(k);
              return vocabChars.length + extraWords.size() - 1;
            });
        fIn[(i + 1) * rows + r] = id;
        bIn[(n - i) * rows + r] = id;
      }
    }
    IntFunction<int[]> charsOf = id -> id < vocabChars.length ? vocabChars[id]
        : CharacterIds.of(extraWords.get(id - vocabChars.length), spec.maxCharacters());
    Tokens t = tokens(charsOf, fIn, bIn);
    INDArray table = encode(t).dup();
    Seq seq = new Seq(steps, rows, lengths, false, 0);
    List<INDArray> fLayers = new ArrayList<>();
    List<INDArray> bLayers = new ArrayList<>();
    boolean was = carry;
    setCarryState(false);
    INDArray xf = gather("X0", table, t.rows()[0]).dup();
    fwd.forward(xf, seq, fLayers);
    bwd.forward(gather("X1", table, t.rows()[1]), seq, bLayers);
    setCarryState(was);
    int p = spec.projectionSize();
    double[] x = xf.castTo(DataType.DOUBLE).data().asDouble();
    List<double[]> fl = new ArrayList<>();
    List<double[]> bl = new ArrayList<>();
    for (int l = 0; l < spec.layers(); l++) {
      fl.add(fLayers.get(l).castTo(DataType.DOUBLE).dup('c').data().asDouble());
      bl.add(bLayers.get(l).castTo(DataType.DOUBLE).dup('c').data().asDouble());
    }
    for (int r = 0; r < rows; r++) {
      int n = sentences.get(r).size();
      float[][][] e = new float[spec.layers() + 1][n][2 * p];
      for (int i = 0; i < n; i++) {
        int fPos = (i + 1) * rows + r;   // forward: after reading token i
        int bPos = (n - i) * rows + r;   // backward: after reading tokens n-1 .. i
        for (int k = 0; k < p; k++) {
          e[0][i][k] = (float) x[fPos * p + k];
          e[0][i][p + k] = (float) x[fPos * p + k];
        }
        for (int l = 0; l < spec.layers(); l++) {
          for (int k = 0; k < p; k++) {
            e[l + 1][i][k] = (float) fl.get(l)[fPos * p + k];
            e[l + 1][i][p + k] = (float) bl.get(l)[bPos * p + k];
          }
        }
      }
      out.add(e);
    }
    return out;
  }

  @Override
  public void setCarryState(boolean carry) {
    this.carry = carry;
    fwd.layers.forEach(l -> l.setCarryState(carry));
    bwd.layers.forEach(l -> l.setCarryState(carry));
  }

  @Override
  public void resetState() {
    fwd.layers.forEach(StatefulLayer::resetState);
    bwd.layers.forEach(StatefulLayer::resetState);
  }

  /** Forward layers' states, then backward layers' (r and c per layer). */
  @Override
  public List<INDArray> state() {
    List<INDArray> s = new ArrayList<>();
    for (Direction d : new Direction[] {fwd, bwd}) {
      for (StatefulLayer l : d.layers) {
        s.addAll(List.of(l.carriedState()));
      }
    }
    return s;
  }

  @Override
  public void restoreState(List<INDArray> state) {
    if (state.isEmpty()) {
      resetState();
      return;
    }
    int per = state.size() / (2 * spec.layers());
    int k = 0;
    for (Direction d : new Direction[] {fwd, bwd}) {
      for (StatefulLayer l : d.layers) {
        l.restoreState(state.subList(k, k + per).toArray(new INDArray[0]));
        k += per;
      }
    }
  }
}
