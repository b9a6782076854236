package io.seqspark.core.config;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.typesafe.config.ConfigFactory;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class SettingsTest {

  enum Cell { LSTM, GRU, RNN, TCN }

  @TempDir Path dir;

  private Path conf(String name, String text) throws IOException {
    Path p = dir.resolve(name);
    Files.writeString(p, text);
    return p;
  }

  private static String problemAbout(ConfigException e, String key) {
    return e.problems().stream().filter(p -> p.startsWith(key)).findFirst()
        .orElseThrow(() -> new AssertionError("no problem about " + key + " in:\n" + e.getMessage()));
  }

  @Test
  void defaults_matchReferenceConf() {
    Settings s = Settings.defaults();
    assertEquals(42, s.getInt("seed"));
    assertEquals(200, s.getInt("model.hiddenSize"));
    assertEquals(Cell.LSTM, s.getEnum("model.cell", Cell.class));
    assertEquals(0.0, s.getDouble("model.dropout"));
    assertEquals(1e-8, s.getDouble("train.adamEpsilon"));
    assertNull(s.getPath("data.train"));
    assertEquals("", s.getString("run.id"));
    assertFalse(s.getBoolean("data.lowercase"));
  }

  @Test
  void reference_everyKeyHasAParseableRuleAndItsDefaultSatisfiesIt() {
    Schema schema = Settings.schema();
    assertTrue(schema.keys().size() >= 40, "keys: " + schema.keys().size());
    for (Schema.Key k : schema.keys()) {
      assertFalse(k.doc().isBlank(), k.path() + " has no doc");
      assertEquals(null, k.rule().check(k.defaultValue()), k.path());
    }
    assertEquals(Rule.Kind.ONE_OF, schema.key("model.cell").rule().kind());
    assertEquals(List.of("lstm", "gru", "rnn", "tcn"), schema.key("model.cell").rule().choices());
    assertEquals("int in [1, 16]", schema.key("model.layers").rule().text());
  }

  @Test
  void schema_keyWithoutRuleComment_failsNamingTheKey() {
    IllegalStateException e = assertThrows(IllegalStateException.class, () -> Schema.of(ConfigFactory.parseString(
        "a {\n  # Fine. Rule: int >= 1\n  ok = 1\n  # no rule here\n  bad = 2\n  # Rule: int >= 5\n  low = 1\n}")));
    assertTrue(e.getMessage().contains("a.bad"), e.getMessage());
    assertTrue(e.getMessage().contains("no 'Rule:' comment"), e.getMessage());
    assertTrue(e.getMessage().contains("a.low = 1"), e.getMessage());
    assertFalse(e.getMessage().contains("a.ok"), e.getMessage());
  }

  @Test
  void rule_grammar_parsesAndChecksEveryForm() {
    assertNull(Rule.parse("number in (0, 1]").check(ConfigFactory.parseString("v = 1").getValue("v")));
    assertTrue(Rule.parse("number in (0, 1]").check(ConfigFactory.parseString("v = 0").getValue("v")) != null);
    assertTrue(Rule.parse("int > 0").check(ConfigFactory.parseString("v = 0").getValue("v")) != null);
    assertTrue(Rule.parse("int >= 0").check(ConfigFactory.parseString("v = 1.5").getValue("v"))
        .contains("fractional"));
    assertNull(Rule.parse("int >= 0").check(ConfigFactory.parseString("v = \"7\"").getValue("v")));
    assertNull(Rule.parse("bool").check(ConfigFactory.parseString("v = yes").getValue("v")));
    assertNull(Rule.parse("list of string").check(ConfigFactory.parseString("v = [a, b]").getValue("v")));
    assertNull(Rule.parse("one of Word, char").check(ConfigFactory.parseString("v = WORD").getValue("v")));
    assertThrows(IllegalArgumentException.class, () -> Rule.parse("int between 1 and 2"));
    assertThrows(IllegalArgumentException.class, () -> Rule.parse("number in [2, 1]"));
  }

  @Test
  void load_reportsEveryProblemAtOnce_withOriginRuleAndFix() throws IOException {
    Path my = conf("my.conf", String.join("\n",
        "train {",
        "  epochs = 3",
        "}",
        "trian.epochs = 4",
        "model {",
        "  cell = lsmt",
        "}",
        "train.learningRate = fast",
        "model.dropout = 1.0",
        ""));
    ConfigException e = assertThrows(ConfigException.class,
        () -> Settings.load(List.of(my), List.of("model.hiddenSize=-3", "model.layers=2.5")));
    assertEquals(6, e.problems().size(), e.getMessage());
    assertEquals("model.hiddenSize = -3 (from --set): must be int >= 1. Fix: set model.hiddenSize to a whole"
        + " number >= 1 (default 200).", problemAbout(e, "model.hiddenSize"));
    assertEquals("trian.epochs (from " + my + ":4): unknown key. Fix: remove it or use one of the documented keys"
        + " (see reference.conf); did you mean train.epochs?", problemAbout(e, "trian.epochs"));
    String lr = problemAbout(e, "train.learningRate");
    assertTrue(lr.startsWith("train.learningRate = \"fast\" (from " + my + ":8): must be number > 0 (got a string)."
        + " Fix: set train.learningRate to a number > 0 (default 1"), lr);
    String cell = problemAbout(e, "model.cell");
    assertTrue(cell.startsWith("model.cell = \"lsmt\" (from " + my + ":6): must be one of lstm, gru, rnn, tcn."),
        cell);
    assertTrue(cell.endsWith("did you mean lstm?"), cell);
    assertTrue(problemAbout(e, "model.dropout").contains("must be number in [0, 1)"), e.getMessage());
    assertTrue(problemAbout(e, "model.layers").contains("fractional"), e.getMessage());
    assertTrue(e.getMessage().startsWith("Invalid configuration (6 problems):"), e.getMessage());
    assertTrue(e instanceof IllegalArgumentException);
  }

  @Test
  void load_keyInTheWrongSection_suggestsTheRightOne() {
    ConfigException e = assertThrows(ConfigException.class,
        () -> Settings.load(List.of(), List.of("train.hiddenSize=100")));
    assertTrue(e.getMessage().contains("did you mean model.hiddenSize?"), e.getMessage());
  }

  @Test
  void load_sectionReplacedByAScalar_isReported() {
    ConfigException e = assertThrows(ConfigException.class, () -> Settings.load(List.of(), List.of("model=5")));
    assertEquals(1, e.problems().size(), e.getMessage());
    assertTrue(e.getMessage().contains("model = 5 (from --set): must be a section"), e.getMessage());
  }

  @Test
  void load_precedence_referenceThenFilesInOrderThenSets() throws IOException {
    Path a = conf("a.conf", "train { epochs = 3, bptt = 7 }\nmodel.hiddenSize = 64\n");
    Path b = conf("b.conf", "train.epochs = 5\n");
    Settings s = Settings.load(List.of(a, b), List.of("model.hiddenSize=32", "model.hiddenSize=16"));
    assertEquals(5, s.getInt("train.epochs"));
    assertEquals(7, s.getInt("train.bptt"));
    assertEquals(16, s.getInt("model.hiddenSize"));
    assertEquals(2, s.getInt("model.layers"));
  }

  @Test
  void set_parsesHoconValues_andKeepsPathsLiterally() {
    Settings s = Settings.load(List.of(), List.of("train.learningRate=0.5", "data.train=/a/b//c.txt",
        "data.valid=hdfs://nn:8020/ptb/valid", "run.id=007", "data.lowercase=true", "model.cell=GRU",
        "seed = 7", "eval.batchSize=${train.batchSize}", "data.test=\"quoted name.txt\""));
    assertEquals(0.5, s.getDouble("train.learningRate"));
    assertEquals(Path.of("/a/b//c.txt"), s.getPath("data.train"));
    assertEquals("/a/b//c.txt", s.getString("data.train"));
    assertEquals("hdfs://nn:8020/ptb/valid", s.getString("data.valid"));
    assertEquals("007", s.getString("run.id"));
    assertTrue(s.getBoolean("data.lowercase"));
    assertEquals(Cell.GRU, s.getEnum("model.cell", Cell.class));
    assertEquals(7, s.getInt("seed"));
    assertEquals(20, s.getInt("eval.batchSize"));
    assertEquals("quoted name.txt", s.getString("data.test"));
  }

  @Test
  void set_withoutEquals_isReported() {
    ConfigException e = assertThrows(ConfigException.class, () -> Settings.load(List.of(), List.of("seed")));
    assertTrue(e.getMessage().contains("expected key=value"), e.getMessage());
  }

  @Test
  void preset_loadsByNameWithOrWithoutExtension() {
    Settings byName = Settings.load(List.of(Path.of("lm-ptb")), List.of());
    Settings byFile = Settings.load(List.of(Path.of("lm-ptb.conf")), List.of());
    assertEquals(byName, byFile);
    assertEquals(20, byName.getInt("train.bptt"));
    assertEquals(13, byName.getInt("train.epochs"));
    assertEquals(Path.of("../shared/data/ptb/ptb.train.txt"), byName.getPath("data.train"));
    Settings demo = Settings.load(List.of(Path.of("lm-demo")), List.of());
    assertEquals(1, demo.getInt("model.layers"));
    assertEquals(128, demo.getInt("model.hiddenSize"));
    assertTrue(Settings.presets().containsAll(List.of("lm-demo", "lm-ptb")), Settings.presets().toString());
  }

  @Test
  void missingConfFile_namesThePresets() {
    ConfigException e = assertThrows(ConfigException.class,
        () -> Settings.load(List.of(dir.resolve("nope.conf"), Path.of("lm-ptbb")), List.of()));
    assertEquals(2, e.problems().size(), e.getMessage());
    assertTrue(e.getMessage().contains("lm-ptb"), e.getMessage());
  }

  @Test
  void unparseableConfFile_isReportedWithTheOtherProblems() throws IOException {
    Path broken = conf("broken.conf", "model { hiddenSize = \n");
    ConfigException e = assertThrows(ConfigException.class,
        () -> Settings.load(List.of(broken), List.of("model.layers=0")));
    assertEquals(2, e.problems().size(), e.getMessage());
    assertTrue(e.getMessage().contains("broken.conf: cannot parse"), e.getMessage());
  }

  @Test
  void render_thenParse_roundTripsToAnEqualSettings() {
    Settings s = Settings.load(List.of(Path.of("lm-ptb")),
        List.of("data.train=/x/y z.txt", "train.adamEpsilon=1e-7", "run.id=abc"));
    String text = s.render();
    assertFalse(text.contains("#"), text);
    Settings back = Settings.parse(text, "config.conf");
    assertEquals(s, back);
    assertEquals(s.flatten(), back.flatten());
    assertEquals(text, back.render());
  }

  @Test
  void parse_validatesLikeLoad() {
    ConfigException e = assertThrows(ConfigException.class,
        () -> Settings.parse("model {\n hiddenSize = 0\n}\n", "runs/x/config.conf"));
    assertTrue(e.getMessage().contains("model.hiddenSize = 0 (from runs/x/config.conf:2)"), e.getMessage());
  }

  @Test
  void with_returnsANewValidatedCopy() {
    Settings s = Settings.defaults();
    Settings t = s.with("train.epochs", 3).with("data.train", Path.of("/d/t.txt")).with("model.cell", Cell.GRU);
    assertEquals(13, s.getInt("train.epochs"));
    assertEquals(3, t.getInt("train.epochs"));
    assertEquals(Path.of("/d/t.txt"), t.getPath("data.train"));
    assertEquals("gru", t.getString("model.cell"));
    ConfigException e = assertThrows(ConfigException.class, () -> s.with("model.layers", 17));
    assertTrue(e.getMessage().contains("model.layers = 17"), e.getMessage());
    assertTrue(e.getMessage().contains("whole number from 1 to 16"), e.getMessage());
    assertThrows(ConfigException.class, () -> s.with("model.hiddensize", 3));
  }

  @Test
  void getters_unknownKey_failsWithSuggestion() {
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
        () -> Settings.defaults().getInt("model.hiddensize"));
    assertTrue(e.getMessage().contains("did you mean model.hiddenSize?"), e.getMessage());
  }

  @Test
  void flatten_listsEveryKeyWithPlainValues() {
    Map<String, Object> flat = Settings.defaults().flatten();
    assertEquals(Settings.schema().keys().size(), flat.size());
    assertEquals(200, flat.get("model.hiddenSize"));
    assertEquals("lstm", flat.get("model.cell"));
    assertEquals(false, flat.get("data.lowercase"));
  }

  @Test
  void suggest_closeTyposOnly() {
    assertEquals("train.epochs", Suggest.closest("trian.epochs", List.of("train.epochs", "eval.batchSize")));
    assertNull(Suggest.closest("completely.else", List.of("train.epochs", "eval.batchSize")));
    assertEquals(1, Suggest.distance("lsmt", "lstm"));
  }

  @Test
  void aFamilyKeyReplacedByASharedOne_failsNamingTheNewKey() {
    ConfigException e = assertThrows(ConfigException.class,
        () -> Settings.load(List.of(), List.of("forecast.epochs=7", "w2v.minCount=3")));
    assertTrue(e.getMessage().contains("forecast.epochs") && e.getMessage().contains("set train.epochs = 7 instead"),
        e.getMessage());
    assertTrue(e.getMessage().contains("w2v.minCount") && e.getMessage().contains("data.minCount"), e.getMessage());
  }

  @Test
  void familyDefaultLayers_setTheSharedKeys_andPresetsStillWin() {
    Settings f = Settings.load(List.of(java.nio.file.Path.of("family-forecast")), List.of());
    assertEquals(30, f.getInt("train.epochs"));
    assertEquals("adam", f.getString("train.optimizer"));
    Settings airline = Settings.load(List.of(java.nio.file.Path.of("family-forecast"),
        java.nio.file.Path.of("forecast-airline")), List.of());
    assertEquals(200, airline.getInt("train.epochs"), "the preset's value wins over the family layer");
    assertEquals(5, Settings.load(List.of(java.nio.file.Path.of("family-w2v")), List.of()).getInt("data.minCount"));
  }
}
