package io.seqspark.core.data;

import java.util.Arrays;
import java.util.List;

/**
 * A regularly sampled series read from a table: one date label per step and one or more value columns, the first of
 * which is the target (what is forecast); the others are covariates (inputs only). Immutable once built.
 *
 * @param source  where it came from (file name), for messages
 * @param dates   one label per step, as written in the file
 * @param columns column names, target first
 * @param values  {@code values[c][t]}: column c at step t
 */
public record TimeSeries(String source, List<String> dates, List<String> columns, double[][] values) {

  public TimeSeries {
    if (columns.isEmpty() || values.length != columns.size()) {
      throw new IllegalArgumentException(source + ": a series needs one value array per column, got " + values.length
          + " arrays for columns " + columns);
    }
    for (double[] v : values) {
      if (v.length != dates.size()) {
        throw new IllegalArgumentException(source + ": every column needs one value per date (" + dates.size() + ")");
      }
    }
    dates = List.copyOf(dates);
    columns = List.copyOf(columns);
  }

  /** Steps in the series. */
  public int length() {
    return dates.size();
  }

  /** Columns: target plus covariates. */
  public int width() {
    return columns.size();
  }

  /** The target column (a copy). */
  public double[] target() {
    return values[0].clone();
  }

  /** Value of column {@code c} at step {@code t}. */
  public double value(int c, int t) {
    return values[c][t];
  }

  /** The first {@code n} steps (a copy): what a forecast made at origin n may see. */
  public TimeSeries head(int n) {
    double[][] v = new double[values.length][];
    for (int c = 0; c < v.length; c++) {
      v[c] = Arrays.copyOf(values[c], n);
    }
    return new TimeSeries(source, dates.subList(0, n), columns, v);
  }

  /** The same series with column {@code c}'s value at step {@code t} replaced (tests, what-if). */
  public TimeSeries withValue(int c, int t, double value) {
    double[][] v = new double[values.length][];
    for (int k = 0; k < v.length; k++) {
      v[k] = values[k].clone();
    }
    v[c][t] = value;
    return new TimeSeries(source, dates, columns, v);
  }
}
