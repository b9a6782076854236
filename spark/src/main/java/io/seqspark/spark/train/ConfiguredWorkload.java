package io.seqspark.spark.train;

import io.seqspark.core.config.Settings;

/**
 * A workload that ships the resolved config as text (Settings are not serializable) and parses it once per
 * executor-side copy.
 */
public abstract class ConfiguredWorkload implements Workload {
  private final String config;
  private transient Settings settings;

  protected ConfiguredWorkload(Settings settings) {
    this.config = settings.render();
  }

  protected Settings settings() {
    if (settings == null) {
      settings = Settings.parse(config);
    }
    return settings;
  }

  /** {@code prefix}-{@code sizes}-{hash of the config}. */
  protected String id(String prefix, int... sizes) {
    StringBuilder sb = new StringBuilder(prefix);
    for (int n : sizes) {
      sb.append('-').append(n);
    }
    return sb.append('-').append(Integer.toHexString(config.hashCode())).toString();
  }
}
