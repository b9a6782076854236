/**
 * Tasks (fairseq's sense): how configuration becomes data, model, training step and loop options, and the runner
 * that owns a run directory. Jobs, benchmarks and Spark workers build models through here.
 */
package io.seqspark.core.task;
