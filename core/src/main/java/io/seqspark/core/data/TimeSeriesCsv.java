package io.seqspark.core.data;

import java.io.BufferedReader;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * Reads a time series from CSV: a header line naming the columns, then one row per step with a date label and
 * numbers. Fields are comma-separated and may be double-quoted ({@code ""} inside quotes is a quote). Which column
 * holds the date, which is the target and which are covariates is chosen by name ({@link Spec}); other columns are
 * ignored. Every error names file:line, the column, the value, the rule and the fix.
 *
 * <p>{@link #header} and {@link #row} parse one line each and keep no state, so a distributed reader (Spark
 * ingestion) can call them per line and report errors the same way.
 */
public final class TimeSeriesCsv {

  /** What happens to a missing value (empty cell, NA, NaN, ?, null). */
  public enum Missing {
    /** Stop with file:line and column. */
    FAIL,
    /** Drop the whole row (the series is then irregular there: only for gaps that do not matter). */
    SKIP,
    /** Repeat the column's previous value (a missing first value is still an error). */
    PREVIOUS
  }

  /**
   * Which columns to read.
   *
   * @param dateColumn name of the date-label column
   * @param target     name of the column to forecast
   * @param covariates names of extra input columns (may be empty)
   * @param missing    missing-value policy
   */
  public record Spec(String dateColumn, String target, List<String> covariates, Missing missing) {
    public Spec {
      covariates = List.copyOf(covariates);
    }
  }

  /** Positions in a row of the selected columns: {@code date} and {@code values} (target first). */
  public record Header(List<String> names, int date, int[] values) {
    public List<String> valueNames() {
      List<String> out = new ArrayList<>();
      for (int v : values) {
        out.add(names.get(v));
      }
      return out;
    }
  }

  /** One parsed row; {@code values} holds NaN where a cell is missing. */
  public record Row(String date, double[] values) {
  }

  /**
   * A line that breaks a row rule, with which one, so a reader that counts problems by reason (Spark ingestion) can
   * classify it; an {@link IllegalArgumentException}, so callers that just stop see no difference.
   */
  public static final class BadRow extends IllegalArgumentException {
    /** The broken rule. */
    public enum Problem { COLUMN_COUNT, NOT_A_NUMBER, EMPTY_DATE, UNCLOSED_QUOTE }

    private final Problem problem;

    BadRow(Problem problem, String message) {
      super(message);
      this.problem = problem;
    }

    public Problem problem() {
      return problem;
    }
  }

  private TimeSeriesCsv() {
  }

  /** Parses the header line and resolves the spec's column names against it. */
  public static Header header(String line, String where, Spec spec) {
    List<String> names = fields(line, where);
    for (int i = 0; i < names.size(); i++) {
      names.set(i, names.get(i).trim());
    }
    int date = column(names, spec.dateColumn(), where, "forecast.dateColumn");
    int[] values = new int[1 + spec.covariates().size()];
    values[0] = column(names, spec.target(), where, "forecast.target");
    for (int i = 0; i < spec.covariates().size(); i++) {
      values[i + 1] = column(names, spec.covariates().get(i), where, "forecast.covariates");
    }
    return new Header(List.copyOf(names), date, values);
  }

  private static int column(List<String> names, String name, String where, String key) {
    int i = names.indexOf(name);
    if (i < 0) {
      throw new IllegalArgumentException(where + ": no column named \"" + name + "\" (" + key + "); the header has "
          + names + "; set " + key + " to one of them");
    }
    return i;
  }

  /**
   * Parses one data row.
   *
   * @param where "file:line", for messages
   * @return the date label and the selected values (NaN = missing; policy is applied by the caller)
   */
  public static Row row(String line, String where, Header header) {
    List<String> f = fields(line, where);
    if (f.size() != header.names().size()) {
      throw new BadRow(BadRow.Problem.COLUMN_COUNT, where + ": " + f.size() + " fields, the header has " + header.names().size()
          + " (" + header.names() + "); every row needs one field per header column: fix or remove this line");
    }
    String date = f.get(header.date()).trim();
    if (date.isEmpty()) {
      throw new BadRow(BadRow.Problem.EMPTY_DATE, where + ": column \"" + header.names().get(header.date())
          + "\" (date) is empty; every row needs a date label: fill it in or remove the line");
    }
    double[] v = new double[header.values().length];
    for (int i = 0; i < v.length; i++) {
      String cell = f.get(header.values()[i]).trim();
      v[i] = number(cell, where, header.names().get(header.values()[i]));
    }
    return new Row(date, v);
  }

  private static double number(String cell, String where, String column) {
    switch (cell.toLowerCase(Locale.ROOT)) {
      case "", "na", "nan", "?", "null":
        return Double.NaN;
      default:
        break;
    }
    double d;
    try {
      d = Double.parseDouble(cell);
    } catch (NumberFormatException e) {
      throw new BadRow(BadRow.Problem.NOT_A_NUMBER, where + ": column \"" + column + "\" holds \"" + cell + "\", which is not a"
          + " number; values must be decimal numbers (missing ones empty, NA, NaN, ? or null, handled by"
          + " forecast.missing): fix the cell");
    }
    if (Double.isInfinite(d)) {
      throw new BadRow(BadRow.Problem.NOT_A_NUMBER, where + ": column \"" + column + "\" holds \"" + cell + "\", which is"
          + " infinite; values must be finite numbers: fix the cell");
    }
    return d;
  }

  /** Splits one CSV line into fields (quotes removed, {@code ""} unescaped). */
  static List<String> fields(String line, String where) {
    List<String> out = new ArrayList<>();
    StringBuilder cur = new StringBuilder();
    boolean quoted = false;
    for (int i = 0; i < line.length(); i++) {
      char c = line.charAt(i);
      if (quoted) {
        if (c == '"' && i + 1 < line.length() && line.charAt(i + 1) == '"') {
          cur.append('"');
          i++;
        } else if (c == '"') {
          quoted = false;
        } else {
          cur.append(c);
        }
      } else if (c == '"') {
        quoted = true;
      } else if (c == ',') {
        out.add(cur.toString());
        cur.setLength(0);
      } else {
        cur.append(c);
      }
    }
    if (quoted) {
      throw new BadRow(BadRow.Problem.UNCLOSED_QUOTE, where + ": a quoted field is not closed; quotes must pair up within a line"
          + " (write \"\" for a quote inside a quoted field): fix the line");
    }
    out.add(cur.toString());
    return out;
  }

  /** Reads a whole file; blank lines are skipped, line numbers in errors count them. */
  public static TimeSeries read(Path file, Spec spec) throws IOException {
    if (!Files.isRegularFile(file)) {
      throw new IllegalArgumentException("time series file " + file + " does not exist; set forecast.csv to a CSV file");
    }
    List<String> dates = new ArrayList<>();
    List<double[]> rows = new ArrayList<>();
    Header header = null;
    try (BufferedReader in = Files.newBufferedReader(file, StandardCharsets.UTF_8)) {
      String line;
      int no = 0;
      while ((line = in.readLine()) != null) {
        no++;
        if (no == 1 && line.startsWith("\uFEFF")) {
          line = line.substring(1);
        }
        if (line.isBlank()) {
          continue;
        }
        String where = file + ":" + no;
        if (header == null) {
          header = header(line, where, spec);
          continue;
        }
        Row r = row(line, where, header);
        if (!fillMissing(r.values(), rows.isEmpty() ? null : rows.get(rows.size() - 1), spec.missing(), where, header)) {
          continue;
        }
        dates.add(r.date());
        rows.add(r.values());
      }
    }
    if (header == null || rows.isEmpty()) {
      throw new IllegalArgumentException(file + ": no " + (header == null ? "header" : "data rows")
          + "; a time series CSV needs a header line and at least one row");
    }
    double[][] values = new double[header.values().length][rows.size()];
    for (int t = 0; t < rows.size(); t++) {
      for (int c = 0; c < values.length; c++) {
        values[c][t] = rows.get(t)[c];
      }
    }
    return new TimeSeries(file.getFileName().toString(), dates, header.valueNames(), values);
  }

  /**
   * Applies the missing-value policy to one parsed row in place ({@code previous}: the last row kept, or null);
   * false = drop the row; throws for {@code fail}, and for {@code previous} with nothing to repeat.
   */
  public static boolean fillMissing(double[] v, double[] previous, Missing policy, String where, Header header) {
    for (int c = 0; c < v.length; c++) {
      if (!Double.isNaN(v[c])) {
        continue;
      }
      String col = header.names().get(header.values()[c]);
      switch (policy) {
        case SKIP:
          return false;
        case PREVIOUS:
          if (previous == null) {
            throw new IllegalArgumentException(where + ": column \"" + col + "\" is missing in the first row, so"
                + " forecast.missing = previous has nothing to repeat: fill the cell or set forecast.missing = skip");
          }
          v[c] = previous[c];
          break;
        default:
          throw new IllegalArgumentException(where + ": column \"" + col + "\" is missing; forecast.missing = fail"
              + " allows no gaps: fill the cell, or set forecast.missing to skip or previous");
      }
    }
    return true;
  }
}
