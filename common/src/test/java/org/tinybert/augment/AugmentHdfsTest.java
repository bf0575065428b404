package org.tinybert.augment;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.File;
import java.io.InputStream;
import java.nio.file.Files;
import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.FileStatus;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.Path;
import org.apache.hadoop.hdfs.MiniDFSCluster;
import org.apache.spark.sql.SparkSession;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.tinybert.testing.Golden;

/** One run with every input and output on an in-process HDFS: the same bytes as the run on local files. */
class AugmentHdfsTest {
  static MiniDFSCluster cluster;
  static FileSystem fs;
  static SparkSession spark;
  @TempDir
  static File base;

  @BeforeAll
  static void start() throws Exception {
    Configuration conf = new Configuration();
    conf.set(MiniDFSCluster.HDFS_MINIDFS_BASEDIR, new File(base, "dfs").getAbsolutePath());
    cluster = new MiniDFSCluster.Builder(conf).numDataNodes(1).build();
    cluster.waitActive();
    fs = cluster.getFileSystem();
    spark = SparkTests.session("AugmentHdfsTest");
  }

  @AfterAll
  static void stop() {
    if (spark != null) spark.stop();
    if (cluster != null) cluster.shutdown();
  }

  static Path upload(Path local, String target) throws Exception {
    Path dst = fs.makeQualified(new Path(target));
    fs.copyFromLocalFile(local, dst);
    return dst;
  }

  @Test
  void augmentsFromAndToHdfs() throws Exception {
    Path input = upload(AugmentFixtures.path("mrpc_train.tsv"), "/glue/MRPC/train.tsv");
    Path glove = upload(AugmentFixtures.path("glove.txt.gz"), "/glove/glove.txt.gz");
    Path teacher = fs.makeQualified(new Path("/models/teacher"));
    fs.mkdirs(teacher);
    for (FileStatus f : FileSystem.getLocal(new Configuration()).listStatus(Golden.hadoopPath("teacher"))) {
      String name = f.getPath().getName();
      if (!name.endsWith(".crc")) fs.copyFromLocalFile(f.getPath(), new Path(teacher, name));
    }
    Path output = fs.makeQualified(new Path("/glue/MRPC/train_aug.tsv"));
    Path side = fs.makeQualified(new Path("/glue/MRPC/train_aug.jsonl"));
    assertTrue(output.toString().startsWith("hdfs://"));

    AugmentSummary onHdfs = AugmentPipeline.run(spark, SparkTests.settings("mrpc", input.toString(), output.toString(),
        "glove=" + glove, "mlm=" + teacher, "side-output=" + side, "partitions=2"));
    java.nio.file.Path local = base.toPath().resolve("local_aug.tsv");
    AugmentPipeline.run(spark, SparkTests.settings("mrpc", AugmentFixtures.path("mrpc_train.tsv").toString(),
        local.toString(), "side-output=" + base.toPath().resolve("local_aug.jsonl")));

    assertArrayEquals(Files.readAllBytes(local), read(output));
    assertArrayEquals(Files.readAllBytes(base.toPath().resolve("local_aug.jsonl")), read(side));
    assertEquals(3, onHdfs.inputRows());
    // Only the two outputs (and the input) are left in the directory: the part files went away after the merge.
    assertEquals(3, fs.listStatus(output.getParent()).length);
  }

  static byte[] read(Path p) throws Exception {
    try (InputStream in = fs.open(p)) {
      return in.readAllBytes();
    }
  }
}
