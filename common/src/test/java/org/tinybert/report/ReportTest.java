package org.tinybert.report;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.awt.image.BufferedImage;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import javax.imageio.ImageIO;
import org.apache.hadoop.conf.Configuration;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvFileSource;

/**
 * Reports over run directories captured from real runs ({@link ReportFixtures}): every figure a decodable PNG of the
 * asked size with a series drawn on it, the Markdown quoting the numbers of the records (computed here from the files),
 * and every bad input refused with its file and line before anything is written.
 */
class ReportTest {
  static final int WIDTH = 640;
  static final int HEIGHT = 400;
  /** For tests of the Markdown alone: the smallest figures allowed, quick to encode. */
  static final int SMALL_WIDTH = 200;
  static final int SMALL_HEIGHT = 150;
  static final ObjectMapper JSON = new ObjectMapper();
  static final Configuration CONF = new Configuration();

  @TempDir Path tmp;

  @Test
  void generalDistillationGetsEveryFigureAndTheNumbersOfItsRecords() throws IOException {
    Path run = ReportFixtures.copy(ReportFixtures.GENERAL_DISTILL, tmp);
    Path out = tmp.resolve("out");
    List<org.apache.hadoop.fs.Path> written = RunReport.read(ReportFixtures.hadoop(run), CONF)
        .write(ReportFixtures.hadoop(out), CONF, WIDTH, HEIGHT);

    List<String> figures = List.of("general-distill-losses.png", "general-distill-attention-per-layer.png",
        "general-distill-hidden-per-layer.png", "general-distill-throughput.png", "general-distill-learning-rate.png");
    List<String> expected = new ArrayList<>(figures);
    expected.add(RunReport.MARKDOWN);
    assertEquals(expected, written.stream().map(org.apache.hadoop.fs.Path::getName).toList());
    for (String f : figures) assertFigure(out.resolve(f), WIDTH, HEIGHT);
    assertEquals(expected.stream().sorted().toList(), names(out), "only the report's files, no temporaries");

    String md = Files.readString(out.resolve(RunReport.MARKDOWN));
    List<JsonNode> rounds = rounds(run.resolve("metrics.jsonl"));
    JsonNode first = rounds.get(0);
    JsonNode last = rounds.get(rounds.size() - 1);
    JsonNode lowest = rounds.stream().min((a, b) -> Double.compare(a.get("train_loss").asDouble(),
        b.get("train_loss").asDouble())).orElseThrow();
    double seconds = rounds.stream().mapToDouble(r -> r.get("round_seconds").asDouble()).sum();
    JsonNode manifest = JSON.readTree(run.resolve("manifest.json").toFile());
    assertContains(md, "| run id | " + manifest.get("run_id").asText() + " |");
    assertContains(md, "| started | " + manifest.get("started_at").asText() + " |");
    assertContains(md, String.format(Locale.ROOT, "| rounds | %d (round 1 to %d): %d optimiser steps, %d examples",
        rounds.size(), last.get("round").asLong(), last.get("step").asLong(), last.get("examples").asLong()));
    assertContains(md, String.format(Locale.ROOT, "| probe total | %.4f (round 1) → %.4f (round %d)",
        first.get("probe_total").asDouble(), last.get("probe_total").asDouble(), last.get("round").asLong()));
    assertContains(md, String.format(Locale.ROOT, "lowest %.4f at step %d", lowest.get("train_loss").asDouble(),
        lowest.get("step").asLong()));
    assertContains(md, String.format(Locale.ROOT, "| throughput | %.1f examples/s while training (%d examples",
        last.get("examples").asLong() / seconds, last.get("examples").asLong()));
    assertContains(md, "| batch size per worker | " + manifest.at("/settings/training/batchSize").asText() + " |");
    for (JsonNode r : rounds) {
      assertContains(md, String.format(Locale.ROOT, "| %d | %d | %d | %d | %.4f | %.4f |", r.get("round").asLong(),
          r.get("epoch").asLong(), r.get("step").asLong(), r.get("examples").asLong(), r.get("train_loss").asDouble(),
          r.get("probe_total").asDouble()));
    }
    for (String f : figures) assertContains(md, "](" + f + ")");
  }

  @Test
  void taskDistillationOfBothStagesGetsFiguresForEach() throws IOException {
    Path run = ReportFixtures.copy(ReportFixtures.TASK_DISTILL, tmp);
    Path out = tmp.resolve("out");
    RunReport report = RunReport.read(ReportFixtures.hadoop(run), CONF);
    assertEquals(List.of("task-distill intermediate", "task-distill prediction"),
        report.stages().stream().map(StageRun::job).toList());
    report.write(ReportFixtures.hadoop(out), CONF, WIDTH, HEIGHT);

    List<String> figures = List.of("task-distill-intermediate-losses.png",
        "task-distill-intermediate-attention-per-layer.png", "task-distill-intermediate-hidden-per-layer.png",
        "task-distill-intermediate-throughput.png", "task-distill-intermediate-learning-rate.png",
        "task-distill-prediction-losses.png", "task-distill-prediction-throughput.png",
        "task-distill-prediction-dev.png", "task-distill-prediction-learning-rate.png");
    List<String> expected = new ArrayList<>(figures);
    expected.add(RunReport.MARKDOWN);
    assertEquals(expected.stream().sorted().toList(), names(out));
    for (String f : figures) assertFigure(out.resolve(f), WIDTH, HEIGHT);

    String md = Files.readString(out.resolve(RunReport.MARKDOWN));
    assertTrue(md.indexOf("## task-distill intermediate") < md.indexOf("## task-distill prediction"), md);
    JsonNode eval = JSON.readTree(run.resolve("best/eval.json").toFile());
    String best = String.format(Locale.ROOT, "%s %.4f at step %d", eval.get("primary_metric").asText(),
        eval.get("primary").asDouble(), eval.get("step").asLong());
    assertContains(md, "| best dev | " + best + " (best/eval.json)");
    List<JsonNode> inter = rounds(run.resolve("intermediate/metrics.jsonl"));
    JsonNode lastInter = inter.get(inter.size() - 1);
    assertContains(md, String.format(Locale.ROOT, "→ %.4f (round %d)", lastInter.get("probe_attention").asDouble(),
        lastInter.get("round").asLong()));
    List<JsonNode> pred = rounds(run.resolve("metrics.jsonl"));
    JsonNode lastDev = null;
    for (JsonNode r : pred) if (r.has("dev")) lastDev = r;
    assertNotNull(lastDev, "the fixture's prediction stage scored dev");
    assertContains(md, String.format(Locale.ROOT, "| last dev | acc %.4f at step %d |",
        lastDev.at("/dev/acc").asDouble(), lastDev.get("step").asLong()));

    // The dev figure marks the best score where best/eval.json puts it.
    StageRun prediction = report.stages().get(1);
    List<String> series = ReportCharts.figures(prediction, WIDTH, HEIGHT).stream()
        .filter(f -> f.file().endsWith("-dev.png")).findFirst().orElseThrow().chart().getSeriesMap().keySet()
        .stream().toList();
    String marker = String.format(Locale.ROOT, "best %s %.4f (step %d)", eval.get("primary_metric").asText(),
        eval.get("primary").asDouble(), eval.get("step").asLong());
    assertTrue(series.contains(marker), series::toString);
  }

  @Test
  void aPredictionStageNotStartedYetLeavesTheIntermediateOneAndANote() throws IOException {
    Path run = ReportFixtures.copy(ReportFixtures.TASK_DISTILL, tmp);
    Files.delete(run.resolve("manifest.json"));
    Files.delete(run.resolve("metrics.jsonl"));
    RunReport report = RunReport.read(ReportFixtures.hadoop(run), CONF);
    assertEquals(List.of("task-distill intermediate"), report.stages().stream().map(StageRun::job).toList());
    String md = new String(report.render(SMALL_WIDTH, SMALL_HEIGHT).get(RunReport.MARKDOWN), StandardCharsets.UTF_8);
    assertContains(md, "The prediction stage has not started");
  }

  @Test
  void aLongRunShowsAnEvenSampleOfItsRoundsFromFirstToLast() throws IOException {
    Path run = ReportFixtures.copy(ReportFixtures.GENERAL_DISTILL, tmp);
    List<JsonNode> rounds = rounds(run.resolve("metrics.jsonl"));
    int n = 4 * ReportMarkdown.MAX_ROWS + 3;
    StringBuilder lines = new StringBuilder();
    for (int i = 0; i < n; i++) {
      var r = ((com.fasterxml.jackson.databind.node.ObjectNode) rounds.get(i % rounds.size()).deepCopy());
      r.put("round", i + 1).put("step", 2 * (i + 1)).put("examples", 64 * (i + 1));
      lines.append(r).append('\n');
    }
    Files.writeString(run.resolve("metrics.jsonl"), lines);
    String md = new String(RunReport.read(ReportFixtures.hadoop(run), CONF).render(SMALL_WIDTH, SMALL_HEIGHT)
        .get(RunReport.MARKDOWN), StandardCharsets.UTF_8);
    assertContains(md, "### Rounds (" + ReportMarkdown.MAX_ROWS + " of " + n + ")");
    long rows = md.lines().filter(l -> l.matches("\\| \\d+ \\| .*")).count();
    assertEquals(ReportMarkdown.MAX_ROWS, rows);
    assertContains(md, "| 1 | 1 | 2 | 64 |");
    assertContains(md, "| " + n + " | ");
  }

  /**
   * One damaged file per row of bad-inputs.csv: the error names the file and line and says what is wrong, and no
   * output is written.
   */
  @ParameterizedTest(name = "{0}: {1} line {2}")
  @CsvFileSource(resources = "/org/tinybert/report/bad-inputs.csv", delimiter = '|', quoteCharacter = '\'',
      numLinesToSkip = 1)
  void aBadInputIsRefusedNamingFileAndLine(String fixture, String file, int line, String content, String message,
      long reportedLine) throws IOException {
    Path run = ReportFixtures.copy(fixture, tmp);
    Path target = run.resolve(file);
    if (content.equals("<delete>")) {
      Files.delete(target);
    } else if (line == 0) {
      Files.writeString(target, content.equals("<empty>") ? "" : content);
    } else {
      List<String> lines = new ArrayList<>(Files.readAllLines(target));
      lines.set(line - 1, content);
      Files.write(target, lines);
    }
    Path out = tmp.resolve("out");
    ReportInputException e = assertThrows(ReportInputException.class,
        () -> RunReport.read(ReportFixtures.hadoop(run), CONF).write(ReportFixtures.hadoop(out), CONF, WIDTH, HEIGHT));
    assertContains(e.getMessage(), message);
    assertTrue(e.file().endsWith(fixture + "/" + file), e.file());
    assertEquals(reportedLine, e.line(), e.getMessage());
    assertFalse(Files.exists(out), "nothing written");
  }

  @Test
  void aMissingRunDirectoryIsNamed() {
    Path run = tmp.resolve("no-such-run");
    ReportInputException e = assertThrows(ReportInputException.class,
        () -> RunReport.read(ReportFixtures.hadoop(run), CONF));
    assertTrue(e.getMessage().endsWith("no-such-run: no such directory"), e.getMessage());
  }

  /** Decodes, has the size asked for, and shows more than background, axes and text: a coloured series. */
  static void assertFigure(Path png, int width, int height) throws IOException {
    BufferedImage img = ImageIO.read(png.toFile());
    assertNotNull(img, png + " does not decode as an image");
    assertEquals(width, img.getWidth(), png.toString());
    assertEquals(height, img.getHeight(), png.toString());
    int background = img.getRGB(0, 0);
    long differ = 0;
    long coloured = 0;
    for (int y = 0; y < height; y++) {
      for (int x = 0; x < width; x++) {
        int rgb = img.getRGB(x, y);
        if (rgb != background) differ++;
        int r = rgb >> 16 & 0xff;
        int g = rgb >> 8 & 0xff;
        int b = rgb & 0xff;
        // Axes, grid and text are grey; the series are drawn in saturated colours.
        if (Math.max(r, Math.max(g, b)) - Math.min(r, Math.min(g, b)) > 80) coloured++;
      }
    }
    assertTrue(differ > (long) width * height / 100, png + ": blank (" + differ + " pixels off the background)");
    assertTrue(coloured > 100, png + ": no series drawn (" + coloured + " coloured pixels)");
  }

  static List<JsonNode> rounds(Path metrics) throws IOException {
    List<JsonNode> out = new ArrayList<>();
    for (String l : Files.readAllLines(metrics)) if (!l.isBlank()) out.add(JSON.readTree(l));
    return out;
  }

  /** The files in {@code dir}, without the checksums Hadoop's local file system keeps beside them. */
  static List<String> names(Path dir) throws IOException {
    try (var s = Files.list(dir)) {
      return s.map(p -> p.getFileName().toString()).filter(n -> !(n.startsWith(".") && n.endsWith(".crc"))).sorted()
          .toList();
    }
  }

  static void assertContains(String text, String part) {
    assertTrue(text.contains(part), "expected to find\n  " + part + "\nin\n" + text);
  }
}
