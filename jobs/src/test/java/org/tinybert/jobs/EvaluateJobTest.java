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
import java.util.Map;
import java.util.Optional;
import java.util.stream.Stream;
import org.apache.hadoop.fs.Path;
import org.apache.spark.sql.SparkSession;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import org.tinybert.config.EvaluateSettings;
import org.tinybert.config.SettingsLoader;
import org.tinybert.glue.GlueFixtures;
import org.tinybert.glue.GlueTask;
import org.tinybert.glue.Split;
import org.tinybert.jobs.cli.ExitCodes;
import org.tinybert.runtime.ExecutorRuntime;
import org.tinybert.testing.LocalSpark;
import org.tinybert.testing.TinyClassifiers;

/**
 * The evaluate job on local[2] against metrics computed by hand (one forward pass on the driver) from the same tiny
 * classifiers, on the hand-made GLUE dev files.
 */
class EvaluateJobTest {
  static final int MAX_SEQ_LENGTH = 32; // the tiny models have 64 positions: the tasks' 128 would not fit
  static SparkSession spark;
  @TempDir static java.nio.file.Path tmp;
  static Path[] models = new Path[4];

  @BeforeAll
  static void start() {
    spark = LocalSpark.start("EvaluateJobTest");
    for (int labels = 1; labels <= 3; labels++) models[labels] = TinyClassifiers.saveStudent(tmp, labels);
  }

  @AfterAll
  static void stop() {
    LocalSpark.stop(spark);
    ExecutorRuntime.clear();
  }

  static EvaluateSettings settings(String task, String dir, int labels, String... more) {
    List<String> sets = new ArrayList<>(List.of(
        "tinybert.evaluate.model=" + models[labels],
        "tinybert.evaluate.task=" + task,
        "tinybert.evaluate.task-dir=" + GlueFixtures.path(dir),
        "tinybert.evaluate.max-seq-length=" + MAX_SEQ_LENGTH,
        // Two partitions of batches of two: several batches and partitions even on these tiny files.
        "tinybert.evaluate.batch-size=2",
        "tinybert.evaluate.partitions=2"));
    sets.addAll(List.of(more));
    return EvaluateSettings.from(SettingsLoader.load(EvaluateSettings.ROOT, Optional.empty(), sets));
  }

  static Stream<Arguments> tasks() {
    return Stream.of(
        Arguments.of("mrpc", "MRPC", 2, "hf", List.of("mrpc")),
        Arguments.of("sst-2", "SST-2", 2, "tinybert-relu", List.of("sst-2")),
        Arguments.of("cola", "CoLA", 2, "hf", List.of("cola")),
        Arguments.of("mnli", "MNLI", 3, "hf", List.of("mnli", "mnli-mm")),
        Arguments.of("ax", "diagnostic", 3, "tinybert-relu", List.of("ax")),
        Arguments.of("sts-b", "STS-B", 1, "hf", List.of("sts-b")));
  }

  @ParameterizedTest(name = "{0} ({2} outputs, head {3})")
  @MethodSource("tasks")
  void metricsEqualThoseComputedByHand(String task, String dir, int labels, String head, List<String> expectedTasks)
      throws Exception {
    Path out = new Path(tmp.resolve(task + "-metrics.json").toString());
    EvaluateJob.Summary s = EvaluateJob.run(spark,
        settings(task, dir, labels, "tinybert.evaluate.head=" + head, "tinybert.evaluate.output=" + out));
    assertEquals(expectedTasks, s.results().stream().map(r -> r.task().taskName()).toList());
    JsonNode written = new ObjectMapper().readTree(Files.readString(java.nio.file.Path.of(out.toUri().getPath())));
    assertEquals(task, written.get("task").asText());
    assertEquals(head, written.get("head").asText());
    assertTrue(written.get("model").asText().endsWith("student-" + labels), written.toString());
    for (EvaluateJob.TaskResult r : s.results()) {
      Path file = r.task().locate(GlueFixtures.path(dir), Split.DEV, GlueByHand.CONF);
      Map<String, Double> want = GlueByHand.metrics(models[labels], r.task(), file, MAX_SEQ_LENGTH,
          head.equals("tinybert-relu"), List.of());
      assertMetrics(want, r.metrics(), r.task() + "");
      assertEquals(GlueByHand.examples(r.task(), Split.DEV, file).size(), r.examples());
      assertEquals(0, r.skipped());
      assertEquals(MAX_SEQ_LENGTH, r.maxSeqLength());
      assertTrue(r.file().endsWith(file.getName()), r.file());
      JsonNode w = written.get("results").get(r.task().taskName());
      assertEquals(r.examples(), w.get("examples").asLong());
      List<String> keys = new ArrayList<>();
      w.get("metrics").fieldNames().forEachRemaining(keys::add);
      assertEquals(List.copyOf(r.metrics().keySet()), keys, "metrics in GlueMetrics' order");
      for (String k : keys) assertEquals(r.metrics().get(k), w.get("metrics").get(k).asDouble(), 0.0, k);
    }
  }

  /** The portable engine on the executors scores as the reference computation by hand does. */
  @ParameterizedTest(name = "{0}")
  @MethodSource("tasks")
  void thePortableEngineGivesTheSameMetrics(String task, String dir, int labels, String head,
      List<String> expectedTasks) throws Exception {
    Path out = new Path(tmp.resolve(task + "-nd4j-metrics.json").toString());
    EvaluateJob.Summary s = EvaluateJob.run(spark, settings(task, dir, labels, "tinybert.evaluate.head=" + head,
        "tinybert.evaluate.output=" + out, "tinybert.engine=nd4j"));
    assertEquals(expectedTasks, s.results().stream().map(r -> r.task().taskName()).toList());
    for (EvaluateJob.TaskResult r : s.results()) {
      Path file = r.task().locate(GlueFixtures.path(dir), Split.DEV, GlueByHand.CONF);
      assertMetrics(GlueByHand.metrics(models[labels], r.task(), file, MAX_SEQ_LENGTH, head.equals("tinybert-relu"),
          List.of()), r.metrics(), r.task() + " (nd4j engine)");
    }
  }

  /** Classification metrics must be equal; regression ones are over float32 scores summed in another order. */
  static void assertMetrics(Map<String, Double> want, Map<String, Double> got, String what) {
    assertEquals(List.copyOf(want.keySet()), List.copyOf(got.keySet()), what);
    for (String k : want.keySet()) assertEquals(want.get(k), got.get(k), 1e-6, what + " " + k);
  }

  @Test
  void labelOrderMapsClassifierRowsToLabels() throws Exception {
    List<String> order = List.of("neutral", "contradiction", "entailment");
    EvaluateJob.Summary s = EvaluateJob.run(spark,
        settings("mnli", "MNLI", 3, "tinybert.evaluate.label-order=[neutral, contradiction, entailment]"));
    for (EvaluateJob.TaskResult r : s.results()) {
      Path file = r.task().locate(GlueFixtures.path("MNLI"), Split.DEV, GlueByHand.CONF);
      assertMetrics(GlueByHand.metrics(models[3], r.task(), file, MAX_SEQ_LENGTH, false, order), r.metrics(),
          r.task() + "");
    }
  }

  @Test
  void aMissingDevFileIsNamedBeforeAnyWork() throws Exception {
    java.nio.file.Path partial = Files.createDirectories(tmp.resolve("MNLI-matched-only"));
    Files.copy(java.nio.file.Path.of(GlueFixtures.path("MNLI/dev_matched.tsv").toUri()),
        partial.resolve("dev_matched.tsv"));
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> EvaluateJob.run(spark,
        settings("mnli", "MNLI", 3, "tinybert.evaluate.task-dir=" + partial)));
    assertTrue(e.getMessage().startsWith("no dev file of GLUE task mnli-mm found; tried "), e.getMessage());
    assertTrue(e.getMessage().endsWith(partial.resolve("dev_mismatched.tsv").toString()), e.getMessage());
  }

  @Test
  void aMissingTaskDirectoryIsNamed() {
    String missing = tmp.resolve("no-such-dir").toString();
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> EvaluateJob.run(spark,
        settings("rte", "RTE", 2, "tinybert.evaluate.task-dir=" + missing)));
    assertEquals("task directory " + missing + " of rte does not exist", e.getMessage());
  }

  @Test
  void aMissingModelIsNamed() {
    String missing = tmp.resolve("no-model").toString();
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> EvaluateJob.run(spark,
        settings("rte", "RTE", 2, "tinybert.evaluate.model=" + missing)));
    assertEquals("not a model directory: " + missing + " has no config.json", e.getMessage());
  }

  @Test
  void theTasksLengthMustFitTheModelsPositions() {
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> EvaluateJob.run(spark,
        settings("rte", "RTE", 2, "tinybert.evaluate.max-seq-length=0")));
    assertEquals("max_seq_length 128 of rte exceeds max_position_embeddings 64 of the model at " + models[2]
        + "; set a max sequence length <= 64", e.getMessage());
  }

  @Test
  void aModelWithAnotherLabelCountIsRefused() {
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> EvaluateJob.run(spark,
        settings("sts-b", "STS-B", 3)));
    assertEquals("the model at " + models[3] + " has 3 label(s) (num_labels); sts-b needs 1 output (a regression "
        + "score)", e.getMessage());
  }

  @Test
  void evaluateCommandPrintsAndWritesTheSameJson() throws Exception {
    java.nio.file.Path out = tmp.resolve("cli-metrics.json");
    // The class's session is active: the command runs in it and leaves it open.
    GlueCli.Run r = GlueCli.tinybert(List.of("evaluate", "--model", models[2].toString(), "--task", "wnli",
        "--task-dir", GlueFixtures.path("WNLI").toString(), "--output", out.toString(), "--max-seq-length", "24",
        "--head", "tinybert-relu"));
    assertEquals(ExitCodes.OK, r.exit(), r.err());
    ObjectMapper json = new ObjectMapper();
    JsonNode printed = json.readTree(r.out());
    assertEquals(printed, json.readTree(Files.readString(out)));
    Path file = GlueTask.WNLI.locate(GlueFixtures.path("WNLI"), Split.DEV, GlueByHand.CONF);
    Map<String, Double> want = GlueByHand.metrics(models[2], GlueTask.WNLI, file, 24, true, List.of());
    assertEquals(want.get("acc"), printed.get("results").get("wnli").get("metrics").get("acc").asDouble(), 0.0);
    assertFalse(spark.sparkContext().isStopped());
  }

  @Test
  void anUnknownTaskNameIsRefusedWithTheValidNames() {
    GlueCli.Run r = GlueCli.tinybert(List.of("evaluate", "--model", "m", "--task", "mnlii", "--task-dir", "d"));
    assertEquals(ExitCodes.USAGE, r.exit(), r.err());
    assertEquals(List.of(
        "tinybert evaluate: invalid settings:",
        "  - tinybert.evaluate.task must be one of " + GlueTask.names() + " (did you mean mnli?), found \"mnlii\" "
            + "(--task on the command line)",
        "Run 'tinybert evaluate --help' for its options and settings."), r.err().lines().toList());
  }
}
