package io.seqspark.spark.ingest;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * The read tasks' reports arrive through an accumulator, which holds a task's report once more for every extra run of
 * that task (a retry, a recomputed cached block): the driver must count each task once.
 */
class ReadReportsTest {

  static FileReport report(int fileIndex, int range, long lines, long tokens) {
    FileReport r = new FileReport("file:/f" + fileIndex, fileIndex, 0, range);
    r.linesRead = lines;
    r.examples = lines;
    r.tokens = tokens;
    r.drop(Reason.EMPTY_LINE, 1, null);
    return r;
  }

  @Test
  void onePerTask_aReRunTasksReport_isCountedOnce() {
    List<FileReport> once = List.of(report(0, 0, 10, 100), report(0, 1, 7, 70), report(1, 0, 3, 30));
    // Range 1 of file 0 ran twice and file 1 three times; arrival order is whatever the tasks finished in.
    List<FileReport> seen = List.of(once.get(1), once.get(0), report(0, 1, 7, 70), once.get(2), report(1, 0, 3, 30),
        report(1, 0, 3, 30));

    List<FileReport> expected = FileReport.merge(once);
    List<FileReport> got = FileReport.merge(Ingest.onePerTask(seen));

    assertEquals(3, Ingest.onePerTask(seen).size());
    assertEquals(expected.size(), got.size());
    for (int i = 0; i < expected.size(); i++) {
      assertEquals(expected.get(i).linesRead, got.get(i).linesRead, "lines of file " + i);
      assertEquals(expected.get(i).tokens, got.get(i).tokens, "tokens of file " + i);
      assertEquals(expected.get(i).dropped, got.get(i).dropped, "drops of file " + i);
    }
    assertEquals(17, got.get(0).linesRead, "file 0 = its two ranges, each once");
  }
}
