package org.tinybert.config;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.typesafe.config.ConfigFactory;
import java.util.Arrays;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;
import org.tinybert.glue.GlueTask;
import org.tinybert.glue.TaskFile;
import org.tinybert.io.TableFormat;
import org.tinybert.model.ClassifierHead;
import org.tinybert.model.EngineChoice;
import org.tinybert.settings.BadRows;
import org.tinybert.settings.Choice;
import org.tinybert.settings.Section;

/** The settings enums decode through {@link Choice}, with the spellings they always had. */
class ChoiceSettingsTest {
  private static final ObjectMapper JSON = new ObjectMapper();
  private static final Section T = Section.of("t");

  static Stream<Class<? extends Enum<?>>> choices() {
    return Stream.of(Pooling.class, OutputFormat.class, TableFormat.class, OutputKind.class, ClassifierHead.class,
        EngineChoice.class, GlueTask.class, LayerMappingSetting.Strategy.class, BadRows.class);
  }

  @Test
  void spellingsAreTheOnesSettingsAlwaysAccepted() {
    assertEquals(List.of("pooled", "mean"), keys(Pooling.values()));
    assertEquals(List.of("parquet", "jsonl", "tsv"), keys(OutputFormat.values()));
    assertEquals(List.of("auto", "text", "tsv", "csv", "jsonl", "parquet"),
        keys(InferSettings.FORMATS.toArray(Choice[]::new)));
    assertEquals(List.of("auto", "tsv", "csv", "jsonl", "parquet"), keys(TaskFile.FORMATS.toArray(Choice[]::new)));
    assertEquals(List.of("auto", "labels", "probabilities", "embeddings"), keys(OutputKind.values()));
    assertEquals(List.of("hf", "tinybert-relu"), keys(ClassifierHead.values()));
    assertEquals(List.of("auto", "cpu", "nd4j"), keys(EngineChoice.values()));
    assertEquals(Arrays.stream(GlueTask.values()).map(GlueTask::taskName).toList(), keys(GlueTask.values()));
    assertEquals(List.of("uniform", "top", "bottom", "explicit"), keys(LayerMappingSetting.Strategy.values()));
    assertEquals(List.of("fail", "skip", "task-default"), keys(BadRows.values()));
  }

  @ParameterizedTest
  @MethodSource("choices")
  @SuppressWarnings({"unchecked", "rawtypes"})
  void everyConstantDecodesFromItsKey(Class type) {
    for (Object c : type.getEnumConstants()) {
      String key = ((Choice) c).key();
      Validator v = new Validator(ConfigFactory.parseString("tinybert.t.x = \"" + key + "\""), T);
      assertEquals(c, v.choice("x", type));
      assertEquals(List.of(), v.problems());
    }
  }

  @Test
  void aChoiceAmongSomeConstantsRefusesTheOthers() {
    Validator v = new Validator(ConfigFactory.parseString("tinybert.t.task = ax"), T);
    v.choice("task", List.of(GlueTask.SST_2, GlueTask.MRPC));
    String message = v.problems().get(0).message();
    assertTrue(message.startsWith("tinybert.t.task must be one of sst-2, mrpc, found \"ax\""), message);
  }

  @Test
  void anUnknownSpellingIsRefusedNamingTheAllowedOnes() {
    Validator v = new Validator(ConfigFactory.parseString("tinybert.t.head = relu"), T);
    v.choice("head", ClassifierHead.class);
    SettingsException e = assertThrows(SettingsException.class, v::finish);
    String message = e.problems().get(0).message();
    assertTrue(message.startsWith("tinybert.t.head must be one of hf, tinybert-relu, found \"relu\""), message);
  }

  /** Manifests of general-distill embed the settings record: the engine is written as it always was. */
  @Test
  void engineKeepsItsJsonForm() throws Exception {
    assertEquals("\"AUTO\"", JSON.writeValueAsString(EngineChoice.AUTO));
    assertEquals("\"ND4J\"", JSON.writeValueAsString(EngineChoice.ND4J));
    assertEquals(EngineChoice.CPU, EngineChoice.parse("cpu"));
    assertThrows(IllegalArgumentException.class, () -> EngineChoice.parse("CPU"));
  }

  private static List<String> keys(Choice[] values) {
    return Arrays.stream(values).map(Choice::key).toList();
  }
}
