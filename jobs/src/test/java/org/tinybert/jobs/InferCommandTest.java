package org.tinybert.jobs;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.apache.spark.sql.SparkSession;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.tinybert.jobs.cli.ExitCodes;
import org.tinybert.runtime.ExecutorRuntime;
import org.tinybert.testing.GoldenSet;
import org.tinybert.testing.LocalSpark;

/**
 * {@code tinybert infer} against {@code tinybert forward} on the same rows (the golden sets' examples, single texts
 * and pairs): class probabilities are the softmax of forward's logits and embeddings its pooled output, within float
 * tolerance though infer batches by length and pads less.
 */
class InferCommandTest {
  static final ObjectMapper JSON = new ObjectMapper();
  static final double TOL = 1e-5;
  static SparkSession spark;
  @TempDir
  static Path tmp;

  @BeforeAll
  static void start() {
    spark = LocalSpark.start("InferCommandTest");
  }

  @AfterAll
  static void stop() {
    LocalSpark.stop(spark);
    // The models infer loaded stay in this JVM's cache otherwise, for the test classes after this one.
    ExecutorRuntime.clear();
  }

  static Stream<Arguments> models() {
    return Stream.of(Arguments.of(GoldenSet.SEED1, "teacher"), Arguments.of(GoldenSet.SEED7, "student"));
  }

  @ParameterizedTest(name = "{0} {1}")
  @MethodSource("models")
  void probabilitiesAndEmbeddingsAreThoseOfForward(GoldenSet set, String who) throws Exception {
    Path dir = Files.createDirectories(tmp.resolve(set.name() + "-" + who));
    Path model = set.dir().resolve(who);
    String maxSeqLength = set.json("inputs.json").get("max_seq_length").asText();
    Path forwardOut = dir.resolve("forward.safetensors");
    GlueCli.Run f = ForwardCommandTest.forward(model, ForwardCommandTest.tsvInput(set, dir.resolve("all.tsv")),
        forwardOut, "--max-seq-length", maxSeqLength);
    assertEquals(ExitCodes.OK, f.exit(), f.err());
    Map<String, INDArray> forward = ForwardCommandTest.read(forwardOut);
    float[][] logits = forward.get("logits").toFloatMatrix();
    float[][] pooled = forward.get("pooled_output").toFloatMatrix();

    List<String> singles = new ArrayList<>(List.of("id\ttext"));
    List<String> pairs = new ArrayList<>(List.of("id\ta\tb"));
    int i = 0;
    for (JsonNode e : set.json("inputs.json").get("examples")) {
      if (e.get("text_b").isNull()) singles.add(i + "\t" + e.get("text_a").asText());
      else pairs.add(i + "\t" + e.get("text_a").asText() + "\t" + e.get("text_b").asText());
      i++;
    }
    assertTrue(singles.size() > 1 && pairs.size() > 1, "the golden examples hold both");
    Files.write(dir.resolve("singles.tsv"), singles, StandardCharsets.UTF_8);
    Files.write(dir.resolve("pairs.tsv"), pairs, StandardCharsets.UTF_8);

    int seen = 0;
    for (String kind : List.of("singles", "pairs")) {
      List<String> args = new ArrayList<>(List.of("infer", "--model", model.toString(), "--input",
          dir.resolve(kind + ".tsv").toString(), "--output", dir.resolve(kind).toString(), "--id-column", "id",
          "--max-seq-length", maxSeqLength, "--output-format", "jsonl"));
      if (kind.equals("pairs")) args.addAll(List.of("--text-column", "a", "--text-pair-column", "b"));
      GlueCli.Run r = GlueCli.tinybert(args);
      assertEquals(ExitCodes.OK, r.exit(), r.err());
      assertEquals(kind.equals("singles") ? singles.size() - 1 : pairs.size() - 1,
          JSON.readTree(r.out()).get("examples").asInt(), r.out());
      for (JsonNode row : rows(dir.resolve(kind))) {
        int id = row.get("id").asInt();
        assertClose(softmax(logits[id]), row.get("probabilities"), kind + " example " + id);
        seen++;
      }
    }
    assertEquals(logits.length, seen);

    GlueCli.Run r = GlueCli.tinybert(List.of("infer", "--model", model.toString(), "--input",
        dir.resolve("singles.tsv").toString(), "--output", dir.resolve("embeddings").toString(), "--id-column", "id",
        "--max-seq-length", maxSeqLength, "--output-kind", "embeddings", "--output-format", "jsonl"));
    assertEquals(ExitCodes.OK, r.exit(), r.err());
    for (JsonNode row : rows(dir.resolve("embeddings"))) {
      assertClose(pooled[row.get("id").asInt()], row.get("embedding"), "pooled output " + row.get("id"));
    }
  }

  @Test
  void aRerunPrintsThatItWasAlreadyDone() throws Exception {
    Path in = tmp.resolve("rerun.txt");
    Files.writeString(in, "one text\nanother text\n", StandardCharsets.UTF_8);
    List<String> args = List.of("infer", "--model", GoldenSet.SEED1.dir().resolve("student").toString(), "--input",
        in.toString(), "--output", tmp.resolve("rerun").toString());
    GlueCli.Run first = GlueCli.tinybert(args);
    assertEquals(ExitCodes.OK, first.exit(), first.err());
    assertEquals(false, JSON.readTree(first.out()).get("already_done").asBoolean());
    GlueCli.Run again = GlueCli.tinybert(args);
    assertEquals(ExitCodes.OK, again.exit(), again.err());
    assertEquals(true, JSON.readTree(again.out()).get("already_done").asBoolean());
  }

  static List<JsonNode> rows(Path output) throws Exception {
    List<JsonNode> out = new ArrayList<>();
    try (Stream<Path> parts = Files.list(output)) {
      for (Path p : parts.filter(p -> p.getFileName().toString().startsWith("part-")).sorted().toList()) {
        for (String line : Files.readAllLines(p, StandardCharsets.UTF_8)) out.add(JSON.readTree(line));
      }
    }
    return out;
  }

  static float[] softmax(float[] z) {
    double max = Double.NEGATIVE_INFINITY;
    for (float v : z) max = Math.max(max, v);
    double sum = 0;
    for (float v : z) sum += Math.exp(v - max);
    float[] p = new float[z.length];
    for (int i = 0; i < z.length; i++) p[i] = (float) (Math.exp(z[i] - max) / sum);
    return p;
  }

  static void assertClose(float[] expected, JsonNode actual, String what) {
    assertEquals(expected.length, actual.size(), what);
    for (int i = 0; i < expected.length; i++) assertEquals(expected[i], actual.get(i).floatValue(), TOL, what);
  }
}
