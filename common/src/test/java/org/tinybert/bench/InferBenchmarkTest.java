package org.tinybert.bench;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.apache.spark.sql.SparkSession;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.tinybert.config.InferBenchSettings;
import org.tinybert.config.SettingsLoader;
import org.tinybert.infer.InferFixtures;
import org.tinybert.runtime.ExecutorRuntime;
import org.tinybert.testing.LocalSpark;

/** The infer benchmark on tiny models: it runs, every row is scored at full length, and its ratios add up. */
class InferBenchmarkTest {
  static SparkSession spark;
  @TempDir
  static Path tmp;

  @BeforeAll
  static void start() {
    spark = LocalSpark.start("InferBenchmarkTest");
  }

  @AfterAll
  static void stop() {
    LocalSpark.stop(spark);
    // The models infer loaded stay in this JVM's cache otherwise, for the test classes after this one.
    ExecutorRuntime.clear();
  }

  @Test
  void timesTheEngineAndInferForBothModels() throws Exception {
    String k = InferBenchSettings.ROOT + ".";
    InferBenchSettings s = InferBenchSettings.from(SettingsLoader.load(InferBenchSettings.ROOT, Optional.empty(),
        List.of(k + "model=tiny", k + "dir=\"" + tmp + "\"", k + "rows=40", k + "parts=3", k + "batch=8",
            k + "seq-length=16", k + "rounds=2", k + "engine-steps=1")));
    Map<String, Object> r = InferBenchmark.run(spark, s);
    assertEquals(2, ((List<?>) r.get("rounds")).size());
    double it = ((Number) r.get("infer_teacher_examples_per_second")).doubleValue();
    double et = ((Number) r.get("engine_teacher_examples_per_second")).doubleValue();
    assertTrue(it > 0 && et > 0, r.toString());
    assertEquals(it / et, ((Number) r.get("teacher_infer_to_engine")).doubleValue(), 1e-3 * Math.max(1, it / et));
    // Every row scored, in one part per table file, each example at the full sequence length.
    var m = InferFixtures.manifest(tmp.resolve("out-student"));
    assertEquals(40, m.get("summary").get("examples").asInt());
    assertEquals(3, m.get("summary").get("parts").asInt());
    for (String line : java.nio.file.Files.readAllLines(tmp.resolve("table-40x16-3/part-00000.txt"))) {
      assertTrue(line.split(" ").length > 16, line);
    }
  }
}
