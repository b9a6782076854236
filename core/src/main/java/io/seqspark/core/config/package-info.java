/**
 * Configuration: one HOCON source of truth, {@code conf/reference.conf}, whose comments document every key and state
 * its rule in a tiny machine-readable grammar ({@code Rule: int >= 1}). {@link io.seqspark.core.config.Settings}
 * layers reference → conf files or bundled presets → {@code --set key=value}, validates everything before any work
 * (one {@link io.seqspark.core.config.ConfigException} listing each problem with its origin and fix), and renders
 * the resolved config that every run directory stores and resumes from.
 */
package io.seqspark.core.config;
