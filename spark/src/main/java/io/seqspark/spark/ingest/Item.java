package io.seqspark.spark.ingest;

import java.io.Serializable;

/**
 * One element of the read pass: an example's tokens, or (once per file, last) the file's report. One RDD carries
 * both so the text is read once; the driver separates them with a filter.
 */
final class Item implements Serializable {
  final String[] tokens;
  final FileReport report;

  private Item(String[] tokens, FileReport report) {
    this.tokens = tokens;
    this.report = report;
  }

  static Item example(String[] tokens) {
    return new Item(tokens, null);
  }

  static Item report(FileReport report) {
    return new Item(null, report);
  }

  boolean isExample() {
    return tokens != null;
  }
}
