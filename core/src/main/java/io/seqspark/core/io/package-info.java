/**
 * Run directories and what goes in them: atomic file writes (a crash never leaves a half-written config, manifest
 * or checkpoint), the run manifest (provenance: command, commit, versions, seed, config, input hashes), the
 * append-only {@code metrics.jsonl}, a self-contained HTML report of the metric curves, and progress lines.
 */
package io.seqspark.core.io;
