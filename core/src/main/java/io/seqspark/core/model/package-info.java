/**
 * Model families built from {@code nn} layers. Each family is a validated {@code XxxSpec} record plus the model,
 * which implements {@link io.seqspark.core.train.Trainable} so the same training step serves it locally and on Spark.
 */
package io.seqspark.core.model;
