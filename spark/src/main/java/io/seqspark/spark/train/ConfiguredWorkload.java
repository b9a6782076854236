package io.seqspark.spark.train;

import io.seqspark.core.config.Settings;

/**
 * A workload that ships the resolved config as text (Settings are not serializable) and parses it once per
 * executor-side copy.
 */
public abstract class ConfiguredWorkload implements java.io.Serializable {
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

  /** A hash of the config text, for executor-side cache keys. */
  protected String configHash() {
    return Integer.toHexString(config.hashCode());
  }
}
