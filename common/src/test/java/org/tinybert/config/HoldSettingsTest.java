package org.tinybert.config;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;

/** {@code tinybert.hold.stale-after}: one key outside the sections, read by every job that holds its output. */
class HoldSettingsTest {
  private static <T> T load(String root, java.util.function.Function<com.typesafe.config.Config, T> from,
      String... sets) {
    return from.apply(SettingsLoader.load(root, Optional.empty(), List.of(sets)));
  }

  @Test
  void everyJobThatHoldsItsOutputReadsTheOneKey() {
    String[] required = {"tinybert.finetune-teacher.model=m", "tinybert.finetune-teacher.task=sst-2",
        "tinybert.finetune-teacher.task-dir=d", "tinybert.finetune-teacher.output=o"};
    assertEquals(Duration.ofMinutes(3),
        load(GeneralDistillSettings.ROOT, GeneralDistillSettings::from).training().holdStaleAfter());
    assertEquals(Duration.ofSeconds(90), load(GeneralDistillSettings.ROOT, GeneralDistillSettings::from,
        "tinybert.hold.stale-after=90s").training().holdStaleAfter());
    assertEquals(Duration.ofSeconds(90), load(FinetuneTeacherSettings.ROOT, FinetuneTeacherSettings::from,
        concat(required, "tinybert.hold.stale-after=90s")).training().holdStaleAfter());
    assertEquals(Duration.ofMillis(500), load(PredictSettings.ROOT, PredictSettings::from, "tinybert.predict.model=m",
        "tinybert.predict.task=sst-2", "tinybert.predict.task-dir=d", "tinybert.predict.output=o",
        "tinybert.hold.stale-after=500ms").run().holdStaleAfter());
  }

  @Test
  void aLimitThatIsNoPositiveDurationIsRejectedWithTheJobsOtherProblems() {
    SettingsException e = assertThrows(SettingsException.class, () -> load(GeneralDistillSettings.ROOT,
        GeneralDistillSettings::from, "tinybert.hold.stale-after=0s", "tinybert.general-distill.epochs=0"));
    assertEquals(2, e.problems().size(), e.getMessage());
    assertTrue(e.getMessage().contains("tinybert.hold.stale-after must be > 0, found \"0s\""), e.getMessage());
    e = assertThrows(SettingsException.class, () -> load(GeneralDistillSettings.ROOT, GeneralDistillSettings::from,
        "tinybert.hold.stale-after=soon"));
    assertTrue(e.getMessage().contains("tinybert.hold.stale-after must be a duration, e.g. 3m or 90s"),
        e.getMessage());
  }

  private static String[] concat(String[] a, String b) {
    String[] out = java.util.Arrays.copyOf(a, a.length + 1);
    out[a.length] = b;
    return out;
  }
}
