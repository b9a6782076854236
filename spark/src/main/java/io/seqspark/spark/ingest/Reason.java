package io.seqspark.spark.ingest;

/**
 * Why a record was dropped or changed, or a file was cut short. The names (lowerCamel of the constant) are the keys
 * of the manifest's {@code dropped} and {@code changed} maps.
 */
public enum Reason {
  /** A line with no tokens (lines format). Policy: ingest.emptyLines. */
  EMPTY_LINE("emptyLine", "ingest.emptyLines"),
  /** A line that is not valid UTF-8. Policy: ingest.malformed. */
  MALFORMED_UTF8("malformedUtf8", "ingest.malformed"),
  /** An example with more than ingest.maxLength tokens. Policy: ingest.overLength. */
  OVER_LENGTH("overLength", "ingest.overLength"),
  /** A raw line with more than ingest.maxLineBytes bytes. Policy: ingest.overLength. */
  LINE_TOO_LONG("lineTooLong", "ingest.overLength"),
  /** A file that could not be read to its end (truncated archive, I/O error). Policy: ingest.corruptInput. */
  CORRUPT_INPUT("corruptInput", "ingest.corruptInput"),
  /** CSV format: a row with more or fewer fields than the header. Policy: ingest.csvBadRows. */
  WRONG_COLUMN_COUNT("wrongColumnCount", "ingest.csvBadRows"),
  /** CSV format: a selected value that is not a finite decimal number. Policy: ingest.csvBadRows. */
  NOT_A_NUMBER("notANumber", "ingest.csvBadRows"),
  /** CSV format: a row with an empty date cell. Policy: ingest.csvBadRows. */
  EMPTY_DATE("emptyDate", "ingest.csvBadRows"),
  /** CSV format: a row with a quoted field that is not closed. Policy: ingest.csvBadRows. */
  UNCLOSED_QUOTE("unclosedQuote", "ingest.csvBadRows"),
  /** CSV format: a selected value that is missing (empty, NA, NaN, ?, null). Policy: forecast.missing. */
  MISSING_VALUE("missingValue", "forecast.missing"),
  /** CSV format: a row whose date is not after the previous kept row's. Policy: ingest.csvOutOfOrder. */
  OUT_OF_ORDER("outOfOrder", "ingest.csvOutOfOrder");

  private final String key;
  private final String policyKey;

  Reason(String key, String policyKey) {
    this.key = key;
    this.policyKey = policyKey;
  }

  /** The manifest key, e.g. {@code malformedUtf8}. */
  public String key() {
    return key;
  }

  /** The config key whose policy applies. */
  public String policyKey() {
    return policyKey;
  }
}
