/** The {@code seqspark} command line: thin picocli commands over {@code core} tasks; also the spark-submit entry point. */
package io.seqspark.jobs;
