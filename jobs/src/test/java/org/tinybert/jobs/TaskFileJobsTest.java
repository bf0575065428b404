package org.tinybert.jobs;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.Path;
import org.apache.spark.sql.SparkSession;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.tinybert.augment.AugmentRun;
import org.tinybert.config.AugmentSettings;
import org.tinybert.config.EvaluateSettings;
import org.tinybert.config.FinetuneTeacherSettings;
import org.tinybert.config.InferSettings;
import org.tinybert.config.PredictSettings;
import org.tinybert.config.SettingsException;
import org.tinybert.config.SettingsLoader;
import org.tinybert.config.TaskDistillSettings;
import org.tinybert.glue.GlueExamples;
import org.tinybert.glue.GlueFeatures;
import org.tinybert.glue.GluePrediction;
import org.tinybert.glue.OutputMode;
import org.tinybert.glue.Split;
import org.tinybert.glue.TaskData;
import org.tinybert.glue.TaskDefinition;
import org.tinybert.glue.TaskFile;
import org.tinybert.infer.InferPipeline;
import org.tinybert.infer.InferSummary;
import org.tinybert.io.HadoopIO;
import org.tinybert.model.BertModel;
import org.tinybert.model.ClassifierHead;
import org.tinybert.model.checkpoint.HfCheckpoint;
import org.tinybert.runtime.ExecutorRuntime;
import org.tinybert.scoring.GlueEvaluation;
import org.tinybert.scoring.GlueEvaluator;
import org.tinybert.testing.Golden;
import org.tinybert.testing.LocalSpark;
import org.tinybert.text.BertTokenizer;
import org.tinybert.text.Vocab;

/**
 * The example task files of {@code conf/tasks/} (their tables in {@code deploy/sample/tasks/}) through the task
 * commands on local[2] with the tiny golden models: single-text classification with string labels from CSV, pair
 * classification from JSON lines, regression from TSV, and the CSV table as Parquet. Each command's numbers are the
 * library's own on the same model and rows: evaluate's metrics are those of the best model run by hand, predict's rows
 * its predicted label names.
 */
class TaskFileJobsTest {
  static final java.nio.file.Path ROOT = java.nio.file.Path.of("").toAbsolutePath().getParent();
  static final Configuration CONF = new Configuration();
  @TempDir static java.nio.file.Path tmp;
  static SparkSession spark;
  /** The reviews teacher, fine-tuned once for every test that needs it. */
  static FinetuneTeacherJob.Summary reviews;

  @BeforeAll
  static void start() throws Exception {
    spark = LocalSpark.start("TaskFileJobsTest");
    reviews = FinetuneTeacherJob.run(spark, finetune(task("reviews"), tmp.resolve("reviews-teacher").toString()));
  }

  @AfterAll
  static void stop() {
    LocalSpark.stop(spark);
    ExecutorRuntime.clear();
  }

  static String task(String name) {
    return ROOT.resolve("conf/tasks/" + name + ".conf").toString();
  }

  static FinetuneTeacherSettings finetune(String task, String out, String... more) {
    String k = FinetuneTeacherSettings.ROOT + ".";
    List<String> sets = new ArrayList<>(List.of(
        k + "model=\"" + Golden.hadoopPath("teacher") + "\"",
        k + "task=\"" + task + "\"",
        k + "output=\"" + out + "\"",
        k + "new-classifier=true",
        k + "epochs=2",
        k + "batch-size=8",
        k + "workers=2",
        k + "learning-rate=1e-3"));
    sets.addAll(List.of(more));
    return FinetuneTeacherSettings.from(SettingsLoader.load(FinetuneTeacherSettings.ROOT, Optional.empty(), sets));
  }

  static EvaluateSettings evaluate(String task, Path model, String... more) {
    List<String> sets = new ArrayList<>(List.of("tinybert.evaluate.model=\"" + model + "\"",
        "tinybert.evaluate.task=\"" + task + "\"", "tinybert.evaluate.batch-size=4",
        "tinybert.evaluate.partitions=2"));
    sets.addAll(List.of(more));
    return EvaluateSettings.from(SettingsLoader.load(EvaluateSettings.ROOT, Optional.empty(), sets));
  }

  static PredictSettings predict(String task, Path model, String out) {
    return PredictSettings.from(SettingsLoader.load(PredictSettings.ROOT, Optional.empty(), List.of(
        "tinybert.predict.model=\"" + model + "\"", "tinybert.predict.task=\"" + task + "\"",
        "tinybert.predict.output=\"" + out + "\"", "tinybert.predict.batch-size=4",
        "tinybert.predict.partitions=2")));
  }

  /** The task with its labels as a model names them, read the way the jobs read it. */
  static TaskDefinition loaded(String task, Path model) {
    TaskDefinition t = TaskFile.load(new Path(task), CONF);
    return TaskData.withModelLabels(t, HfCheckpoint.load(model, CONF).config(), model);
  }

  /** A model's predictions on a split, computed by hand on the driver (one model, no Spark). */
  static List<GluePrediction> byHand(TaskDefinition t, Path model, Split split) throws Exception {
    HfCheckpoint ck = HfCheckpoint.load(model, CONF);
    GlueFeatures f = new GlueFeatures(t, null, new BertTokenizer(Vocab.ofModel(model, ck.config().vocabSize(), CONF),
        true), 0);
    GlueExamples ex = TaskData.read(t, split, TaskData.locate(t, split, null, CONF), CONF);
    // Batches of 4, as the jobs run them (2 partitions of 16 or 32 rows): a regression score is not bit-equal across
    // batch shapes.
    return new GlueEvaluator(f, ClassifierHead.HF, 4).predict(new BertModel(ck.config(), ck.weights()),
        f.encodeAll(ex.examples()));
  }

  static Map<String, Double> metricsByHand(TaskDefinition t, Path model) throws Exception {
    List<GluePrediction> p = byHand(t, model, Split.DEV);
    return GlueEvaluator.metrics(t, null, p);
  }

  static void assertMetrics(Map<String, Double> want, Map<String, Double> got) {
    assertEquals(new ArrayList<>(want.keySet()), new ArrayList<>(got.keySet()));
    want.forEach((k, v) -> assertEquals(v, got.get(k), 1e-12, k));
  }

  @Test
  void singleTextWithStringLabelsFineTunesEvaluatesAndPredicts() throws Exception {
    Path best = reviews.result().best().orElseThrow();
    // The labels came from the training set, sorted, and are recorded in the model for every later command.
    HfCheckpoint ck = HfCheckpoint.load(best, CONF);
    assertEquals(List.of("complaint", "praise"), TaskData.id2label(ck.config()));
    JsonNode config = new ObjectMapper().readTree(HadoopIO.readAll(new Path(best, "config.json"), CONF));
    assertEquals(1, config.get("label2id").get("praise").asInt());
    JsonNode eval = new ObjectMapper().readTree(HadoopIO.readAll(new Path(best, "eval.json"), CONF));
    assertEquals("reviews", eval.get("task").asText());
    assertEquals("f1", eval.get("primary_metric").asText(), "best-by");
    assertEquals(List.of("accuracy", "f1", "macro-f1", "mcc"),
        new ArrayList<>(reviews.result().bestMetrics().keySet()));
    assertEquals(64, reviews.trainExamples());
    assertEquals(32, reviews.devExamples());

    TaskDefinition t = loaded(task("reviews"), best);
    EvaluateJob.Summary s = EvaluateJob.run(spark, evaluate(task("reviews"), best));
    EvaluateJob.TaskResult r = s.results().get(0);
    assertEquals("reviews", r.definition().taskName());
    assertEquals(32, r.examples());
    assertMetrics(metricsByHand(t, best), r.metrics());
    assertMetrics(reviews.result().bestMetrics(), r.metrics());
    JsonNode json = new ObjectMapper().readTree(s.toJsonString());
    assertEquals("reviews", json.get("task").asText());
    assertEquals(task("reviews"), json.get("task_file").asText());
    assertFalse(json.has("task_dir"), "a task file has no GLUE directory");
    assertEquals(32, json.get("results").get("reviews").get("examples").asInt());

    String out = tmp.resolve("reviews-predictions").toString();
    PredictJob.Summary p = PredictJob.run(spark, predict(task("reviews"), best, out));
    assertEquals("reviews.tsv", new Path(p.files().get(0).output()).getName());
    List<String> lines = Files.readAllLines(java.nio.file.Path.of(out, "reviews.tsv"), StandardCharsets.UTF_8);
    List<GluePrediction> want = byHand(t, best, Split.TEST);
    assertEquals(17, lines.size(), "a header and one row per test row");
    assertEquals("review_id\tprediction", lines.get(0));
    for (int i = 0; i < want.size(); i++) {
      assertEquals(String.format("r%03d", i) + "\t" + t.labels().get(want.get(i).labelId()), lines.get(i + 1));
    }
  }

  @Test
  void taskDistillationOfATaskFileRunsBothStages() throws Exception {
    String out = tmp.resolve("reviews-student").toString();
    String k = TaskDistillSettings.ROOT + ".";
    List<String> sets = new ArrayList<>(List.of(
        k + "task=\"" + task("reviews") + "\"",
        k + "teacher=\"" + reviews.result().best().orElseThrow() + "\"",
        k + "student=\"" + Golden.hadoopPath("student") + "\"",
        k + "output=\"" + out + "\"",
        k + "eval-every=4"));
    for (String stage : List.of("intermediate", "prediction")) {
      sets.addAll(List.of(k + stage + ".epochs=1", k + stage + ".batch-size=8", k + stage + ".workers=2",
          k + stage + ".learning-rate=1e-3"));
    }
    TaskDistillJob.Summary s = TaskDistillJob.run(spark,
        TaskDistillSettings.from(SettingsLoader.load(TaskDistillSettings.ROOT, Optional.empty(), sets)));
    assertEquals(2, s.stages().size());
    Path best = s.last().best().orElseThrow();
    assertEquals(List.of("accuracy", "f1", "macro-f1", "mcc"), new ArrayList<>(s.last().bestMetrics().keySet()));
    // The student names the teacher's labels, so evaluate and predict (and infer) need nothing else.
    assertEquals(List.of("complaint", "praise"), TaskData.id2label(HfCheckpoint.load(best, CONF).config()));
    assertMetrics(metricsByHand(loaded(task("reviews"), best), best),
        EvaluateJob.run(spark, evaluate(task("reviews"), best)).results().get(0).metrics());
    // infer scores the task's CSV test table as it is, with the student's label names.
    java.nio.file.Path scored = tmp.resolve("reviews-scored");
    String i = InferSettings.ROOT + ".";
    InferSummary inferred = InferPipeline.run(spark, InferSettings.from(SettingsLoader.load(InferSettings.ROOT,
        Optional.empty(), List.of(i + "model=\"" + best + "\"",
            i + "input=\"" + ROOT.resolve("deploy/sample/tasks/reviews/test.csv") + "\"",
            i + "output=\"" + scored + "\"", i + "text-column=review", i + "id-column=review_id",
            i + "output-kind=labels", i + "output-format=tsv"))));
    assertEquals("csv", inferred.inputFormat());
    assertEquals(16, inferred.examples());
    List<String> rows = new ArrayList<>();
    try (var parts = Files.list(scored)) {
      for (java.nio.file.Path part : parts.filter(p -> p.getFileName().toString().endsWith(".tsv")).sorted()
          .toList()) {
        rows.addAll(Files.readAllLines(part, StandardCharsets.UTF_8));
      }
    }
    assertEquals("review_id\treview\tlabel", rows.get(0));
    assertTrue(rows.get(1).matches("r000\tworst music the car\t(complaint|praise)"), rows.get(1));
  }

  @Test
  void pairClassificationFromJsonLines() throws Exception {
    FinetuneTeacherJob.Summary f = FinetuneTeacherJob.run(spark, finetune(task("pairs"), tmp.resolve("pairs")
        .toString(), FinetuneTeacherSettings.ROOT + ".epochs=1"));
    Path best = f.result().best().orElseThrow();
    assertEquals(List.of("different", "same"), TaskData.id2label(HfCheckpoint.load(best, CONF).config()));
    EvaluateJob.TaskResult r = EvaluateJob.run(spark, evaluate(task("pairs"), best)).results().get(0);
    assertEquals(24, r.maxSeqLength(), "the task file's");
    assertMetrics(metricsByHand(loaded(task("pairs"), best), best), r.metrics());
    String out = tmp.resolve("pairs-predictions").toString();
    PredictJob.run(spark, predict(task("pairs"), best, out));
    List<String> lines = Files.readAllLines(java.nio.file.Path.of(out, "pairs.tsv"), StandardCharsets.UTF_8);
    assertEquals("pair_id\tprediction", lines.get(0));
    assertTrue(lines.get(1).matches("1000\t(different|same)"), lines.get(1));
  }

  @Test
  void regressionFromTsvSkipsAndCountsBadRows() throws Exception {
    // The sample table plus a row whose score is not a number: the task file says bad-rows = skip.
    java.nio.file.Path dir = Files.createDirectories(tmp.resolve("scores"));
    java.nio.file.Path sample = ROOT.resolve("deploy/sample/tasks/scores");
    for (String split : List.of("train", "dev", "test")) {
      Files.copy(sample.resolve(split + ".tsv"), dir.resolve(split + ".tsv"));
    }
    Files.writeString(dir.resolve("dev.tsv"), "good cat\thigh\n", java.nio.file.StandardOpenOption.APPEND);
    java.nio.file.Path taskFile = dir.resolve("scores.conf");
    Files.writeString(taskFile, Files.readString(ROOT.resolve("conf/tasks/scores.conf"))
        .replace("../../deploy/sample/tasks/scores/", ""));
    FinetuneTeacherJob.Summary f = FinetuneTeacherJob.run(spark, finetune(taskFile.toString(),
        tmp.resolve("scores-teacher").toString(), FinetuneTeacherSettings.ROOT + ".epochs=1"));
    Path best = f.result().best().orElseThrow();
    assertEquals(1, HfCheckpoint.load(best, CONF).config().numLabels());
    EvaluateJob.TaskResult r = EvaluateJob.run(spark, evaluate(taskFile.toString(), best)).results().get(0);
    assertEquals(32, r.examples());
    assertEquals(1, r.skipped());
    TaskDefinition t = TaskFile.load(new Path(taskFile.toString()), CONF);
    assertEquals(OutputMode.REGRESSION, t.outputMode());
    assertMetrics(metricsByHand(t, best), r.metrics());
    assertEquals(List.of("pearson", "spearman"), new ArrayList<>(r.metrics().keySet()));
    String out = tmp.resolve("scores-predictions").toString();
    PredictJob.run(spark, predict(taskFile.toString(), best, out));
    List<String> lines = Files.readAllLines(java.nio.file.Path.of(out, "scores.tsv"), StandardCharsets.UTF_8);
    assertEquals("index\tprediction", lines.get(0));
    assertEquals(17, lines.size());
    assertTrue(lines.get(1).matches("0\t-?\\d+\\.\\d{3}"), lines.get(1));
  }

  @Test
  void theCsvTableAsParquet() throws Exception {
    java.nio.file.Path dir = tmp.resolve("parquet");
    for (String split : List.of("train", "dev")) {
      spark.read().option("header", true).csv(ROOT.resolve("deploy/sample/tasks/reviews/" + split + ".csv").toString())
          .coalesce(1).write().parquet(dir.resolve(split).toString());
    }
    java.nio.file.Path taskFile = dir.resolve("reviews-parquet.conf");
    Files.writeString(taskFile, "train = train\ndev = \"dev/*.parquet\"\ntext = review\nlabel = label\nid = review_id\n"
        + "kind = classification\nlabels = [complaint, praise]\nmetrics = [accuracy, macro-f1]\nmax-seq-length = 16\n");
    FinetuneTeacherJob.Summary f = FinetuneTeacherJob.run(spark, finetune(taskFile.toString(),
        tmp.resolve("parquet-teacher").toString(), FinetuneTeacherSettings.ROOT + ".epochs=1"));
    assertEquals(64, f.trainExamples(), "the directory of parts, _SUCCESS and .crc files left out");
    Path best = f.result().best().orElseThrow();
    EvaluateJob.TaskResult r = EvaluateJob.run(spark, evaluate(taskFile.toString(), best)).results().get(0);
    assertMetrics(metricsByHand(loaded(taskFile.toString(), best), best), r.metrics());
  }

  @Test
  void augmentKeepsEveryOtherColumnAndTaskDistillationTrainsOnIt() throws Exception {
    // The regression sample with an id and a column augment must leave alone, as a TSV task file.
    java.nio.file.Path dir = Files.createDirectories(tmp.resolve("augment"));
    List<String> rows = Files.readAllLines(ROOT.resolve("deploy/sample/tasks/scores/train.tsv"));
    StringBuilder train = new StringBuilder("id\tsentence\tnote\tscore\n");
    for (int i = 1; i <= 8; i++) {
      String[] f = rows.get(i).split("\t");
      train.append("s").append(i).append('\t').append(f[0]).append("\tkeep me ").append(i).append('\t').append(f[1])
          .append('\n');
    }
    Files.writeString(dir.resolve("train.tsv"), train.toString());
    Files.copy(ROOT.resolve("deploy/sample/tasks/scores/dev.tsv"), dir.resolve("dev.tsv"));
    java.nio.file.Path taskFile = dir.resolve("notes.conf");
    Files.writeString(taskFile, "train = train.tsv\ndev = dev.tsv\ntrain-aug = train_aug.tsv\ntext = sentence\n"
        + "label = score\nid = id\nkind = regression\nmax-seq-length = 16\n");
    String a = "tinybert.augment.";
    AugmentSettings settings = AugmentSettings.from(SettingsLoader.load(AugmentSettings.ROOT, Optional.empty(),
        List.of(a + "task=\"" + taskFile + "\"", a + "output=\"" + dir.resolve("train_aug.tsv") + "\"",
            a + "glove=\"" + resource("augment/glove.txt.gz") + "\"", a + "mlm=\"" + Golden.hadoopPath("teacher")
            + "\"", a + "variants=3", a + "top-k=5", a + "seed=11")));
    assertEquals(new Path(dir.resolve("train.tsv").toString()), settings.input(), "the task file's train table");
    AugmentRun.Result r = AugmentJob.run(spark, settings);
    assertEquals(8, r.summary().inputRows());
    List<String> out = Files.readAllLines(dir.resolve("train_aug.tsv"));
    assertEquals("id\tsentence\tnote\tscore", out.get(0));
    assertTrue(out.size() > 9, "variants written: " + out.size());
    for (String line : out.subList(1, out.size())) {
      String[] f = line.split("\t", -1);
      assertEquals(4, f.length, line);
      int i = Integer.parseInt(f[0].substring(1));
      String[] source = train.toString().split("\n")[i].split("\t");
      assertEquals(List.of(source[0], source[2], source[3]), List.of(f[0], f[2], f[3]), "only the text changes");
    }
    // task-distill trains on the augmented table the task file names.
    String k = TaskDistillSettings.ROOT + ".";
    TaskDistillSettings td = TaskDistillSettings.from(SettingsLoader.load(TaskDistillSettings.ROOT, Optional.empty(),
        List.of(k + "task=\"" + taskFile + "\"", k + "teacher=\"" + Golden.hadoopPath("student") + "\"",
            k + "student=\"" + Golden.hadoopPath("student") + "\"", k + "output=\"" + dir.resolve("td") + "\"",
            k + "stage=intermediate")));
    assertEquals(new Path(dir.resolve("train_aug.tsv").toString()),
        org.tinybert.training.TaskDistillation.prepare(spark, td).trainFile());
  }

  static String resource(String name) throws Exception {
    return java.nio.file.Path.of(TaskFileJobsTest.class.getResource("/org/tinybert/" + name).toURI()).toString();
  }

  /** A relative task file (as the README's commands give it) finds its tables relative to itself. */
  @Test
  void aRelativeTaskFileFindsItsTablesBesideIt() throws Exception {
    // Surefire runs in jobs/: the repository's conf/ is ../conf.
    TaskFile t = TaskFile.load(new Path("../conf/tasks/reviews.conf"), CONF);
    Path train = TaskData.locate(t, Split.TRAIN, null, CONF);
    assertEquals(ROOT.resolve("deploy/sample/tasks/reviews/train.csv").toRealPath(),
        java.nio.file.Path.of(train.toString()).toAbsolutePath().normalize());
    assertEquals(64, TaskData.read(t, Split.TRAIN, train, CONF).size());
  }

  @Test
  void aBadTaskFileIsRefusedWithTheSettingsBeforeAnythingRuns() throws Exception {
    java.nio.file.Path bad = tmp.resolve("bad.conf");
    Files.writeString(bad, "train = x.csv\ntext = t\nlabel = l\nkind = regression\nmetrics = [accuracy]\n"
        + "best-by = mcc\n");
    SettingsException e = assertThrows(SettingsException.class, () -> evaluate(bad.toString(), new Path("m")));
    String file = new Path(bad.toString()).toString();
    assertEquals("invalid settings (2 problems):\n"
        + "  - tinybert.evaluate.task: task file " + bad + ": metrics holds 'accuracy', which does not fit kind = "
        + "regression; a regression task's metrics are pearson, spearman, found [\"accuracy\"] (" + file + ": 5) "
        + "(--set on the command line)\n"
        + "  - tinybert.evaluate.task: task file " + bad + ": best-by must be one of the metrics [accuracy], found "
        + "\"mcc\" (" + file + ": 6) (--set on the command line)", e.getMessage());
  }
}
