package org.tinybert.jobs;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.nio.file.Files;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.Path;
import org.apache.spark.sql.SparkSession;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.tinybert.config.GeneralDistillSettings;
import org.tinybert.config.SettingsLoader;
import org.tinybert.config.TaskDistillSettings;
import org.tinybert.io.HadoopIO;
import org.tinybert.io.RunLog;
import org.tinybert.model.checkpoint.HfCheckpoint;
import org.tinybert.model.checkpoint.HfNames;
import org.tinybert.model.core.BertConfig;
import org.tinybert.run.RunFiles;
import org.tinybert.testing.Golden;
import org.tinybert.testing.LocalSpark;

/**
 * Both distillation jobs with a student cut from the golden teacher (6 layers, hidden 48, 3 labels), on local[2]:
 * {@code student = "teacher-layers:..."} end to end, and its errors stopping a job before it trains.
 */
class TeacherLayersJobTest {
  @TempDir static java.nio.file.Path tmp;
  static SparkSession spark;
  static java.nio.file.Path corpus;
  static java.nio.file.Path taskDir;
  static final ObjectMapper JSON = new ObjectMapper();

  @BeforeAll
  static void start() throws IOException {
    spark = LocalSpark.start("TeacherLayersJobTest");
    List<String> lines = Files.readAllLines(java.nio.file.Path.of(System.getProperty("tinybert.root", ".."))
        .resolve("deploy/sample/corpus/sample.txt"));
    corpus = Files.createDirectories(tmp.resolve("corpus"));
    Files.write(corpus.resolve("part-0.txt"), lines.subList(0, 100));
    taskDir = SyntheticMnli.write(tmp.resolve("MNLI"));
  }

  @AfterAll
  static void stop() {
    LocalSpark.stop(spark);
  }

  static GeneralDistillSettings general(String output, String... more) {
    String k = GeneralDistillSettings.ROOT + ".";
    List<String> sets = new ArrayList<>(List.of(
        k + "corpus=[\"" + corpus + "\"]",
        k + "teacher=\"" + Golden.hadoopPath("teacher") + "\"",
        k + "output=\"" + output + "\"",
        k + "max-seq-length=24", k + "epochs=1", k + "batch-size=8", k + "averaging-frequency=1", k + "workers=2",
        k + "probe-examples=4", k + "checkpoint-every=4", k + "learning-rate=1e-3"));
    sets.addAll(List.of(more));
    return GeneralDistillSettings.from(SettingsLoader.load(GeneralDistillSettings.ROOT, Optional.empty(), sets));
  }

  static TaskDistillSettings task(String output, String... more) {
    String k = TaskDistillSettings.ROOT + ".";
    List<String> sets = new ArrayList<>(List.of(
        k + "task=mnli",
        k + "task-dir=\"" + taskDir + "\"",
        k + "teacher=\"" + Golden.hadoopPath("teacher") + "\"",
        k + "output=\"" + output + "\"",
        k + "max-seq-length=24",
        k + "eval-every=2"));
    for (String stage : List.of("intermediate", "prediction")) {
      sets.addAll(List.of(k + stage + ".epochs=1", k + stage + ".batch-size=4", k + stage + ".workers=2",
          k + stage + ".learning-rate=1e-3", k + stage + ".checkpoint-every=2"));
    }
    sets.addAll(List.of(more));
    return TaskDistillSettings.from(SettingsLoader.load(TaskDistillSettings.ROOT, Optional.empty(), sets));
  }

  static JsonNode manifest(String dir) throws IOException {
    return JSON.readTree(HadoopIO.readAll(new Path(dir, RunFiles.MANIFEST), new Configuration()));
  }

  static void assertTeachersShape(BertConfig student, int layers) {
    BertConfig t = Golden.checkpoint("teacher").config();
    assertEquals(layers, student.numHiddenLayers());
    assertEquals(List.of(t.hiddenSize(), t.numAttentionHeads(), t.intermediateSize(), t.vocabSize(),
        t.maxPositionEmbeddings(), t.typeVocabSize()), List.of(student.hiddenSize(), student.numAttentionHeads(),
        student.intermediateSize(), student.vocabSize(), student.maxPositionEmbeddings(), student.typeVocabSize()));
  }

  @Test
  void generalDistillTrainsAStudentCutFromTheTeacher() throws Exception {
    String out = tmp.resolve("general").toString();
    // 3 of 6 layers: the uniform mapping (every second teacher layer) maps each to the layer it was copied from.
    GeneralDistillJob.Summary s = GeneralDistillJob.run(spark,
        general(out, GeneralDistillSettings.ROOT + ".student=teacher-layers:2,4,6"));
    assertTrue(s.rounds() > 0 && s.examples() > 0, s.describe());
    Configuration conf = new Configuration();
    HfCheckpoint student = HfCheckpoint.load(new Path(out, "student"), conf);
    assertTeachersShape(student.config(), 3);
    assertTrue(student.weights().containsKey(HfNames.weight(HfNames.FIT_DENSE)));
    assertTrue(student.heads().pooler());
    JsonNode m = manifest(out);
    assertEquals("teacher-layers:2,4,6", m.at("/settings/student/teacherLayers").asText(), m.toString());
    assertEquals("teacher-layers:2,4,6", m.at("/student_from/setting").asText(), m.toString());
    assertEquals(JSON.readTree("[2,4,6]"), m.at("/student_from/teacher_layers"));
    assertEquals("identity", m.at("/student_from/fit_dense").asText());
    // It trained: the first layer moved away from the teacher's second.
    double moved = student.weights().get(HfNames.weight(HfNames.query(0)))
        .sub(Golden.checkpoint("teacher").weights().get(HfNames.weight(HfNames.query(1)))).amaxNumber().doubleValue();
    assertTrue(moved > 0, "moved " + moved);
    // Every probe loss is finite, per layer too.
    for (JsonNode rec : new RunLog(new Path(out), conf, Long.MAX_VALUE).records()) {
      assertEquals(3, rec.get("probe_attention_per_layer").size(), rec.toString());
      assertTrue(Double.isFinite(rec.get("probe_total").asDouble()), rec.toString());
    }
  }

  @Test
  void taskDistillRunsBothStagesFromAStudentCutFromTheTeacher() throws Exception {
    String out = tmp.resolve("task").toString();
    TaskDistillJob.Summary s = TaskDistillJob.run(spark, task(out,
        TaskDistillSettings.ROOT + ".student=\"teacher-layers:2,3,5,6\"",
        TaskDistillSettings.ROOT + ".layer-mapping=\"2,3,5,6\""));
    assertEquals(2, s.stages().size());
    Configuration conf = new Configuration();
    HfCheckpoint inter = HfCheckpoint.load(new Path(out, "intermediate/student"), conf);
    assertTeachersShape(inter.config(), 4);
    assertEquals(3, inter.heads().numLabels());
    assertTrue(inter.weights().containsKey(HfNames.weight(HfNames.FIT_DENSE)));
    JsonNode im = manifest(out + "/intermediate");
    assertEquals("teacher-layers:2,3,5,6", im.at("/inputs/student").asText(), im.toString());
    assertEquals(JSON.readTree("[2,3,5,6]"), im.at("/inputs/student_from/teacher_layers"), im.toString());
    // The prediction stage starts from the intermediate stage's student, as for any student.
    JsonNode pm = manifest(out);
    assertEquals(new Path(out, "intermediate/student").toString(), pm.at("/inputs/student").asText());
    assertTrue(s.last().bestMetrics().containsKey("acc"), "metrics: " + s.last().bestMetrics());
    assertTeachersShape(HfCheckpoint.load(new Path(out, "best"), conf).config(), 4);
  }

  @Test
  void thePredictionStageAloneStartsWithTheTeachersClassifier() throws Exception {
    String out = tmp.resolve("prediction").toString();
    TaskDistillJob.Summary s = TaskDistillJob.run(spark, task(out,
        TaskDistillSettings.ROOT + ".student=teacher-layers:1,2,3,4,5,6",
        TaskDistillSettings.ROOT + ".stage=prediction",
        TaskDistillSettings.ROOT + ".prediction.learning-rate=1e-12"));
    assertEquals(1, s.stages().size());
    // With every layer and a learning rate too small to move it, the student is the teacher: its classifier too.
    HfCheckpoint student = HfCheckpoint.load(new Path(out, "student"), new Configuration());
    HfCheckpoint teacher = Golden.checkpoint("teacher");
    for (String name : List.of(HfNames.weight(HfNames.CLASSIFIER), HfNames.weight(HfNames.POOLER),
        HfNames.WORD_EMBEDDINGS)) {
      assertArrayEquals(teacher.weights().get(name).dup().data().asFloat(),
          student.weights().get(name).dup().data().asFloat(), 1e-6f, name);
    }
    assertEquals("teacher-layers:1,2,3,4,5,6", manifest(out).at("/inputs/student").asText());
  }

  @Test
  void badLayersStopBothJobsBeforeTraining() {
    String g = tmp.resolve("bad-general").toString();
    Exception e = assertThrows(Exception.class, () -> GeneralDistillJob.run(spark,
        general(g, GeneralDistillSettings.ROOT + ".student=teacher-layers:2,7")));
    assertTrue(e.getMessage().contains("tinybert.general-distill.student = teacher-layers:2,7 names teacher layer(s) 7"
        + ", but the teacher"), e.getMessage());
    assertFalse(HadoopIO.exists(new Path(g, "checkpoints"), new Configuration()));
    // 4 of 6 layers with the default uniform mapping: refused, naming the list that fits.
    e = assertThrows(Exception.class, () -> GeneralDistillJob.run(spark,
        general(g, GeneralDistillSettings.ROOT + ".student=teacher-layers:2,3,5,6")));
    assertTrue(e.getMessage().contains("layer-mapping = \"2,3,5,6\""), e.getMessage());
    assertFalse(HadoopIO.exists(new Path(g, "checkpoints"), new Configuration()));

    String t = tmp.resolve("bad-task").toString();
    e = assertThrows(Exception.class, () -> TaskDistillJob.run(spark,
        task(t, TaskDistillSettings.ROOT + ".student=teacher-layers:0,3")));
    assertTrue(e.getMessage().contains("tinybert.task-distill.student must number teacher layers from 1"),
        e.getMessage());
    e = assertThrows(Exception.class, () -> TaskDistillJob.run(spark,
        task(t, TaskDistillSettings.ROOT + ".student=teacher-layers:3,8")));
    assertTrue(e.getMessage().contains("tinybert.task-distill.student = teacher-layers:3,8 names teacher layer(s) 8"),
        e.getMessage());
    e = assertThrows(Exception.class, () -> TaskDistillJob.run(spark,
        task(t, TaskDistillSettings.ROOT + ".student=teacher-layers:2,3,5,6")));
    assertTrue(e.getMessage().contains("layer-mapping = \"2,3,5,6\""), e.getMessage());
    assertFalse(HadoopIO.exists(new Path(t), new Configuration()), "nothing written");
  }
}
