package org.tinybert.jobs;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import org.tinybert.glue.GlueFixtures;
import org.tinybert.jobs.cli.ExitCodes;

/**
 * {@code tinybert metrics} on the scorer fixtures of the glue package: the printed JSON must hold the expected metrics
 * ({@code scorer/expected.json}, from scikit-learn and SciPy) in their order.
 */
class MetricsCommandTest {
  static Stream<Arguments> cases() {
    return GlueFixtures.cases("/org/tinybert/glue/scorer/expected.json").stream()
        .map(c -> Arguments.of(c.get("task").asText() + " " + c.get("predictions").asText(), c));
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("cases")
  void printsTheTasksMetricsInOrder(String name, JsonNode c) throws Exception {
    List<String> args = new ArrayList<>(List.of("metrics", "--task", c.get("task").asText(),
        "--predictions", GlueFixtures.path("scorer/" + c.get("predictions").asText()).toString(),
        "--gold", GlueFixtures.path(c.get("gold").asText()).toString()));
    if (!c.get("labelOrder").isNull()) {
      args.addAll(List.of("--label-order", "[" + String.join(", ", GlueFixtures.strings(c.get("labelOrder"))) + "]"));
    }
    GlueCli.Run r = GlueCli.tinybert(args);
    assertEquals(ExitCodes.OK, r.exit(), r.err());
    assertEquals(1, r.out().lines().count(), "one line of JSON: " + r.out());
    JsonNode got = new ObjectMapper().readTree(r.out());
    JsonNode want = c.get("expected");
    List<String> gotKeys = new ArrayList<>();
    got.fieldNames().forEachRemaining(gotKeys::add);
    List<String> wantKeys = new ArrayList<>();
    want.fieldNames().forEachRemaining(wantKeys::add);
    assertEquals(wantKeys, gotKeys);
    for (String k : wantKeys) assertEquals(want.get(k).asDouble(), got.get(k).asDouble(), 1e-12, k);
  }

  @Test
  void aMissingGoldFileIsNamed() {
    String missing = GlueFixtures.path("MRPC").toString() + "/no-such-dev.tsv";
    GlueCli.Run r = GlueCli.tinybert(List.of("metrics", "--task", "mrpc",
        "--predictions", GlueFixtures.path("scorer/mrpc_server.tsv").toString(), "--gold", missing));
    assertEquals(ExitCodes.FAILURE, r.exit());
    assertTrue(r.err().contains(missing + ": no such file"), r.err());
    assertEquals("", r.out());
  }

  @Test
  void aBadPredictionNamesFileAndLine() {
    String predictions = GlueFixtures.path("scorer/bad_mnli_label.txt").toString();
    GlueCli.Run r = GlueCli.tinybert(List.of("metrics", "--task", "mnli", "--predictions", predictions,
        "--gold", GlueFixtures.path("MNLI/dev_matched.tsv").toString()));
    assertEquals(ExitCodes.FAILURE, r.exit());
    assertTrue(r.err().contains(predictions + ":2: unknown label 'entailed' for MNLI"), r.err());
  }

  @Test
  void anUnknownTaskListsTheTasks() {
    GlueCli.Run r = GlueCli.tinybert(List.of("metrics", "--task", "glue", "--predictions", "p", "--gold", "g"));
    assertEquals(ExitCodes.USAGE, r.exit());
    assertTrue(r.err().contains("tinybert.metrics.task must be one of cola, sst-2, mrpc, sts-b, qqp, mnli, mnli-mm, "
        + "qnli, rte, wnli, ax, found \"glue\" (--task on the command line)"), r.err());
  }
}
