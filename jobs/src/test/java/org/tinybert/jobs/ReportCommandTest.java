package org.tinybert.jobs;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.awt.image.BufferedImage;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import javax.imageio.ImageIO;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.tinybert.config.ReportSettings;
import org.tinybert.jobs.cli.ExitCodes;
import org.tinybert.report.ReportFixtures;
import org.tinybert.report.RunReport;
import org.tinybert.training.TaskDistillation;

/** {@code tinybert report} on the report package's captured runs: files written and printed, errors and exit codes. */
class ReportCommandTest {
  @TempDir Path tmp;

  @Test
  void writesTheFiguresAndTheMarkdownWhereAskedAndPrintsThem() throws Exception {
    Path run = ReportFixtures.copy(ReportFixtures.GENERAL_DISTILL, tmp);
    Path out = tmp.resolve("figures");
    GlueCli.Run r = GlueCli.tinybert(List.of("report", "--run", run.toString(), "--output", out.toString(),
        "--width", "320", "--height", "200"));
    assertEquals(ExitCodes.OK, r.exit(), r.err());
    List<String> printed = r.out().lines().toList();
    assertTrue(printed.get(printed.size() - 1).endsWith(out + "/" + RunReport.MARKDOWN), r.out());
    for (String line : printed) {
      Path file = Path.of(new org.apache.hadoop.fs.Path(line).toUri().getPath());
      assertTrue(Files.isRegularFile(file), line);
      if (line.endsWith(".png")) {
        BufferedImage img = ImageIO.read(file.toFile());
        assertEquals(320, img.getWidth(), line);
        assertEquals(200, img.getHeight(), line);
      }
    }
    assertTrue(printed.stream().anyMatch(l -> l.endsWith("general-distill-losses.png")), r.out());
  }

  @Test
  void withoutAnOutputTheReportGoesUnderTheRun() {
    Path run = ReportFixtures.copy(ReportFixtures.TASK_DISTILL, tmp);
    GlueCli.Run r = GlueCli.tinybert(List.of("report", "--run", run.toString(), "--width", "200", "--height",
        "150"));
    assertEquals(ExitCodes.OK, r.exit(), r.err());
    Path dir = run.resolve(ReportSettings.DEFAULT_DIR);
    assertTrue(Files.isRegularFile(dir.resolve(RunReport.MARKDOWN)), r.out());
    assertTrue(Files.isRegularFile(dir.resolve("task-distill-intermediate-hidden-per-layer.png")), r.out());
    assertTrue(Files.isRegularFile(dir.resolve("task-distill-prediction-dev.png")), r.out());
  }

  @Test
  void aMalformedRoundNamesFileAndLineAndWritesNothing() throws Exception {
    Path run = ReportFixtures.copy(ReportFixtures.GENERAL_DISTILL, tmp);
    Path metrics = run.resolve("metrics.jsonl");
    List<String> lines = new java.util.ArrayList<>(Files.readAllLines(metrics));
    lines.set(2, lines.get(2).substring(0, 40));
    Files.write(metrics, lines);
    GlueCli.Run r = GlueCli.tinybert(List.of("report", "--run", run.toString()));
    assertEquals(ExitCodes.FAILURE, r.exit());
    assertTrue(r.err().contains(metrics + ":3: malformed JSON"), r.err());
    assertFalse(Files.exists(run.resolve(ReportSettings.DEFAULT_DIR)), "nothing written");
  }

  @Test
  void theRunIsRequiredAndFiguresHaveBounds() {
    GlueCli.Run r = GlueCli.tinybert(List.of("report", "--width", "10"));
    assertEquals(ExitCodes.USAGE, r.exit());
    assertTrue(r.err().contains("tinybert.report.run must be set (a path), found nothing; give it with --run"),
        r.err());
    assertTrue(r.err().contains("tinybert.report.width must be >= 200, found 10 (--width on the command line)"),
        r.err());
  }

  /** The report looks for the directories the jobs write. */
  @Test
  void theReportFindsTheStagesWhereTheJobsPutThem() {
    assertEquals(TaskDistillation.INTERMEDIATE, RunReport.INTERMEDIATE);
  }
}
