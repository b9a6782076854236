package io.seqspark.core.eval;

/**
 * What to do with an n-gram order that has no match (Chen and Cherry, 2014), with sacreBLEU's names. Only orders
 * with zero matches are smoothed, except by {@link #ADD_K}.
 */
public enum BleuSmoothing {
  /** {@code none}: a zero precision makes the score 0 (sacreBLEU takes log 0 as -9999999999). */
  NONE("none", Double.NaN),
  /** {@code floor}: a zero count becomes {@code value} (default 0.1), so the precision is value / total. */
  FLOOR("floor", 0.1),
  /** {@code add-k}: adds {@code value} (default 1) to the matches and totals of every order above 1. */
  ADD_K("add-k", 1),
  /**
   * {@code exp}, sacreBLEU's default (NIST's {@code mteval-v13a.pl}): the k-th order with no match gets precision
   * 1 / (2^k × total).
   */
  EXP("exp", Double.NaN);

  private final String sacrebleuName;
  private final double defaultValue;

  BleuSmoothing(String sacrebleuName, double defaultValue) {
    this.sacrebleuName = sacrebleuName;
    this.defaultValue = defaultValue;
  }

  /** sacreBLEU's name, as in its {@code smooth:} signature field and its {@code --smooth-method} option. */
  public String sacrebleuName() {
    return sacrebleuName;
  }

  /** Whether the method has a parameter ({@code floor} and {@code add-k}). */
  public boolean takesValue() {
    return !Double.isNaN(defaultValue);
  }

  /** The parameter used when none is given; NaN for methods without one. */
  public double defaultValue() {
    return defaultValue;
  }

  /**
   * The method sacreBLEU calls {@code name}: {@code exp}, {@code floor}, {@code add-k} or {@code none}.
   *
   * @throws IllegalArgumentException for any other name
   */
  public static BleuSmoothing named(String name) {
    for (BleuSmoothing s : values()) {
      if (s.sacrebleuName.equals(name)) {
        return s;
      }
    }
    throw new IllegalArgumentException("smoothMethod: unknown BLEU smoothing '" + name
        + "'; use one of exp (sacreBLEU's default), floor, add-k, none");
  }
}
