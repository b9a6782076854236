/**
 * {@code seqspark bench}: benchmarks that run their baselines (DL4J, PyTorch) side by side in the same run and end
 * with one {@code RESULT {json}} line; results and commands are recorded in docs/BENCHMARKS.md.
 */
package io.seqspark.jobs.bench;
