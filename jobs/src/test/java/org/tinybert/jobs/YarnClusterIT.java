package org.tinybert.jobs;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.yarn.api.records.ApplicationReport;
import org.apache.hadoop.yarn.api.records.FinalApplicationStatus;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.tinybert.cluster.SparkHome;
import org.tinybert.cluster.Submission;
import org.tinybert.cluster.YarnCluster;

/**
 * The jobs spark-submitted with {@code deploy/spark/submit.sh yarn cpu} (cluster deploy mode: the driver runs inside
 * YARN's ApplicationMaster) to an in-process YARN and HDFS, inputs and outputs on {@code hdfs://}: spark-submit must
 * exit 0, YARN must record the application SUCCEEDED after one attempt, and the outputs must equal local mode's; a
 * job that fails must end FAILED with its reason in YARN's diagnostics.
 */
@Tag("cluster")
class YarnClusterIT {
  private static final Duration RUN_TIMEOUT = Duration.ofMinutes(5);
  static Path tmp;
  static Path sparkHome;
  static YarnCluster yarn;
  static String hdfs;

  @BeforeAll
  static void start() throws Exception {
    tmp = SparkHome.workDir("yarn");
    sparkHome = SparkHome.locate();
    SparkHome.appJar();
    yarn = YarnCluster.start(tmp.resolve("cluster"), 8192);
    hdfs = yarn.hdfs();
    FileSystem fs = yarn.fileSystem();
    Path golden = SparkHome.projectRoot().resolve("common/src/test/resources/org/tinybert/golden");
    upload(fs, ClusterRuns.sample("corpus"), "/in/corpus");
    upload(fs, ClusterRuns.sample("teacher"), "/in/teacher");
    upload(fs, golden.resolve("teacher"), "/in/golden-teacher");
    upload(fs, golden.resolve("student"), "/in/golden-student");
    upload(fs, SyntheticMnli.write(tmp.resolve("MNLI")), "/in/MNLI");
    upload(fs, ClusterRuns.sst2(tmp.resolve("SST-2")), "/in/SST-2");
    upload(fs, ClusterRuns.glove(), "/in/glove.txt.gz");
  }

  @AfterAll
  static void stop() {
    if (yarn != null) yarn.close();
  }

  static void upload(FileSystem fs, Path local, String to) throws Exception {
    fs.copyFromLocalFile(new org.apache.hadoop.fs.Path(local.toUri()), new org.apache.hadoop.fs.Path(hdfs + to));
  }

  /** An HDFS directory or file copied here, for byte comparisons. */
  static Path download(String from, String name) throws Exception {
    Path to = tmp.resolve("downloaded").resolve(name);
    Files.createDirectories(to.getParent());
    yarn.fileSystem().copyToLocalFile(new org.apache.hadoop.fs.Path(hdfs + from),
        new org.apache.hadoop.fs.Path(to.toUri()));
    return to;
  }

  static Submission submit(String name, List<String> args) {
    Submission s = new Submission("yarn", sparkHome, tmp.resolve(name + ".log"), args)
        .env("HADOOP_CONF_DIR", yarn.confDir().toString())
        // The Spark home's jars are on this (the only) node already: no 200 MB upload per application.
        .conf("spark.yarn.jars", "local:" + sparkHome.resolve("jars") + "/*");
    // YARN starts containers with a clean environment. A machine that pins OpenBLAS's kernels (OPENBLAS_CORETYPE)
    // would otherwise run other GEMM kernels in the containers than in the local run, and the students the tests
    // compare byte for byte would differ in the last bit.
    for (String var : List.of("OPENBLAS_CORETYPE", "OPENBLAS_L2_SIZE")) {
      String value = System.getenv(var);
      if (value != null) {
        s.conf("spark.executorEnv." + var, value).conf("spark.yarn.appMasterEnv." + var, value);
      }
    }
    return s;
  }

  /** Runs it; asserts spark-submit exited 0 and YARN recorded SUCCEEDED after a single attempt. */
  static void succeed(Submission s) throws Exception {
    Submission.Result r = s.run(RUN_TIMEOUT);
    assertEquals(0, r.exit(), "spark-submit failed; its log " + s.log() + ":\n" + Submission.tail(r.output(), 80));
    ApplicationReport app = yarn.report(r.output());
    assertEquals(FinalApplicationStatus.SUCCEEDED, app.getFinalApplicationStatus(), app.getDiagnostics());
    assertEquals(1, app.getCurrentApplicationAttemptId().getAttemptId(), "attempts of " + app.getApplicationId());
  }

  @Test
  void generalDistillationOnHdfsSucceedsOnceWithTheStudentOfLocalMode() throws Exception {
    Path local = tmp.resolve("local/gd");
    ClusterRuns.local(ClusterRuns.generalDistill(ClusterRuns.sample("corpus").toString(),
        ClusterRuns.sample("teacher").toString(), local.toString()));
    succeed(submit("gd", ClusterRuns.generalDistill(hdfs + "/in/corpus", hdfs + "/in/teacher", hdfs + "/out/gd")));
    ClusterRuns.assertSameFiles(local.resolve("student"), download("/out/gd/student", "gd-student"));
  }

  @Test
  void aJobThatFailsEndsFailedWithItsReasonInTheDiagnostics() throws Exception {
    // One attempt: a second would only fail the same way (YARN retries a failed driver; submit.sh keeps that).
    Submission s = submit("gd-bad-input", ClusterRuns.generalDistill(hdfs + "/in/no-such-corpus",
        hdfs + "/in/teacher", hdfs + "/out/gd-bad")).conf("spark.yarn.maxAppAttempts", "1");
    Submission.Result r = s.run(RUN_TIMEOUT);
    assertNotEquals(0, r.exit(), "spark-submit succeeded:\n" + Submission.tail(r.output(), 40));
    ApplicationReport app = yarn.report(r.output());
    assertEquals(FinalApplicationStatus.FAILED, app.getFinalApplicationStatus());
    // The command's one line (an input problem: no trace) is the diagnostics' reason.
    assertTrue(app.getDiagnostics().contains("tinybert general-distill: corpus path hdfs://")
        && app.getDiagnostics().contains("/in/no-such-corpus does not exist"), "diagnostics: " + app.getDiagnostics());
  }

  @Test
  void taskDistillationBothStagesOnHdfsGiveTheStudentOfLocalMode() throws Exception {
    List<String> local = taskDistill(tmp.resolve("MNLI").toString(), goldenDir("teacher"), goldenDir("student"),
        tmp.resolve("local/td").toString());
    ClusterRuns.local(local);
    succeed(submit("task-distill", taskDistill(hdfs + "/in/MNLI", hdfs + "/in/golden-teacher",
        hdfs + "/in/golden-student", hdfs + "/out/td")));
    ClusterRuns.assertSameFiles(tmp.resolve("local/td/best"), download("/out/td/best", "td-best"));
  }

  @Test
  void augmentOnHdfsWritesTheRowsOfLocalMode() throws Exception {
    Path local = tmp.resolve("local/train_aug.tsv");
    ClusterRuns.local(augment(tmp.resolve("SST-2/train.tsv").toString(), ClusterRuns.glove().toString(),
        ClusterRuns.sample("teacher").toString(), local.toString()));
    succeed(submit("augment", augment(hdfs + "/in/SST-2/train.tsv", hdfs + "/in/glove.txt.gz",
        hdfs + "/in/teacher", hdfs + "/out/train_aug.tsv")));
    assertEquals(-1L, Files.mismatch(local, download("/out/train_aug.tsv", "train_aug.tsv")));
  }

  static String goldenDir(String name) {
    return SparkHome.projectRoot().resolve("common/src/test/resources/org/tinybert/golden").resolve(name).toString();
  }

  static List<String> taskDistill(String taskDir, String teacher, String student, String output) {
    List<String> args = new ArrayList<>(List.of("task-distill", "--task", "mnli", "--task-dir", taskDir, "--teacher",
        teacher, "--student", student, "--output", output, "--max-seq-length", "24", "--eval-every", "2"));
    for (String stage : List.of("intermediate", "prediction")) {
      String k = "tinybert.task-distill." + stage + ".";
      args.addAll(List.of("--set", k + "epochs=1", "--set", k + "batch-size=4", "--set", k + "workers=2", "--set",
          k + "learning-rate=1e-3", "--set", k + "checkpoint-every=2"));
    }
    return args;
  }

  static List<String> augment(String input, String glove, String mlm, String output) {
    return List.of("augment", "--task", "sst-2", "--input", input, "--glove", glove, "--mlm", mlm, "--output", output,
        "--variants", "3", "--top-k", "4", "--partitions", "2");
  }
}
