package io.seqspark.core.forecast;

import org.nd4j.linalg.factory.Nd4j;

/**
 * ND4J's op and BLAS thread counts. Forecasting models are tiny (tens of hidden units, a few dozen rows): splitting
 * one small GEMM or activation over threads costs more in synchronisation than it saves, and on a loaded machine
 * spinning OpenMP threads make a step 5-10x slower (measured: 50 ms against 6 ms per GRU step at load 14 on 2 cores).
 * Forecast jobs therefore run ND4J single-threaded by default ({@code run.threads}).
 */
public final class Threads {
  private Threads() {
  }

  /** Sets ND4J's op threads, master threads and BLAS threads to {@code n}; returns the previous op thread count. */
  public static int set(int n) {
    int previous = Nd4j.getEnvironment().maxThreads();
    Nd4j.getEnvironment().setMaxThreads(n);
    Nd4j.getEnvironment().setMaxMasterThreads(n);
    Nd4j.factory().blas().setMaxThreads(n);
    return previous;
  }
}
