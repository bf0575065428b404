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
import org.tinybert.config.PredictSettings;
import org.tinybert.config.SettingsLoader;
import org.tinybert.glue.GlueExample;
import org.tinybert.glue.GlueFixtures;
import org.tinybert.glue.GlueTask;
import org.tinybert.glue.OutputMode;
import org.tinybert.glue.Split;
import org.tinybert.jobs.cli.ExitCodes;
import org.tinybert.runtime.ExecutorRuntime;
import org.tinybert.testing.LocalSpark;
import org.tinybert.testing.TinyClassifiers;

/**
 * The predict job on local[2]: the GLUE server files it writes must hold, row for row, the test indices and the labels
 * (scores) a forward pass on the driver predicts.
 */
class PredictJobTest {
  static final int MAX_SEQ_LENGTH = 32; // the tiny models have 64 positions: the tasks' 128 would not fit
  static SparkSession spark;
  @TempDir static java.nio.file.Path tmp;
  static Path[] models = new Path[4];

  @BeforeAll
  static void start() {
    spark = LocalSpark.start("PredictJobTest");
    for (int labels = 1; labels <= 3; labels++) models[labels] = TinyClassifiers.saveStudent(tmp, labels);
  }

  @AfterAll
  static void stop() {
    LocalSpark.stop(spark);
    ExecutorRuntime.clear();
  }

  static PredictSettings settings(String task, String dir, int labels, Path out, String... more) {
    List<String> sets = new ArrayList<>(List.of(
        "tinybert.predict.model=" + models[labels],
        "tinybert.predict.task=" + task,
        "tinybert.predict.task-dir=" + GlueFixtures.path(dir),
        "tinybert.predict.output=" + out,
        "tinybert.predict.max-seq-length=" + MAX_SEQ_LENGTH,
        "tinybert.predict.batch-size=1",
        "tinybert.predict.partitions=2"));
    sets.addAll(List.of(more));
    return PredictSettings.from(SettingsLoader.load(PredictSettings.ROOT, Optional.empty(), sets));
  }

  static Stream<Arguments> tasks() {
    return Stream.of(
        Arguments.of("mnli", "MNLI", 3, List.of(), List.of("mnli:MNLI-m.tsv", "mnli-mm:MNLI-mm.tsv")),
        Arguments.of("ax", "diagnostic", 3, List.of(), List.of("ax:AX.tsv")),
        Arguments.of("cola", "CoLA", 2, List.of(), List.of("cola:CoLA.tsv")),
        Arguments.of("mrpc", "MRPC", 2, List.of("1", "0"), List.of("mrpc:MRPC.tsv")),
        Arguments.of("sts-b", "STS-B", 1, List.of(), List.of("sts-b:STS-B.tsv")));
  }

  @ParameterizedTest(name = "{0} -> {4}")
  @MethodSource("tasks")
  void serverFilesHoldTheIndicesAndThePredictionsByHand(String task, String dir, int labels, List<String> order,
      List<String> expectedFiles) throws Exception {
    Path out = new Path(tmp.resolve("out-" + task).toString());
    String orderSetting = "[" + String.join(", ", order) + "]";
    PredictJob.Summary s = PredictJob.run(spark,
        settings(task, dir, labels, out, "tinybert.predict.label-order=" + orderSetting));
    List<String> got = new ArrayList<>();
    for (PredictJob.Written w : s.files()) got.add(w.task().taskName() + ":" + new Path(w.output()).getName());
    assertEquals(expectedFiles, got);

    for (PredictJob.Written w : s.files()) {
      GlueTask t = w.task();
      Path input = t.locate(GlueFixtures.path(dir), Split.TEST, GlueByHand.CONF);
      List<GlueExample> ex = GlueByHand.examples(t, Split.TEST, input);
      List<String> want = GlueByHand.predictedLabels(models[labels], t, input, MAX_SEQ_LENGTH, false, order);
      List<String> rows = Files.readAllLines(java.nio.file.Path.of(new Path(w.output()).toUri().getPath()));
      assertEquals("index\tprediction", rows.get(0));
      assertEquals(ex.size() + 1, rows.size(), rows.toString());
      assertEquals(ex.size(), w.examples());
      for (int i = 0; i < ex.size(); i++) {
        String[] f = rows.get(i + 1).split("\t", -1);
        assertEquals(2, f.length, rows.get(i + 1));
        assertEquals(ex.get(i).index(), f[0], "row " + (i + 1));
        if (t.outputMode() == OutputMode.REGRESSION) {
          assertTrue(f[1].matches("-?\\d+\\.\\d{3}"), f[1]);
          assertEquals(Double.parseDouble(want.get(i)), Double.parseDouble(f[1]), 5e-4 + 1e-6, "row " + (i + 1));
        } else {
          assertEquals(want.get(i), f[1], "row " + (i + 1));
        }
      }
    }
  }

  @Test
  void aMissingTestFileIsNamed() throws Exception {
    java.nio.file.Path partial = Files.createDirectories(tmp.resolve("MNLI-matched-only"));
    Files.copy(java.nio.file.Path.of(GlueFixtures.path("MNLI/test_matched.tsv").toUri()),
        partial.resolve("test_matched.tsv"));
    Path out = new Path(tmp.resolve("out-partial").toString());
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> PredictJob.run(spark,
        settings("mnli", "MNLI", 3, out, "tinybert.predict.task-dir=" + partial)));
    assertEquals("no test file of GLUE task mnli-mm found; tried " + partial.resolve("test_mismatched.tsv"),
        e.getMessage());
    assertFalse(Files.exists(java.nio.file.Path.of(out.toString())), "nothing written");
  }

  @Test
  void predictCommandPrintsWhatItWrote() throws Exception {
    java.nio.file.Path out = tmp.resolve("out-cli");
    // The class's session is active: the command runs in it and leaves it open.
    GlueCli.Run r = GlueCli.tinybert(List.of("predict", "--model", models[2].toString(), "--task", "rte",
        "--task-dir", GlueFixtures.path("RTE").toString(), "--output", out.toString(), "--max-seq-length", "24"));
    assertEquals(ExitCodes.OK, r.exit(), r.err());
    JsonNode json = new ObjectMapper().readTree(r.out());
    assertEquals("rte", json.get("task").asText());
    JsonNode file = json.get("files").get("rte");
    assertTrue(file.get("output").asText().endsWith(out.resolve("RTE.tsv").toString()), file.toString());
    List<String> rows = Files.readAllLines(out.resolve("RTE.tsv"));
    assertEquals(file.get("examples").asInt() + 1, rows.size());
    assertFalse(spark.sparkContext().isStopped());
  }
}
