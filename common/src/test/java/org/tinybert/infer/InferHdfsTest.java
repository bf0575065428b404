package org.tinybert.infer;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.File;
import java.nio.file.Files;
import java.util.ArrayList;
import java.util.List;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.Path;
import org.apache.spark.sql.SparkSession;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.tinybert.runtime.ExecutorRuntime;
import org.tinybert.testing.Golden;
import org.tinybert.testing.LocalSpark;
import org.tinybert.testing.MiniHdfs;

/**
 * {@code infer} with the model, a directory of input parts and the output on an in-process HDFS: the same parts, byte
 * for byte, as the run on local files; a rerun there does nothing.
 */
class InferHdfsTest {
  static MiniHdfs hdfs;
  static SparkSession spark;
  @TempDir
  static File base;

  @BeforeAll
  static void start() throws Exception {
    hdfs = MiniHdfs.start(base);
    spark = LocalSpark.start("InferHdfsTest");
  }

  @AfterAll
  static void stop() {
    LocalSpark.stop(spark);
    // The models infer loaded stay in this JVM's cache otherwise, for the test classes after this one.
    ExecutorRuntime.clear();
    if (hdfs != null) hdfs.close();
  }

  @Test
  void scoresADirectoryOfPartsOnHdfs() throws Exception {
    java.nio.file.Path local = base.toPath().resolve("table");
    List<String> header = List.of("id\tsentence");
    for (int p = 0; p < 3; p++) {
      List<String> lines = new ArrayList<>(header);
      List<String> texts = InferFixtures.sentences(15, 20 + p);
      for (int i = 0; i < texts.size(); i++) lines.add(p + "-" + i + "\t" + texts.get(i));
      InferFixtures.write(local.resolve("part-0000" + p + ".tsv"), lines);
    }
    FileSystem fs = hdfs.fs();
    Path table = hdfs.uploadDir(new Path(local.toUri()), "/warehouse/table");
    fs.create(new Path(table, "_SUCCESS")).close();
    Path model = hdfs.uploadDir(Golden.hadoopPath("student"), "/models/student");
    Path output = fs.makeQualified(new Path("/warehouse/scored"));
    assertTrue(output.toString().startsWith("hdfs://"));

    String[] opts = {"text-column=sentence", "id-column=id", "split-size=1k"};
    InferSummary onHdfs = InferPipeline.run(spark, InferFixtures.settings(model, table, output, opts));
    java.nio.file.Path localOut = base.toPath().resolve("scored");
    InferSummary onDisk = InferPipeline.run(spark, InferFixtures.settings(Golden.dir().resolve("student"), local,
        localOut, opts));
    assertEquals(45, onHdfs.examples());
    assertEquals(onDisk.parts(), onHdfs.parts());
    List<java.nio.file.Path> localParts = InferFixtures.parts(localOut);
    assertEquals(localParts.size(), onHdfs.parts());
    for (java.nio.file.Path p : localParts) {
      assertArrayEquals(Files.readAllBytes(p), hdfs.read(new Path(output, p.getFileName().toString())), p.toString());
    }
    assertTrue(fs.exists(new Path(output, "_SUCCESS")));
    assertTrue(fs.exists(new Path("/warehouse/scored.manifest.json")));
    assertEquals(45, spark.read().parquet(output.toString()).count());

    InferSummary again = InferPipeline.run(spark, InferFixtures.settings(model, table, output, opts));
    assertTrue(again.alreadyDone());
  }
}
