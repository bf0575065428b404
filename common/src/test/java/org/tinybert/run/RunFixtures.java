package org.tinybert.run;

import com.fasterxml.jackson.core.type.TypeReference;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.net.URISyntaxException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.apache.hadoop.conf.Configuration;
import org.tinybert.io.HadoopIO;
import org.tinybert.io.RunLog;

/** The run directories of {@code src/test/resources/org/tinybert/run/} (see the README there), and copies of them. */
public final class RunFixtures {
  /** Both stages of a task distillation, as the build before the records became types wrote them. */
  public static final String TASK_DISTILL = "run/task-distill";
  private static final ObjectMapper JSON = new ObjectMapper();

  private RunFixtures() {}

  /** A fixture run directory (under {@code /org/tinybert/}, e.g. {@value #TASK_DISTILL}) in place: do not change it. */
  public static Path fixture(String name) {
    try {
      return Path.of(RunFixtures.class.getResource("/org/tinybert/" + name).toURI());
    } catch (URISyntaxException | NullPointerException e) {
      throw new IllegalStateException("no /org/tinybert/" + name + " on the test classpath", e);
    }
  }

  /** The non-blank lines of a run's {@value RunFiles#METRICS}. */
  public static List<String> lines(Path run) throws IOException {
    return Files.readAllLines(run.resolve(RunFiles.METRICS), StandardCharsets.UTF_8).stream()
        .filter(l -> !l.isBlank()).toList();
  }

  /** A manifest file's values given back to {@link RunManifest}, in the places a run gives them. */
  public static RunManifest manifest(byte[] file) throws IOException {
    Map<String, Object> all = JSON.readValue(file, new TypeReference<LinkedHashMap<String, Object>>() {});
    JsonNode tree = JSON.readTree(file);
    RunManifest.Header h = RunManifest.header(tree);
    List<String> keys = new ArrayList<>(all.keySet());
    Map<String, Object> jobFields = new LinkedHashMap<>();
    for (String k : keys.subList(keys.indexOf(RunManifest.ENGINE) + 1, keys.indexOf(RunManifest.PLAN))) {
      jobFields.put(k, all.get(k));
    }
    @SuppressWarnings("unchecked")
    Map<String, ?> versions = (Map<String, ?>) all.get(RunManifest.VERSIONS);
    RunManifest m = RunManifest.start(h.job(), h.runId(), Instant.parse(h.startedAt()), h.sparkApplicationId(),
        h.sparkMaster(), h.resumedAtRound(), h.engine())
        .withJobFields(jobFields)
        .withRuntime(tree.get(RunManifest.PLAN), versions, tree.get(RunManifest.ROUND_BYTES_PER_WORKER).asLong())
        .finished(Instant.parse(h.finishedAt()), h.rounds(), h.examplesSeen());
    for (String k : keys.subList(keys.indexOf(RunManifest.EXAMPLES_SEEN) + 1, keys.size())) m.put(k, all.get(k));
    return m;
  }

  /**
   * The stage in {@code from} written again into {@code to} by this build's writers: {@link RunLog} with each round
   * read as a {@link MetricsRound}, {@link RunManifest} and {@link EvalRecord}.
   */
  public static void rewriteStage(Path from, Path to) throws IOException {
    Configuration conf = new Configuration();
    org.apache.hadoop.fs.Path dir = new org.apache.hadoop.fs.Path(to.toUri());
    RunLog log = new RunLog(dir, conf, 0);
    log.writeManifest(manifest(Files.readAllBytes(from.resolve(RunFiles.MANIFEST))));
    for (String line : lines(from)) log.append(MetricsRound.parse(line));
    Path eval = from.resolve(RunFiles.BEST_EVAL);
    if (Files.exists(eval)) {
      HadoopIO.writeAtomically(new org.apache.hadoop.fs.Path(dir, RunFiles.BEST_EVAL), conf,
          EvalRecord.parse(Files.readAllBytes(eval)).toBytes());
    }
  }
}
