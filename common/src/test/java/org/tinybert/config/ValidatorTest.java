package org.tinybert.config;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.typesafe.config.Config;
import com.typesafe.config.ConfigFactory;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvFileSource;
import org.tinybert.settings.Section;

class ValidatorTest {
  private static final Path TYPED = ConfigFixtures.file("typed-reads.conf");
  /** The section the typed reads are read from. */
  private static final Section T = Section.of("t");

  private static Object read(Validator v, String read, String key) {
    return switch (read) {
      case "positiveInt" -> v.positiveInt(key);
      case "doubleIn01" -> v.doubleIn(key, 0.0, 1.0);
      case "oneOfAdamSgd" -> v.oneOf(key, "adam", "sgd");
      case "intList" -> v.intList(key);
      case "bool" -> v.bool(key);
      case "string" -> v.string(key);
      case "optionalString" -> v.optionalString(key);
      case "path" -> v.path(key);
      case "optionalPath" -> v.optionalPath(key);
      case "wordOrDoubleIn" -> v.wordOrDoubleIn(key, "config", 0.0, 0.9);
      case "choiceSchedule" -> v.choice(key, Schedule.class);
      case "layerMapping" -> LayerMappingSetting.read(v, key);
      default -> throw new IllegalArgumentException("no read " + read);
    };
  }

  @ParameterizedTest(name = "{0}({1}) -> {2}")
  @CsvFileSource(resources = "typed-reads.csv", delimiter = '|', quoteCharacter = '\'')
  void typedReadReturnsValueOrRecordsOneProblem(String read, String key, String expected) {
    Config config = ConfigFactory.parseFile(TYPED.toFile());
    Validator v = new Validator(config, T);
    Object value = read(v, read, key);
    List<SettingsException.Problem> problems = v.problems();
    if (expected.startsWith("problem: ")) {
      String want = expected.substring("problem: ".length()).replace("{file}", TYPED.toString());
      if (want.contains("{line}")) want = want.replace("{line}", String.valueOf(ConfigFixtures.lineOf(TYPED, key)));
      assertEquals(1, problems.size(), problems.toString());
      String message = problems.get(0).message();
      assertTrue(message.startsWith(want), "expected a message starting with\n" + want + "\nfound\n" + message);
      assertEquals(T.key(key).full(), problems.get(0).key());
      assertFalse(v.ok(key));
    } else {
      assertEquals(List.of(), problems);
      assertEquals(expected, String.valueOf(value));
      assertTrue(v.ok(key));
    }
  }

  @Test
  void layerMappingSettingsReadBackAsWritten() {
    for (String text : List.of("uniform", "top", "bottom", "3,6,9,12", "12")) {
      LayerMappingSetting m = LayerMappingSetting.parse(text).orElseThrow();
      assertEquals(text, m.toString());
      assertEquals(m, LayerMappingSetting.parse(m.toString()).orElseThrow());
    }
    assertEquals(List.of(3, 6), LayerMappingSetting.parse(" 3 , 6 ").orElseThrow().teacherLayers());
    for (String bad : List.of("", "uniformly", "3,,6", "-1", "3,a", "[3,6]", "explicit", "Uniform", "TOP")) {
      assertTrue(LayerMappingSetting.parse(bad).isEmpty(), bad);
    }
  }

  @Test
  void aChoiceIsWrittenToManifestsAsTheSettingSpellsIt() throws Exception {
    ObjectMapper json = new ObjectMapper();
    assertEquals("\"warmup-linear\"", json.writeValueAsString(Schedule.WARMUP_LINEAR));
    assertEquals("\"per-tensor\"", json.writeValueAsString(ClipMode.PER_TENSOR));
    assertEquals("\"3,6,9\"", json.writeValueAsString(LayerMappingSetting.parse("3,6,9").orElseThrow()));
  }

  @Test
  void requireSkipsKeysThatAlreadyFailed() {
    Config config = ConfigFactory.parseString("tinybert.t { a = x, b = 1 }");
    Validator v = new Validator(config, T);
    int a = v.positiveInt("a");
    v.require(a > 5, "a", "must be > 5");
    int b = v.positiveInt("b");
    v.require(b > 5, "b", "must be > 5");
    List<String> messages = v.problems().stream().map(SettingsException.Problem::message).toList();
    assertEquals(2, messages.size(), messages.toString());
    assertTrue(messages.get(0).startsWith("tinybert.t.a must be an integer, found \"x\""), messages.get(0));
    assertTrue(messages.get(1).startsWith("tinybert.t.b must be > 5, found 1"), messages.get(1));
  }

  @Test
  void finishReportsUnknownKeysWithSuggestionAndThrowsOnce() {
    Config config = ConfigFactory.parseString("tinybert.forward { max-seq-lenght = 64, modle = m, zzz = 1 }")
        .withFallback(SettingsReference.config());
    Validator v = new Validator(config, ForwardSettings.SECTION);
    v.positiveInt("max-seq-length");
    SettingsException e = assertThrows(SettingsException.class, v::finish);
    List<String> messages = e.problems().stream().map(SettingsException.Problem::message).toList();
    assertEquals(3, messages.size(), messages.toString());
    assertTrue(messages.stream().anyMatch(m -> m.startsWith("unknown key tinybert.forward.max-seq-lenght (")
        && m.endsWith("(did you mean max-seq-length?)")), messages.toString());
    assertTrue(messages.stream().anyMatch(m -> m.startsWith("unknown key tinybert.forward.modle (")
        && m.endsWith("(did you mean model?)")), messages.toString());
    assertTrue(messages.stream().anyMatch(m -> m.startsWith("unknown key tinybert.forward.zzz (")
        && !m.contains("did you mean")), messages.toString());
  }
}
