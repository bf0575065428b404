package org.tinybert.metrics;

import static org.junit.jupiter.api.Assertions.assertEquals;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.typesafe.config.ConfigFactory;
import java.io.IOException;
import java.io.InputStream;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.apache.hadoop.fs.Path;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;
import org.tinybert.glue.TaskFile;

/**
 * A task file's metrics equal scikit-learn's and SciPy's on the same predictions ({@code task_metric_cases.json}, made
 * by {@code make_task_metric_cases.py}; see the README beside them), F1's positive class being the task's
 * positive-label whatever its label id.
 */
class TaskMetricsTest {
  static Stream<JsonNode> cases() throws IOException {
    try (InputStream in = TaskMetricsTest.class.getResourceAsStream("task_metric_cases.json")) {
      List<JsonNode> out = new ArrayList<>();
      new ObjectMapper().readTree(in).get("cases").forEach(out::add);
      return out.stream();
    }
  }

  @ParameterizedTest
  @MethodSource("cases")
  void equalsScikitLearn(JsonNode c) {
    List<String> metrics = new ArrayList<>();
    c.get("expected").fieldNames().forEachRemaining(metrics::add);
    boolean regression = c.get("kind").asText().equals("regression");
    StringBuilder hocon = new StringBuilder("train = t.csv\ntext = x\nlabel = y\nkind = " + c.get("kind").asText()
        + "\nmetrics = [" + String.join(", ", metrics) + "]\n");
    if (!regression) {
      List<String> labels = new ArrayList<>();
      c.get("labels").forEach(l -> labels.add("\"" + l.asText() + "\""));
      hocon.append("labels = [").append(String.join(", ", labels)).append("]\n");
      if (!c.get("positive_label").isNull()) {
        hocon.append("positive-label = \"").append(c.get("positive_label").asText()).append("\"\n");
      }
    }
    TaskFile task = TaskFile.parse(ConfigFactory.parseString(hocon.toString()), new Path("/" + c.get("name").asText()
        + ".conf"));
    int n = c.get("gold").size();
    Map<String, Double> got;
    if (regression) {
      double[] p = new double[n];
      double[] y = new double[n];
      for (int i = 0; i < n; i++) {
        p[i] = c.get("predictions").get(i).asDouble();
        y[i] = c.get("gold").get(i).asDouble();
      }
      got = GlueMetrics.compute(task, p, y);
    } else {
      int[] p = new int[n];
      int[] y = new int[n];
      for (int i = 0; i < n; i++) {
        p[i] = task.labels().indexOf(c.get("predictions").get(i).asText());
        y[i] = task.labels().indexOf(c.get("gold").get(i).asText());
      }
      got = GlueMetrics.compute(task, p, y);
    }
    assertEquals(metrics, new ArrayList<>(got.keySet()), "reported in the task file's order");
    for (String m : metrics) {
      assertEquals(c.get("expected").get(m).asDouble(), got.get(m), 1e-12, c.get("name").asText() + " " + m);
    }
  }
}
