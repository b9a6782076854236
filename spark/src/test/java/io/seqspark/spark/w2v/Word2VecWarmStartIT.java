package io.seqspark.spark.w2v;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.seqspark.core.config.Settings;
import io.seqspark.core.w2v.Corpus;
import io.seqspark.core.w2v.SkipGramOptions;
import io.seqspark.core.w2v.Word2VecArchive;
import io.seqspark.core.w2v.Word2VecModel;
import io.seqspark.core.w2v.Word2VecTrainer;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.apache.spark.SparkConf;
import org.apache.spark.api.java.JavaSparkContext;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** w2v.warmStart on Spark: the distributed trainer starts from the same warm model as the local one. */
class Word2VecWarmStartIT {
  static JavaSparkContext sc;
  @TempDir
  Path tmp;

  @BeforeAll
  static void spark() {
    sc = new JavaSparkContext(new SparkConf().setMaster("local[2]").setAppName("Word2VecWarmStartIT")
        .set("spark.ui.enabled", "false").set("spark.driver.host", "127.0.0.1"));
  }

  @AfterAll
  static void stop() {
    sc.stop();
  }

  @Test
  void onePartition_warmStarted_equalsTheLocalWarmStartedTrainer_bitForBit_andDiffersFromACold() throws Exception {
    Corpus c = DistributedWord2VecIT.corpus();
    SkipGramOptions o = DistributedWord2VecIT.options();
    Word2VecModel previous = Word2VecTrainer.train(c, o.withEpochs(3), 0, null, 1).model();
    Path zip = tmp.resolve("prev.zip");
    Word2VecArchive.write(zip, Settings.load(List.of(), List.of("w2v.dim=" + o.dim())), previous, Map.of());
    SkipGramOptions warm = o.withWarmStart(zip.toString());
    Word2VecModel local = Word2VecTrainer.train(c, warm, 0, null, 1).model();
    Word2VecModel dist = DistributedWord2Vec.train(sc, c, new DistributedWord2Vec.Options(warm, 1, 1, 0), null).model();
    Word2VecModel cold = DistributedWord2Vec.train(sc, c, new DistributedWord2Vec.Options(o, 1, 1, 0), null).model();
    assertTrue(local.in().sameValues(dist.in()) && local.out().sameValues(dist.out()), "warm local vs Spark");
    assertFalse(cold.in().sameValues(dist.in()), "the warm start changed nothing");
  }
}
