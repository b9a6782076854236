package io.seqspark.core.train;

import io.seqspark.core.io.AtomicFiles;
import io.seqspark.core.io.Json;
import java.io.BufferedInputStream;
import java.io.BufferedOutputStream;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

/**
 * Checkpoints in {@code <run>/checkpoints/step-NNNNNNNNN/}: parameters, optimizer state, carried model state and
 * the {@link Position}. Each is written to a temporary directory and renamed into place, so a crash leaves either
 * the old or the new checkpoint, never half of one. The last {@code keep} are kept, plus {@code best/}.
 */
public final class Checkpoints {
  private static final String PREFIX = "step-";
  private final Path dir;
  private final int keep;

  public Checkpoints(Path dir, int keep) {
    this.dir = dir;
    this.keep = keep;
  }

  public Path dir() {
    return dir;
  }

  /** Writes a checkpoint for {@code pos}; if {@code best}, also replaces {@code best/}. Returns its directory. */
  public Path save(TrainStep step, Position pos, boolean best) {
    return save(step, pos, best, Map.of());
  }

  /**
   * As {@link #save(TrainStep, Position, boolean)}, plus loop-specific state (e.g. each Spark partition's carried
   * state and step count), stored as {@code extra-<name>.bin} and returned by {@link #extras(Path)}.
   */
  public Path save(TrainStep step, Position pos, boolean best, Map<String, double[]> extras) {
    try {
      Files.createDirectories(dir);
      Path target = dir.resolve(String.format("%s%09d", PREFIX, pos.step()));
      Path tmp = Files.createTempDirectory(dir, ".tmp-");
      write(tmp, step, pos, extras);
      AtomicFiles.replaceDirectory(tmp, target);
      if (best) {
        Path tmpBest = Files.createTempDirectory(dir, ".tmp-");
        write(tmpBest, step, pos, extras);
        AtomicFiles.replaceDirectory(tmpBest, dir.resolve("best"));
      }
      prune();
      return target;
    } catch (IOException e) {
      throw new UncheckedIOException("could not write a checkpoint under " + dir + ": " + e.getMessage(), e);
    }
  }

  private static void write(Path d, TrainStep step, Position pos, Map<String, double[]> extras) throws IOException {
    for (Map.Entry<String, double[]> e : extras.entrySet()) {
      writeArray(d.resolve("extra-" + e.getKey() + ".bin"), Nd4j.createFromArray(e.getValue()));
    }
    writeArray(d.resolve("params.bin"), step.model().params().params());
    writeArray(d.resolve("optimizer.bin"), step.optimizer().state());
    List<INDArray> state = step.model().state();
    for (int i = 0; i < state.size(); i++) {
      writeArray(d.resolve("state-" + i + ".bin"), state.get(i));
    }
    Map<String, Object> m = new LinkedHashMap<>();
    m.put("epoch", pos.epoch());
    m.put("batch", pos.batch());
    m.put("step", pos.step());
    m.put("bestValidLoss", Double.isNaN(pos.bestValidLoss()) ? null : pos.bestValidLoss());
    m.put("stateTensors", state.size());
    m.put("optimizer", step.optimizer().name());
    Files.writeString(d.resolve("position.json"), Json.writePretty(m));
  }

  /** The loop-specific state saved with a checkpoint, by name (empty if none). */
  public static Map<String, double[]> extras(Path checkpoint) {
    Map<String, double[]> out = new LinkedHashMap<>();
    try (Stream<Path> s = Files.list(checkpoint)) {
      for (Path f : s.sorted().toList()) {
        String n = f.getFileName().toString();
        if (n.startsWith("extra-") && n.endsWith(".bin")) {
          out.put(n.substring(6, n.length() - 4), readArray(f).castTo(org.nd4j.linalg.api.buffer.DataType.DOUBLE).data().asDouble());
        }
      }
    } catch (IOException e) {
      throw new UncheckedIOException("could not read checkpoint " + checkpoint + ": " + e.getMessage(), e);
    }
    return out;
  }

  /** The newest checkpoint directory, if any. */
  public java.util.Optional<Path> latest() {
    return list().stream().reduce((a, b) -> b);
  }

  /** Restores {@code step}'s model and optimizer from {@code checkpoint} and returns where to continue. */
  public static Position restore(Path checkpoint, TrainStep step) {
    try {
      Map<String, Object> m = Json.readMap(Files.readString(checkpoint.resolve("position.json")));
      String opt = (String) m.get("optimizer");
      if (!step.optimizer().name().equals(opt)) {
        throw new IllegalArgumentException("checkpoint " + checkpoint + " was written with train.optimizer = " + opt
            + " but this run uses " + step.optimizer().name() + "; resume with the run's own config.conf");
      }
      step.model().params().setParams(readArray(checkpoint.resolve("params.bin")));
      step.optimizer().setState(readArray(checkpoint.resolve("optimizer.bin")));
      int n = ((Number) m.get("stateTensors")).intValue();
      List<INDArray> state = new ArrayList<>();
      for (int i = 0; i < n; i++) {
        state.add(readArray(checkpoint.resolve("state-" + i + ".bin")));
      }
      step.model().restoreState(state);
      Object best = m.get("bestValidLoss");
      return new Position(((Number) m.get("epoch")).intValue(), ((Number) m.get("batch")).intValue(),
          ((Number) m.get("step")).longValue(), best == null ? Double.NaN : ((Number) best).doubleValue());
    } catch (IOException e) {
      throw new UncheckedIOException("could not read checkpoint " + checkpoint + ": " + e.getMessage(), e);
    }
  }

  private List<Path> list() {
    if (!Files.isDirectory(dir)) {
      return List.of();
    }
    try (Stream<Path> s = Files.list(dir)) {
      return s.filter(p -> p.getFileName().toString().startsWith(PREFIX)).sorted(Comparator.comparing(Path::toString)).toList();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  private void prune() throws IOException {
    List<Path> all = list();
    for (int i = 0; i < all.size() - keep; i++) {
      AtomicFiles.deleteRecursively(all.get(i));
    }
  }

  /** Writes an array in ND4J's binary format (dtype, shape and data). */
  public static void writeArray(Path file, INDArray a) throws IOException {
    try (OutputStream os = new BufferedOutputStream(Files.newOutputStream(file)); DataOutputStream out = new DataOutputStream(os)) {
      Nd4j.write(a, out);
    }
  }

  public static INDArray readArray(Path file) throws IOException {
    try (InputStream is = new BufferedInputStream(Files.newInputStream(file)); DataInputStream in = new DataInputStream(is)) {
      return Nd4j.read(in);
    }
  }
}
