package org.tinybert.augment;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.File;
import java.nio.file.Files;
import org.apache.hadoop.fs.Path;
import org.apache.spark.sql.SparkSession;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.tinybert.testing.Golden;
import org.tinybert.testing.LocalSpark;
import org.tinybert.testing.MiniHdfs;

/** One run with every input and output on an in-process HDFS: the same bytes as the run on local files. */
class AugmentHdfsTest {
  static MiniHdfs hdfs;
  static SparkSession spark;
  @TempDir
  static File base;

  @BeforeAll
  static void start() throws Exception {
    hdfs = MiniHdfs.start(base);
    spark = LocalSpark.start("AugmentHdfsTest");
  }

  @AfterAll
  static void stop() {
    LocalSpark.stop(spark);
    if (hdfs != null) hdfs.close();
  }

  @Test
  void augmentsFromAndToHdfs() throws Exception {
    Path input = hdfs.upload(AugmentFixtures.path("mrpc_train.tsv"), "/glue/MRPC/train.tsv");
    Path glove = hdfs.upload(AugmentFixtures.path("glove.txt.gz"), "/glove/glove.txt.gz");
    Path teacher = hdfs.uploadDir(Golden.hadoopPath("teacher"), "/models/teacher");
    Path output = hdfs.fs().makeQualified(new Path("/glue/MRPC/train_aug.tsv"));
    Path side = hdfs.fs().makeQualified(new Path("/glue/MRPC/train_aug.jsonl"));
    assertTrue(output.toString().startsWith("hdfs://"));

    AugmentSummary onHdfs = AugmentPipeline.run(spark, SparkTests.settings("mrpc", input.toString(), output.toString(),
        "glove=" + glove, "mlm=" + teacher, "side-output=" + side, "partitions=2"));
    java.nio.file.Path local = base.toPath().resolve("local_aug.tsv");
    AugmentPipeline.run(spark, SparkTests.settings("mrpc", AugmentFixtures.path("mrpc_train.tsv").toString(),
        local.toString(), "side-output=" + base.toPath().resolve("local_aug.jsonl")));

    assertArrayEquals(Files.readAllBytes(local), hdfs.read(output));
    assertArrayEquals(Files.readAllBytes(base.toPath().resolve("local_aug.jsonl")), hdfs.read(side));
    assertEquals(3, onHdfs.inputRows());
    // Only the two outputs (and the input) are left in the directory: the part files went away after the merge.
    assertEquals(3, hdfs.fs().listStatus(output.getParent()).length);
  }
}
