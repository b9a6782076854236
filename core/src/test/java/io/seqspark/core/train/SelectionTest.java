package io.seqspark.core.train;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** The selection rule: which epoch is best, when the rate decays on a plateau, when training stops early. */
class SelectionTest {

  /** The outcomes of a rule over a series of per-epoch values, from the initial state. */
  private static List<Selection.Outcome> run(Selection.Rule rule, double... values) {
    List<Selection.Outcome> out = new ArrayList<>();
    Selection.State s = Selection.State.initial();
    for (double v : values) {
      Selection.Outcome o = Selection.observe(rule, s, v);
      out.add(o);
      s = o.next();
    }
    return out;
  }

  @Test
  void direction_lossAndPerplexityAreMinimised_everyOtherMetricMaximised() {
    assertFalse(new Selection.Rule("valid_loss", 0, 1, 0).maximised());
    assertFalse(new Selection.Rule("valid_ppl", 0, 1, 0).maximised());
    assertTrue(new Selection.Rule("valid_bleu", 0, 1, 0).maximised());
    assertTrue(new Selection.Rule("valid_accuracy", 0, 1, 0).maximised());
    List<Selection.Outcome> bleu = run(new Selection.Rule("valid_bleu", 0, 1, 0), 10, 12, 12, 11, 13);
    assertEquals(List.of(true, true, false, false, true), bleu.stream().map(Selection.Outcome::improved).toList(),
        "strictly higher BLEU improves; a tie does not");
    List<Selection.Outcome> loss = run(Selection.Rule.DEFAULT, 5, 4, 4.5, 3);
    assertEquals(List.of(true, true, false, true), loss.stream().map(Selection.Outcome::improved).toList());
    assertEquals(3.0, loss.get(3).next().best(), 0.0);
  }

  @Test
  void plateau_decaysAfterPatienceEpochsWithoutImprovement_countingAfreshAfterEachDecay() {
    // patience 2: epochs 3, 4 do not improve -> decay after 4; 5, 6 neither -> decay after 6; 7 improves; 8 does not
    List<Selection.Outcome> o = run(new Selection.Rule("valid_bleu", 0.5, 2, 0), 1, 2, 2, 1, 0, 1, 3, 2);
    assertEquals(List.of(false, false, false, true, false, true, false, false),
        o.stream().map(Selection.Outcome::decayed).toList());
    double[] factors = o.stream().mapToDouble(x -> x.next().lrFactor()).toArray();
    assertEquals(List.of(1.0, 1.0, 1.0, 0.5, 0.5, 0.25, 0.25, 0.25), java.util.Arrays.stream(factors).boxed().toList());
    assertEquals(1, o.get(7).next().badEpochs());
    assertTrue(o.stream().noneMatch(Selection.Outcome::stop), "early stopping is off");
  }

  @Test
  void earlyStop_afterPatienceBadEpochsInARow_andAnImprovementResetsTheCount() {
    List<Selection.Outcome> o = run(new Selection.Rule("valid_loss", 0, 1, 3), 5, 6, 6, 4, 7, 8, 9, 1);
    assertEquals(List.of(false, false, false, false, false, false, true, false),
        o.stream().map(Selection.Outcome::stop).toList());
    assertEquals(3, o.get(6).next().badEpochs());
    assertEquals(4.0, o.get(6).next().best(), 0.0);
  }

  @Test
  void default_isTheOldLoopsRule_andScaleKeepsTheRatesBitsUntilADecay() {
    assertTrue(Selection.Rule.DEFAULT.isDefault());
    assertTrue(Selection.observe(Selection.Rule.DEFAULT, Selection.State.initial(), Double.NaN).improved(),
        "the first validation is the best even when NaN, as before");
    double lr = 0.1 * Math.pow(0.7, 3);
    assertEquals(Double.doubleToRawLongBits(lr), Double.doubleToRawLongBits(Selection.scale(lr, 1.0)));
    assertEquals(lr * 0.5, Selection.scale(lr, 0.5), 0.0);
  }

  @Test
  void badRules_failNamingTheKeyAndTheFix() {
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
        () -> new Selection.Rule("bleu", 0, 1, 0));
    assertTrue(e.getMessage().startsWith("train.selectBy = bleu: must name a validation metric"), e.getMessage());
    e = assertThrows(IllegalArgumentException.class, () -> new Selection.Rule("valid_loss", 1.0, 1, 0));
    assertTrue(e.getMessage().startsWith("train.plateauDecay = 1.0"), e.getMessage());
    e = assertThrows(IllegalArgumentException.class, () -> new Selection.Rule("valid_loss", 0.5, 0, 0));
    assertTrue(e.getMessage().startsWith("train.plateauPatience = 0"), e.getMessage());
    e = assertThrows(IllegalArgumentException.class, () -> new Selection.Rule("valid_loss", 0.5, 1, -1));
    assertTrue(e.getMessage().startsWith("train.earlyStopPatience = -1"), e.getMessage());
    EpochLoop.Validation v = new EpochLoop.Validation(StepStats.ZERO, Map.of("valid_loss", 1.0, "valid_bleu", 2.0));
    e = assertThrows(IllegalArgumentException.class, () -> v.metric("valid_chrf"));
    assertTrue(e.getMessage().contains("train.selectBy = valid_chrf") && e.getMessage().contains("valid_bleu"),
        e.getMessage());
  }
}
