package org.tinybert.config;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.typesafe.config.Config;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.function.Function;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.tinybert.settings.BadRows;

/**
 * {@code bad-rows}, one key with the values fail and skip (augment: task-default too) for every job that reads rows,
 * and the old names it replaced, still accepted with a warning: general-distill's {@code skip-invalid-utf8} and
 * augment's {@code malformed-rows}.
 */
class BadRowsSettingsTest {
  private static final String GD = GeneralDistillSettings.ROOT + ".";
  private static final String AUG = AugmentSettings.ROOT + ".";
  private static final String INF = InferSettings.ROOT + ".";

  private static Config config(String root, List<String> required, String... sets) {
    List<String> all = new ArrayList<>(required);
    all.addAll(List.of(sets));
    return SettingsLoader.load(root, Optional.empty(), all);
  }

  private static GeneralDistillSettings generalDistill(String... sets) {
    return GeneralDistillSettings.from(config(GeneralDistillSettings.ROOT, List.of(), sets));
  }

  private static AugmentSettings augment(String... sets) {
    return AugmentSettings.from(config(AugmentSettings.ROOT, List.of(AUG + "task=sst-2", AUG + "input=/g/train.tsv",
        AUG + "glove=/g/glove.txt", AUG + "mlm=/models/bert-base", AUG + "output=/g/train_aug.tsv"), sets));
  }

  private static InferSettings infer(String... sets) {
    return InferSettings.from(config(InferSettings.ROOT, List.of(INF + "model=/m", INF + "input=/t", INF + "output=/o"),
        sets));
  }

  private static String refused(Runnable load) {
    SettingsException e = assertThrows(SettingsException.class, load::run);
    assertEquals(1, e.problems().size(), e.getMessage());
    return e.problems().get(0).message();
  }

  @Test
  void everyJobReadsBadRowsFailByDefault() {
    assertFalse(generalDistill().skipInvalidUtf8());
    assertTrue(generalDistill(GD + "bad-rows=skip").skipInvalidUtf8());
    assertFalse(infer().skipBadRows());
    assertTrue(infer(INF + "bad-rows=skip").skipBadRows());
    assertEquals(BadRows.TASK_DEFAULT, augment().malformedRows());
    assertEquals(BadRows.SKIP, augment(AUG + "bad-rows=skip").malformedRows());
    assertEquals(BadRows.FAIL, augment(AUG + "bad-rows=fail").malformedRows());
  }

  @Test
  void theValuesAndTheirMessagesAreTheSameEverywhere() {
    assertTrue(refused(() -> generalDistill(GD + "bad-rows=ignore"))
        .startsWith(GD + "bad-rows must be one of fail, skip, found \"ignore\""));
    assertTrue(refused(() -> infer(INF + "bad-rows=ignore"))
        .startsWith(INF + "bad-rows must be one of fail, skip, found \"ignore\""));
    assertTrue(refused(() -> augment(AUG + "bad-rows=ignore"))
        .startsWith(AUG + "bad-rows must be one of fail, skip, task-default, found \"ignore\""));
    // task-default is augment's alone: it follows the GLUE task's reader, which the other jobs do not use.
    assertTrue(refused(() -> infer(INF + "bad-rows=task-default")).contains("must be one of fail, skip"));
  }

  @ParameterizedTest(name = "skip-invalid-utf8 = {0}")
  @CsvSource({"true, true", "false, false", "yes, true", "off, false"})
  void skipInvalidUtf8StillWorks(String old, boolean skip) {
    assertEquals(skip, generalDistill(GD + "skip-invalid-utf8=" + old).skipInvalidUtf8());
    // Agreeing with the new key is no conflict.
    assertEquals(skip, generalDistill(GD + "skip-invalid-utf8=" + old, GD + "bad-rows=" + (skip ? "skip" : "fail"))
        .skipInvalidUtf8());
  }

  @ParameterizedTest(name = "malformed-rows = {0}")
  @CsvSource({"fail, FAIL", "skip, SKIP", "task-default, TASK_DEFAULT"})
  void malformedRowsStillWorks(String old, BadRows expected) {
    assertEquals(expected, augment(AUG + "malformed-rows=" + old).malformedRows());
  }

  @Test
  void theOldNamesKeepTheirMessages() {
    assertTrue(refused(() -> generalDistill(GD + "skip-invalid-utf8=maybe"))
        .startsWith(GD + "skip-invalid-utf8 must be true or false, found \"maybe\""));
    assertTrue(refused(() -> augment(AUG + "malformed-rows=ignore"))
        .startsWith(AUG + "malformed-rows must be one of fail, skip, task-default, found \"ignore\""));
  }

  @Test
  void oldAndNewNamesThatDisagreeAreRefusedNamingBoth() {
    String gd = refused(() -> generalDistill(GD + "skip-invalid-utf8=true", GD + "bad-rows=fail"));
    assertTrue(gd.startsWith(GD + "skip-invalid-utf8 = true ("), gd);
    assertTrue(gd.contains(") and " + GD + "bad-rows = \"fail\" ("), gd);
    assertTrue(gd.endsWith("disagree; " + GD + "skip-invalid-utf8 is the old name of " + GD + "bad-rows: set only that"),
        gd);
    assertFalse(gd.contains("\n"), gd);
    String aug = refused(() -> augment(AUG + "malformed-rows=skip", AUG + "bad-rows=task-default"));
    assertTrue(aug.startsWith(AUG + "malformed-rows = \"skip\" ("), aug);
    assertTrue(aug.contains(AUG + "bad-rows = \"task-default\""), aug);
  }

  @Test
  void anOldNameIsWarnedAboutWithItsOriginAndTheKeyToUseInstead() {
    Config c = config(GeneralDistillSettings.ROOT, List.of(), GD + "skip-invalid-utf8=true");
    Validator v = new Validator(c, GeneralDistillSettings.SECTION);
    Function<String, BadRows> read = k -> v.choice(k, BadRows.FAIL_OR_SKIP);
    assertEquals(BadRows.SKIP, v.renamed(GeneralDistillSettings.SKIP_INVALID_UTF8, read,
        k -> v.bool(k) ? BadRows.SKIP : BadRows.FAIL));
    String origin = SettingsReference.valueAt(c, GD + "skip-invalid-utf8").orElseThrow().origin().description();
    assertEquals(List.of(GD + "skip-invalid-utf8 (" + origin + ") is deprecated; set " + GD + "bad-rows = skip instead"),
        v.warnings());

    Validator fresh = new Validator(config(GeneralDistillSettings.ROOT, List.of(), GD + "bad-rows=skip"),
        GeneralDistillSettings.SECTION);
    fresh.renamed(GeneralDistillSettings.SKIP_INVALID_UTF8, k -> fresh.choice(k, BadRows.FAIL_OR_SKIP),
        k -> fresh.bool(k) ? BadRows.SKIP : BadRows.FAIL);
    assertEquals(List.of(), fresh.warnings(), "the new name alone warns about nothing");
  }

  @Test
  void theOldNamesAreNotUnknownKeysButAreNotInReferenceConf() {
    for (RenamedKey r : RenamedKey.all()) {
      assertTrue(SettingsReference.isKnown(r.old().full()), r.toString());
      assertFalse(SettingsReference.keys(r.old().section().full()).contains(r.old().full()), r.toString());
      assertTrue(SettingsReference.keys(r.now().section().full()).contains(r.now().full()), r.toString());
    }
  }
}
