package io.seqspark.jobs.bench;

import java.util.ArrayList;
import java.util.List;
import java.util.Random;

import org.deeplearning4j.nn.conf.BackpropType;
import org.deeplearning4j.nn.conf.GradientNormalization;
import org.deeplearning4j.nn.conf.MultiLayerConfiguration;
import org.deeplearning4j.nn.conf.NeuralNetConfiguration;
import org.deeplearning4j.nn.conf.RNNFormat;
import org.deeplearning4j.nn.conf.WorkspaceMode;
import org.deeplearning4j.nn.conf.distribution.UniformDistribution;
import org.deeplearning4j.nn.conf.inputs.InputType;
import org.deeplearning4j.nn.conf.layers.EmbeddingSequenceLayer;
import org.deeplearning4j.nn.conf.layers.LSTM;
import org.deeplearning4j.nn.conf.layers.RnnOutputLayer;
import org.deeplearning4j.nn.multilayer.MultiLayerNetwork;
import org.deeplearning4j.nn.weights.WeightInit;
import org.nd4j.linalg.activations.Activation;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.dataset.DataSet;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.learning.config.Sgd;
import org.nd4j.linalg.lossfunctions.LossFunctions;

/**
 * DL4J's stock {@link MultiLayerNetwork} on the PTB-small word-LM shape, as the "what does plain DL4J
 * get" baseline that seqspark's own LM trainer is compared against.
 *
 * <p>Shape (same as {@code ../shared/bench/torch_lm_bench.py --model lstm --emb 200 --hidden 200 --layers 2}):
 * vocab 10,000 → {@link EmbeddingSequenceLayer} 200 → 2 × {@link LSTM} 200 (tanh) → {@link RnnOutputLayer}
 * softmax + MCXENT over the full 10,000-word vocabulary; T = 35, batch 20, float32, SGD. Data are
 * seeded uniform-random token ids (throughput does not depend on content).
 *
 * <p>Choices that differ from the PyTorch reference, and why:
 * <ul>
 *   <li>Clipping: DL4J has no global-norm clipping (PyTorch's {@code clip_grad_norm_(0.25)} over all
 *       parameters). The closest it offers is {@link GradientNormalization#ClipL2PerLayer}: each layer's
 *       whole gradient (all its parameter types together) is rescaled to L2 norm ≤ 0.25. Cost is the same
 *       order (one norm + one scale per parameter), so it does not bias the speed comparison.</li>
 *   <li>Backprop: {@link BackpropType#Standard} over the 35-step sequence. With one 35-step batch per
 *       {@code fit}, {@code TruncatedBPTT} with length 35 computes the same gradients (one segment,
 *       state reset after {@code fit}) but adds a sub-sequence copy of features and labels per step,
 *       so Standard is the faster equivalent. PyTorch carries hidden state across batches; DL4J starts
 *       each batch from zero state. That changes no arithmetic.</li>
 *   <li>lr 1.0 (PyTorch uses 20 on a per-token mean loss); learning rate does not affect speed.</li>
 * </ul>
 *
 * <p>Run with {@code OPENBLAS_CORETYPE=SkylakeX} in the environment (must be set before the JVM starts):
 * ND4J's bundled OpenBLAS mis-detects this CPU and otherwise uses slow SSE3 ("Prescott") kernels.
 */
public final class Dl4jLmBaseline {

    public static final int VOCAB = 10_000;
    public static final int EMB = 200;
    public static final int HIDDEN = 200;
    public static final int SEQ = 35;
    public static final int BATCH = 20;
    public static final int TOKENS_PER_STEP = SEQ * BATCH;
    /** Distinct prebuilt batches cycled through; each one-hot label tensor is 28 MB, so keep few. */
    private static final int POOL = 4;

    /**
     * @param tokensPerSecond training tokens (35 × 20 per step) per wall-clock second over the timed steps
     * @param secondsPerStep  mean wall-clock seconds per {@code fit} over the timed steps
     * @param finalLoss       cross-entropy per token after the last step (ln 10000 ≈ 9.21 at start). DL4J's
     *                        {@code score()} sums over the 35 time steps and averages over the 20
     *                        sequences, so this is {@code score() / 35}.
     */
    public record Result(double tokensPerSecond, double secondsPerStep, double finalLoss) {}

    private Dl4jLmBaseline() {}

    /** The network configuration described in the class comment. */
    static MultiLayerConfiguration config(long seed) {
        return config(seed, VOCAB, EMB, HIDDEN, 2, SEQ, 1.0, 0.25, 0);
    }

    /**
     * The same network at other sizes (used by the dl4j-spark baseline on real data).
     *
     * @param layers    LSTM layers
     * @param seq       time steps per example (the embedding layer's input length)
     * @param lr        SGD learning rate
     * @param clip      {@link GradientNormalization#ClipL2PerLayer} threshold; 0 = no clipping
     * @param initScale &gt; 0: weights uniform in [-initScale, initScale] (as seqspark's model.initScale);
     *                  0: Xavier
     */
    static MultiLayerConfiguration config(long seed, int vocab, int emb, int hidden, int layers, int seq, double lr,
                                          double clip, double initScale) {
        NeuralNetConfiguration.Builder b = new NeuralNetConfiguration.Builder()
                .seed(seed)
                .dataType(DataType.FLOAT)
                .updater(new Sgd(lr))
                // Workspaces are DL4J's own answer to per-op allocation; measure it at its best.
                .trainingWorkspaceMode(WorkspaceMode.ENABLED)
                .inferenceWorkspaceMode(WorkspaceMode.ENABLED);
        if (initScale > 0) {
            b.weightInit(new UniformDistribution(-initScale, initScale));
        } else {
            b.weightInit(WeightInit.XAVIER);
        }
        if (clip > 0) {
            // Closest DL4J offers to PyTorch's global clip_grad_norm_; see the class comment.
            b.gradientNormalization(GradientNormalization.ClipL2PerLayer).gradientNormalizationThreshold(clip);
        }
        NeuralNetConfiguration.ListBuilder list = b.list()
                .layer(new EmbeddingSequenceLayer.Builder()
                        .nIn(vocab).nOut(emb)
                        .inputLength(seq)
                        // NCW = [batch, features, time], what LSTM and RnnOutputLayer default to.
                        .outputDataFormat(RNNFormat.NCW)
                        .build());
        int in = emb;
        for (int l = 0; l < layers; l++) {
            list.layer(new LSTM.Builder().nIn(in).nOut(hidden).activation(Activation.TANH).build());
            in = hidden;
        }
        return list
                .layer(new RnnOutputLayer.Builder(LossFunctions.LossFunction.MCXENT)
                        .activation(Activation.SOFTMAX)
                        .nIn(hidden).nOut(vocab)
                        .build())
                .setInputType(InputType.recurrent(1, seq, RNNFormat.NCW))
                // Pitfall: overrideNinUponBuild lives on the ListBuilder, not on the layer builder. Without
                // it setInputType(recurrent(1)) rewrites the embedding's nIn from the vocabulary size to 1.
                .overrideNinUponBuild(false)
                .backpropType(BackpropType.Standard)
                .build();
    }

    /**
     * One batch in the layout DL4J wants: features [20, 1, 35] token ids (as floats) for the
     * EmbeddingSequenceLayer, labels one-hot [20, 10000, 35] (NCW) for RnnOutputLayer.
     */
    static DataSet randomBatch(Random rnd) {
        float[] ids = new float[BATCH * SEQ];
        INDArray labels = Nd4j.zeros(DataType.FLOAT, BATCH, VOCAB, SEQ);
        for (int b = 0; b < BATCH; b++) {
            for (int t = 0; t < SEQ; t++) {
                ids[b * SEQ + t] = rnd.nextInt(VOCAB);
                labels.putScalar(new long[] {b, rnd.nextInt(VOCAB), t}, 1f);
            }
        }
        INDArray features = Nd4j.create(ids, new long[] {BATCH, 1, SEQ}, DataType.FLOAT);
        return new DataSet(features, labels);
    }

    /**
     * Builds the network, prebuilds {@value #POOL} random batches (outside timing), runs
     * {@code warmupSteps} untimed and then {@code timedSteps} timed {@code fit} calls.
     */
    public static Result run(int warmupSteps, int timedSteps, long seed) {
        if (timedSteps < 1) {
            throw new IllegalArgumentException("timedSteps must be >= 1");
        }
        Nd4j.setDefaultDataTypes(DataType.FLOAT, DataType.FLOAT);
        MultiLayerNetwork net = new MultiLayerNetwork(config(seed));
        net.init();

        Random rnd = new Random(seed);
        List<DataSet> pool = new ArrayList<>(POOL);
        for (int i = 0; i < POOL; i++) {
            pool.add(randomBatch(rnd));
        }

        int step = 0;
        for (int i = 0; i < warmupSteps; i++) {
            net.fit(pool.get(step++ % POOL));
        }
        // fit() is synchronous on the CPU backend, so wall time around it is the step time.
        long t0 = System.nanoTime();
        for (int i = 0; i < timedSteps; i++) {
            net.fit(pool.get(step++ % POOL));
        }
        double seconds = (System.nanoTime() - t0) / 1e9;
        double perStep = seconds / timedSteps;
        return new Result(TOKENS_PER_STEP / perStep, perStep, net.score() / SEQ);
    }

    /** {@code Dl4jLmBaseline [warmup=5] [timed=20] [seed=42]}; prints one {@code RESULT {json}} line. */
    public static void main(String[] args) {
        int warmup = args.length > 0 ? Integer.parseInt(args[0]) : 5;
        int timed = args.length > 1 ? Integer.parseInt(args[1]) : 20;
        long seed = args.length > 2 ? Long.parseLong(args[2]) : 42L;
        String coretype = System.getenv("OPENBLAS_CORETYPE");
        MultiLayerNetwork probe = new MultiLayerNetwork(config(seed));
        probe.init();
        System.out.printf("DL4J LM baseline: %,d params, OPENBLAS_CORETYPE=%s, warm-up %d, timed %d%n",
                probe.numParams(), coretype == null ? "(unset)" : coretype, warmup, timed);
        Result r = run(warmup, timed, seed);
        // Same one-line convention as the PyTorch scripts in ../shared/bench.
        System.out.printf(java.util.Locale.ROOT,
                "RESULT {\"bench\":\"lm\",\"engine\":\"dl4j\",\"model\":\"lstm\",\"openblas_coretype\":%s,"
                        + "\"steps\":%d,\"tokens_per_s\":%.1f,\"ms_per_step_mean\":%.2f,\"final_loss\":%.4f}%n",
                coretype == null ? "null" : "\"" + coretype + "\"", timed, r.tokensPerSecond(),
                r.secondsPerStep() * 1000, r.finalLoss());
    }
}
