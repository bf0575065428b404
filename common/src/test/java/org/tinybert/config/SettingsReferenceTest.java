package org.tinybert.config;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import org.junit.jupiter.api.Test;

class SettingsReferenceTest {
  /** `<command> --help` prints these comments: a key without one would show up undocumented. */
  @Test
  void everyKeyHasAOneLineComment() {
    List<String> keys = SettingsReference.keys(SettingsLoader.NAMESPACE);
    assertFalse(keys.isEmpty());
    for (String key : keys) {
      List<String> lines = SettingsReference.valueAt(SettingsReference.config(), key).orElseThrow().origin()
          .comments();
      assertEquals(1, lines.size(), key + " should have exactly one comment line, has " + lines);
      assertFalse(lines.get(0).isBlank(), key);
    }
  }

  @Test
  void keysDefaultsAndRequiredness() {
    assertEquals(List.of("tinybert.forward.model", "tinybert.forward.input", "tinybert.forward.output",
        "tinybert.forward.max-seq-length", "tinybert.forward.cased"), SettingsReference.keys(ForwardSettings.ROOT));
    assertEquals("128", SettingsReference.defaultValue("tinybert.forward.max-seq-length").orElseThrow());
    assertEquals("\"-\"", SettingsReference.defaultValue("tinybert.tokenize.input").orElseThrow());
    assertTrue(SettingsReference.isRequired("tinybert.forward.model"));
    // A default built by substitution is shown resolved; its comment stays the one written above it.
    assertTrue(SettingsReference.defaultValue("tinybert.general-distill.teacher").orElseThrow().endsWith("/teacher\""),
        SettingsReference.defaultValue("tinybert.general-distill.teacher").toString());
    assertTrue(SettingsReference.comment("tinybert.general-distill.teacher").startsWith("Teacher: "));
    assertTrue(SettingsReference.defaultValue("tinybert.forward.model").isEmpty());
    assertTrue(SettingsReference.isKnown("tinybert.forward.model"));
    assertFalse(SettingsReference.isKnown("tinybert.forward.modle"));
    assertFalse(SettingsReference.isKnown("tinybert.forward.model.x"));
  }

  /** The training keys are written once (tinybert-training.conf) and every training section has them all. */
  @Test
  void everyTrainingSectionHasTheSharedTrainingKeysWithItsOwnDefaults() {
    List<String> shared = SettingsReference.keys("tinybert.task-distill.prediction").stream()
        .map(k -> k.substring("tinybert.task-distill.prediction.".length())).sorted().toList();
    assertEquals(15, shared.size(), shared.toString());
    for (String section : List.of(GeneralDistillSettings.ROOT, FinetuneTeacherSettings.ROOT,
        TaskDistillSettings.ROOT + ".intermediate", TaskDistillSettings.ROOT + ".prediction")) {
      List<String> keys = SettingsReference.keys(section);
      for (String k : shared) assertTrue(keys.contains(section + "." + k), section + " lacks " + k);
    }
    // A section's own value wins over the shared one, with its own comment.
    assertEquals("\"constant\"", SettingsReference.defaultValue("tinybert.task-distill.intermediate.schedule")
        .orElseThrow());
    assertEquals("\"warmup-linear\"", SettingsReference.defaultValue("tinybert.task-distill.prediction.schedule")
        .orElseThrow());
    assertEquals("16", SettingsReference.defaultValue("tinybert.general-distill.batch-size").orElseThrow());
    assertTrue(SettingsReference.comment("tinybert.general-distill.batch-size").startsWith("Minibatch size per worker"));
    assertTrue(SettingsReference.comment("tinybert.finetune-teacher.clip").startsWith("Gradient clipping"));
    // Help lists a section's own keys first, then the shared ones.
    List<String> gd = SettingsReference.keys(GeneralDistillSettings.ROOT);
    assertEquals(GeneralDistillSettings.ROOT + ".corpus", gd.get(0));
    assertTrue(gd.indexOf(GeneralDistillSettings.ROOT + ".probe-examples")
        < gd.indexOf(GeneralDistillSettings.ROOT + ".epochs"), gd.toString());
  }

  /** cased is written once (tinybert-text.conf): every section that tokenizes has it, with the one comment. */
  @Test
  void theTextKeysAreWrittenOnce() {
    List<String> sections = SettingsReference.keys("tinybert").stream().filter(k -> k.endsWith(".cased")).toList();
    assertEquals(9, sections.size(), sections.toString());
    for (String k : sections) {
      if (k.equals("tinybert.tokenize.cased")) continue; // its own meaning, its own line
      assertTrue(SettingsReference.comment(k).startsWith("true keeps case and accents"), k);
      assertEquals(SettingsReference.TEXT_FILE, SettingsReference.valueAt(SettingsReference.config(), k)
          .orElseThrow().origin().resource(), k);
    }
    // After the section's own keys in help.
    List<String> infer = SettingsReference.keys(InferSettings.ROOT);
    assertEquals(InferSettings.ROOT + ".cased", infer.get(infer.size() - 1), infer.toString());
  }
}
