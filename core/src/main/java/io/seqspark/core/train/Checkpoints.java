package io.seqspark.core.train;

import io.seqspark.core.io.DirectoryStore;
import io.seqspark.core.io.Json;
import io.seqspark.core.io.LocalDirectoryStore;
import java.io.BufferedInputStream;
import java.io.BufferedOutputStream;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

/**
 * Checkpoints in a {@link DirectoryStore} (by default {@code <run>/checkpoints/}; any Hadoop path through the spark
 * module's store), one entry {@code step-NNNNNNNNN} each: parameters, optimizer state, carried model state, the
 * {@link Position} and loop-specific extras. Each is written to a temporary entry and published under its name by a
 * rename, so a crash leaves either the old or the new checkpoint, never half of one. The last {@code keep} are
 * kept, plus {@code best}.
 */
public final class Checkpoints {
  private static final String PREFIX = "step-";
  /** The entry holding the best validated checkpoint. */
  public static final String BEST = "best";
  private final DirectoryStore store;
  private final int keep;

  public Checkpoints(DirectoryStore store, int keep) {
    this.store = store;
    this.keep = keep;
  }

  /** Checkpoints in a local directory. */
  public Checkpoints(Path dir, int keep) {
    this(new LocalDirectoryStore(dir), keep);
  }

  public DirectoryStore store() {
    return store;
  }

  /** Writes a checkpoint for {@code pos}; if {@code best}, also replaces {@code best}. Returns its location. */
  public String save(TrainStep<?> step, Position pos, boolean best) {
    return save(step, pos, best, Map.of());
  }

  /**
   * As {@link #save(TrainStep, Position, boolean)}, plus loop-specific state (e.g. each Spark partition's carried
   * state and step count), stored as {@code extra-<name>.bin} and returned by {@link #extras(String)}.
   */
  public String save(TrainStep<?> step, Position pos, boolean best, Map<String, double[]> extras) {
    try {
      String name = String.format("%s%09d", PREFIX, pos.step());
      String tmp = store.createTemporary();
      write(tmp, step, pos, extras);
      store.publish(tmp, name);
      if (best) {
        String tmpBest = store.createTemporary();
        write(tmpBest, step, pos, extras);
        store.publish(tmpBest, BEST);
      }
      prune();
      return store.location(name);
    } catch (IOException e) {
      throw new UncheckedIOException("could not write a checkpoint under " + store.location() + ": " + e.getMessage(), e);
    }
  }

  private void write(String entry, TrainStep<?> step, Position pos, Map<String, double[]> extras) throws IOException {
    for (Map.Entry<String, double[]> e : extras.entrySet()) {
      writeArray(entry, "extra-" + e.getKey() + ".bin", Nd4j.createFromArray(e.getValue()));
    }
    writeArray(entry, "params.bin", step.model().params().params());
    writeArray(entry, "optimizer.bin", step.optimizer().state());
    List<INDArray> state = step.model().state();
    for (int i = 0; i < state.size(); i++) {
      writeArray(entry, "state-" + i + ".bin", state.get(i));
    }
    Map<String, Object> m = new LinkedHashMap<>();
    m.put("epoch", pos.epoch());
    m.put("batch", pos.batch());
    m.put("step", pos.step());
    Selection.State sel = pos.selection();
    m.put("bestValidLoss", Double.isNaN(sel.best()) ? null : sel.best()); // the best train.selectBy value
    m.put("selectBy", sel.metric());
    m.put("badEpochs", sel.badEpochs());
    m.put("plateauEpochs", sel.plateauEpochs());
    m.put("lrFactor", sel.lrFactor());
    m.put("stateTensors", state.size());
    m.put("optimizer", step.optimizer().name());
    try (OutputStream os = store.create(entry, "position.json")) {
      os.write(Json.writePretty(m).getBytes(StandardCharsets.UTF_8));
    }
  }

  /** The loop-specific state saved with checkpoint {@code entry}, by name (empty if none). */
  public Map<String, double[]> extras(String entry) {
    Map<String, double[]> out = new LinkedHashMap<>();
    try {
      for (String n : store.files(entry)) {
        if (n.startsWith("extra-") && n.endsWith(".bin")) {
          out.put(n.substring(6, n.length() - 4), readArray(entry, n).castTo(DataType.DOUBLE).data().asDouble());
        }
      }
    } catch (IOException e) {
      throw new UncheckedIOException("could not read checkpoint " + store.location(entry) + ": " + e.getMessage(), e);
    }
    return out;
  }

  /** The newest checkpoint entry, if any. */
  public Optional<String> latest() {
    try {
      return store.entries().stream().filter(n -> n.startsWith(PREFIX) && !n.contains(".")).reduce((a, b) -> b);
    } catch (IOException e) {
      throw new UncheckedIOException("could not list checkpoints in " + store.location() + ": " + e.getMessage(), e);
    }
  }

  /** Whether checkpoint {@code entry} exists (e.g. {@link #BEST}). */
  public boolean has(String entry) {
    try {
      return store.entries().contains(entry);
    } catch (IOException e) {
      throw new UncheckedIOException("could not list checkpoints in " + store.location() + ": " + e.getMessage(), e);
    }
  }

  /** Where checkpoint {@code entry} stands, without restoring anything. */
  public Position peek(String entry) {
    try (InputStream in = store.open(entry, "position.json")) {
      return position(Json.readMap(new String(in.readAllBytes(), StandardCharsets.UTF_8)));
    } catch (IOException e) {
      throw new UncheckedIOException("could not read checkpoint " + store.location(entry) + ": " + e.getMessage(), e);
    }
  }

  /** A position from position.json; checkpoints written before train.selectBy selected by the validation loss. */
  private static Position position(Map<String, Object> m) {
    Object best = m.get("bestValidLoss");
    Object metric = m.get("selectBy");
    Selection.State sel = new Selection.State(
        m.containsKey("selectBy") ? (String) metric : "valid_loss",
        best == null ? Double.NaN : ((Number) best).doubleValue(),
        m.get("badEpochs") instanceof Number n ? n.intValue() : 0,
        m.get("plateauEpochs") instanceof Number n ? n.intValue() : 0,
        m.get("lrFactor") instanceof Number n ? n.doubleValue() : 1.0);
    return new Position(((Number) m.get("epoch")).intValue(), ((Number) m.get("batch")).intValue(),
        ((Number) m.get("step")).longValue(), sel);
  }

  /** Restores {@code step}'s model and optimizer from checkpoint {@code entry} and returns where to continue. */
  public Position restore(String entry, TrainStep<?> step) {
    try {
      Map<String, Object> m;
      try (InputStream in = store.open(entry, "position.json")) {
        m = Json.readMap(new String(in.readAllBytes(), StandardCharsets.UTF_8));
      }
      String opt = (String) m.get("optimizer");
      if (!step.optimizer().name().equals(opt)) {
        throw new IllegalArgumentException("checkpoint " + store.location(entry) + " was written with train.optimizer = "
            + opt + " but this run uses " + step.optimizer().name() + "; resume with the run's own config.conf");
      }
      step.model().params().setParams(readArray(entry, "params.bin"));
      step.optimizer().setState(readArray(entry, "optimizer.bin"));
      int n = ((Number) m.get("stateTensors")).intValue();
      List<INDArray> state = new ArrayList<>();
      for (int i = 0; i < n; i++) {
        state.add(readArray(entry, "state-" + i + ".bin"));
      }
      step.model().restoreState(state);
      return position(m);
    } catch (IOException e) {
      throw new UncheckedIOException("could not read checkpoint " + store.location(entry) + ": " + e.getMessage(), e);
    }
  }

  private void prune() throws IOException {
    List<String> all = store.entries().stream().filter(n -> n.startsWith(PREFIX) && !n.contains(".")).toList();
    for (int i = 0; i < all.size() - keep; i++) {
      store.delete(all.get(i));
    }
  }

  private void writeArray(String entry, String file, INDArray a) throws IOException {
    try (OutputStream os = new BufferedOutputStream(store.create(entry, file)); DataOutputStream out = new DataOutputStream(os)) {
      Nd4j.write(a, out);
    }
  }

  private INDArray readArray(String entry, String file) throws IOException {
    try (InputStream is = new BufferedInputStream(store.open(entry, file)); DataInputStream in = new DataInputStream(is)) {
      return Nd4j.read(in);
    }
  }
}
