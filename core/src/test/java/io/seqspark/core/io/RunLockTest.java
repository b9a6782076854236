package io.seqspark.core.io;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.seqspark.core.config.Settings;
import java.io.BufferedReader;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Two runs on one run directory: the second is refused naming the holder, in this JVM and from another one; a lock
 * left by a process that died (a real JVM halted while holding it) is taken over with a log line; a finished run's
 * directory resumes.
 */
class RunLockTest {
  @TempDir
  Path out;

  private static final PrintStream QUIET = new PrintStream(new ByteArrayOutputStream());

  private static RunRecorder start(RunDirectory run, boolean resume, PrintStream log) throws IOException {
    return RunRecorder.start(run, Settings.defaults(), resume, "lm", "lm train", List.of("test"), log);
  }

  @Test
  void secondRunOnALiveRunsDirectory_isRefusedNamingTheHolder_andResumeWorksAfterItEnds() throws IOException {
    RunDirectory run = RunDirectory.create(out.resolve("run"), false);
    try (RunRecorder first = start(run, false, QUIET)) {
      Path lock = run.dir().resolve(RunLock.FILE);
      assertTrue(Files.exists(lock));
      IllegalStateException e = assertThrows(IllegalStateException.class,
          () -> start(RunDirectory.resume(run.dir()), true, QUIET));
      String host = java.net.InetAddress.getLocalHost().getHostName();
      assertTrue(e.getMessage().startsWith("run directory " + run.dir() + " is in use by another run: host " + host
          + ", pid " + ProcessHandle.current().pid() + ", started 20"), e.getMessage());
      assertTrue(e.getMessage().contains("(seqspark lm train)") && e.getMessage().contains("wait for it to finish"),
          e.getMessage());
      IllegalStateException overwrite = assertThrows(IllegalStateException.class,
          () -> RunDirectory.create(run.dir(), true));
      assertTrue(overwrite.getMessage().startsWith("refusing to --overwrite " + run.dir() + ": a run is still writing"),
          overwrite.getMessage());
      assertTrue(Files.exists(run.configFile()), "the live run's files are untouched");
    }
    assertFalse(Files.exists(run.dir().resolve(RunLock.FILE)), "released at the end of the run");
    try (RunRecorder resumed = start(RunDirectory.resume(run.dir()), true, QUIET)) {
      assertTrue(Files.exists(run.dir().resolve(RunLock.FILE)));
    }
  }

  @Test
  void lockOfAnotherLiveJvm_refuses_andOnceThatJvmIsKilled_isTakenOverWithALogLine() throws Exception {
    Path dir = Files.createDirectories(out.resolve("shared"));
    Process holder = holder(dir, "wait");
    try {
      IllegalStateException e = assertThrows(IllegalStateException.class, () -> RunLock.acquire(dir, "second", s -> {
      }));
      assertTrue(e.getMessage().contains("pid " + holder.pid() + ", started ") && e.getMessage().contains("(seqspark test holder)"),
          e.getMessage());
      assertTrue(RunLock.holder(dir).isPresent());
    } finally {
      holder.destroyForcibly().waitFor(60, TimeUnit.SECONDS);
    }
    assertTrue(Files.exists(dir.resolve(RunLock.FILE)), "a killed holder leaves its file");
    assertTrue(RunLock.holder(dir).isEmpty(), "but holds nothing");
    List<String> log = new ArrayList<>();
    try (RunLock mine = RunLock.acquire(dir, "second", log::add)) {
      assertEquals(1, log.size(), "one log line: " + log);
      assertTrue(log.get(0).startsWith("took over the lock of " + dir + " left by host ")
          && log.get(0).contains("pid " + holder.pid() + ",") && log.get(0).endsWith("which is no longer running"),
          log.get(0));
      assertTrue(Files.readString(dir.resolve(RunLock.FILE)).contains("pid=" + ProcessHandle.current().pid()));
    }
  }

  @Test
  void lockOfAHaltedJvm_isTakenOverByTheNextRun() throws Exception {
    RunDirectory run = RunDirectory.create(out.resolve("crashed"), false);
    Process holder = holder(run.dir(), "halt");
    assertEquals(3, holder.waitFor(), "the holder halted");
    ByteArrayOutputStream log = new ByteArrayOutputStream();
    try (RunRecorder r = start(run, false,
        new PrintStream(log, true, StandardCharsets.UTF_8))) {
      assertTrue(log.toString(StandardCharsets.UTF_8).contains("[crashed] took over the lock of " + run.dir()
          + " left by host "), log.toString(StandardCharsets.UTF_8));
    }
  }

  @Test
  void lockFromAnotherHost_isNotTakenOver_andNamesTheFileToDelete() throws IOException {
    Path dir = Files.createDirectories(out.resolve("nfs"));
    Files.writeString(dir.resolve(RunLock.FILE), "host=elsewhere.example\npid=1\nprocessStart=\n"
        + "started=2026-01-02T03:04:05Z\ncommand=seqspark lm train\ntoken=t\n");
    IllegalStateException e = assertThrows(IllegalStateException.class, () -> RunLock.acquire(dir, "x", s -> {
    }));
    assertEquals("run directory " + dir + " is in use by another run: host elsewhere.example, pid 1, started"
        + " 2026-01-02T03:04:05Z (seqspark lm train) (it runs on another host, where this one cannot tell whether it is"
        + " still running; if it is gone, delete " + dir.resolve(RunLock.FILE) + "); wait for it to finish, or choose"
        + " another --out (a --resume of it must wait too)", e.getMessage());
  }

  /** Starts a JVM that takes {@code dir}'s lock ({@link RunLockHolder}) and returns once it holds it. */
  private static Process holder(Path dir, String mode) throws IOException {
    String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
    Process p = new ProcessBuilder(java, "-cp", System.getProperty("java.class.path"), RunLockHolder.class.getName(),
        dir.toString(), mode).redirectErrorStream(true).start();
    BufferedReader r = new BufferedReader(new InputStreamReader(p.getInputStream(), StandardCharsets.UTF_8));
    String line;
    while ((line = r.readLine()) != null) {
      if (line.equals("locked")) {
        return p;
      }
    }
    throw new IllegalStateException("the holder JVM exited before taking the lock (exit " + p.exitValue() + ")");
  }
}
