package org.tinybert.metrics;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.tinybert.glue.GlueFixtures.CONF;
import static org.tinybert.glue.GlueFixtures.path;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.apache.hadoop.fs.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import org.tinybert.glue.GlueExample;
import org.tinybert.glue.GlueExamples;
import org.tinybert.glue.GlueFixtures;
import org.tinybert.glue.GlueFormatException;
import org.tinybert.glue.GluePredictionWriter;
import org.tinybert.glue.GlueReader;
import org.tinybert.glue.GlueTask;
import org.tinybert.glue.Split;

class GlueScorerTest {

  static Stream<Arguments> cases() {
    return GlueFixtures.cases("/org/tinybert/glue/scorer/expected.json").stream()
        .map(c -> Arguments.of(c.get("task").asText() + " " + c.get("predictions").asText(), c));
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("cases")
  void scoresBothPredictionFormats(String name, JsonNode c) throws IOException {
    GlueTask task = GlueTask.byName(c.get("task").asText());
    List<String> order = c.get("labelOrder").isNull() ? null : GlueFixtures.strings(c.get("labelOrder"));
    Map<String, Double> got = GlueScorer.score(task, order, path("scorer/" + c.get("predictions").asText()),
        path(c.get("gold").asText()), CONF);
    assertExpected(c.get("expected"), got);
  }

  static Stream<Arguments> errors() {
    return GlueFixtures.cases("/org/tinybert/glue/scorer/errors.json").stream()
        .map(c -> Arguments.of(c.get("predictions").asText(), c));
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("errors")
  void badPredictionsNameFileAndLine(String name, JsonNode c) {
    Path predictions = path("scorer/" + c.get("predictions").asText());
    GlueFormatException e = assertThrows(GlueFormatException.class, () -> GlueScorer.score(
        GlueTask.byName(c.get("task").asText()), predictions, path(c.get("gold").asText()), CONF));
    long line = c.get("line").asLong();
    assertEquals(line, e.line());
    assertTrue(e.getMessage().startsWith(predictions + (line > 0 ? ":" + line : "") + ": "), e.getMessage());
    for (JsonNode s : c.get("contains")) assertTrue(e.getMessage().contains(s.asText()), e.getMessage());
  }

  /** What the writer writes for dev examples, the scorer reads back: same metrics as the plain file. */
  @Test
  void readsWhatThePredictionWriterWrites(@TempDir java.nio.file.Path dir) throws IOException {
    Path gold = path("MNLI/dev_matched.tsv");
    GlueExamples dev = GlueReader.read(GlueTask.MNLI, Split.DEV, gold, CONF);
    Path out = new Path(new Path(dir.toUri()), "MNLI-m.tsv");
    // the predictions of scorer/mnli_plain.txt: entailment, neutral, neutral
    GluePredictionWriter.write(GlueTask.MNLI, dev.examples().stream().map(GlueExample::index).toList(),
        new int[] {1, 2, 2}, out, CONF);
    JsonNode plain = GlueFixtures.cases("/org/tinybert/glue/scorer/expected.json").stream()
        .filter(c -> c.get("predictions").asText().equals("mnli_plain.txt")).findFirst().orElseThrow();
    assertExpected(plain.get("expected"), GlueScorer.score(GlueTask.MNLI, out, gold, CONF));
  }

  private static void assertExpected(JsonNode expected, Map<String, Double> got) {
    List<String> keys = new ArrayList<>();
    expected.fieldNames().forEachRemaining(keys::add);
    assertEquals(keys, new ArrayList<>(got.keySet()));
    for (String k : keys) {
      double want = expected.get(k).asDouble();
      assertEquals(want, got.get(k), 1e-9 * Math.max(Math.abs(want), 1e-300), k);
    }
  }
}
