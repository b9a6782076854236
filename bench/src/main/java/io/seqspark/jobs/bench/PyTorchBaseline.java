package io.seqspark.jobs.bench;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.TimeUnit;

import com.fasterxml.jackson.core.type.TypeReference;
import com.fasterxml.jackson.databind.ObjectMapper;

/**
 * Runs the PyTorch reference LM benchmark ({@code shared/bench/torch_lm_bench.py}) as a subprocess, so
 * seqspark's throughput can be reported side by side with PyTorch's on the same machine and moment.
 *
 * <p>The script runs under Debian's {@code /usr/bin/python3} (its {@code python3-torch} 1.13, installed by
 * {@code bench/setup.sh}) after sourcing {@code shared/bench/torch_env.sh}. That file selects OpenBLAS's
 * AVX-512 kernels and its OpenMP build; without it PyTorch runs ~7x slower on this CPU, so it is sourced
 * rather than copied here, to stay in step with whatever the shared file says.
 *
 * <p>The shared directory is {@code -Dseqspark.shared=DIR} if set, else {@code ../shared} next to the
 * project root (the nearest ancestor of the working directory that holds {@code pom.xml} and
 * {@code jobs/}). Not part of CI: it needs the one-time {@code bench/setup.sh}.
 */
public final class PyTorchBaseline {

    public static final String PYTHON = "/usr/bin/python3";
    private static final ObjectMapper JSON = new ObjectMapper();
    /** How many trailing output lines to keep for error messages. */
    private static final int TAIL = 20;

    private static volatile String unavailableReason;
    private static volatile Boolean available;

    private PyTorchBaseline() {}

    /** The {@code shared} directory (holding {@code bench/torch_lm_bench.py}); see the class comment. */
    public static Path sharedDir() {
        String prop = System.getProperty("seqspark.shared");
        if (prop != null && !prop.isBlank()) {
            return Path.of(prop).toAbsolutePath().normalize();
        }
        Path dir = Path.of(System.getProperty("user.dir")).toAbsolutePath();
        for (Path d = dir; d != null; d = d.getParent()) {
            if (Files.isRegularFile(d.resolve("pom.xml")) && Files.isDirectory(d.resolve("jobs"))) {
                return d.resolveSibling("shared").normalize();
            }
        }
        return dir.resolveSibling("shared").normalize();
    }

    /** True when the script and torch_env.sh exist and Debian's python can {@code import torch}. */
    public static boolean available() {
        Boolean a = available;
        if (a == null) {
            a = probe();
            available = a;
        }
        return a;
    }

    /** Why {@link #available()} is false (one line), or empty when it is available. */
    public static Optional<String> unavailableReason() {
        return available() ? Optional.empty() : Optional.ofNullable(unavailableReason);
    }

    private static boolean probe() {
        Path bench = sharedDir().resolve("bench");
        if (!Files.isRegularFile(bench.resolve("torch_lm_bench.py"))) {
            unavailableReason = "no " + bench.resolve("torch_lm_bench.py") + " (set -Dseqspark.shared=DIR)";
            return false;
        }
        if (!Files.isRegularFile(bench.resolve("torch_env.sh"))) {
            unavailableReason = "no " + bench.resolve("torch_env.sh");
            return false;
        }
        if (!Files.isExecutable(Path.of(PYTHON))) {
            unavailableReason = PYTHON + " not found";
            return false;
        }
        try {
            Process p = start(bench, List.of("-c", "import torch"));
            Output out = drain(p);
            if (!p.waitFor(120, TimeUnit.SECONDS)) {
                p.destroyForcibly();
                unavailableReason = PYTHON + " -c 'import torch' timed out";
                return false;
            }
            if (p.exitValue() != 0) {
                List<String> lines = out.lines();
                unavailableReason = PYTHON + " cannot import torch (run bench/setup.sh as root): "
                        + (lines.isEmpty() ? "exit " + p.exitValue() : lines.get(lines.size() - 1));
                return false;
            }
            return true;
        } catch (IOException | InterruptedException e) {
            if (e instanceof InterruptedException) {
                Thread.currentThread().interrupt();
            }
            unavailableReason = "cannot run " + PYTHON + ": " + e;
            return false;
        }
    }

    /**
     * Runs {@code torch_lm_bench.py} for {@code model} ("lstm", "gru" or "tcn") on the PTB-small shape
     * (emb 200, hidden 200; 2 RNN layers, or 4 TCN levels with kernel 3) with the script's own warm-up and
     * step/second minimums, and returns its {@code RESULT} JSON ({@code tokens_per_s},
     * {@code ms_per_step_mean}, {@code blas}, ...). Empty (reason on stderr) when PyTorch is not
     * {@link #available()}, the run fails, or it outlives {@code timeout}.
     */
    public static Optional<Map<String, Object>> run(String model, Duration timeout) {
        return run(model, List.of(), timeout);
    }

    /** As {@link #run(String, Duration)}, with {@code extraArgs} appended to the script's (e.g. {@code --weight-norm}). */
    public static Optional<Map<String, Object>> run(String model, List<String> extraArgs, Duration timeout) {
        List<String> args = new ArrayList<>(List.of(
                sharedDir().resolve("bench/torch_lm_bench.py").toString(),
                "--model", model, "--emb", "200", "--hidden", "200"));
        switch (model) {
            case "lstm", "gru" -> args.addAll(List.of("--layers", "2"));
            case "tcn" -> args.addAll(List.of("--layers", "4", "--kernel", "3"));
            default -> throw new IllegalArgumentException("model must be lstm, gru or tcn: " + model);
        }
        args.addAll(extraArgs);
        return runScript(model, args, timeout);
    }

    /**
     * Runs {@code python3 ARGS} ({@code args.get(0)} is the script) in {@code shared/bench} with torch_env.sh sourced
     * and returns the JSON of its last {@code RESULT} line; empty (reason on stderr) when PyTorch is not
     * {@link #available()}, the run fails, or it outlives {@code timeout}. {@code label} names the run in messages.
     */
    public static Optional<Map<String, Object>> runScript(String label, List<String> args, Duration timeout) {
        Optional<List<String>> out = runLines(args, timeout);
        if (out.isEmpty()) {
            return Optional.empty();
        }
        List<String> lines = out.get();
        for (int i = lines.size() - 1; i >= 0; i--) {
            if (lines.get(i).startsWith("RESULT ")) {
                try {
                    return Optional.of(JSON.readValue(lines.get(i).substring("RESULT ".length()),
                            new TypeReference<LinkedHashMap<String, Object>>() {}));
                } catch (IOException e) {
                    System.err.println("PyTorch baseline " + label + ": unreadable RESULT line: " + e);
                    return Optional.empty();
                }
            }
        }
        System.err.println("PyTorch baseline " + label + " gave no RESULT line: " + String.join(" | ", lines));
        return Optional.empty();
    }

    /**
     * Runs {@code python3 SCRIPT ARGS...} (paths absolute) with torch_env.sh sourced and returns its last
     * {@value #TAIL} output lines (all of them echoed to stderr); empty (reason on stderr) when PyTorch is not
     * {@link #available()}, the script fails, or it outlives {@code timeout}.
     */
    public static Optional<List<String>> runLines(List<String> scriptAndArgs, Duration timeout) {
        if (!available()) {
            System.err.println("PyTorch baseline skipped: " + unavailableReason);
            return Optional.empty();
        }
        String name = Path.of(scriptAndArgs.get(0)).getFileName().toString();
        try {
            Process p = start(sharedDir().resolve("bench"), scriptAndArgs);
            Output out = drain(p);
            if (!p.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS)) {
                p.destroyForcibly();
                System.err.println("PyTorch baseline " + name + " timed out after " + timeout);
                return Optional.empty();
            }
            List<String> lines = out.lines();
            if (p.exitValue() != 0) {
                System.err.println("PyTorch baseline " + name + " exited with " + p.exitValue() + ": "
                        + String.join(" | ", lines));
                return Optional.empty();
            }
            return Optional.of(lines);
        } catch (IOException e) {
            System.err.println("PyTorch baseline " + name + " failed: " + e);
            return Optional.empty();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return Optional.empty();
        }
    }

    /**
     * Starts {@code python3 ARGS} in {@code benchDir} with torch_env.sh sourced; {@code exec} makes python
     * the process itself, so a timeout's destroy really stops it. Arguments go through "$@", never the
     * shell's parser.
     */
    private static Process start(Path benchDir, List<String> pythonArgs) throws IOException {
        List<String> cmd = new ArrayList<>(List.of("/bin/bash", "-c",
                "source ./torch_env.sh && exec " + PYTHON + " \"$@\"", "torch-baseline"));
        cmd.addAll(pythonArgs);
        ProcessBuilder pb = new ProcessBuilder(cmd).directory(benchDir.toFile()).redirectErrorStream(true);
        // The script waits (by default up to 600 s) for other load to end before timing; bound that
        // unless the caller chose a value.
        pb.environment().putIfAbsent("BASELINE_WAIT_IDLE", "60");
        return pb.start();
    }

    /** The last output lines of a child and the thread reading them. */
    private record Output(Deque<String> tail, Thread reader) {
        /** The kept lines, once the reader has seen end of stream (call after the process exited). */
        List<String> lines() throws InterruptedException {
            reader.join(10_000);
            synchronized (tail) {
                return new ArrayList<>(tail);
            }
        }
    }

    /**
     * Reads the child's output on a daemon thread (so a chatty child never blocks on a full pipe),
     * echoing it to stderr and keeping the last {@value #TAIL} lines.
     */
    private static Output drain(Process p) {
        Deque<String> tail = new ArrayDeque<>();
        Thread t = new Thread(() -> {
            try (BufferedReader r = new BufferedReader(
                    new InputStreamReader(p.getInputStream(), StandardCharsets.UTF_8))) {
                for (String line; (line = r.readLine()) != null; ) {
                    System.err.println("[torch] " + line);
                    synchronized (tail) {
                        tail.addLast(line);
                        if (tail.size() > TAIL) {
                            tail.removeFirst();
                        }
                    }
                }
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }, "torch-baseline-output");
        t.setDaemon(true);
        t.start();
        return new Output(tail, t);
    }

    /** {@code PyTorchBaseline [lstm|gru|tcn ...]}: runs each model and prints its RESULT JSON. */
    public static void main(String[] args) throws IOException {
        List<String> models = args.length > 0 ? List.of(args) : List.of("lstm", "gru", "tcn");
        if (!available()) {
            System.out.println("PyTorch baseline unavailable: " + unavailableReason);
            return;
        }
        for (String m : models) {
            Optional<Map<String, Object>> r = run(m, Duration.ofMinutes(15));
            System.out.println(m + ": " + (r.isPresent() ? JSON.writeValueAsString(r.get()) : "failed"));
        }
    }
}
