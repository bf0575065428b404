package org.tinybert.jobs;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.tinybert.testing.Tensors.assertGradientClose;
import static org.tinybert.testing.Tensors.assertRelClose;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.stream.Stream;
import org.apache.hadoop.conf.Configuration;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.tinybert.jobs.cli.ExitCodes;
import org.tinybert.model.checkpoint.HfCheckpoint;
import org.tinybert.model.checkpoint.SafeTensors;
import org.tinybert.testing.Engines;
import org.tinybert.testing.GoldenSet;

/** {@code tinybert distill-loss} against the golden sets' losses.json and gradients, on every engine. */
class DistillLossCommandTest {
  static final double REL = 1e-5;
  static final ObjectMapper JSON = new ObjectMapper();
  /** The scalar losses the command writes under losses.json's names (regression_loss when labels are given). */
  static final List<String> LOSSES = List.of("att_loss", "emb_loss", "hidden_loss", "rep_loss", "pred_loss",
      "intermediate_total", "total", "regression_loss");

  @TempDir
  Path dir;

  static GlueCli.Run distillLoss(GoldenSet set, Path input, Path output, String... more) {
    List<String> args = new ArrayList<>(List.of("distill-loss", "--teacher", set.dir().resolve("teacher").toString(),
        "--student", set.dir().resolve("student").toString(), "--input", input.toString(),
        "--output", output.toString()));
    args.addAll(List.of(more));
    return GlueCli.tinybert(args);
  }

  Path labels(GoldenSet set) throws Exception {
    StringBuilder b = new StringBuilder();
    for (JsonNode v : set.json("inputs.json").get("regression_labels")) b.append(v.asText()).append('\n');
    return Files.writeString(dir.resolve("labels.txt"), b);
  }

  static Stream<Arguments> setsAndEngines() {
    return GoldenSet.all().stream().flatMap(s -> Engines.settings().stream().map(e -> Arguments.of(s, e)));
  }

  @ParameterizedTest(name = "{0} {1}")
  @MethodSource("setsAndEngines")
  void lossesAndGradientsEqualTheReference(GoldenSet set, String engine) throws Exception {
    JsonNode golden = set.json("losses.json");
    Path out = dir.resolve("losses.json");
    Path grads = dir.resolve("grads.safetensors");
    GlueCli.Run r = distillLoss(set, ForwardCommandTest.jsonInput(set, "batch", dir.resolve("batch.json")), out,
        "--temperature", golden.get("temperature").asText(), "--regression-labels", labels(set).toString(),
        "--gradients", grads.toString(), "--set", "tinybert.engine=" + engine);
    assertEquals(ExitCodes.OK, r.exit(), r.err());
    JsonNode actual = JSON.readTree(out.toFile());
    for (String k : LOSSES) assertRelClose(k, golden.get(k).asDouble(), actual.get(k).asDouble(), REL);
    for (String k : List.of("att_loss_per_layer", "rep_loss_per_layer")) {
      assertEquals(golden.get(k).size(), actual.get(k).size(), k);
      for (int i = 0; i < golden.get(k).size(); i++) {
        assertRelClose(k + "[" + i + "]", golden.get(k).get(i).asDouble(), actual.get(k).get(i).asDouble(), REL);
      }
    }
    assertEquals(golden.get("temperature").asDouble(), actual.get("temperature").asDouble());
    assertEquals(golden.get("layer_map").get("att_teacher_index_0based"),
        actual.get("layer_map").get("att_teacher_index_0based"));
    assertEquals(golden.get("layer_map").get("rep_teacher_index_0based"),
        actual.get("layer_map").get("rep_teacher_index_0based"));

    Map<String, INDArray> g = SafeTensors.read(new org.apache.hadoop.fs.Path(grads.toUri()), new Configuration());
    // Both gradients of every student parameter are written, zeros included.
    HfCheckpoint student = set.checkpoint("student");
    Set<String> want = new TreeSet<>();
    for (String name : student.weights().keySet()) {
      want.add("grad." + name);
      want.add("grad_pred." + name);
    }
    assertEquals(want, new TreeSet<>(g.keySet()));
    int compared = 0;
    for (Map.Entry<String, INDArray> e : set.expected().entrySet()) {
      if (!e.getKey().startsWith("grad.") && !e.getKey().startsWith("grad_pred.")) continue;
      assertGradientClose(e.getKey(), e.getValue(), g.get(e.getKey()));
      compared++;
    }
    assertTrue(compared > 40, compared + " reference gradients");
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("org.tinybert.testing.GoldenSet#all")
  void textInputGivesTheSameLosses(GoldenSet set) throws Exception {
    JsonNode golden = set.json("losses.json");
    Path out = dir.resolve("losses.json");
    GlueCli.Run r = distillLoss(set, ForwardCommandTest.tsvInput(set, dir.resolve("examples.tsv")), out,
        "--temperature", golden.get("temperature").asText(),
        "--max-seq-length", set.json("inputs.json").get("max_seq_length").asText());
    assertEquals(ExitCodes.OK, r.exit(), r.err());
    JsonNode actual = JSON.readTree(out.toFile());
    for (String k : LOSSES.subList(0, LOSSES.size() - 1)) {
      assertRelClose(k, golden.get(k).asDouble(), actual.get(k).asDouble(), REL);
    }
    assertFalse(actual.has("regression_loss"), "no labels, no regression_loss");
  }

  @Test
  void labelsNotOnePerExampleNameTheLabelsFile() throws Exception {
    GoldenSet set = GoldenSet.SEED1;
    Path labels = Files.writeString(dir.resolve("labels.txt"), "1.0\n2.0\n");
    Path out = dir.resolve("losses.json");
    GlueCli.Run r = distillLoss(set, ForwardCommandTest.jsonInput(set, "batch", dir.resolve("batch.json")), out,
        "--regression-labels", labels.toString());
    assertEquals(ExitCodes.FAILURE, r.exit(), r.err());
    assertTrue(r.err().contains(labels + ": 2 labels for the 7 examples"), r.err());
    assertFalse(Files.exists(out));
  }

  @Test
  void aLabelThatIsNoNumberNamesFileAndLine() throws Exception {
    GoldenSet set = GoldenSet.SEED1;
    Path labels = Files.writeString(dir.resolve("labels.txt"), "1.0\nfive\n");
    GlueCli.Run r = distillLoss(set, ForwardCommandTest.jsonInput(set, "batch", dir.resolve("batch.json")),
        dir.resolve("losses.json"), "--regression-labels", labels.toString());
    assertEquals(ExitCodes.FAILURE, r.exit(), r.err());
    assertTrue(r.err().contains(labels + ": line 2: expected one number, found \"five\""), r.err());
  }

  @Test
  void idsOutsideTheStudentsVocabularyNameTheInput() throws Exception {
    Path input = Files.writeString(dir.resolve("ids.json"), "{\"input_ids\": [[101, 600, 102]], "
        + "\"segment_ids\": [[0, 0, 0]], \"input_mask\": [[1, 1, 1]]}");
    GlueCli.Run r = distillLoss(GoldenSet.SEED1, input, dir.resolve("losses.json"));
    assertEquals(ExitCodes.FAILURE, r.exit(), r.err());
    assertTrue(r.err().contains(input + ": input_ids[0][1] = 600 is outside the vocabulary of teacher "), r.err());
  }
}
