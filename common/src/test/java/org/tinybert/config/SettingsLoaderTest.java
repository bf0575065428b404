package org.tinybert.config;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.typesafe.config.Config;
import com.typesafe.config.ConfigOriginFactory;
import com.typesafe.config.ConfigValue;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class SettingsLoaderTest {
  private static List<String> messages(SettingsException e) {
    return e.problems().stream().map(SettingsException.Problem::message).toList();
  }

  @Test
  void referenceDefaultsApplyWhenNothingIsGiven() {
    Config c = SettingsLoader.load(TokenizeSettings.ROOT, Optional.empty(), List.of("tinybert.tokenize.vocab=v.txt"));
    TokenizeSettings s = TokenizeSettings.from(c);
    assertEquals(new TokenizeSettings(new org.apache.hadoop.fs.Path("v.txt"), null, 0, "-"), s);
    assertTrue(s.inputPath().isEmpty());
  }

  @Test
  void setOverridesTheConfigFileAndTheLastSetWins() {
    Path file = ConfigFixtures.file("forward-ok.conf");
    Config c = SettingsLoader.load(ForwardSettings.ROOT, Optional.of(file.toString()),
        List.of("tinybert.forward.max-seq-length=32", "tinybert.forward.max-seq-length = 48"));
    ForwardSettings s = ForwardSettings.from(c);
    assertEquals(48, s.maxSeqLength());
    assertEquals("hdfs://namenode:8020/models/student", s.model().toString());
    assertEquals(SettingsLoader.SET_ORIGIN, c.getValue("tinybert.forward.max-seq-length").origin().description());
    assertEquals(file + ": " + ConfigFixtures.lineOf(file, "model"),
        c.getValue("tinybert.forward.model").origin().description());
  }

  @Test
  void setValueOutOfRangeNamesKeyRuleValueAndOrigin() {
    Path file = ConfigFixtures.file("forward-ok.conf");
    Config c = SettingsLoader.load(ForwardSettings.ROOT, Optional.of(file.toString()),
        List.of("tinybert.forward.max-seq-length=1"));
    SettingsException e = assertThrows(SettingsException.class, () -> ForwardSettings.from(c));
    assertEquals(List.of("tinybert.forward.max-seq-length must be >= 2, found 1 (--set on the command line)"),
        messages(e));
  }

  @Test
  void everyProblemInAFileIsReportedAtOnceWithFileAndLine() {
    Path file = ConfigFixtures.file("forward-bad.conf");
    Config c = SettingsLoader.load(ForwardSettings.ROOT, Optional.of(file.toString()), List.of());
    SettingsException e = assertThrows(SettingsException.class, () -> ForwardSettings.from(c));
    assertEquals(List.of(
        "tinybert.forward.output must be a string, found [\"/out/a\",\"/out/b\"] (" + file + ": " + ConfigFixtures.lineOf(file, "output")
            + ")",
        "tinybert.forward.max-seq-length must be >= 2, found 1 (" + file + ": "
            + ConfigFixtures.lineOf(file, "max-seq-length") + ")",
        "unknown key tinybert.forward.max-seq-lenght (" + file + ": " + ConfigFixtures.lineOf(file, "max-seq-lenght")
            + ") (did you mean max-seq-length?)"),
        messages(e));
    assertTrue(e.getMessage().startsWith("invalid settings (3 problems):\n  - tinybert.forward.output"),
        e.getMessage());
  }

  @Test
  void requiredKeysAreReportedTogether() {
    Config c = SettingsLoader.load(ForwardSettings.ROOT, Optional.empty(), List.of());
    SettingsException e = assertThrows(SettingsException.class, () -> ForwardSettings.from(c));
    assertEquals(List.of(
        "tinybert.forward.model must be set (a path), found nothing",
        "tinybert.forward.input must be set (a path), found nothing",
        "tinybert.forward.output must be set (a path), found nothing"), messages(e));
    assertTrue(e.problems().stream().allMatch(SettingsException.Problem::missing));
  }

  @Test
  void missingConfigFileAndMalformedSetsAreReportedTogether() {
    SettingsException e = assertThrows(SettingsException.class, () -> SettingsLoader.load(ForwardSettings.ROOT,
        Optional.of("/no/such/dir/x.conf"),
        List.of("tinybert.forward.max-seq-length", "=3", "tinybert.forward.model=[1, 2", "a..b=1")));
    List<String> m = messages(e);
    assertEquals(5, m.size(), m.toString());
    assertEquals("malformed \"tinybert.forward.max-seq-length\" (--set on the command line): expected key=value,"
        + " e.g. tinybert.forward.max-seq-length=64", m.get(0));
    assertTrue(m.get(1).startsWith("malformed \"=3\" (--set on the command line): expected key=value"), m.get(1));
    assertTrue(m.get(2).startsWith("malformed value for tinybert.forward.model (--set on the command line): "),
        m.get(2));
    assertTrue(m.get(3).startsWith("malformed key \"a..b\" (--set on the command line): "), m.get(3));
    assertEquals("--config /no/such/dir/x.conf: no such file", m.get(4));
  }

  @Test
  void syntaxErrorInConfigFileNamesFileAndLine() {
    Path file = ConfigFixtures.file("syntax-error.conf");
    SettingsException e = assertThrows(SettingsException.class,
        () -> SettingsLoader.load(ForwardSettings.ROOT, Optional.of(file.toString()), List.of()));
    String m = messages(e).get(0);
    assertTrue(m.startsWith("--config " + file + ": " + file + ": "), m);
  }

  @Test
  void unknownKeysAnywhereInTheNamespaceAreReportedWithTheJobsOwnProblems() {
    Config c = SettingsLoader.load(TokenizeSettings.ROOT, Optional.empty(),
        List.of("tinybert.forwrd.model=/m", "tinybert.forward.model=/m", "tinybert.tokenize.epochz=3"));
    SettingsException e = assertThrows(SettingsException.class, () -> TokenizeSettings.from(c));
    assertEquals(List.of(
        "tinybert.tokenize.vocab must be set (a path), found nothing",
        "unknown key tinybert.forwrd.model (--set on the command line) (did you mean tinybert.forward.model?)",
        "unknown key tinybert.tokenize.epochz (--set on the command line)"), messages(e));
  }

  @Test
  void optionAssignmentCarriesTheOptionAsOrigin() {
    Config c = SettingsLoader.loadWith(ForwardSettings.ROOT, Optional.empty(), List.of(
        SettingsLoader.Assignment.option("--max-seq-length", "tinybert.forward.max-seq-length", "0"),
        SettingsLoader.Assignment.set("tinybert.forward.model=m")));
    SettingsException e = assertThrows(SettingsException.class, () -> ForwardSettings.from(c));
    assertTrue(messages(e).contains(
        "tinybert.forward.max-seq-length must be >= 2, found 0 (--max-seq-length on the command line)"),
        messages(e).toString());
  }

  @ParameterizedTest(name = "{0} -> {1} {2}")
  @CsvSource(delimiter = '|', quoteCharacter = '\'', value = {
      "64                     | NUMBER  | 64",
      "1e-4                   | NUMBER  | 1.0E-4",
      "true                   | BOOLEAN | true",
      "null                   | NULL    | null",
      "hdfs://nn:8020/data    | STRING  | hdfs://nn:8020/data",
      "/data//x               | STRING  | /data//x",
      "'\"quoted, with // \"' | STRING  | 'quoted, with // '",
      "[1, 2]                 | LIST    | [1, 2]",
      "two words              | STRING  | two words",
      "a=b                    | STRING  | a=b",
      "''                     | STRING  | ''",
  })
  void setValuesAreHoconWhereTheyMustBeAndLiteralOtherwise(String text, String type, String unwrapped) {
    ConfigValue v = SettingsLoader.parseValue(text == null ? "" : text,
        ConfigOriginFactory.newSimple(SettingsLoader.SET_ORIGIN));
    assertEquals(type, v.valueType().name());
    assertEquals(unwrapped == null ? "" : unwrapped, String.valueOf(v.unwrapped()));
    assertEquals(SettingsLoader.SET_ORIGIN, v.origin().description());
  }
}
