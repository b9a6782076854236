/**
 * Training: one {@link io.seqspark.core.train.TrainStep} (zero, forward/backward with scaled loss sums, clip by
 * global norm, update) shared by the local {@link io.seqspark.core.train.Trainer} and Spark workers; optimizers with
 * flat state; learning-rate schedule; atomic checkpoints that make resumed runs reproduce uninterrupted ones.
 */
package io.seqspark.core.train;
