/** Spark side of seqspark: ingestion, distributed vocabulary, parameter averaging. */
package io.seqspark.spark;
