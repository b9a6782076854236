package io.seqspark.core.io;

import java.math.BigDecimal;
import java.math.MathContext;
import java.time.Duration;
import java.util.Locale;
import java.util.function.LongSupplier;

/**
 * Formats the progress line a training loop prints to stderr, e.g.
 * {@code [run-1] epoch 2/13 step 1234/16590 (7.4%) | 6,812 tok/s | loss 4.912 | ppl 135.9 | lr 1 | ETA 12m05s}.
 *
 * <p>The ETA extrapolates the step rate since this object was created (so a resumed run is not credited with
 * steps it did not do now). The clock is injected, so tests are deterministic.
 */
public final class Progress {

  private final String runId;
  private final LongSupplier nanoTime;
  private final long startNanos;
  private final long firstStep;
  private long lastDueNanos;
  private String rateUnit = "tok";
  private boolean perplexity = true;

  /**
   * @param firstStep the global step the run starts (or resumes) at
   * @param nanoTime  the clock, {@code System::nanoTime} in production
   */
  public Progress(String runId, long firstStep, LongSupplier nanoTime) {
    this.runId = runId;
    this.nanoTime = nanoTime;
    this.firstStep = firstStep;
    this.startNanos = nanoTime.getAsLong();
    this.lastDueNanos = startNanos;
  }

  /**
   * Names the rate's unit ({@code tok}, {@code ex}, {@code words}: "6,812 ex/s") and whether the loss has a perplexity
   * worth showing (a language model's; not a classifier's or a tagger's). Returns this.
   */
  public Progress describing(String rateUnit, boolean perplexity) {
    this.rateUnit = rateUnit;
    this.perplexity = perplexity;
    return this;
  }

  /** True at most once per {@code everySeconds} (for {@code run.logEverySeconds}); the first interval starts now. */
  public boolean due(double everySeconds) {
    long now = nanoTime.getAsLong();
    if (now - lastDueNanos >= (long) (everySeconds * 1e9)) {
      lastDueNanos = now;
      return true;
    }
    return false;
  }

  /** Time since this object was created. */
  public Duration elapsed() {
    return Duration.ofNanos(nanoTime.getAsLong() - startNanos);
  }

  /**
   * The progress line at global step {@code step} of {@code totalSteps} (0 or less if unknown: no percentage and no
   * ETA). {@code meanLoss} is per token, nats; the perplexity shown is its exponential.
   */
  public String line(int epoch, int epochs, long step, long totalSteps, double tokensPerSecond, double meanLoss,
      double lr) {
    Duration elapsed = elapsed();
    Duration eta = null;
    long done = step - firstStep;
    if (totalSteps > 0 && done > 0 && !elapsed.isZero()) {
      double nanosPerStep = (double) elapsed.toNanos() / done;
      eta = Duration.ofNanos((long) (nanosPerStep * Math.max(0, totalSteps - step)));
    }
    String line = format(runId, epoch, epochs, step, totalSteps, tokensPerSecond, meanLoss, lr, eta);
    if (!perplexity) {
      line = line.replaceFirst(" \\| ppl [^|]*", " ");
    }
    return rateUnit.equals("tok") ? line : line.replaceFirst(" tok/s \\|", " " + rateUnit + "/s |");
  }

  /** The line itself, from explicit values; {@code eta} null = unknown. */
  public static String format(String runId, int epoch, int epochs, long step, long totalSteps,
      double tokensPerSecond, double meanLoss, double lr, Duration eta) {
    StringBuilder sb = new StringBuilder();
    sb.append('[').append(runId).append("] epoch ").append(epoch).append('/').append(epochs);
    sb.append(" step ").append(step);
    if (totalSteps > 0) {
      sb.append('/').append(totalSteps)
          .append(String.format(Locale.ROOT, " (%.1f%%)", 100.0 * step / totalSteps));
    }
    sb.append(" | ").append(Double.isFinite(tokensPerSecond)
        ? String.format(Locale.US, "%,d", Math.round(tokensPerSecond)) : "?").append(" tok/s");
    sb.append(" | loss ").append(Double.isFinite(meanLoss) ? String.format(Locale.ROOT, "%.3f", meanLoss) : "NaN");
    sb.append(" | ppl ").append(perplexity(meanLoss));
    sb.append(" | lr ").append(significant(lr));
    sb.append(" | ETA ").append(eta == null ? "?" : duration(eta));
    return sb.toString();
  }

  private static String perplexity(double meanLoss) {
    double ppl = Math.exp(meanLoss);
    if (Double.isNaN(ppl)) {
      return "NaN";
    }
    if (Double.isInfinite(ppl)) {
      return "inf";
    }
    return ppl < 1e6 ? String.format(Locale.ROOT, "%.1f", ppl) : String.format(Locale.ROOT, "%.3g", ppl);
  }

  /** 4 significant digits, no trailing zeros: 1 → "1", 0.5 → "0.5", 3.1e-5 → "0.000031". */
  static String significant(double x) {
    if (!Double.isFinite(x)) {
      return Double.toString(x);
    }
    return new BigDecimal(x).round(new MathContext(4)).stripTrailingZeros().toPlainString();
  }

  /** 45s, 12m05s, 3h07m, 2d04h. */
  static String duration(Duration d) {
    long s = Math.max(0, d.toSeconds());
    if (s < 60) {
      return s + "s";
    }
    if (s < 3600) {
      return String.format(Locale.ROOT, "%dm%02ds", s / 60, s % 60);
    }
    if (s < 86400) {
      return String.format(Locale.ROOT, "%dh%02dm", s / 3600, (s % 3600) / 60);
    }
    return String.format(Locale.ROOT, "%dd%02dh", s / 86400, (s % 86400) / 3600);
  }
}
