package org.tinybert.model.checkpoint;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.tinybert.model.checkpoint.TestFiles.assertSameTensors;
import static org.tinybert.model.checkpoint.TestFiles.resource;

import java.io.File;
import java.util.Arrays;
import java.util.List;
import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.FileStatus;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.Path;
import org.apache.hadoop.hdfs.MiniDFSCluster;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The same files on HDFS: positioned reads, the zip format's local copy, and the model directory's rename. */
class CheckpointHdfsTest {
  private static MiniDFSCluster cluster;
  private static Configuration conf;
  private static FileSystem fs;

  @TempDir
  static File base;

  @BeforeAll
  static void start() throws Exception {
    conf = new Configuration();
    conf.set(MiniDFSCluster.HDFS_MINIDFS_BASEDIR, new File(base, "dfs").getAbsolutePath());
    cluster = new MiniDFSCluster.Builder(conf).numDataNodes(1).build();
    cluster.waitActive();
    fs = cluster.getFileSystem();
  }

  @AfterAll
  static void stop() {
    if (cluster != null) cluster.shutdown();
  }

  private Path upload(String resourceName, String target) throws Exception {
    Path dst = fs.makeQualified(new Path(target));
    fs.copyFromLocalFile(resource(resourceName), dst);
    return dst;
  }

  @Test
  void torchFilesOfBothFormatsReadFromHdfs() throws Exception {
    Path zip = upload("/org/tinybert/model/checkpoint/small_zip.bin", "/torch/small_zip.bin");
    Path legacy = upload("/org/tinybert/model/checkpoint/small_legacy.bin", "/torch/small_legacy.bin");
    assertTrue(zip.toString().startsWith("hdfs://"));
    Configuration local = new Configuration();
    assertSameTensors(TorchCheckpoint.read(resource("/org/tinybert/model/checkpoint/small_zip.bin"), local),
        TorchCheckpoint.read(zip, conf));
    assertSameTensors(TorchCheckpoint.read(zip, conf), TorchCheckpoint.read(legacy, conf));
  }

  @Test
  void modelDirectorySavesAndLoadsOnHdfs() throws Exception {
    HfCheckpoint student = HfCheckpoint.load(resource("/org/tinybert/golden/student"), new Configuration());
    Path dir = fs.makeQualified(new Path("/models/student"));
    Path vocab = upload("/org/tinybert/golden/student/vocab.txt", "/vocab.txt");
    HfCheckpoint.save(dir, student.config(), student.weights(), vocab, true, conf);
    HfCheckpoint.save(dir, student.config(), student.weights(), List.of("[PAD]", "[UNK]"), true, conf); // replaces

    HfCheckpoint back = HfCheckpoint.load(dir, conf);
    assertSameTensors(student.weights(), back.weights());
    assertEquals(student.heads(), back.heads());
    List<String> siblings = Arrays.stream(fs.listStatus(dir.getParent())).map(FileStatus::getPath)
        .map(Path::getName).toList();
    assertEquals(List.of("student"), siblings, "no temporary or old directories left");
    assertFalse(fs.exists(new Path(dir, "student")), "the new directory replaced the old, not nested in it");
    assertEquals("[PAD]\n[UNK]\n".length(), fs.getFileStatus(new Path(dir, "vocab.txt")).getLen());
  }
}
