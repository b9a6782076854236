package io.seqspark.core.io;

import java.nio.file.Path;

/**
 * A separate JVM holding a run directory's lock, for {@link RunLockTest}: {@code main(dir, halt|wait)} takes the lock,
 * prints {@code locked}, then either dies at once without releasing it ({@code Runtime.halt}, as a killed run would)
 * or holds it until its standard input closes.
 */
final class RunLockHolder {
  private RunLockHolder() {
  }

  /** Arguments: the run directory, then {@code halt} or {@code wait}. */
  public static void main(String[] args) throws Exception {
    RunLock lock = RunLock.acquire(Path.of(args[0]), "seqspark test holder", System.out::println);
    System.out.println("locked");
    System.out.flush();
    if (args[1].equals("halt")) {
      Runtime.getRuntime().halt(3);
    }
    while (System.in.read() >= 0) {
      // hold until the test closes our input
    }
    lock.close();
  }
}
