package org.tinybert.jobs;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.tinybert.testing.Tensors.assertRelClose;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.Path;
import org.apache.spark.sql.SparkSession;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.tinybert.config.GeneralDistillSettings;
import org.tinybert.config.SettingsLoader;
import org.tinybert.config.TaskDistillSettings;
import org.tinybert.bench.DistillBenchmark;
import org.tinybert.io.HadoopIO;
import org.tinybert.io.RunLog;
import org.tinybert.run.RunFiles;
import org.tinybert.testing.Golden;
import org.tinybert.testing.LocalSpark;

/**
 * A short general distillation and both stages of task distillation on local[2], once with {@code tinybert.engine =
 * cpu} and once with {@code nd4j}: the same losses round after round (float tolerance; dropout on, the same masks),
 * the engine recorded in manifest.json, and the work really done by ND4J operations on the executors' threads with
 * the portable engine (the setting travels in the DL4J configuration Spark ships, not through this JVM).
 */
class EngineParityJobTest {
  static final double REL = 2e-4;
  static final ObjectMapper JSON = new ObjectMapper();
  @TempDir static java.nio.file.Path tmp;
  static SparkSession spark;
  static java.nio.file.Path corpus;
  static java.nio.file.Path mnli;

  @BeforeAll
  static void start() throws IOException {
    spark = LocalSpark.start("EngineParityJobTest");
    List<String> lines = Files.readAllLines(java.nio.file.Path.of(System.getProperty("tinybert.root", ".."))
        .resolve("deploy/sample/corpus/sample.txt"));
    corpus = Files.createDirectories(tmp.resolve("corpus"));
    Files.writeString(corpus.resolve("part-0.txt"), String.join("\n", lines.subList(0, 300)), StandardCharsets.UTF_8);
    mnli = tmp.resolve("MNLI");
    SyntheticMnli.write(mnli);
  }

  @AfterAll
  static void stop() {
    LocalSpark.stop(spark);
  }

  /** ND4J operations that {@code body} executes in this JVM (driver and local executors alike). */
  static long nd4jOps(ThrowingRunnable body) {
    return DistillBenchmark.nd4jOps(() -> {
      try {
        body.run();
      } catch (Exception e) {
        throw new IllegalStateException(e);
      }
    });
  }

  interface ThrowingRunnable {
    void run() throws Exception;
  }

  static GeneralDistillSettings generalDistill(String output, String engine) {
    return generalDistill(output, engine, 2);
  }

  static GeneralDistillSettings generalDistill(String output, String engine, int workers) {
    String k = GeneralDistillSettings.ROOT + ".";
    List<String> sets = List.of(
        k + "corpus=[\"" + corpus + "\"]",
        k + "teacher=\"" + Golden.hadoopPath("teacher") + "\"",
        k + "output=\"" + output + "\"",
        k + "max-seq-length=24",
        k + "epochs=1",
        k + "batch-size=8",
        k + "averaging-frequency=2",
        k + "workers=" + workers,
        k + "probe-examples=4",
        k + "learning-rate=3e-3",
        k + "dropout=0.1",
        "tinybert.engine=" + engine);
    return GeneralDistillSettings.from(SettingsLoader.load(GeneralDistillSettings.ROOT, Optional.empty(), sets));
  }

  static List<JsonNode> records(String dir) {
    return new RunLog(new Path(dir), new Configuration(), Long.MAX_VALUE).records();
  }

  static JsonNode manifest(String dir) throws IOException {
    return JSON.readTree(HadoopIO.readAll(new Path(dir, RunFiles.MANIFEST), new Configuration()));
  }

  /** Every loss of every round's record equal within {@link #REL}. */
  static void assertSameLosses(String what, List<JsonNode> cpu, List<JsonNode> nd4j, List<String> keys) {
    assertEquals(cpu.size(), nd4j.size(), what + ": rounds");
    assertTrue(cpu.size() >= 2, what + ": " + cpu.size() + " rounds");
    for (int i = 0; i < cpu.size(); i++) {
      for (String key : keys) {
        if (!cpu.get(i).has(key)) continue;
        assertRelClose(what + " round " + (i + 1) + " " + key, cpu.get(i).get(key).asDouble(),
            nd4j.get(i).get(key).asDouble(), REL);
      }
    }
  }

  @Test
  void generalDistillationGivesTheSameLossesOnBothEngines() throws Exception {
    String cpu = tmp.resolve("general-cpu").toString();
    String nd4j = tmp.resolve("general-nd4j").toString();
    GeneralDistillJob.run(spark, generalDistill(cpu, "cpu"));
    GeneralDistillJob.run(spark, generalDistill(nd4j, "nd4j"));
    // Counted on one worker: ND4J's op profiler is not thread-safe (two tasks at once fail inside it).
    long cpuOps = nd4jOps(() -> GeneralDistillJob.run(spark, generalDistill(cpu + "-ops", "cpu", 1)));
    long nd4jOps = nd4jOps(() -> GeneralDistillJob.run(spark, generalDistill(nd4j + "-ops", "nd4j", 1)));
    assertSameLosses("general-distill", records(cpu), records(nd4j),
        List.of("train_loss", "probe_total", "probe_attention", "probe_embedding", "probe_hidden"));
    assertEquals("nd4j", manifest(nd4j).get("engine").get("engine").asText());
    assertEquals("cpu", manifest(cpu).get("engine").get("setting").asText());
    assertTrue(nd4jOps > 3 * cpuOps, "ND4J ops: cpu engine " + cpuOps + ", nd4j engine " + nd4jOps);
  }

  @Test
  void taskDistillationGivesTheSameLossesOnBothEngines() throws Exception {
    String cpu = tmp.resolve("task-cpu").toString();
    String nd4j = tmp.resolve("task-nd4j").toString();
    TaskDistillJob.Summary a = TaskDistillJob.run(spark, taskDistill(cpu, "cpu"));
    TaskDistillJob.Summary b = TaskDistillJob.run(spark, taskDistill(nd4j, "nd4j"));
    List<String> keys = List.of("train_loss", "probe_total", "probe_attention", "probe_embedding", "probe_hidden");
    assertSameLosses("intermediate", records(cpu + "/intermediate"), records(nd4j + "/intermediate"), keys);
    assertSameLosses("prediction", records(cpu), records(nd4j), keys);
    assertEquals(a.last().bestMetrics(), b.last().bestMetrics(), "dev metrics of the best students");
    assertEquals("nd4j", manifest(nd4j).get("engine").get("engine").asText());
    assertEquals("nd4j", manifest(nd4j + "/intermediate").get("engine").get("engine").asText());
  }

  static TaskDistillSettings taskDistill(String out, String engine) {
    List<String> more = new ArrayList<>(List.of("tinybert.engine=" + engine));
    for (String stage : List.of("intermediate", "prediction")) {
      more.add(TaskDistillSettings.ROOT + "." + stage + ".dropout=0.1");
    }
    return TaskDistillJobTest.settings(mnli, out, more.toArray(String[]::new));
  }
}
