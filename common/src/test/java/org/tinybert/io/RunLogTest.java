package org.tinybert.io;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.nio.charset.StandardCharsets;
import java.util.List;
import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.FSDataOutputStream;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.Path;
import org.apache.hadoop.hdfs.MiniDFSCluster;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.tinybert.run.MetricsRound;
import org.tinybert.run.RunFiles;

/** metrics.jsonl: appended on HDFS, rewritten on the local file system, the same records either way. */
class RunLogTest {
  @TempDir static java.nio.file.Path tmp;
  static MiniDFSCluster hdfs;
  static final Configuration CONF = new Configuration();

  static {
    // One DataNode: files are written with one replica (appending to a file of 3 would fail).
    CONF.set("dfs.replication", "1");
  }

  @BeforeAll
  static void start() throws Exception {
    Configuration c = new Configuration();
    c.set(MiniDFSCluster.HDFS_MINIDFS_BASEDIR, tmp.resolve("dfs").toString());
    hdfs = new MiniDFSCluster.Builder(c).numDataNodes(1).build();
    hdfs.waitActive();
  }

  @AfterAll
  static void stop() {
    if (hdfs != null) hdfs.shutdown();
  }

  static List<Long> rounds(RunLog log) {
    return log.rounds().stream().map(MetricsRound::round).toList();
  }

  static MetricsRound round(long r, double loss) {
    return MetricsRound.of(r, 1, r, 8 * r, loss, 1.0, 0.5, 0.25, 0.25, 10.0, 1e-3);
  }

  void recordsSurviveAResumeThatDropsLaterRounds(Path dir) throws Exception {
    RunLog log = new RunLog(dir, CONF, 0);
    for (long r = 1; r <= 5; r++) log.append(round(r, 10.0 / r));
    assertEquals(List.of(1L, 2L, 3L, 4L, 5L), rounds(new RunLog(dir, CONF, Long.MAX_VALUE)));
    // A resume from the checkpoint of round 3 drops rounds 4 and 5, then records rounds 4 to 6 again.
    RunLog resumed = new RunLog(dir, CONF, 3);
    for (long r = 4; r <= 6; r++) resumed.append(round(r, 1.0));
    assertEquals(List.of(1L, 2L, 3L, 4L, 5L, 6L), rounds(new RunLog(dir, CONF, Long.MAX_VALUE)));
    String text = new String(HadoopIO.readAll(new Path(dir, RunFiles.METRICS), CONF), StandardCharsets.UTF_8);
    assertEquals(6, text.lines().count(), text);
  }

  @Test
  void onHdfsRecordsAreAppended() throws Exception {
    Path dir = new Path(hdfs.getURI().toString() + "/run");
    recordsSurviveAResumeThatDropsLaterRounds(dir);
  }

  @Test
  void onTheLocalFileSystemRecordsAreRewritten() throws Exception {
    recordsSurviveAResumeThatDropsLaterRounds(new Path(tmp.resolve("local").toUri()));
  }

  @Test
  void aPartialLastLineFromACrashedAppendIsDropped() throws Exception {
    Path dir = new Path(hdfs.getURI().toString() + "/crashed");
    RunLog log = new RunLog(dir, CONF, 0);
    log.append(round(1, 1.0));
    FileSystem fs = dir.getFileSystem(CONF);
    try (FSDataOutputStream out = fs.append(new Path(dir, RunFiles.METRICS))) {
      out.write("{\"round\": 2, \"lo".getBytes(StandardCharsets.UTF_8));
    }
    RunLog reopened = new RunLog(dir, CONF, Long.MAX_VALUE);
    assertEquals(List.of(1L), rounds(reopened));
    reopened.append(round(2, 1.0));
    assertEquals(List.of(1L, 2L), rounds(new RunLog(dir, CONF, Long.MAX_VALUE)));
  }
}
