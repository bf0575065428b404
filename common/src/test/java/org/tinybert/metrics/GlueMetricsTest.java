package org.tinybert.metrics;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import org.tinybert.glue.GlueFixtures;
import org.tinybert.glue.GlueTask;
import org.tinybert.glue.OutputMode;

class GlueMetricsTest {

  static Stream<Arguments> cases() {
    return GlueFixtures.cases("/org/tinybert/metrics/glue_metric_cases.json").stream()
        .map(c -> Arguments.of(c.get("task").asText(), c.get("data").asText(), c.get("expect")));
  }

  @ParameterizedTest(name = "{0} on {1}")
  @MethodSource("cases")
  void computesTinyBertsMetricsUnderItsNames(String taskName, String data, JsonNode expect) {
    GlueTask task = GlueTask.byName(taskName);
    JsonNode golden = MetricsTest.GOLDEN.get(data);
    Map<String, Double> got = task.outputMode() == OutputMode.REGRESSION
        ? GlueMetrics.compute(task, MetricsTest.doubles(golden.get("preds")), MetricsTest.doubles(golden.get("labels")))
        : GlueMetrics.compute(task, MetricsTest.ints(golden.get("preds")), MetricsTest.ints(golden.get("labels")));

    assertEquals(task.metricNames(), new ArrayList<>(got.keySet()));
    List<String> checked = new ArrayList<>();
    expect.fieldNames().forEachRemaining(key -> {
      double want = golden.get(expect.get(key).asText()).asDouble();
      assertEquals(want, got.get(key), 1e-9 * Math.max(Math.abs(want), 1e-300), key);
      checked.add(key);
    });
    assertEquals(got.get(task.primaryMetric()), GlueMetrics.primary(task, got));
    assertEquals(false, checked.isEmpty());
  }

  @org.junit.jupiter.api.Test
  void predictionsMustFitTheOutputMode() {
    assertThrows(IllegalArgumentException.class,
        () -> GlueMetrics.compute(GlueTask.STS_B, new int[] {0, 1}, new int[] {0, 1}));
    assertThrows(IllegalArgumentException.class,
        () -> GlueMetrics.compute(GlueTask.RTE, new double[] {0, 1}, new double[] {0, 1}));
    assertThrows(IllegalArgumentException.class, () -> GlueMetrics.primary(GlueTask.COLA, Map.of("acc", 1.0)));
  }
}
