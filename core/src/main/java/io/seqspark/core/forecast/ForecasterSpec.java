package io.seqspark.core.forecast;

import java.util.List;

/**
 * What defines a forecaster's architecture; validated here, once. Config keys are {@code forecast.<component>}.
 *
 * @param features       values per input step: the target plus its covariates
 * @param horizon        steps forecast at once (K)
 * @param encoder        the encoder over the history window: lstm or gru ({@link #ENCODERS})
 * @param hidden         width of the encoder (and of the autoregressive decoder's state)
 * @param layers         stacked encoder layers
 * @param decoder        direct (all K steps from the encoder's last state by one affine head) or autoregressive
 *                       (a recurrent decoder fed its own previous prediction)
 * @param teacherForcing autoregressive training only: probability that a decoder step is fed the true previous
 *                       value instead of the model's own prediction (0 = always its own, 1 = always the truth)
 * @param initScale      parameters start uniform in [-initScale, initScale]
 */
public record ForecasterSpec(int features, int horizon, String encoder, int hidden, int layers, Decoder decoder,
                             double teacherForcing, double initScale) {

  /** How the K horizon steps are produced. */
  public enum Decoder { DIRECT, AUTOREGRESSIVE }

  /** Encoders {@link Forecaster} builds (rule of {@code forecast.encoder}); a new SeqLayer is one case in its factory. */
  public static final List<String> ENCODERS = List.of("lstm", "gru");

  public ForecasterSpec {
    require(features >= 1, "features", features, ">= 1 (the target)");
    require(horizon >= 1, "forecast.horizon", horizon, ">= 1");
    require(ENCODERS.contains(encoder), "forecast.encoder", encoder, "one of " + String.join(", ", ENCODERS));
    require(hidden >= 1, "forecast.hidden", hidden, ">= 1");
    require(layers >= 1, "forecast.layers", layers, ">= 1");
    require(teacherForcing >= 0 && teacherForcing <= 1, "forecast.teacherForcing", teacherForcing, "in [0, 1]");
    require(initScale > 0, "forecast.initScale", initScale, "> 0");
  }

  private static void require(boolean ok, String key, Object value, String rule) {
    if (!ok) {
      throw new IllegalArgumentException(key + " = " + value + ": must be " + rule);
    }
  }
}
