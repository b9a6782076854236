package io.seqspark.core.pipeline;

import java.io.IOException;
import java.nio.file.Files;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Decides, stage by stage in graph order, what a run would do and why. Fingerprints depend only on config, inputs and
 * upstream fingerprints — never on outputs — so the whole plan is known before anything runs: a stage whose upstream
 * will rerun gets its new fingerprint now, and its reason says which upstream changed.
 */
public final class Planner {
  private Planner() {
  }

  /** What happens to one stage. */
  public enum Action { SKIP, RUN, RESUME }

  /**
   * One stage's decision.
   *
   * @param stage the stage
   * @param action skip (published output up to date), run (a new version), resume (an interrupted version)
   * @param reasons why, as phrases ("config key train.epochs 2 -> 3")
   * @param fingerprint its fingerprint now
   * @param latest the newest published version, or null
   * @param pending an interrupted version: resumed with RESUME, discarded with RUN; else null
   * @param version the version RUN/RESUME writes (SKIP: the latest's)
   * @param previousIngest ingest: the version only new files are added to (incremental), else null
   * @param newFiles ingest: the files added since {@code previousIngest}
   * @param warmStartFrom train: the version the model starts from, else null
   */
  public record Decision(StageSpec stage, Action action, List<String> reasons, Fingerprint fingerprint,
                         PipelineDirectory.Version latest, PipelineDirectory.Pending pending, int version,
                         PipelineDirectory.Version previousIngest, List<String> newFiles,
                         PipelineDirectory.Version warmStartFrom) {
    public boolean runs() {
      return action != Action.SKIP;
    }
  }

  /** The decisions for every stage of {@code spec}, in graph order. */
  public static List<Decision> plan(PipelineSpec spec, PipelineDirectory dir, String version) throws IOException {
    List<Decision> out = new ArrayList<>();
    Map<String, String> fps = new HashMap<>();
    Map<String, Boolean> reruns = new HashMap<>();
    for (StageSpec s : spec.stages()) {
      Map<String, String> upstream = new LinkedHashMap<>();
      for (String d : s.dependsOn()) {
        upstream.put(d, fps.get(d));
      }
      PipelineDirectory.Version latest = dir.latest(s.name());
      PipelineDirectory.Pending pending = dir.pending(s.name());
      Map<String, Object> cache = new HashMap<>();
      for (Object rec : new Object[] {latest == null ? null : latest.record(), pending == null ? null : pending.record()}) {
        if (rec instanceof Map<?, ?> m && m.get("inputs") instanceof Map<?, ?> in) {
          in.forEach((k, v) -> cache.put(String.valueOf(k), v));
        }
      }
      Fingerprint fp = Fingerprint.of(s, upstream, cache, version);
      fps.put(s.name(), fp.hash());
      List<String> reasons = new ArrayList<>();
      if (latest != null && latest.fingerprint().equals(fp.hash())) {
        out.add(new Decision(s, Action.SKIP, List.of("up to date (" + latest.label() + ")"), fp, latest, pending,
            latest.n(), null, List.of(), null));
        reruns.put(s.name(), false);
        continue;
      }
      if (latest == null) {
        reasons.add("no published output yet");
      } else {
        List<String> changes = fp.changes(latest.components());
        for (String c : changes) {
          // an upstream that reruns: say so plainly
          if (c.startsWith("upstream ") && Boolean.TRUE.equals(reruns.get(c.substring(9, c.indexOf(' ', 9))))) {
            reasons.add(c.replace(" changed", " reruns"));
          } else {
            reasons.add(c);
          }
        }
        if (changes.isEmpty()) {
          reasons.add("fingerprint differs from " + latest.label());
        }
      }
      Action action = Action.RUN;
      int n;
      if (pending != null && pending.fingerprint().equals(fp.hash()) && s.job().resumable()
          && Files.isRegularFile(pending.tmpDir().resolve("config.conf"))) {
        action = Action.RESUME;
        n = pending.n();
        reasons.add(0, "interrupted run v" + n + " resumes from its latest checkpoint");
      } else {
        n = dir.nextVersion(s.name());
        if (pending != null) {
          reasons.add("interrupted v" + pending.n() + " is discarded (" + (pending.fingerprint().equals(fp.hash())
              ? "this job restarts rather than resumes" : "its fingerprint differs") + ")");
        }
      }
      PipelineDirectory.Version previousIngest = null;
      List<String> newFiles = List.of();
      if (s.job().kind() == StageJob.Kind.INGEST && s.incremental() && latest != null
          && fp.onlyInputsAdded(latest.components())) {
        previousIngest = latest;
        newFiles = fp.addedInputs(latest.components());
        reasons.add("incremental: only the " + newFiles.size() + " new file(s) are ingested onto " + latest.label());
      }
      PipelineDirectory.Version warm = null;
      if (s.warmStart() && latest != null && !java.util.Objects.equals(
          Fingerprint.map(latest.components().get("config")), Fingerprint.map(fp.components().get("config")))) {
        // a model of another shape or objective is no start for this one: warm starts are for new data only
        reasons.add("no warm start: the stage's own config changed (trains from scratch)");
      } else if (s.warmStart() && latest != null) {
        warm = latest;
        reasons.add("warm start from " + latest.label()
            + (s.warmStartEpochs() > 0 ? " for " + s.warmStartEpochs() + " epoch(s)" : ""));
      }
      reruns.put(s.name(), true);
      out.add(new Decision(s, action, reasons, fp, latest, pending, n, previousIngest, newFiles, warm));
    }
    return out;
  }
}
