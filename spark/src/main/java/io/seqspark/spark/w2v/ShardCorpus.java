package io.seqspark.spark.w2v;

import io.seqspark.core.config.Settings;
import io.seqspark.core.data.ShardExamples;
import io.seqspark.core.data.ShardInput;
import io.seqspark.core.data.ShardPiece;
import io.seqspark.core.data.ShardPlan;
import io.seqspark.core.data.Vocabulary;
import io.seqspark.core.w2v.Corpus;
import io.seqspark.spark.ingest.HadoopConf;
import io.seqspark.spark.train.HadoopShards;
import java.io.IOException;
import java.io.Serializable;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.List;
import org.apache.spark.api.java.JavaSparkContext;

/**
 * A Word2Vec corpus that stays on the cluster: an ingest output of which the driver reads the manifest (shard list,
 * token counts) and vocab.tsv only. The trained vocabulary is the prefix of vocab.tsv with counts of at least
 * data.minCount (vocab.tsv is sorted by descending count, so ids are kept), exactly as {@link Corpus#fromShards}
 * builds it; the subsampling and negative-sampling tables come from its counts, and the trained words per epoch are
 * their sum (checked against what the partitions read after the first epoch). Partition p reads the pieces
 * {@link ShardPlan} assigned it (token-balanced, seeded) on its executor and keeps only trained ids, cut at
 * w2v.maxSentenceLength, as {@link Corpus.Builder} does. One partition reads the whole corpus in order: the sentences
 * of {@link Corpus#fromShards}.
 *
 * @param dir        the ingest output as given (data.train)
 * @param vocabulary the trained vocabulary
 * @param rawTokens  ids in the shards, out-of-vocabulary ones included (the manifest's count)
 * @param words      trained words per epoch: the kept words' counts summed
 * @param reader     what the executors read their partitions with
 */
public record ShardCorpus(String dir, Vocabulary vocabulary, long rawTokens, long words, Reader reader) {

  /**
   * Reads one partition's sentences on its executor.
   *
   * @param plan              per partition, the shard pieces it reads
   * @param opener            how executors open shard files
   * @param vocabularySize    trained ids are below it (and from {@link Corpus#FIRST_WORD})
   * @param ids               the ingest's ids as trained ids ({@link Corpus.Trim#ids}; null: the same)
   * @param maxSentenceLength w2v.maxSentenceLength
   */
  public record Reader(List<List<ShardPiece>> plan, ShardInput.Opener opener, int vocabularySize, int[] ids,
                       int maxSentenceLength) implements Serializable {

    /** Partition {@code p}'s sentences read from its pieces. */
    public DistributedWord2Vec.Part read(int p) {
      Corpus.Builder b = new Corpus.Builder(vocabularySize, maxSentenceLength);
      try (ShardExamples.Cursor c = new ShardExamples(plan.get(p), opener).cursor(0)) {
        while (c.hasNext()) {
          b.add(Corpus.Trim.apply(ids, c.next()));
        }
      } catch (IOException e) {
        throw new UncheckedIOException("partition " + p + ": reading its shards " + plan.get(p) + " failed", e);
      }
      return new DistributedWord2Vec.Part(p, new ArrayList<>(b.build(null, 0).sentences()));
    }
  }

  /** Per partition, the shard pieces it reads. */
  public List<List<ShardPiece>> plan() {
    return reader.plan();
  }

  /** Whether data.train names an ingest output of token shards (through Hadoop: a local path or any URI). */
  public static boolean isShards(JavaSparkContext sc, Settings s) {
    return HadoopShards.isShards(s.getString("data.train"), sc.hadoopConfiguration());
  }

  /** Reads the manifest and vocabulary of data.train and assigns its shards to {@code partitions} from the seed. */
  public static ShardCorpus open(JavaSparkContext sc, Settings s, int partitions) throws IOException {
    String dir = s.getString("data.train");
    HadoopShards shards = HadoopShards.open("data.train", dir, sc.hadoopConfiguration());
    Corpus.Trim trim = Corpus.Trim.of(shards.vocabulary(), s.getInt("data.minCount"));
    Vocabulary vocab = trim.vocabulary();
    long words = 0;
    for (int i = Corpus.FIRST_WORD; i < vocab.size(); i++) {
      words += vocab.count(i);
    }
    if (words == 0) {
      throw new IllegalArgumentException("data.train = " + dir + ": no word occurs data.minCount = "
          + s.getInt("data.minCount") + " times or more; lower data.minCount or use a bigger corpus");
    }
    return new ShardCorpus(dir, vocab, shards.tokens(), words, new Reader(ShardPlan.assign(shards.files(), partitions,
        s.getLong("seed")), HadoopShards.opener(new HadoopConf(sc)), vocab.size(), trim.ids(), s.getInt("w2v.maxSentenceLength")));
  }

  /** Counts by id for the sampling tables (reserved ids: 0), as {@link Corpus#counts}. */
  public long[] counts() {
    long[] c = new long[vocabulary.size()];
    for (int i = Corpus.FIRST_WORD; i < c.length; i++) {
      c[i] = vocabulary.count(i);
    }
    return c;
  }

  /** Every partition's sentences read here, on the driver: the executors' assignment, for comparisons. */
  List<DistributedWord2Vec.Part> readOnTheDriver() {
    List<DistributedWord2Vec.Part> out = new ArrayList<>();
    for (int p = 0; p < plan().size(); p++) {
      out.add(reader.read(p));
    }
    return out;
  }

  /** The vocabulary and counts as a sentence-less {@link Corpus} (what the driver-read path trains from). */
  Corpus withoutSentences() {
    return new Corpus(vocabulary, List.of(), rawTokens, words);
  }
}
