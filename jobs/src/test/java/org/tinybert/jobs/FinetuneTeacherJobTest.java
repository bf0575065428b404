package org.tinybert.jobs;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
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
import org.tinybert.config.FinetuneTeacherSettings;
import org.tinybert.config.SettingsLoader;
import org.tinybert.glue.GlueFeatures;
import org.tinybert.glue.GlueReader;
import org.tinybert.glue.GlueTask;
import org.tinybert.glue.Split;
import org.tinybert.io.RunLog;
import org.tinybert.model.BertModel;
import org.tinybert.model.ClassifierHead;
import org.tinybert.model.checkpoint.HfCheckpoint;
import org.tinybert.scoring.GlueEvaluator;
import org.tinybert.run.RunSchemas;
import org.tinybert.testing.Golden;
import org.tinybert.testing.LocalSpark;
import org.tinybert.text.BertTokenizer;
import org.tinybert.text.Vocab;

/** finetune-teacher on local[2]: the golden tiny BERT learns a keyword-decided SST-2-format task. */
class FinetuneTeacherJobTest {
  @TempDir static java.nio.file.Path tmp;
  static SparkSession spark;
  static java.nio.file.Path taskDir;
  static FinetuneTeacherJob.Summary summary;
  static String output;

  @BeforeAll
  static void start() throws Exception {
    spark = LocalSpark.start("FinetuneTeacherJobTest");
    taskDir = SyntheticSst2.write(tmp.resolve("SST-2"), 64, 32, 5);
    output = tmp.resolve("teacher").toString();
    summary = FinetuneTeacherJob.run(spark, settings(output));
  }

  @AfterAll
  static void stop() {
    LocalSpark.stop(spark);
  }

  static FinetuneTeacherSettings settings(String out, String... more) {
    String k = FinetuneTeacherSettings.ROOT + ".";
    List<String> sets = new ArrayList<>(List.of(
        k + "model=\"" + Golden.hadoopPath("teacher") + "\"",
        k + "task=sst-2",
        k + "task-dir=\"" + taskDir + "\"",
        k + "output=\"" + out + "\"",
        k + "max-seq-length=12",
        k + "new-classifier=true",
        k + "epochs=2",
        k + "batch-size=8",
        k + "workers=2",
        k + "learning-rate=1e-3",
        k + "checkpoint-every=4"));
    sets.addAll(List.of(more));
    return FinetuneTeacherSettings.from(SettingsLoader.load(FinetuneTeacherSettings.ROOT, Optional.empty(), sets));
  }

  @Test
  void learnsTheTask() throws Exception {
    // The golden student as the BERT to fine-tune: the random golden teacher's pooler barely separates inputs, so
    // it needs far more steps than a test should take. Best-of-epochs selection keeps the highest dev score. Without
    // dropout: at 0.1 on this 24-wide model the same 8 epochs reach only 0.8-0.85, depending on the masks drawn.
    String k = FinetuneTeacherSettings.ROOT + ".";
    FinetuneTeacherJob.Summary s = FinetuneTeacherJob.run(spark, settings(tmp.resolve("learn").toString(),
        k + "epochs=8", k + "averaging-frequency=4", k + "schedule=constant", k + "learning-rate=2e-3", k + "dropout=0",
        k + "model=\"" + Golden.hadoopPath("student") + "\""));
    double acc = s.result().bestMetrics().get("acc");
    assertTrue(acc >= 0.9, "best dev accuracy " + acc + ", evaluations " + s.result().evaluations().stream()
        .map(e -> e[1]).toList());
  }

  @Test
  void keepsTheBestDevCheckpointWithItsMetrics() throws Exception {
    Configuration conf = new Configuration();
    Path best = summary.result().best().orElseThrow();
    JsonNode eval = new ObjectMapper().readTree(Files.readAllBytes(java.nio.file.Path.of(best.toString(),
        "eval.json")));
    double acc = eval.get("metrics").get("acc").asDouble();
    assertEquals(2, summary.result().evaluations().size(), "one dev scoring per epoch");
    assertEquals(summary.result().evaluations().stream().mapToDouble(e -> e[1]).max().orElseThrow(), acc, 1e-12);
    // The saved best scores the same when loaded back: it is the model eval.json describes.
    HfCheckpoint ck = HfCheckpoint.load(best, conf);
    assertEquals(2, ck.config().numLabels());
    Vocab vocab = Vocab.load(new Path(best, "vocab.txt"), conf);
    GlueFeatures f = new GlueFeatures(GlueTask.SST_2, null, new BertTokenizer(vocab, true), 12);
    double again = new GlueEvaluator(f, ClassifierHead.HF, 16).evaluate(new BertModel(ck.config(), ck.weights()),
        GlueReader.read(GlueTask.SST_2, Split.DEV, new Path(taskDir.resolve("dev.tsv").toString()), conf).examples())
        .primary();
    assertEquals(acc, again, 1e-9);
    assertEquals(summary.result().rounds(), new RunLog(new Path(output), conf, Long.MAX_VALUE).records().size());
    assertEquals(List.of(), RunSchemas.runProblems(java.nio.file.Path.of(output)));
  }

  @Test
  void aFinishedRunIsNotTrainedAgain() throws Exception {
    FinetuneTeacherJob.Summary again = FinetuneTeacherJob.run(spark, settings(output));
    assertTrue(again.result().alreadyFinished());
    assertEquals(summary.result().bestMetrics(), again.result().bestMetrics());
    assertEquals(summary.trainExamples(), again.trainExamples());
    assertEquals(summary.devExamples(), again.devExamples());
    assertEquals(summary.result().rounds(), again.result().rounds());
    // Returned from what the run left: neither the model nor the task's files are read again (Airflow's rerun of a
    // finished step returns at once).
    String k = FinetuneTeacherSettings.ROOT + ".";
    FinetuneTeacherJob.Summary skipped = FinetuneTeacherJob.run(spark, settings(output,
        k + "model=\"" + tmp.resolve("no-such-model") + "\"", k + "task-dir=\"" + tmp.resolve("no-such-dir") + "\""));
    assertTrue(skipped.result().alreadyFinished());
    assertEquals(summary.result().bestMetrics(), skipped.result().bestMetrics());
  }

  @Test
  void aClassifierOfAnotherLabelCountIsRefusedUnlessReplaced() {
    // The golden teacher's classifier has 3 rows; SST-2 has 2 labels.
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> FinetuneTeacherJob.run(spark,
        settings(tmp.resolve("refused").toString(), FinetuneTeacherSettings.ROOT + ".new-classifier=false")));
    assertTrue(e.getMessage().contains("new-classifier"), e.getMessage());
    assertFalse(Files.exists(tmp.resolve("refused/checkpoints")));
  }
}
