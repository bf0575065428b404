package org.tinybert.jobs;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.io.RandomAccessFile;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;
import org.tinybert.cluster.SparkHome;
import org.tinybert.cluster.StandaloneCluster;
import org.tinybert.cluster.Submission;

/**
 * The jobs spark-submitted (deploy/spark/submit.sh, Spark's own SparkSubmit) to a Spark standalone cluster of two
 * 1-core Workers on this machine, each executor its own JVM: what users run, and what local mode cannot show (the
 * application jar on executors, the DL4J layer configuration serialised to another process, per-executor caches in
 * fresh JVMs, executors and drivers that die). Each output must equal, byte for byte, the same job in local mode.
 */
@Tag("cluster")
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class StandaloneClusterIT {
  private static final Duration RUN_TIMEOUT = Duration.ofMinutes(4);
  static Path tmp;
  static Path sparkHome;
  static StandaloneCluster cluster;
  static Path localGd;
  static Path task;
  static Path localTeacher;
  static Path localStudent;

  @BeforeAll
  static void start() throws Exception {
    tmp = SparkHome.workDir("standalone");
    sparkHome = SparkHome.locate();
    SparkHome.appJar();
    cluster = StandaloneCluster.start(sparkHome, tmp.resolve("cluster"), 2, 1, "3g");
    localGd = tmp.resolve("local/gd");
    ClusterRuns.local(generalDistill(localGd));
    task = ClusterRuns.sst2(tmp.resolve("SST-2"));
    localTeacher = tmp.resolve("local/teacher");
    localStudent = tmp.resolve("local/student");
  }

  @AfterAll
  static void stop() {
    if (cluster != null) cluster.close();
  }

  static List<String> generalDistill(Path output) {
    return ClusterRuns.generalDistill(ClusterRuns.sample("corpus").toString(),
        ClusterRuns.sample("teacher").toString(), output.toString());
  }

  Submission submit(String name, List<String> args) {
    return new Submission("standalone", sparkHome, tmp.resolve(name + ".log"), args)
        .env("SPARK_MASTER_URL", cluster.masterUrl());
  }

  Submission.Result succeed(Submission s) throws Exception {
    Submission.Result r = s.run(RUN_TIMEOUT);
    assertEquals(0, r.exit(), "spark-submit failed; its log " + s.log() + ":\n" + Submission.tail(r.output(), 80));
    return r;
  }

  @Test
  @Order(1)
  void generalDistillationGivesTheStudentOfLocalMode() throws Exception {
    Path out = tmp.resolve("cluster/gd");
    Submission.Result r = succeed(submit("gd", generalDistill(out)));
    assertTrue(r.output().contains("student: " + out.resolve("student")), r.output());
    ClusterRuns.assertSameFiles(localGd.resolve("student"), out.resolve("student"));
  }

  @Test
  @Order(2)
  void anExecutorThatDiesMidRoundIsReplacedAndTheStudentIsUnchanged() throws Exception {
    Path out = tmp.resolve("cluster/gd-executor-lost");
    Path marker = tmp.resolve("executor-halted");
    // Minibatch 6 is the second of one worker's two in round 2: it dies after one step of the round.
    Submission.Result r = succeed(submit("gd-executor-lost", generalDistill(out))
        .conf("spark.tinybert.test.haltExecutorOnMinibatch", "1:6")
        .conf("spark.tinybert.test.haltMarker", marker.toUri().toString()));
    assertTrue(Files.exists(marker), "no executor halted");
    assertTrue(r.output().contains("ExecutorLostFailure") || r.output().contains("Lost executor"),
        "the driver did not see an executor die:\n" + Submission.tail(r.output(), 60));
    ClusterRuns.assertSameFiles(localGd.resolve("student"), out.resolve("student"));
  }

  @Test
  @Order(3)
  void aDriverKilledAfterACheckpointResumesToTheSameStudentAlsoPastADamagedCheckpoint() throws Exception {
    Path out = tmp.resolve("cluster/gd-driver-killed");
    Submission first = submit("gd-driver-killed", generalDistill(out));
    Process driver = first.start();
    Path second = out.resolve("checkpoints/ckpt-000000004");
    long deadline = System.nanoTime() + RUN_TIMEOUT.toNanos();
    while (!Files.isDirectory(second) && driver.isAlive() && System.nanoTime() < deadline) Thread.sleep(50);
    assertTrue(Files.isDirectory(second) && driver.isAlive(),
        "no checkpoint of round 4 while the driver ran:\n" + Submission.tail(Files.readString(first.log()), 60));
    driver.destroyForcibly().waitFor();
    assertTrue(!Files.exists(out.resolve("student")), "the run finished before it was killed");

    // A copy of the killed run whose newest checkpoint gets damaged on disk (one bit flipped in graph.zip).
    Path damaged = tmp.resolve("cluster/gd-damaged");
    copyTree(out, damaged);
    flipOneBit(damaged.resolve("checkpoints/ckpt-000000004/graph.zip"));

    // The killed driver's hold is left behind; two reruns at once (a scheduler's retry beside an operator's): the
    // first takes the dead driver's hold over and resumes, the second is refused naming the first.
    Path hold = tmp.resolve("cluster/gd-driver-killed.hold");
    assertTrue(Files.exists(hold), "the killed driver held its output");
    String killedHold = Files.readString(hold);
    java.util.concurrent.CompletableFuture<Submission.Result> rerun = java.util.concurrent.CompletableFuture
        .supplyAsync(() -> {
          try {
            return submit("gd-driver-killed-rerun", generalDistill(out)).run(RUN_TIMEOUT);
          } catch (Exception e) {
            throw new IllegalStateException(e);
          }
        });
    long taken = System.nanoTime() + RUN_TIMEOUT.toNanos();
    while (!rerun.isDone() && System.nanoTime() < taken
        && (!Files.exists(hold) || Files.readString(hold).equals(killedHold))) {
      Thread.sleep(50);
    }
    Submission.Result refused = submit("gd-driver-killed-rerun-2", generalDistill(out)).run(RUN_TIMEOUT);
    Submission.Result resumed = rerun.get();
    assertEquals(0, resumed.exit(), Submission.tail(resumed.output(), 80));
    assertTrue(resumed.output().contains("resumed from a checkpoint"), resumed.output());
    assertTrue(resumed.output().contains("taking over the hold of host "), Submission.tail(resumed.output(), 80));
    assertTrue(refused.exit() != 0 && refused.output().contains(" is held by another run (host "),
        Submission.tail(refused.output(), 40));
    assertTrue(!Files.exists(hold), "released at the end");
    ClusterRuns.assertSameFiles(localGd.resolve("student"), out.resolve("student"));

    Submission.Result past = succeed(submit("gd-damaged-rerun", generalDistill(damaged)));
    assertTrue(past.output().contains("ckpt-000000004 is damaged"),
        "no warning naming the damaged checkpoint:\n" + Submission.tail(past.output(), 60));
    ClusterRuns.assertSameFiles(localGd.resolve("student"), damaged.resolve("student"));
  }

  /** The task chain of one GLUE task, each step on the cluster from local mode's inputs, against local mode. */
  @Test
  @Order(4)
  void augmentBroadcastsGloveAndRunsTheMaskedLmOnExecutors() throws Exception {
    List<String> args = List.of("augment", "--task", "sst-2", "--input", task.resolve("train.tsv").toString(),
        "--glove", ClusterRuns.glove().toString(), "--mlm", ClusterRuns.sample("teacher").toString(),
        "--variants", "3", "--top-k", "4", "--partitions", "2", "--output");
    Path local = tmp.resolve("local/train_aug.tsv");
    Path onCluster = tmp.resolve("cluster/train_aug.tsv");
    ClusterRuns.local(with(args, local.toString()));
    succeed(submit("augment", with(args, onCluster.toString())));
    assertTrue(Files.readAllLines(local).size() > Files.readAllLines(task.resolve("train.tsv")).size(),
        "no variants were written");
    assertEquals(-1L, Files.mismatch(local, onCluster), "train_aug.tsv differs from local mode's");
  }

  @Test
  @Order(5)
  void finetuneTeacherKeepsTheBestDevCheckpointOfLocalMode() throws Exception {
    List<String> args = List.of("finetune-teacher", "--model", ClusterRuns.sample("teacher").toString(), "--task",
        "sst-2", "--task-dir", task.toString(), "--epochs", "2", "--batch-size", "16", "--workers", "2",
        "--learning-rate", "2e-3", "--set", "tinybert.finetune-teacher.new-classifier=true", "--set",
        "tinybert.finetune-teacher.averaging-frequency=2", "--output");
    ClusterRuns.local(with(args, localTeacher.toString()));
    Path onCluster = tmp.resolve("cluster/teacher");
    succeed(submit("finetune-teacher", with(args, onCluster.toString())));
    ClusterRuns.assertSameFiles(localTeacher.resolve("best"), onCluster.resolve("best"));
  }

  @Test
  @Order(6)
  void taskDistillationBothStagesGiveTheStudentsOfLocalMode() throws Exception {
    List<String> args = new java.util.ArrayList<>(List.of("task-distill", "--task", "sst-2", "--task-dir",
        task.toString(), "--teacher", localTeacher.resolve("best").toString(), "--student",
        localGd.resolve("student").toString(), "--eval-every", "2"));
    for (String stage : List.of("intermediate", "prediction")) {
      String k = "tinybert.task-distill." + stage + ".";
      args.addAll(List.of("--set", k + "epochs=1", "--set", k + "batch-size=16", "--set", k + "workers=2", "--set",
          k + "averaging-frequency=2", "--set", k + "learning-rate=1e-3"));
    }
    args.add("--output");
    ClusterRuns.local(with(args, localStudent.toString()));
    Path onCluster = tmp.resolve("cluster/student");
    succeed(submit("task-distill", with(args, onCluster.toString())));
    ClusterRuns.assertSameFiles(localStudent.resolve("best"), onCluster.resolve("best"));
    ClusterRuns.assertSameFiles(localStudent.resolve("intermediate/student"),
        onCluster.resolve("intermediate/student"));
  }

  @Test
  @Order(7)
  void predictWritesTheServerFileOfLocalMode() throws Exception {
    List<String> args = List.of("predict", "--model", localStudent.resolve("best").toString(), "--task", "sst-2",
        "--task-dir", task.toString(), "--partitions", "2", "--output");
    Path local = tmp.resolve("local/predictions");
    ClusterRuns.local(with(args, local.toString()));
    Path onCluster = tmp.resolve("cluster/predictions");
    succeed(submit("predict", with(args, onCluster.toString())));
    ClusterRuns.assertSameFiles(local, onCluster);
  }

  @Test
  @Order(8)
  void inferScoresATableOnTheExecutorsAsLocalModeDoes() throws Exception {
    List<String> args = List.of("infer", "--model", localStudent.resolve("best").toString(), "--input",
        task.resolve("dev.tsv").toString(), "--text-column", "sentence", "--task", "sst-2", "--output-format",
        "jsonl", "--split-size", "512", "--output");
    Path local = tmp.resolve("local/scored");
    ClusterRuns.local(with(args, local.toString()));
    Path onCluster = tmp.resolve("cluster/scored");
    succeed(submit("infer", with(args, onCluster.toString())));
    List<Path> parts = dataParts(local);
    assertTrue(parts.size() > 2, "several parts: " + parts);
    assertEquals(parts, dataParts(onCluster));
    // The parts, byte for byte; _manifest.json and the per-part records under _parts/ hold the run's id and times.
    for (Path part : parts) {
      assertEquals(-1L, Files.mismatch(local.resolve(part), onCluster.resolve(part)), part + " differs");
    }
  }

  /** The scored parts at the top of an infer output directory (not the records of them under {@code _parts/}). */
  static List<Path> dataParts(Path dir) throws IOException {
    return ClusterRuns.files(dir).stream()
        .filter(f -> f.getNameCount() == 1 && f.getFileName().toString().startsWith("part-")).toList();
  }

  static List<String> with(List<String> args, String last) {
    List<String> out = new java.util.ArrayList<>(args);
    out.add(last);
    return out;
  }

  static void copyTree(Path from, Path to) throws IOException {
    try (var s = Files.walk(from)) {
      for (Path p : s.toList()) {
        Path t = to.resolve(from.relativize(p).toString());
        if (Files.isDirectory(p)) Files.createDirectories(t); else Files.copy(p, t);
      }
    }
  }

  static void flipOneBit(Path file) throws IOException {
    try (RandomAccessFile f = new RandomAccessFile(file.toFile(), "rw")) {
      long at = f.length() / 2;
      f.seek(at);
      int b = f.read();
      f.seek(at);
      f.write(b ^ 0x10);
    }
  }
}
