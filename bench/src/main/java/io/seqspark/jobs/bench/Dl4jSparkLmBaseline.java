package io.seqspark.jobs.bench;

import io.seqspark.core.data.Batch;
import java.util.ArrayList;
import java.util.List;
import org.apache.spark.api.java.JavaRDD;
import org.apache.spark.api.java.JavaSparkContext;
import org.deeplearning4j.nn.multilayer.MultiLayerNetwork;
import org.deeplearning4j.spark.api.RDDTrainingApproach;
import org.deeplearning4j.spark.api.Repartition;
import org.deeplearning4j.spark.impl.multilayer.SparkDl4jMultiLayer;
import org.deeplearning4j.spark.impl.paramavg.ParameterAveragingTrainingMaster;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.dataset.DataSet;
import org.nd4j.linalg.factory.Nd4j;

/**
 * dl4j-spark's {@link ParameterAveragingTrainingMaster} ({@link SparkDl4jMultiLayer}) on the same language-model
 * batches seqspark trains on: the network is {@link Dl4jLmBaseline#config(long, int, int, int, int, int, double,
 * double, double)} (embedding → LSTM layers → softmax over the vocabulary, SGD).
 *
 * <p>Data: an {@code RDD<DataSet>} made from seqspark {@link Batch}es on the executors (the batches travel as int
 * arrays; the one-hot labels, 4 bytes × vocab × tokens, are built where they are used): features [B, 1, T] token ids
 * for the EmbeddingSequenceLayer, labels one-hot [B, V, T] (NCW), and feature/label masks [B, T] when a batch has
 * padding. Partition p of the RDD holds partition p's batches ({@code Repartition.Never}), and every DataSet holds
 * exactly {@code batchSizePerWorker} examples, so dl4j-spark does not re-batch them.
 *
 * <p>What dl4j-spark does differently from seqspark, and cannot be configured away: it splits the RDD into
 * averaging rounds with a random split ({@code balancedRandomSplit}), so batches are not visited in order and no
 * recurrent state is carried between batches (each DataSet starts from zero state); its average divides by the number
 * of workers, whatever each saw; clipping is per layer ({@code ClipL2PerLayer}), not over all parameters.
 */
public final class Dl4jSparkLmBaseline {
  private Dl4jSparkLmBaseline() {
  }

  /** Network and training shape. {@code clip} is the ClipL2PerLayer threshold (0 = none). */
  public record Shape(int vocab, int emb, int hidden, int layers, int steps, int rows, double lr, double clip,
                      double initScale) {
  }

  /**
   * @param tokensPerSecond training tokens over the wall time of {@code fit} (after a warm-up fit on other batches)
   * @param seconds         wall time of the timed {@code fit}
   * @param tokens          training tokens in the timed fit
   * @param heldOutLoss     mean cross-entropy per token on the held-out batches after training (each batch from zero
   *                        state), NaN when none were given
   * @param trainScore      dl4j-spark's own score after fit (its workers' last minibatch scores, averaged), per token
   */
  public record Result(double tokensPerSecond, double seconds, long tokens, double heldOutLoss, double trainScore) {
  }

  /** One seqspark batch (time-major) as a DL4J DataSet in NCW layout. */
  public static DataSet toDataSet(Batch b, int vocab) {
    int rows = b.rows();
    int steps = b.steps();
    float[] ids = new float[rows * steps];
    float[] mask = new float[rows * steps];
    boolean padded = false;
    INDArray labels = Nd4j.zeros(DataType.FLOAT, rows, vocab, steps);
    for (int t = 0; t < steps; t++) {
      for (int r = 0; r < rows; r++) {
        int i = t * rows + r;
        ids[r * steps + t] = b.inputs()[i];
        mask[r * steps + t] = b.mask()[i];
        if (b.mask()[i] != 0f) {
          labels.putScalar(new long[] {r, b.targets()[i], t}, 1f);
        } else {
          padded = true;
        }
      }
    }
    INDArray features = Nd4j.create(ids, new long[] {rows, 1, steps}, 'c');
    if (!padded) {
      return new DataSet(features, labels);
    }
    INDArray m = Nd4j.create(mask, new long[] {rows, steps}, 'c');
    return new DataSet(features, labels, m, m.dup());
  }

  /**
   * Trains a fresh network with dl4j-spark on {@code perPartition} (partition p's batches, in order; every batch of
   * {@code shape.rows()} rows and {@code shape.steps()} steps) and evaluates it on {@code heldOut}.
   *
   * @param warmup batches per partition for an untimed warm-up fit of another network first (JIT, ND4J, Spark)
   */
  public static Result run(JavaSparkContext sc, List<List<Batch>> perPartition, Shape shape, int averagingFrequency,
                           long seed, List<Batch> heldOut, int warmup) {
    if (warmup > 0) {
      List<List<Batch>> w = new ArrayList<>();
      for (List<Batch> p : perPartition) {
        w.add(p.subList(0, Math.min(warmup, p.size())));
      }
      fit(sc, w, shape, averagingFrequency, seed + 1);
    }
    long tokens = 0;
    for (List<Batch> p : perPartition) {
      for (Batch b : p) {
        tokens += b.tokens();
      }
    }
    long t0 = System.nanoTime();
    SparkDl4jMultiLayer net = fit(sc, perPartition, shape, averagingFrequency, seed);
    double secs = (System.nanoTime() - t0) / 1e9;
    MultiLayerNetwork model = net.getNetwork();
    double lossSum = 0;
    long heldTokens = 0;
    for (Batch b : heldOut) {
      // score = Σ over the batch's real tokens of the cross-entropy / rows (MCXENT, masked)
      lossSum += model.score(toDataSet(b, shape.vocab()), false) * b.rows();
      heldTokens += b.tokens();
    }
    double held = heldTokens == 0 ? Double.NaN : lossSum / heldTokens;
    double perToken = net.getScore() * shape.rows() / ((double) shape.rows() * shape.steps());
    return new Result(tokens / secs, secs, tokens, held, perToken);
  }

  private static SparkDl4jMultiLayer fit(JavaSparkContext sc, List<List<Batch>> perPartition, Shape shape, int k, long seed) {
    int workers = perPartition.size();
    int perWorker = perPartition.stream().mapToInt(List::size).min().orElse(0);
    List<Batch> flat = new ArrayList<>();
    for (List<Batch> p : perPartition) {
      flat.addAll(p.subList(0, perWorker)); // parallelize slices contiguously: equal counts keep p's batches in p
    }
    int vocab = shape.vocab();
    JavaRDD<DataSet> data = sc.parallelize(flat, workers).map(b -> toDataSet(b, vocab));
    ParameterAveragingTrainingMaster tm = new ParameterAveragingTrainingMaster.Builder(workers, shape.rows())
        .batchSizePerWorker(shape.rows())
        .averagingFrequency(k)
        .workerPrefetchNumBatches(0)
        .saveUpdater(true)
        .rddTrainingApproach(RDDTrainingApproach.Direct)
        .repartionData(Repartition.Never)
        .collectTrainingStats(false)
        .rngSeed(seed)
        .build();
    SparkDl4jMultiLayer net = new SparkDl4jMultiLayer(sc, Dl4jLmBaseline.config(seed, shape.vocab(), shape.emb(),
        shape.hidden(), shape.layers(), shape.steps(), shape.lr(), shape.clip(), shape.initScale()), tm);
    net.fit(data);
    return net;
  }
}
