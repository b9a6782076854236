package io.seqspark.core.model;

import io.seqspark.core.data.Batch;
import io.seqspark.core.nn.Seq;
import io.seqspark.core.nn.TokenEncoder;
import io.seqspark.core.train.Trainable;

/**
 * A model whose inputs go through one {@link TokenEncoder} (the tagger, the classifier): it keeps what its encoder's
 * extra features keep of a batch (the frozen biLM's layers, {@code model.contextualCacheMb}).
 */
interface EncoderModel extends Trainable<Batch> {
  /** The encoder of the model's token inputs. */
  TokenEncoder encoder();

  @Override
  default boolean keepsBatches() {
    return encoder().keeps();
  }

  @Override
  default void keep(Batch batch) {
    encoder().keep(batch.inputs(), new Seq(batch.steps(), batch.rows(), batch.lengths(), false, 0));
  }

  @Override
  default String kept() {
    return encoder().kept();
  }
}
