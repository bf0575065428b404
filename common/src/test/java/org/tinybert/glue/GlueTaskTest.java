package org.tinybert.glue;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.tinybert.glue.GlueFixtures.CONF;
import static org.tinybert.glue.GlueFixtures.path;

import java.io.IOException;
import java.nio.file.Files;
import java.util.List;
import java.util.Locale;
import java.util.stream.Stream;
import org.apache.hadoop.fs.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.EnumSource;
import org.junit.jupiter.params.provider.MethodSource;

class GlueTaskTest {

  @ParameterizedTest
  @EnumSource(GlueTask.class)
  void byNameTakesTheCommandLineNameInAnyCase(GlueTask task) {
    assertSame(task, GlueTask.byName(task.taskName()));
    assertSame(task, GlueTask.byName(" " + task.taskName().toUpperCase(Locale.ROOT) + " "));
  }

  @Test
  void unknownNameListsTheValidOnes() {
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> GlueTask.byName("sst2"));
    assertEquals("unknown GLUE task 'sst2'; valid names: cola, sst-2, mrpc, sts-b, qqp, mnli, mnli-mm, qnli, rte, "
        + "wnli, ax", e.getMessage());
    assertThrows(IllegalArgumentException.class, () -> GlueTask.byName(null));
  }

  static Stream<Arguments> publishedFiles() {
    return Stream.of(GlueTask.values()).flatMap(t -> t.splits().stream()
        .filter(s -> s != Split.TRAIN_AUG || t == GlueTask.COLA)
        .map(s -> Arguments.of(t, s)));
  }

  /** The fixture tree is laid out as GLUE is, so every declared directory and file name must be found in it. */
  @ParameterizedTest(name = "{0} {1}")
  @MethodSource("publishedFiles")
  void locatesEverySplitUnderItsPublishedName(GlueTask task, Split split) throws IOException {
    Path glueDir = path("CoLA").getParent();
    Path file = task.locate(task.taskDir(glueDir), split, CONF);
    assertEquals(new Path(task.taskDir(glueDir), task.fileName(split)), file);
    assertTrue(GlueReader.read(task, split, file, CONF).size() > 0);
  }

  @Test
  void theDiagnosticIsAlsoFoundUnderTheNameDownloadGlueDataGivesIt(@TempDir java.nio.file.Path dir)
      throws IOException {
    Path taskDir = new Path(dir.toUri());
    IllegalArgumentException none = assertThrows(IllegalArgumentException.class,
        () -> GlueTask.AX.locate(taskDir, Split.TEST, CONF));
    assertTrue(none.getMessage().contains("AX.tsv") && none.getMessage().contains("diagnostic.tsv"), none.getMessage());
    Files.copy(Files.newInputStream(java.nio.file.Path.of(path("diagnostic/AX.tsv").toUri())),
        dir.resolve("diagnostic.tsv"));
    assertEquals(new Path(taskDir, "diagnostic.tsv"), GlueTask.AX.locate(taskDir, Split.TEST, CONF));
  }

  @Test
  void aMissingSplitIsNamedWithTheOnesThatExist() {
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> GlueTask.AX.layout(Split.TRAIN));
    assertEquals("GLUE task ax has no train split; it has [dev, test]", e.getMessage());
  }

  @ParameterizedTest
  @EnumSource(GlueTask.class)
  void singleSentenceTasksDistilAt64PairTasksAt128(GlueTask task) {
    assertEquals(task.isPairTask() ? 128 : 64, task.maxSeqLength());
    assertTrue(task.metricNames().contains(task.primaryMetric()));
  }

  @ParameterizedTest
  @EnumSource(GlueTask.class)
  void regressionHasOneOutputAndNoLabels(GlueTask task) {
    boolean regression = task.outputMode() == OutputMode.REGRESSION;
    assertEquals(regression, task == GlueTask.STS_B);
    assertEquals(regression ? 1 : task.labels().size(), task.numLabels());
    assertEquals(regression, task.labels().isEmpty());
  }

  @Test
  void aCheckpointsLabelOrderMapsItsIdsToTinyBertsIds() {
    GlueLabels other = GlueLabels.of(GlueTask.MNLI, List.of("entailment", "neutral", "contradiction"));
    assertEquals("contradiction", other.name(2));
    assertEquals(0, other.canonicalId(2));
    assertEquals(1, other.id("neutral"));
    assertEquals(-1, other.id("entailed"));
    assertEquals(GlueTask.MNLI.labels(), GlueLabels.of(GlueTask.MNLI, null).names());
  }

  @Test
  void aLabelOrderMustBeAPermutationOfTheTasksLabels() {
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
        () -> GlueLabels.of(GlueTask.MNLI, List.of("entailment", "neutral", "neutral")));
    assertEquals("label order for mnli must list each of [contradiction, entailment, neutral] once, found "
        + "[entailment, neutral, neutral]", e.getMessage());
    assertThrows(IllegalArgumentException.class, () -> GlueLabels.of(GlueTask.RTE, List.of("entailment")));
    assertThrows(IllegalArgumentException.class, () -> GlueLabels.of(GlueTask.STS_B));
    assertThrows(IllegalArgumentException.class, () -> GlueLabels.of(GlueTask.RTE).name(2));
  }

  @Test
  void mnliMismatchedTrainsOnMnlisTrainingSet() {
    assertEquals(GlueTask.MNLI.spec(Split.TRAIN), GlueTask.MNLI_MM.spec(Split.TRAIN));
    assertFalse(GlueTask.MNLI.fileName(Split.DEV).equals(GlueTask.MNLI_MM.fileName(Split.DEV)));
  }
}
