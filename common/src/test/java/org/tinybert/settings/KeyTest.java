package org.tinybert.settings;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import org.junit.jupiter.api.Test;

class KeyTest {
  @Test
  void fullKeyIsNamespaceSectionAndName() {
    assertEquals("tinybert.forward.cased", Section.of("forward").key("cased").full());
    assertEquals("tinybert.task-distill.intermediate.epochs",
        Section.of("task-distill").child("intermediate").key("epochs").full());
    assertEquals("tinybert.bench.infer", Section.of("bench").child("infer").full());
  }

  @Test
  void topLevelKeyHasNoSection() {
    assertEquals("tinybert.engine", Key.top("engine").full());
    assertEquals("tinybert", Section.TOP.full());
    assertEquals("tinybert.hold", Section.TOP.child("hold").full());
  }

  @Test
  void printsAsItsFullKey() {
    assertEquals("tinybert.infer.format", String.valueOf(Section.of("infer").key("format")));
  }

  @Test
  void refusesEmptyOrDottedEnds() {
    assertThrows(IllegalArgumentException.class, () -> Section.of(""));
    assertThrows(IllegalArgumentException.class, () -> Section.of("forward."));
    assertThrows(IllegalArgumentException.class, () -> Section.of("forward").key(""));
    assertThrows(IllegalArgumentException.class, () -> Section.of("forward").key(".cased"));
  }
}
