package io.seqspark.spark.ingest;

import io.seqspark.core.config.Settings;
import io.seqspark.core.data.TimeSeriesCsv;
import io.seqspark.core.data.TimeSeriesCsv.BadRow;
import io.seqspark.spark.ingest.IngestOptions.Policy;
import io.seqspark.spark.ingest.InputFiles.InputFile;
import java.io.BufferedReader;
import java.io.FilterInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.io.Serializable;
import java.nio.charset.StandardCharsets;
import java.security.DigestInputStream;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.Path;
import org.apache.hadoop.io.compress.CompressionCodec;
import org.apache.hadoop.io.compress.CompressionCodecFactory;
import org.apache.spark.api.java.JavaSparkContext;

/**
 * {@code ingest.format = csv}: CSV time series → one normalized series per input file under {@code series/}. One task
 * per file (series are small, a file is read whole; many files read in parallel). Each line is parsed by
 * {@link TimeSeriesCsv#header} and {@link TimeSeriesCsv#row} (the parser forecasting uses), so the columns, numbers and
 * missing-value markers mean exactly what they mean to {@code forecast train}. Rows that break a rule are handled by
 * {@code ingest.csvBadRows}, missing values by {@code forecast.missing}, rows out of date order by
 * {@code ingest.csvOutOfOrder}, all counted by {@link Reason} with the first file:line of each. A file without a
 * header line, or whose header lacks a configured column, stops the ingest (that is a config or file problem, not a
 * bad row).
 *
 * <p>Output (docs/FORMATS.md): {@code series/NAME.csv}, UTF-8, header {@code date column, target, covariates...}
 * with the configured names, one row per kept step in file order, values written by {@link Double#toString} (read back
 * bit for bit), no missing cells (skipped or filled), dates strictly increasing.
 */
final class CsvSeries {

  /** Output subdirectory of the series. */
  static final String DIR = "series";
  /** Config keys a csv ingest depends on besides {@link IngestOptions#KEYS}. */
  static final String[] KEYS = {"forecast.dateColumn", "forecast.target", "forecast.covariates", "forecast.missing",
      "ingest.csvBadRows", "ingest.csvOutOfOrder"};

  /** The csv settings, shipped to the tasks (primitives: {@link TimeSeriesCsv.Spec} is not serializable). */
  record Options(String dateColumn, String target, ArrayList<String> covariates, TimeSeriesCsv.Missing missing,
      Policy badRows, Policy outOfOrder, Policy corruptInput) implements Serializable {
    static Options from(Settings s, IngestOptions o) {
      return new Options(s.getString("forecast.dateColumn"), s.getString("forecast.target"),
          new ArrayList<>(s.getStringList("forecast.covariates")),
          TimeSeriesCsv.Missing.valueOf(s.getString("forecast.missing").toUpperCase(Locale.ROOT)),
          s.getEnum("ingest.csvBadRows", Policy.class), s.getEnum("ingest.csvOutOfOrder", Policy.class),
          o.corruptInput());
    }

    TimeSeriesCsv.Spec spec() {
      return new TimeSeriesCsv.Spec(dateColumn, target, covariates, missing);
    }
  }

  /** What one task read and wrote: the report, the series file's name, its columns and date range. */
  record Part(FileReport report, String file, List<String> columns, long rows, String firstDate, String lastDate,
      Map<String, String> firstByReason) implements Serializable {}

  private CsvSeries() {}

  /**
   * Reads every file in a task of its own, writing its series into {@code dir/series}; fails once on the driver if a
   * header is unusable or a {@code fail} policy tripped. Returns the reports (for the manifest) and its csv part.
   */
  static Map.Entry<List<FileReport>, Map<String, Object>> write(JavaSparkContext sc, List<InputFile> files, Options o,
      Path dir, HadoopConf conf) throws IOException {
    List<String> names = new ArrayList<>();
    Set<String> seen = new HashSet<>();
    for (InputFile f : files) {
      String name = seriesName(f.path());
      if (!seen.add(name)) {
        throw new IllegalArgumentException("two inputs give the series name " + name + " (" + f.path() + " and an"
            + " earlier file): ingest.format = csv names each output series after its file. Fix: rename one file, or"
            + " ingest them separately");
      }
      names.add(name);
    }
    dir.getFileSystem(conf.get()).mkdirs(new Path(dir, DIR));
    String out = new Path(dir, DIR).toString();
    List<Integer> idx = new ArrayList<>();
    for (int i = 0; i < files.size(); i++) {
      idx.add(i);
    }
    List<Part> parts = sc.parallelize(idx, Math.max(1, idx.size()))
        .map(i -> read(files.get(i), i, names.get(i), o, out, conf.get())).collect();
    List<FileReport> reports = new ArrayList<>();
    List<Map<String, Object>> series = new ArrayList<>();
    Map<String, String> first = new TreeMap<>();
    long rows = 0;
    for (Part p : parts) {
      if (p.report.failure != null) {
        throw new IllegalArgumentException(p.report.path + ": " + p.report.failure + "; nothing was written");
      }
      reports.add(p.report);
      p.firstByReason.forEach(first::putIfAbsent);
      rows += p.rows;
      Map<String, Object> e = new LinkedHashMap<>();
      e.put("file", DIR + "/" + p.file);
      e.put("input", p.report.path);
      e.put("rows", p.rows);
      e.put("columns", p.columns);
      e.put("firstDate", p.firstDate);
      e.put("lastDate", p.lastDate);
      series.add(e);
    }
    Map<String, Object> m = new LinkedHashMap<>();
    m.put("shardFormat", "normalized series CSV (docs/FORMATS.md)");
    m.put("examples", rows);
    m.put("rowsKept", rows);
    m.put("dateColumn", o.dateColumn());
    m.put("valueColumns", parts.isEmpty() ? List.of() : parts.get(0).columns.subList(1, parts.get(0).columns.size()));
    m.put("firstProblemByReason", first);
    m.put("series", series);
    return Map.entry(reports, m);
  }

  /** The output name of an input: its file name without compression and {@code .csv} suffixes, plus {@code .csv}. */
  static String seriesName(String path) {
    String n = new Path(path).getName();
    for (String suffix : new String[] {".gz", ".bz2", ".deflate", ".csv", ".txt"}) {
      if (n.toLowerCase(Locale.ROOT).endsWith(suffix)) {
        n = n.substring(0, n.length() - suffix.length());
      }
    }
    return n + ".csv";
  }

  /** One task: reads, checks and writes one file's series; bad data ends up in the report, never as an exception. */
  static Part read(InputFile f, int index, String name, Options o, String outDir, Configuration conf) throws IOException {
    FileReport report = new FileReport(f.path(), index, 0, 0);
    Map<String, String> firstByReason = new LinkedHashMap<>();
    List<String> dates = new ArrayList<>();
    List<double[]> rows = new ArrayList<>();
    TimeSeriesCsv.Header header = null;
    MessageDigest sha;
    try {
      sha = MessageDigest.getInstance("SHA-256");
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("every Java has SHA-256", e);
    }
    Path p = new Path(f.path());
    InputStream raw = new DigestInputStream(p.getFileSystem(conf).open(p, 1 << 16), sha);
    List<String> lines = new ArrayList<>();
    CutShort decoded;
    try (raw) {
      CompressionCodec codec = new CompressionCodecFactory(conf).getCodec(p);
      try {
        decoded = new CutShort(codec == null ? raw : codec.createInputStream(raw));
      } catch (IOException e) {
        decoded = new CutShort(InputStream.nullInputStream());
        decoded.error = e;
      }
      // Whole file in memory (series are small): a read error must not lose the complete lines decoded before it.
      BufferedReader in = new BufferedReader(new InputStreamReader(decoded, StandardCharsets.UTF_8), 1 << 16);
      for (String l; (l = in.readLine()) != null; ) {
        lines.add(l);
      }
      try {
        raw.transferTo(OutputStream.nullOutputStream()); // the hash covers every stored byte
      } catch (IOException e) {
        // the decoder stopped early and the rest is unreadable: already reported as the decoded.error below
      }
    }
    if (decoded.error != null) {
      if (!lines.isEmpty() && decoded.last != '\n') {
        lines.remove(lines.size() - 1); // cut short mid-line: not a row
      }
      long at = lines.size() + 1;
      problem(report, firstByReason, o.corruptInput(), Reason.CORRUPT_INPUT, at, decoded.error.toString());
      report.error = new FileReport.Problem(at, "read error: " + decoded.error);
    }
    for (int i = 0; i < lines.size() && report.failure == null; i++) {
      long no = ++report.linesRead;
      String line = lines.get(i);
      if (no == 1 && line.startsWith("\uFEFF")) {
        line = line.substring(1);
      }
      if (line.isBlank()) {
        continue;
      }
      if (header == null) {
        try {
          header = TimeSeriesCsv.header(line, "line " + no, o.spec());
        } catch (IllegalArgumentException e) {
          report.failure = new FileReport.Problem(no, "the header: " + detail(e, no));
        }
        continue;
      }
      row(line, no, header, o, report, firstByReason, dates, rows);
    }
    report.sha256 = HexFormat.of().formatHex(sha.digest());
    if (header == null && report.failure == null) {
      report.failure = new FileReport.Problem(report.linesRead, "no header line; a csv time series needs a header"
          + " naming its columns (forecast.dateColumn, forecast.target, forecast.covariates). Fix: add the header, or"
          + " leave the file out of --input");
    }
    if (report.failure != null) {
      return new Part(report, name, List.of(), 0, null, null, firstByReason);
    }
    List<String> columns = new ArrayList<>();
    columns.add(header.names().get(header.date()));
    columns.addAll(header.valueNames());
    StringBuilder sb = new StringBuilder(32 * (rows.size() + 1));
    line(sb, columns);
    for (int t = 0; t < rows.size(); t++) {
      sb.append(quote(dates.get(t)));
      for (double v : rows.get(t)) {
        sb.append(',').append(v);
      }
      sb.append('\n');
    }
    Path target = new Path(outDir, name);
    try (OutputStream out = target.getFileSystem(conf).create(target, false)) {
      out.write(sb.toString().getBytes(StandardCharsets.UTF_8));
    }
    report.examples = rows.size();
    return new Part(report, name, columns, rows.size(), dates.isEmpty() ? null : dates.get(0),
        dates.isEmpty() ? null : dates.get(dates.size() - 1), firstByReason);
  }

  /** A decoded stream that ends (returns -1) at a read error instead of throwing, keeping the error and last byte. */
  private static final class CutShort extends FilterInputStream {
    IOException error;
    int last = -1;

    CutShort(InputStream in) {
      super(in);
    }

    @Override
    public int read() throws IOException {
      byte[] b = new byte[1];
      return read(b, 0, 1) <= 0 ? -1 : b[0] & 0xff;
    }

    @Override
    public int read(byte[] b, int off, int len) {
      if (error != null) {
        return -1;
      }
      try {
        int n = in.read(b, off, len);
        if (n > 0) {
          last = b[off + n - 1];
        }
        return n;
      } catch (IOException e) {
        error = e;
        return -1;
      }
    }
  }

  /** Parses, checks and (if it passes) keeps one data row. */
  private static void row(String line, long no, TimeSeriesCsv.Header header, Options o, FileReport report,
      Map<String, String> firstByReason, List<String> dates, List<double[]> rows) {
    TimeSeriesCsv.Row r;
    try {
      r = TimeSeriesCsv.row(line, "line " + no, header);
    } catch (BadRow e) {
      Reason reason = switch (e.problem()) {
        case COLUMN_COUNT -> Reason.WRONG_COLUMN_COUNT;
        case NOT_A_NUMBER -> Reason.NOT_A_NUMBER;
        case EMPTY_DATE -> Reason.EMPTY_DATE;
        case UNCLOSED_QUOTE -> Reason.UNCLOSED_QUOTE;
      };
      problem(report, firstByReason, o.badRows(), reason, no, detail(e, no));
      return;
    }
    double[] previous = rows.isEmpty() ? null : rows.get(rows.size() - 1);
    boolean missing = false;
    for (double v : r.values()) {
      missing |= Double.isNaN(v);
    }
    if (missing) {
      try {
        if (!TimeSeriesCsv.fillMissing(r.values(), previous, o.missing(), "line " + no, header)) {
          problem(report, firstByReason, Policy.SKIP, Reason.MISSING_VALUE, no, "a missing value, forecast.missing = skip");
          return;
        }
        report.change(Reason.MISSING_VALUE, no, "the previous value repeated");
        firstByReason.putIfAbsent(Reason.MISSING_VALUE.key(), report.path + ":" + no);
      } catch (IllegalArgumentException e) {
        report.failure = new FileReport.Problem(no, Reason.MISSING_VALUE.key() + " (" + detail(e, no) + ")");
        return;
      }
    }
    if (!dates.isEmpty() && compareDates(r.date(), dates.get(dates.size() - 1)) <= 0) {
      problem(report, firstByReason, o.outOfOrder(), Reason.OUT_OF_ORDER, no,
          "date " + r.date() + " is not after the previous kept row's " + dates.get(dates.size() - 1));
      return;
    }
    dates.add(r.date());
    rows.add(r.values());
  }

  /** Drops (policy skip) or fails (policy fail) a row, counting it and noting the first file:line of its reason. */
  private static void problem(FileReport report, Map<String, String> firstByReason, Policy policy, Reason reason,
      long no, String detail) {
    if (policy == Policy.FAIL) {
      report.failure = new FileReport.Problem(no, reason.key() + " (" + detail + ") and " + reason.policyKey()
          + " = fail. Fix: repair the input, or --set " + reason.policyKey() + "=skip");
      return;
    }
    report.drop(reason, no, detail);
    firstByReason.putIfAbsent(reason.key(), report.path + ":" + no);
  }

  /** A parser message without its {@code "line N: "} prefix (the report adds file and line). */
  private static String detail(IllegalArgumentException e, long no) {
    String m = String.valueOf(e.getMessage());
    String prefix = "line " + no + ": ";
    return m.startsWith(prefix) ? m.substring(prefix.length()) : m;
  }

  /**
   * Natural order of date labels: runs of digits compare as numbers, everything else character by character, so
   * {@code 1749-2 < 1749-10} and ISO dates and times order as time does.
   */
  static int compareDates(String a, String b) {
    int i = 0;
    int j = 0;
    while (i < a.length() && j < b.length()) {
      char ca = a.charAt(i);
      char cb = b.charAt(j);
      if (Character.isDigit(ca) && Character.isDigit(cb)) {
        int ei = i;
        int ej = j;
        while (ei < a.length() && Character.isDigit(a.charAt(ei))) {
          ei++;
        }
        while (ej < b.length() && Character.isDigit(b.charAt(ej))) {
          ej++;
        }
        int c = new java.math.BigInteger(a.substring(i, ei)).compareTo(new java.math.BigInteger(b.substring(j, ej)));
        if (c != 0) {
          return c;
        }
        i = ei;
        j = ej;
      } else {
        if (ca != cb) {
          return Character.compare(ca, cb);
        }
        i++;
        j++;
      }
    }
    return Integer.compare(a.length() - i, b.length() - j);
  }

  private static void line(StringBuilder sb, List<String> cells) {
    for (int i = 0; i < cells.size(); i++) {
      sb.append(i == 0 ? "" : ",").append(quote(cells.get(i)));
    }
    sb.append('\n');
  }

  /** A CSV cell as {@link TimeSeriesCsv} reads it back: quoted (quotes doubled) only if it holds a comma or quote. */
  static String quote(String cell) {
    return cell.indexOf(',') < 0 && cell.indexOf('"') < 0 ? cell : "\"" + cell.replace("\"", "\"\"") + "\"";
  }
}
