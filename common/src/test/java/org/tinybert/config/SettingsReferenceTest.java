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
}
