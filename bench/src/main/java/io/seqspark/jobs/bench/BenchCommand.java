package io.seqspark.jobs.bench;

import picocli.CommandLine.Command;

/** {@code seqspark bench NAME}: each benchmark compares against its baseline in the same run and ends with {@code RESULT {json}}. */
@Command(name = "bench", mixinStandardHelpOptions = true, description = "Benchmarks, side by side with their baselines; the last line is RESULT {json}.",
    subcommands = {LmThroughputBench.class, IngestBench.class, AveragingBench.class, ClassifyBench.class, ForecastBench.class, W2vBench.class,
        TranslateBench.class, ScalingBench.class, ElmoBench.class})
public final class BenchCommand {
}
