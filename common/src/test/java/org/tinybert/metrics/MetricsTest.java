package org.tinybert.metrics;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import org.tinybert.glue.GlueFixtures;

class MetricsTest {
  static final JsonNode GOLDEN = GlueFixtures.json("/org/tinybert/golden/metrics.json");

  /** Every (data set, metric) of golden/metrics.json. */
  static Stream<Arguments> golden() {
    List<Arguments> out = new ArrayList<>();
    GOLDEN.fieldNames().forEachRemaining(set -> {
      JsonNode data = GOLDEN.get(set);
      if (!data.isObject()) return;
      data.fieldNames().forEachRemaining(metric -> {
        if (!Set.of("labels", "preds", "note").contains(metric)) {
          out.add(Arguments.of(set, metric, data.get(metric).asDouble()));
        }
      });
    });
    return out.stream();
  }

  @ParameterizedTest(name = "{0} {1}")
  @MethodSource("golden")
  void matchesScikitLearnAndScipy(String set, String metric, double expected) {
    JsonNode data = GOLDEN.get(set);
    double got;
    if (set.equals("regression")) {
      double[] p = doubles(data.get("preds"));
      double[] y = doubles(data.get("labels"));
      got = switch (metric) {
        case "pearson" -> Metrics.pearson(p, y);
        case "spearman" -> Metrics.spearman(p, y);
        case "corr" -> Metrics.pearsonAndSpearman(p, y).get("corr");
        default -> throw new AssertionError("no regression metric " + metric);
      };
    } else {
      int[] p = ints(data.get("preds"));
      int[] y = ints(data.get("labels"));
      got = switch (metric) {
        case "accuracy" -> Metrics.accuracy(p, y);
        case "f1" -> Metrics.f1(p, y);
        case "acc_and_f1" -> Metrics.accAndF1(p, y).get("acc_and_f1");
        case "mcc" -> Metrics.matthewsCorrcoef(p, y);
        case "f1_macro" -> Metrics.f1Macro(p, y);
        default -> throw new AssertionError("no classification metric " + metric);
      };
    }
    assertEquals(expected, got, 1e-9 * Math.max(Math.abs(expected), 1e-300), set + " " + metric);
  }

  @Test
  void tiesShareTheirAverageRank() {
    assertArrayEquals(new double[] {1, 2.5, 4, 2.5, 5, 7, 7, 7},
        Metrics.averageRanks(new double[] {-1, 0.5, 2, 0.5, 3, 7, 7, 7}));
  }

  @Test
  void constantInputHasNoCorrelation() {
    assertTrue(Double.isNaN(Metrics.pearson(new double[] {1, 1, 1}, new double[] {1, 2, 3})));
    assertEquals(0.0, Metrics.matthewsCorrcoef(new int[] {0, 0, 0}, new int[] {0, 0, 0}));
    assertEquals(0.0, Metrics.f1(new int[] {0, 0}, new int[] {0, 0}));
  }

  @Test
  void rejectsMismatchedEmptyOrNonBinaryInput() {
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
        () -> Metrics.accuracy(new int[] {1, 0}, new int[] {1}));
    assertEquals("predictions and labels must have the same length, found 2 predictions and 1 labels", e.getMessage());
    assertThrows(IllegalArgumentException.class, () -> Metrics.accuracy(new int[0], new int[0]));
    assertThrows(IllegalArgumentException.class, () -> Metrics.f1(new int[] {0, 2}, new int[] {0, 1}));
    assertThrows(IllegalArgumentException.class, () -> Metrics.pearson(new double[] {1}, new double[] {1}));
  }

  static int[] ints(JsonNode a) {
    int[] v = new int[a.size()];
    for (int i = 0; i < v.length; i++) v[i] = a.get(i).asInt();
    return v;
  }

  static double[] doubles(JsonNode a) {
    double[] v = new double[a.size()];
    for (int i = 0; i < v.length; i++) v[i] = a.get(i).asDouble();
    return v;
  }
}
