package org.tinybert.config;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.tinybert.io.InputException;

/** {@code student = "teacher-layers:..."} in general-distill and task-distill: what it reads and what it refuses. */
class TeacherLayersSettingTest {
  @TempDir static Path tmp;

  static GeneralDistillSettings general(String student) {
    return GeneralDistillSettings.from(SettingsLoader.load(GeneralDistillSettings.ROOT, Optional.empty(),
        List.of(GeneralDistillSettings.ROOT + ".student=" + student)));
  }

  static TaskDistillSettings task(String student) {
    String k = TaskDistillSettings.ROOT + ".";
    List<String> sets = new ArrayList<>(List.of(k + "task=sst-2", k + "task-dir=/glue/SST-2", k + "teacher=/t",
        k + "output=/out", k + "student=" + student));
    return TaskDistillSettings.from(SettingsLoader.load(TaskDistillSettings.ROOT, Optional.empty(), sets));
  }

  @Test
  void readsTheLayersInBothJobs() {
    GeneralDistillSettings g = general("teacher-layers:2,3,5,6");
    assertEquals(Optional.of(new TeacherLayersSetting(List.of(2, 3, 5, 6))), g.student().teacherLayers());
    assertTrue(g.student().dir().isEmpty());
    TaskDistillSettings t = task("\"teacher-layers: 1, 4\"");
    assertEquals(List.of(1, 4), t.studentLayers().orElseThrow().layers());
    assertEquals(null, t.student());
    assertEquals("teacher-layers:1,4", t.studentLayers().get().toString());
    assertEquals(4, t.studentLayers().get().zeroBased()[1] + 1);
  }

  @Test
  void withoutTheOptionTheStudentReadsAsBefore() {
    GeneralDistillSettings fresh = general("fresh");
    assertTrue(fresh.student().dir().isEmpty() && fresh.student().teacherLayers().isEmpty());
    GeneralDistillSettings dir = general("/models/general");
    assertEquals(Optional.of(new org.apache.hadoop.fs.Path("/models/general")), dir.student().dir());
    assertTrue(dir.student().teacherLayers().isEmpty());
    TaskDistillSettings t = task("/models/general");
    assertEquals(new org.apache.hadoop.fs.Path("/models/general"), t.student());
    assertTrue(t.studentLayers().isEmpty());
  }

  @ParameterizedTest
  @CsvSource(delimiter = '|', value = {
    "teacher-layers:        | must list at least one teacher layer after teacher-layers:, e.g. teacher-layers:2,3,5,6",
    "teacher-layers:2;3     | must be teacher-layers: followed by 1-based teacher layer numbers separated by commas",
    "teacher-layers:2,,3    | must be teacher-layers: followed by 1-based teacher layer numbers separated by commas",
    "teacher-layers:two     | must be teacher-layers: followed by 1-based teacher layer numbers separated by commas",
    "teacher-layers:-1,2    | must be teacher-layers: followed by 1-based teacher layer numbers separated by commas",
    "teacher-layers:0,2     | must number teacher layers from 1 (1-based: 0 is no layer)",
    "teacher-layers:2,3,3   | must list teacher layers in strictly increasing order (3 comes after 3)",
    "teacher-layers:4,2     | must list teacher layers in strictly increasing order (2 comes after 4)",
  })
  void badValuesAreRefusedWithTheKeyTheRuleTheValueAndItsOrigin(String value, String rule) {
    for (String root : List.of(GeneralDistillSettings.ROOT, TaskDistillSettings.ROOT)) {
      String quoted = "\"" + value + "\"";
      SettingsException e = assertThrows(SettingsException.class,
          () -> { if (root.equals(GeneralDistillSettings.ROOT)) general(quoted); else task(quoted); });
      assertEquals(1, e.problems().size(), e.getMessage());
      assertTrue(e.problems().get(0).message().startsWith(root + ".student " + rule), e.getMessage());
      assertTrue(e.getMessage().contains("found \"" + value + "\" (" + SettingsLoader.SET_ORIGIN + ")"),
          e.getMessage());
    }
  }

  @Test
  void aProblemInAFileNamesItsLine() throws Exception {
    Path conf = tmp.resolve("student.conf");
    Files.writeString(conf, "tinybert.general-distill {\n  epochs = 1\n  student = \"teacher-layers:3,1\"\n}\n");
    SettingsException e = assertThrows(SettingsException.class, () -> GeneralDistillSettings.from(
        SettingsLoader.load(GeneralDistillSettings.ROOT, Optional.of(conf.toString()), List.of())));
    assertTrue(e.getMessage().contains("student.conf: 3"), e.getMessage());
    assertTrue(e.getMessage().contains("(1 comes after 3)"), e.getMessage());
  }

  @Test
  void everyProblemIsReportedAtOnce() {
    SettingsException e = assertThrows(SettingsException.class, () -> GeneralDistillSettings.from(
        SettingsLoader.load(GeneralDistillSettings.ROOT, Optional.empty(), List.of(
            GeneralDistillSettings.ROOT + ".student=teacher-layers:0", GeneralDistillSettings.ROOT + ".epochs=0"))));
    assertEquals(2, e.problems().size(), e.getMessage());
  }

  @Test
  void aLayerBeyondTheTeachersIsRefusedOnceTheTeacherIsKnown() {
    TeacherLayersSetting s = new TeacherLayersSetting(List.of(2, 7, 9));
    s.checkAgainst(9, "k", "/t");
    InputException e = assertThrows(InputException.class, () -> s.checkAgainst(6, "tinybert.x.student", "/t"));
    assertEquals("tinybert.x.student = teacher-layers:2,7,9 names teacher layer(s) 7, 9, but the teacher /t has 6"
        + " layers (1 to 6)", e.getMessage());
  }
}
