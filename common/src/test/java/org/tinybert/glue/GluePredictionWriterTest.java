package org.tinybert.glue;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.tinybert.glue.GlueFixtures.CONF;
import static org.tinybert.glue.GlueFixtures.path;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.IOException;
import java.nio.file.Files;
import java.util.List;
import java.util.stream.Stream;
import org.apache.hadoop.fs.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import org.tinybert.io.HadoopIO;

class GluePredictionWriterTest {

  static Stream<Arguments> cases() {
    return GlueFixtures.cases("/org/tinybert/glue/writer/cases.json").stream().map(c -> Arguments.of(
        c.get("task").asText() + " " + (c.has("labelOrder") ? c.get("labelOrder") : "") + " -> "
            + c.get("expected").asText(), c));
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("cases")
  void writesTheGlueServerFormatAtomically(String name, JsonNode c, @TempDir java.nio.file.Path dir)
      throws IOException {
    GlueTask task = GlueTask.byName(c.get("task").asText());
    List<String> indices = GlueReader.read(task, Split.TEST, path(c.get("test").asText()), CONF).examples().stream()
        .map(GlueExample::index).toList();
    Path out = new Path(new Path(dir.toUri()), "sub/" + task.submissionFileName());
    if (c.has("scores")) {
      double[] scores = new double[c.get("scores").size()];
      for (int i = 0; i < scores.length; i++) scores[i] = c.get("scores").get(i).asDouble();
      GluePredictionWriter.write(task, indices, scores, out, CONF);
    } else {
      int[] ids = new int[c.get("labelIds").size()];
      for (int i = 0; i < ids.length; i++) ids[i] = c.get("labelIds").get(i).asInt();
      GlueLabels labels = GlueLabels.of(task, GlueFixtures.strings(c.get("labelOrder")));
      GluePredictionWriter.write(labels, indices, ids, out, CONF);
    }
    byte[] expected = HadoopIO.readAll(path("writer/" + c.get("expected").asText()), CONF);
    assertArrayEquals(expected, HadoopIO.readAll(out, CONF));
    try (Stream<java.nio.file.Path> files = Files.list(dir.resolve("sub"))) {
      // Hadoop's local file system keeps a .crc beside each file; no temporary file may be left.
      assertEquals(List.of(task.submissionFileName()), files.map(p -> p.getFileName().toString())
          .filter(f -> !f.endsWith(".crc")).toList());
    }
  }

  @Test
  void rejectsPredictionsThatDoNotFit(@TempDir java.nio.file.Path dir) {
    Path out = new Path(new Path(dir.toUri()), "RTE.tsv");
    IllegalArgumentException count = assertThrows(IllegalArgumentException.class,
        () -> GluePredictionWriter.write(GlueTask.RTE, List.of("0", "1"), new int[] {0}, out, CONF));
    assertEquals("rte: 2 indices but 1 predictions", count.getMessage());
    assertThrows(IllegalArgumentException.class,
        () -> GluePredictionWriter.write(GlueTask.RTE, List.of("0"), new int[] {2}, out, CONF));
    assertThrows(IllegalArgumentException.class,
        () -> GluePredictionWriter.write(GlueTask.RTE, List.of("0"), new double[] {0.5}, out, CONF));
    assertThrows(IllegalArgumentException.class,
        () -> GluePredictionWriter.write(GlueTask.STS_B, List.of("0"), new double[] {Double.NaN}, out, CONF));
    assertThrows(IllegalArgumentException.class,
        () -> GluePredictionWriter.write(GlueTask.RTE, List.of("0\t1"), new int[] {0}, out, CONF));
    assertEquals(false, HadoopIO.exists(out, CONF));
  }
}
