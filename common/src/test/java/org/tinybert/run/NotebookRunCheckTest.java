package org.tinybert.run;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code notebooks/check_notebooks.py runs}: the notebooks' side of the schemas, on the same fixture runs the Java
 * records are tested with. Skipped where there is no python3.
 */
class NotebookRunCheckTest {
  @TempDir Path tmp;

  record Result(int exit, String output) {}

  static Result check(Path... runs) throws IOException, InterruptedException {
    Path script = RunSchemas.dir().getParent().getParent().resolve("notebooks/check_notebooks.py");
    List<String> cmd = new ArrayList<>(List.of("python3", script.toString(), "runs"));
    for (Path r : runs) cmd.add(r.toString());
    Process p;
    try {
      p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
    } catch (IOException noPython) {
      assumeTrue(false, "no python3: " + noPython.getMessage());
      throw noPython;
    }
    String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    assertTrue(p.waitFor(60, TimeUnit.SECONDS), "check_notebooks.py did not finish");
    return new Result(p.exitValue(), out);
  }

  @Test
  void theFixtureRunsPass() throws Exception {
    Result r = check(RunFixtures.fixture(RunFixtures.TASK_DISTILL), RunFixtures.fixture("report/general-distill"),
        RunFixtures.fixture("report/task-distill"));
    assertEquals(0, r.exit(), r.output());
    assertTrue(r.output().contains("runs: 3 run(s) ok"), r.output());
  }

  /** A field the notebooks read, renamed in one round of the intermediate stage, is named with its file and line. */
  @Test
  void aRenamedFieldFails() throws Exception {
    Path run = tmp.resolve("run");
    Path from = RunFixtures.fixture(RunFixtures.TASK_DISTILL);
    for (String f : List.of(RunFiles.MANIFEST, RunFiles.METRICS, RunFiles.BEST_EVAL,
        "intermediate/" + RunFiles.MANIFEST, "intermediate/" + RunFiles.METRICS)) {
      Files.createDirectories(run.resolve(f).getParent());
      Files.copy(from.resolve(f), run.resolve(f));
    }
    Path metrics = run.resolve("intermediate/" + RunFiles.METRICS);
    List<String> lines = new ArrayList<>(Files.readAllLines(metrics));
    lines.set(1, lines.get(1).replace("\"probe_total\"", "\"probeTotal\""));
    Files.write(metrics, lines);
    Result r = check(run);
    assertEquals(1, r.exit(), r.output());
    assertTrue(r.output().contains(metrics + " line 2: "), r.output());
    assertTrue(r.output().contains("probeTotal"), r.output());
  }
}
