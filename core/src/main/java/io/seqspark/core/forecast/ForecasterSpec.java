package io.seqspark.core.forecast;

import io.seqspark.core.config.Require;
import java.util.List;

/**
 * What defines a forecaster's architecture; validated here, once. Config keys are {@code forecast.<component>}.
 *
 * @param features       values per input step: the target plus its covariates
 * @param horizon        steps forecast at once (K)
 * @param encoder        the encoder over the history window: lstm, gru or tcn ({@link #ENCODERS})
 * @param hidden         width of the encoder (and of the autoregressive decoder's state)
 * @param layers         stacked encoder layers (tcn: residual blocks, dilations 1, 2, 4, ...)
 * @param decoder        direct (all K steps from the encoder's last state by one affine head) or autoregressive
 *                       (a recurrent decoder fed its own previous prediction)
 * @param teacherForcing autoregressive training only: probability that a decoder step is fed the true previous
 *                       value instead of the model's own prediction (0 = always its own, 1 = always the truth)
 * @param initScale      parameters start uniform in [-initScale, initScale]
 * @param tcnKernel      kernel width of the tcn encoder's causal convolutions
 */
public record ForecasterSpec(int features, int horizon, String encoder, int hidden, int layers, Decoder decoder,
                             double teacherForcing, double initScale, int tcnKernel) {

  /** A spec with the default tcn kernel (3). */
  public ForecasterSpec(int features, int horizon, String encoder, int hidden, int layers, Decoder decoder,
                        double teacherForcing, double initScale) {
    this(features, horizon, encoder, hidden, layers, decoder, teacherForcing, initScale, 3);
  }

  /** TCN blocks needed for the receptive field 1 + 2(K−1)(2^L − 1) to cover {@code history} steps. */
  public static int tcnLevels(int history, int kernel) {
    int levels = 1;
    while (1 + 2 * (kernel - 1) * ((1 << levels) - 1) < history) {
      levels++;
    }
    return levels;
  }

  /** How the K horizon steps are produced. */
  public enum Decoder { DIRECT, AUTOREGRESSIVE }

  /** Encoders {@link Forecaster} builds (rule of {@code forecast.encoder}); a new SeqLayer is one case in its factory. */
  public static final List<String> ENCODERS = List.of("lstm", "gru", "tcn");

  public ForecasterSpec {
    Require.that(features >= 1, "features", features, ">= 1 (the target)");
    Require.that(horizon >= 1, "forecast.horizon", horizon, ">= 1");
    Require.that(ENCODERS.contains(encoder), "forecast.encoder", encoder, "one of " + String.join(", ", ENCODERS));
    Require.that(hidden >= 1, "model.hiddenSize", hidden, ">= 1");
    Require.that(layers >= 1, "model.layers", layers, ">= 1");
    Require.that(teacherForcing >= 0 && teacherForcing <= 1, "forecast.teacherForcing", teacherForcing, "in [0, 1]");
    Require.that(initScale > 0, "model.initScale", initScale, "> 0");
    Require.that(tcnKernel >= 2, "model.tcnKernel", tcnKernel, ">= 2");
  }

}
