package io.seqspark.core.nn;

/**
 * The shape of one batch as layers see it: {@code steps} (T) by {@code rows} (B), time-major, right-padded.
 * Layers compute every position; padded positions hold unspecified values and every consumer (the loss, pooling,
 * attention) masks them, which is what makes a padded batch give each sequence the result it gets alone.
 *
 * @param steps    T
 * @param rows     B
 * @param lengths  real length of each row (null = all T)
 * @param training whether dropout is active
 * @param seed     the seed of this step's random streams (dropout), derived from (run seed, step)
 */
public record Seq(int steps, int rows, int[] lengths, boolean training, long seed) {
  public long n() {
    return (long) steps * rows;
  }
}
