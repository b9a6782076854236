/**
 * Sharded corpus ingestion: ingest once, train many times. {@link io.seqspark.spark.ingest.Ingest} reads text from any
 * Hadoop file system path or glob ({@code file://} locally; {@code hdfs://} and {@code s3a://} through the Hadoop
 * configuration Spark hands it: {@code core-site.xml}/{@code hdfs-site.xml} on the classpath or
 * {@code --conf spark.hadoop.fs.s3a.*} settings, with the matching connector jars such as {@code hadoop-aws} added at
 * submit time), plain or compressed by any Hadoop codec (.gz, .bz2); compressed files one task each, large plain files
 * in line- or white-space-aligned byte ranges ({@link io.seqspark.spark.ingest.ReadTask}), parallel files for
 * translation paired line by line ({@link io.seqspark.spark.ingest.ParallelPairs}). Bad data is handled by
 * configured policies and counted by {@link io.seqspark.spark.ingest.Reason}, never thrown inside a task: a
 * {@code fail} policy stops the job once, on the driver, naming the file and line. The vocabulary is counted with
 * a packed shuffle by token hash (the equivalent of {@code reduceByKey}) and cut with a top-k, so no raw token list
 * reaches the driver. Output: token-id shards
 * (format in {@link io.seqspark.core.data.TokenShards}, read without Spark), {@code vocab.tsv} and
 * {@code manifest.json}, written to a temporary sibling directory and renamed into place; re-running on unchanged
 * inputs and config does nothing.
 */
package io.seqspark.spark.ingest;
