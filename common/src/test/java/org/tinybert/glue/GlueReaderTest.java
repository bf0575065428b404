package org.tinybert.glue;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.tinybert.glue.GlueFixtures.CONF;
import static org.tinybert.glue.GlueFixtures.path;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;
import org.apache.hadoop.fs.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

class GlueReaderTest {

  static Stream<Arguments> expectedExamples() {
    return GlueFixtures.cases("/org/tinybert/glue/expected_examples.json").stream()
        .map(c -> Arguments.of(
            c.get("task").asText() + " " + c.get("split").asText() + " " + c.get("file").asText(), c));
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("expectedExamples")
  void readsEveryTaskAndSplitAsTheProcessorsDo(String name, JsonNode c) throws IOException {
    GlueTask task = GlueTask.byName(c.get("task").asText());
    Split split = Split.valueOf(c.get("split").asText());
    GlueExamples got = GlueReader.read(task, split, path(c.get("file").asText()), CONF);

    List<GlueExample> want = new ArrayList<>();
    for (JsonNode e : c.get("examples")) {
      want.add(new GlueExample(e.get("guid").asText(), e.get("index").asText(), e.get("textA").asText(),
          GlueFixtures.textOrNull(e.get("textB")), GlueFixtures.textOrNull(e.get("label")), e.get("line").asLong()));
    }
    assertEquals(want, got.examples());
    assertEquals(c.get("skipped").asLong(), got.skipped());
    assertEquals(task, got.task());
    assertEquals(split, got.split());
  }

  static Stream<Arguments> malformed() {
    return GlueFixtures.cases("/org/tinybert/glue/malformed/cases.json").stream()
        .map(c -> Arguments.of(c.get("name").asText(), c));
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("malformed")
  void malformedRowsNameFileLineAndExpectation(String name, JsonNode c) {
    GlueTask task = GlueTask.byName(c.get("task").asText());
    Split split = Split.valueOf(c.get("split").asText());
    Path file = path("malformed/" + c.get("file").asText());
    GlueReader.Options options = GlueReader.Options.defaults();
    if (c.has("skipMalformed")) options = options.withSkipMalformed(c.get("skipMalformed").asBoolean());
    GlueReader.Options o = options;

    GlueFormatException e = assertThrows(GlueFormatException.class, () -> GlueReader.read(task, split, file, CONF, o));
    assertEquals(c.get("line").asLong(), e.line());
    assertTrue(e.getMessage().startsWith(file + ":" + c.get("line").asLong() + ": "), e.getMessage());
    for (JsonNode s : c.get("contains")) assertTrue(e.getMessage().contains(s.asText()), e.getMessage());
  }

  @Test
  void qqpSkipsAndCountsItsBrokenRowsByDefault() throws IOException {
    GlueExamples got = GlueReader.read(GlueTask.QQP, Split.TRAIN, path("QQP/train.tsv"), CONF);
    assertEquals(2, got.skipped());
    assertEquals(List.of("line 3: expected at least 6 tab-separated columns, found 4",
        "line 4: expected at least 6 tab-separated columns, found 3"), got.skippedReasons());
  }

  @Test
  void qqpFailsOnItsBrokenRowsWhenToldNotToSkip() {
    GlueFormatException e = assertThrows(GlueFormatException.class, () -> GlueReader.read(GlueTask.QQP, Split.TRAIN,
        path("QQP/train.tsv"), CONF, GlueReader.Options.defaults().withSkipMalformed(false)));
    assertEquals(3, e.line());
  }

  @Test
  void skippingKeepsOnlyTheFirstReasonsButCountsAll() throws IOException {
    GlueExamples got = GlueReader.read(GlueTask.QQP, Split.TRAIN, path("QQP/train.tsv"), CONF,
        new GlueReader.Options(null, 1));
    assertEquals(2, got.skipped());
    assertEquals(1, got.skippedReasons().size());
  }

  @Test
  void otherTasksSkipOnlyWhenAsked() throws IOException {
    Path file = path("malformed/sst2_unknown_label.tsv");
    assertThrows(GlueFormatException.class, () -> GlueReader.read(GlueTask.SST_2, Split.DEV, file, CONF));
    GlueExamples got = GlueReader.read(GlueTask.SST_2, Split.DEV, file, CONF,
        GlueReader.Options.defaults().withSkipMalformed(true));
    assertEquals(1, got.size());
    assertEquals(1, got.skipped());
    assertTrue(got.skippedReasons().get(0).startsWith("line 3: unknown label '2'"), got.skippedReasons().toString());
  }

  @Test
  void invalidUtf8IsSkippedLikeAnyMalformedRowAndTheNextLineStillReads(@TempDir java.nio.file.Path dir)
      throws IOException {
    java.nio.file.Path f = dir.resolve("dev.tsv");
    byte[] head = "index\tsentence1\tsentence2\tlabel\n0\tbad \u00e9".getBytes(StandardCharsets.UTF_8);
    byte[] bad = {(byte) 0xff};
    byte[] tail = "\tx\tentailment\n1\tgood \u00e9\ty\tnot_entailment\n".getBytes(StandardCharsets.UTF_8);
    Files.write(f, concat(head, bad, tail));
    GlueExamples got = GlueReader.read(GlueTask.RTE, Split.DEV, new Path(f.toUri()), CONF,
        GlueReader.Options.defaults().withSkipMalformed(true));
    assertEquals(1, got.skipped());
    assertEquals(1, got.size());
    assertEquals("good \u00e9", got.examples().get(0).textA());
    assertEquals(3, got.examples().get(0).line());
  }

  @Test
  void quotesAreText() throws IOException {
    // QUOTE_NONE: an opening quote does not swallow the tab and line end that follow.
    GlueExamples got = GlueReader.read(GlueTask.SST_2, Split.TRAIN, path("SST-2/train.tsv"), CONF);
    assertEquals("it 's \" smart \" the way a brick is smart ", got.examples().get(2).textA());
  }

  @Test
  void readSplitFindsThePublishedFileNames() throws IOException {
    GlueExamples mm = GlueReader.readSplit(GlueTask.MNLI_MM, Split.DEV, path("MNLI"), CONF,
        GlueReader.Options.defaults());
    assertTrue(mm.file().toString().endsWith("MNLI/dev_mismatched.tsv"), mm.file().toString());
    GlueExamples ax = GlueReader.readSplit(GlueTask.AX, Split.TEST, path("diagnostic"), CONF,
        GlueReader.Options.defaults());
    assertTrue(ax.file().toString().endsWith("diagnostic/AX.tsv"), ax.file().toString());
    assertNull(ax.examples().get(0).label());
  }

  @Test
  void emptyFileHasNoExamples(@TempDir java.nio.file.Path dir) throws IOException {
    java.nio.file.Path f = Files.createFile(dir.resolve("dev.tsv"));
    assertEquals(0, GlueReader.read(GlueTask.COLA, Split.DEV, new Path(f.toUri()), CONF).size());
  }

  @Test
  void missingFileIsNamed() {
    Path missing = new Path(path("CoLA"), "nope.tsv");
    IOException e = assertThrows(IOException.class, () -> GlueReader.read(GlueTask.COLA, Split.DEV, missing, CONF));
    assertTrue(e.getMessage().contains("nope.tsv"), e.getMessage());
  }

  private static byte[] concat(byte[]... parts) {
    int n = 0;
    for (byte[] p : parts) n += p.length;
    byte[] out = new byte[n];
    int at = 0;
    for (byte[] p : parts) {
      System.arraycopy(p, 0, out, at, p.length);
      at += p.length;
    }
    return out;
  }
}
