package org.tinybert.report;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.apache.hadoop.conf.Configuration;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.tinybert.run.RunFixtures;

/**
 * The report of a run the build before the records became types wrote ({@link RunFixtures#TASK_DISTILL}), and of the
 * same run written again by this build's writers: the same report, quoting the records' numbers.
 */
class RecordsReportTest {
  @TempDir Path tmp;

  static String markdown(Path run) throws IOException {
    RunReport r = RunReport.read(new org.apache.hadoop.fs.Path(run.toUri()), new Configuration());
    Map<String, byte[]> files = r.render(ReportTest.SMALL_WIDTH, ReportTest.SMALL_HEIGHT);
    // The directory is the one difference between the two runs.
    return new String(files.get(RunReport.MARKDOWN), StandardCharsets.UTF_8).replace(run.toUri().getPath(), "RUN/")
        .replace(run.toString(), "RUN");
  }

  @Test
  void aRunOfThePreviousBuildAndTheSameRunWrittenByThisOneReportAlike() throws IOException {
    Path old = RunFixtures.fixture(RunFixtures.TASK_DISTILL);
    Path rewritten = tmp.resolve("task-distill");
    RunFixtures.rewriteStage(old.resolve(RunReport.INTERMEDIATE), rewritten.resolve(RunReport.INTERMEDIATE));
    RunFixtures.rewriteStage(old, rewritten);

    RunReport report = RunReport.read(new org.apache.hadoop.fs.Path(old.toUri()), new Configuration());
    assertEquals(List.of("task-distill intermediate", "task-distill prediction"),
        report.stages().stream().map(StageRun::job).toList());
    StageRun prediction = report.stages().get(1);
    StageRun.BestDev best = prediction.bestDev().orElseThrow();
    assertEquals("acc", best.metric());
    assertEquals(0.6875, best.value());
    assertEquals(2, best.step());
    assertEquals("best/eval.json", best.source());
    assertEquals(0.35608027504250994, prediction.rounds().get(2).values().trainLoss());
    assertTrue(report.stages().get(0).rounds().get(0).values().fixedSeconds() > 0);

    String md = markdown(old);
    assertTrue(md.contains("| best dev | acc 0.6875 at step 2 (best/eval.json)"), md);
    assertEquals(md, markdown(rewritten));
  }
}
