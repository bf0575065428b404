package org.tinybert.run;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * The run records against files the jobs wrote before they were types ({@code run/task-distill}, and the older
 * builds' runs of {@code report/}): the same bytes back, every file valid against {@code docs/schema/}, and a
 * schema that lists exactly the fields the classes write.
 */
class RunRecordsTest {
  private static final ObjectMapper JSON = new ObjectMapper();

  static Path fixture(String name) {
    return RunFixtures.fixture(name);
  }

  static List<String> lines(Path run) throws IOException {
    return RunFixtures.lines(run);
  }

  @ParameterizedTest
  @ValueSource(strings = {"run/task-distill", "run/task-distill/intermediate"})
  void roundsOfTodaysWriterAreWrittenAgainByteForByte(String run) throws IOException {
    List<String> lines = lines(fixture(run));
    assertFalse(lines.isEmpty());
    for (String line : lines) assertEquals(line, MetricsRound.parse(line).toJson());
  }

  @ParameterizedTest
  @ValueSource(strings = {"report/general-distill", "report/task-distill", "report/task-distill/intermediate"})
  void roundsOfOlderBuildsReadAndWriteBackUnchanged(String run) throws IOException {
    for (String line : lines(fixture(run))) {
      MetricsRound r = MetricsRound.parse(line);
      // Those builds did not record the round's step and fixed times.
      assertNull(r.stepSeconds(), line);
      assertNull(r.fixedSeconds(), line);
      assertEquals(line, r.toJson());
    }
  }

  /** What TrainingRun, ProbeLosses and GlueStage put into a map for metrics.jsonl before the record existed. */
  static String mapWriter(long round, int epoch, long step, long examples, double loss, double rate, double roundS,
      double stepS, double fixedS, double eta, double lr, double[] probe, double[] attPerLayer, double[] hidPerLayer,
      Map<String, Double> dev, boolean newBest) throws IOException {
    Map<String, Object> rec = new LinkedHashMap<>();
    rec.put("round", round);
    rec.put("epoch", epoch);
    rec.put("step", step);
    rec.put("examples", examples);
    rec.put("train_loss", loss);
    rec.put("examples_per_second", rate);
    rec.put("round_seconds", roundS);
    rec.put("step_seconds", stepS);
    rec.put("fixed_seconds", fixedS);
    rec.put("eta_seconds", eta);
    rec.put("learning_rate", lr);
    if (probe != null) {
      rec.put("probe_total", probe[0]);
      rec.put("probe_attention", probe[1]);
      rec.put("probe_embedding", probe[2]);
      rec.put("probe_hidden", probe[3]);
      rec.put("probe_attention_per_layer", attPerLayer);
      rec.put("probe_hidden_per_layer", hidPerLayer);
    }
    if (dev != null) {
      rec.put("dev", dev);
      if (newBest) rec.put("new_best", true);
    }
    return JSON.writeValueAsString(rec);
  }

  @Test
  void theRecordWritesWhatTheMapsWroteEvenForOddNumbers() throws IOException {
    double[] odd = {Double.NaN, Double.POSITIVE_INFINITY, Double.NEGATIVE_INFINITY, 1e-300, 1.7976931348623157E308,
        0.1 + 0.2, -0.0, 1.0, 8.333333333333333E-4, 123456789.0};
    for (int i = 0; i < odd.length; i++) {
      double a = odd[i];
      double b = odd[(i + 3) % odd.length];
      double[] att = {a, b};
      double[] hid = {b, a, 0.5};
      Map<String, Double> dev = new LinkedHashMap<>();
      dev.put("acc", a);
      dev.put("f1", b);
      boolean best = i % 2 == 0;
      MetricsRound r = MetricsRound.of(i + 1, i + 2, 3L * i, 1L << 40, a, b, a, b, a, b, a);
      assertEquals(mapWriter(i + 1, i + 2, 3L * i, 1L << 40, a, b, a, b, a, b, a, null, null, null, null, false),
          r.toJson());
      MetricsRound probed = r.withProbe(new MetricsRound.Probe(a, b, a, b, att, hid)).withDev(dev, best);
      assertEquals(mapWriter(i + 1, i + 2, 3L * i, 1L << 40, a, b, a, b, a, b, a, new double[] {a, b, a, b}, att, hid,
          dev, best), probed.toJson());
    }
  }

  @Test
  void aRoundReadsBackAsWritten() throws IOException {
    Map<String, Double> dev = new LinkedHashMap<>();
    dev.put("f1", 0.5);
    dev.put("acc", Double.NaN);
    MetricsRound r = MetricsRound.of(7, 2, 14, 112, 0.25, 30.5, 1.5, 1.0, 0.5, 60, 1e-4)
        .withProbe(new MetricsRound.Probe(3, 1, 1, 1, new double[] {0.5, 0.5}, new double[] {1, 0.25, 0.75}))
        .withDev(dev, true);
    MetricsRound back = MetricsRound.parse(r.toJson());
    assertEquals(r.toJson(), back.toJson());
    assertEquals(7, back.round());
    assertEquals(2L, back.epoch());
    assertEquals(14, back.step());
    assertEquals(0.25, back.trainLoss());
    assertEquals(0.5, back.fixedSeconds());
    assertArrayEquals(new double[] {1, 0.25, 0.75}, back.probeHiddenPerLayer());
    assertEquals(List.of("f1", "acc"), new ArrayList<>(back.dev().keySet()));
    assertTrue(Double.isNaN(back.dev().get("acc")));
    assertTrue(back.isNewBest());
    MetricsRound plain = MetricsRound.parse(MetricsRound.of(1, 1, 1, 8, 1, 1, 1, 1, 1, 1, 1).toJson());
    assertNull(plain.probeTotal());
    assertNull(plain.dev());
    assertFalse(plain.isNewBest());
  }

  @ParameterizedTest
  @ValueSource(strings = {"run/task-distill", "report/task-distill"})
  void evalJsonIsWrittenAgainByteForByte(String run) throws IOException {
    byte[] file = Files.readAllBytes(fixture(run).resolve(RunFiles.BEST_EVAL));
    EvalRecord e = EvalRecord.parse(file);
    assertEquals(new String(file, StandardCharsets.UTF_8), new String(e.toBytes(), StandardCharsets.UTF_8));
    assertEquals("mnli", e.task());
    assertEquals("acc", e.primaryMetric());
    assertEquals(e.primary(), e.metrics().get("acc"));
    assertEquals(16, e.devExamples());
  }

  @Test
  void evalRecordReadsBackAsWritten() throws IOException {
    Map<String, Double> m = new LinkedHashMap<>();
    m.put("pearson", 0.75);
    m.put("spearman", Double.NaN);
    EvalRecord e = new EvalRecord("sts-b", "pearson", 0.75, m, 1500, 3, 300, 150, 9600);
    EvalRecord back = EvalRecord.parse(e.toBytes());
    assertEquals(new String(e.toBytes(), StandardCharsets.UTF_8), new String(back.toBytes(), StandardCharsets.UTF_8));
    assertEquals(e.task(), back.task());
    assertEquals(List.of("pearson", "spearman"), new ArrayList<>(back.metrics().keySet()));
    assertEquals(9600, back.examplesSeen());
  }

  /** The manifest rebuilt through {@link RunManifest} from a run's values is the file it wrote. */
  @ParameterizedTest
  @ValueSource(strings = {"run/task-distill", "run/task-distill/intermediate"})
  void theManifestIsWrittenAgainByteForByte(String run) throws IOException {
    byte[] file = Files.readAllBytes(fixture(run).resolve(RunFiles.MANIFEST));
    assertEquals(new String(file, StandardCharsets.UTF_8),
        new String(RunFixtures.manifest(file).toBytes(), StandardCharsets.UTF_8));
  }

  /** Through RunLog, RunManifest and EvalRecord onto a file system, every file comes out as the old build wrote it. */
  @ParameterizedTest
  @ValueSource(strings = {"run/task-distill", "run/task-distill/intermediate"})
  void aStageWrittenByTheNewWritersIsTheSameFiles(String run, @TempDir Path tmp) throws IOException {
    Path to = tmp.resolve("stage");
    RunFixtures.rewriteStage(fixture(run), to);
    for (String f : List.of(RunFiles.MANIFEST, RunFiles.METRICS, RunFiles.BEST_EVAL)) {
      Path old = fixture(run).resolve(f);
      if (!Files.exists(old)) continue;
      assertEquals(Files.readString(old), Files.readString(to.resolve(f)), f);
    }
  }

  @ParameterizedTest
  @ValueSource(strings = {"report/general-distill", "report/task-distill"})
  void manifestsOfOlderBuildsGiveTheirHeader(String run) throws IOException {
    JsonNode tree = JSON.readTree(fixture(run).resolve(RunFiles.MANIFEST).toFile());
    RunManifest.Header h = RunManifest.header(tree);
    assertEquals(tree.get("job").asText(), h.job());
    assertEquals(tree.get("rounds").asLong(), h.rounds());
    assertTrue(h.finished().isPresent());
    assertNull(h.engine(), "those builds did not record the engine");
  }

  @ParameterizedTest
  @ValueSource(strings = {"run/task-distill", "run/task-distill/intermediate", "report/general-distill",
      "report/task-distill", "report/task-distill/intermediate"})
  void everyRecordOfTheFixtureRunsFitsItsSchema(String run) throws IOException {
    assertEquals(List.of(), RunSchemas.runProblems(fixture(run)));
  }

  /** The schema lists the fields the class writes, in its order: a field added, renamed or moved breaks this. */
  @Test
  void theRoundSchemaListsExactlyTheFieldsTheRecordWrites() throws IOException {
    MetricsRound full = MetricsRound.of(1, 1, 1, 8, 1, 1, 1, 1, 1, 1, 1)
        .withProbe(new MetricsRound.Probe(1, 1, 1, 1, new double[] {1}, new double[] {1, 1}))
        .withDev(Map.of("acc", 1.0), true);
    JsonNode written = JSON.readTree(full.toJson());
    assertEquals(names(RunSchemas.schema(RunSchemas.METRICS_ROUND).get("properties")), names(written));
    assertEquals(List.of(), RunSchemas.problems(RunSchemas.METRICS_ROUND, written));
  }

  @Test
  void theEvalSchemaListsExactlyTheFieldsTheRecordWrites() throws IOException {
    JsonNode written = JSON.readTree(new EvalRecord("rte", "acc", 0.5, Map.of("acc", 0.5), 10, 1, 2, 2, 16)
        .toBytes());
    assertEquals(names(RunSchemas.schema(RunSchemas.EVAL).get("properties")), names(written));
    assertEquals(List.of(), RunSchemas.problems(RunSchemas.EVAL, written));
  }

  @Test
  void theManifestSchemaListsTheTopLevelTheRunWrites() throws IOException {
    JsonNode written = JSON.readTree(RunManifest.start("j", "r", Instant.EPOCH, "app", "local[2]", 0,
        Map.of("setting", "auto")).withRuntime(JSON.createObjectNode(), Map.of("java", "17"), 1)
        .finished(Instant.EPOCH, 1, 8).put(RunManifest.FINAL_MODEL, "/m").put(RunManifest.BEST, "/b")
        .put(RunManifest.BEST_METRICS, Map.of("acc", 0.5)).toBytes());
    assertEquals(names(RunSchemas.schema(RunSchemas.MANIFEST).get("properties")), names(written));
  }

  /** A field renamed, retyped or dropped is refused (the checks are not vacuous). */
  @ParameterizedTest
  @ValueSource(strings = {"rename", "retype", "drop"})
  void aChangedFieldBreaksTheSchema(String change) throws IOException {
    ObjectNode round = (ObjectNode) JSON.readTree(lines(fixture("run/task-distill")).get(1));
    ObjectNode eval = (ObjectNode) JSON.readTree(fixture("run/task-distill").resolve(RunFiles.BEST_EVAL).toFile());
    ObjectNode manifest = (ObjectNode) JSON.readTree(fixture("run/task-distill").resolve(RunFiles.MANIFEST).toFile());
    switch (change) {
      case "rename" -> {
        round.set("trainLoss", round.remove("train_loss"));
        eval.set("primaryMetric", eval.remove("primary_metric"));
        manifest.set("runId", manifest.remove("run_id"));
      }
      case "retype" -> {
        round.put("step", "2");
        eval.put("dev_examples", 16.5);
        manifest.put("rounds", "4");
      }
      default -> {
        round.remove("round");
        eval.remove("metrics");
        manifest.remove("job");
      }
    }
    assertFalse(RunSchemas.problems(RunSchemas.METRICS_ROUND, round).isEmpty(), round.toString());
    assertFalse(RunSchemas.problems(RunSchemas.EVAL, eval).isEmpty(), eval.toString());
    assertFalse(RunSchemas.problems(RunSchemas.MANIFEST, manifest).isEmpty(), manifest.toString());
  }

  private static List<String> names(JsonNode object) {
    List<String> out = new ArrayList<>();
    object.fieldNames().forEachRemaining(out::add);
    return out;
  }
}
