package org.tinybert.jobs;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.IOException;
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
import org.tinybert.config.SettingsLoader;
import org.tinybert.config.TaskDistillSettings;
import org.tinybert.io.HadoopIO;
import org.tinybert.io.RunLog;
import org.tinybert.model.checkpoint.HfCheckpoint;
import org.tinybert.report.RunReport;
import org.tinybert.report.StageRun;
import org.tinybert.run.RunSchemas;
import org.tinybert.testing.Golden;
import org.tinybert.testing.LocalSpark;
import org.tinybert.training.GlueStage;

/**
 * Both stages of task distillation on local[2] with tiny models: the golden teacher (3 labels, standing in for a
 * teacher fine-tuned on MNLI) and the golden student (a general student with fit_dense), on MNLI-format rows.
 */
class TaskDistillJobTest {
  @TempDir static java.nio.file.Path tmp;
  static SparkSession spark;
  static java.nio.file.Path taskDir;

  @BeforeAll
  static void start() throws IOException {
    spark = LocalSpark.start("TaskDistillJobTest");
    taskDir = SyntheticMnli.write(tmp.resolve("MNLI"));
  }

  @AfterAll
  static void stop() {
    LocalSpark.stop(spark);
  }

  static TaskDistillSettings settings(String out, String... more) {
    return settings(taskDir, out, more);
  }

  static TaskDistillSettings settings(java.nio.file.Path taskDir, String out, String... more) {
    String k = TaskDistillSettings.ROOT + ".";
    List<String> sets = new ArrayList<>(List.of(
        k + "task=mnli",
        k + "task-dir=\"" + taskDir + "\"",
        k + "teacher=\"" + Golden.hadoopPath("teacher") + "\"",
        k + "student=\"" + Golden.hadoopPath("student") + "\"",
        k + "output=\"" + out + "\"",
        k + "max-seq-length=24",
        k + "eval-every=2"));
    for (String stage : List.of("intermediate", "prediction")) {
      sets.addAll(List.of(k + stage + ".epochs=1", k + stage + ".batch-size=4", k + stage + ".workers=2",
          k + stage + ".learning-rate=1e-3", k + stage + ".checkpoint-every=2"));
    }
    sets.addAll(List.of(more));
    return TaskDistillSettings.from(SettingsLoader.load(TaskDistillSettings.ROOT, Optional.empty(), sets));
  }

  @Test
  void bothStagesRunAndKeepTheBestStudent() throws Exception {
    String out = tmp.resolve("run").toString();
    TaskDistillJob.Summary s = TaskDistillJob.run(spark, settings(out));
    assertEquals(2, s.stages().size());
    Configuration conf = new Configuration();
    // The intermediate stage's student (with fit_dense) feeds the prediction stage.
    HfCheckpoint inter = HfCheckpoint.load(new Path(out, "intermediate/student"), conf);
    assertTrue(inter.weights().containsKey("fit_dense.weight"));
    assertTrue(HadoopIO.exists(new Path(out, "best/eval.json"), conf));
    assertTrue(s.last().best().isPresent());
    assertTrue(s.last().bestMetrics().containsKey("acc"), "metrics: " + s.last().bestMetrics());
    // Dev was scored every 2 steps: 8 minibatches of 4 over 2 workers = 4 steps, so twice (and the best kept).
    assertEquals(2, s.last().evaluations().size());
    assertEquals(s.last().rounds(), new RunLog(new Path(out), conf, Long.MAX_VALUE).records().size());
    // The intermediate stage records its probe batch's losses per layer; the prediction stage has none to record.
    int layers = HfCheckpoint.load(Golden.hadoopPath("student"), conf).config().numHiddenLayers();
    List<JsonNode> probed = new RunLog(new Path(out, "intermediate"), conf, Long.MAX_VALUE).records();
    assertEquals(s.stages().get(0).rounds(), probed.size());
    for (JsonNode rec : probed) {
      assertEquals(layers, rec.get("probe_attention_per_layer").size(), rec.toString());
      assertEquals(layers + 1, rec.get("probe_hidden_per_layer").size(), rec.toString());
      assertTrue(rec.get("probe_total").asDouble() > 0, rec.toString());
    }
    assertTrue(new RunLog(new Path(out), conf, Long.MAX_VALUE).records().stream().noneMatch(r -> r.has("probe_total")));
    // Every record of both stages fits its schema in docs/schema.
    assertEquals(List.of(), RunSchemas.runProblems(tmp.resolve("run")));
    assertEquals(List.of(), RunSchemas.runProblems(tmp.resolve("run/intermediate")));
    // tinybert report reads both stages back.
    assertEquals(List.of("task-distill intermediate", "task-distill prediction"),
        RunReport.read(new Path(out), conf).stages().stream().map(StageRun::job).toList());
    // A finished run trains nothing when run again.
    TaskDistillJob.Summary again = TaskDistillJob.run(spark, settings(out));
    assertTrue(again.stages().stream().allMatch(GlueStage.Result::alreadyFinished));
  }

  @Test
  void aTeacherNotFineTunedForTheTaskIsRefusedBeforeTraining() {
    String out = tmp.resolve("bad").toString();
    Exception e = assertThrows(Exception.class, () -> TaskDistillJob.run(spark,
        settings(out, TaskDistillSettings.ROOT + ".task=sst-2")));
    assertTrue(e.getMessage().contains("must be fine-tuned on sst-2"), e.getMessage());
    assertTrue(!HadoopIO.exists(new Path(out), new Configuration()), "nothing written");
  }

}
